//! The checks of the model: the consistency a [`Topology`] can lose through edits (references
//! to groups, VPCs, clusters, gateways and prefix lists that do not exist, group references
//! the cloud refuses, ports that do not fit their protocol, limits, ...).
//!
//! Each check is written once, as a method of [`Checker`]. [`super::check`] runs them over a
//! model; the lowering of a raw file ([`super::lower`]) runs the same methods on each object
//! as it reads it, so that a file and the model it describes get the same diagnostics, in the
//! order of the file.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;

use super::fields::{
    check_description_field, check_group_reference, check_port_field, check_protocol_family,
};
use super::{GroupInfo, Limits};
use crate::diagnostic::{Diagnostic, Location, Sink};
use crate::model::{
    EndpointId, GroupId, GroupType, InnerAccessPolicy, NicType, Peer, PrefixListId, Priority,
    Protocol, Rule, RuleId, SecurityGroup, Topology, VpcId,
};
use crate::Error;

/// What the checks know about the objects a reference may name: every declared group (even a
/// broken one, so that a broken group does not also make every reference to it unknown), every
/// prefix list, the kind word of every endpoint, and the rule ids seen so far.
#[derive(Clone, Debug, Default)]
pub(crate) struct Known {
    pub(crate) groups: BTreeMap<GroupId, GroupInfo>,
    pub(crate) prefix_lists: BTreeSet<PrefixListId>,
    pub(crate) endpoint_kinds: BTreeMap<EndpointId, String>,
    pub(crate) rule_ids: BTreeSet<RuleId>,
}

impl Known {
    /// What a model declares.
    pub(crate) fn of(topology: &Topology) -> Known {
        Known {
            groups: crate::sort::map_of(topology.groups.values().map(|group| {
                (
                    group.id.clone(),
                    GroupInfo {
                        vpc: Some(group.vpc.clone()).filter(|vpc| topology.vpcs.contains_key(vpc)),
                        group_type: group.group_type,
                    },
                )
            })),
            prefix_lists: crate::sort::set_of(topology.prefix_lists.keys().cloned()),
            endpoint_kinds: crate::sort::map_of(
                topology
                    .endpoints
                    .values()
                    .map(|endpoint| (endpoint.id.clone(), endpoint.kind.as_str().to_owned())),
            ),
            rule_ids: BTreeSet::new(),
        }
    }
}

/// The field names of a rule's peer in one input format, so that a check names the field the
/// user wrote.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PeerFieldNames {
    pub(crate) cidr: &'static str,
    pub(crate) ipv6_cidr: &'static str,
    pub(crate) group: &'static str,
    pub(crate) prefix_list: &'static str,
}

/// The peer fields of the sglab format.
pub(crate) const SGLAB_PEER_FIELDS: PeerFieldNames = PeerFieldNames {
    cidr: "cidr",
    ipv6_cidr: "ipv6_cidr",
    group: "group",
    prefix_list: "prefix_list",
};

/// The checks, reporting to one sink, with what they know about the topology.
pub(crate) struct Checker<'a> {
    pub(crate) sink: &'a mut Sink,
    pub(crate) known: &'a mut Known,
    pub(crate) topology: &'a Topology,
    pub(crate) limits: &'a Limits,
}

/// Runs every check over a model, in the order a file written from it is read. Each object is
/// checked against what precedes it as the lowering of that file would have kept it (an object
/// with an error is dropped there), so that the model and its file get the same diagnostics.
pub(crate) fn check_model(sink: &mut Sink, topology: &Topology, limits: &Limits) {
    let mut known = Known::of(topology);
    let mut kept = Topology {
        name: topology.name.clone(),
        vpcs: topology.vpcs.clone(),
        prefix_lists: topology.prefix_lists.clone(),
        ..Topology::default()
    };
    macro_rules! checker {
        () => {
            Checker {
                sink: &mut *sink,
                known: &mut known,
                topology: &kept,
                limits,
            }
        };
    }
    for group in topology.groups.values() {
        if let Some(group) = checker!().group(group) {
            kept.groups.insert(group.id.clone(), group);
        }
    }
    for cluster in topology.clusters.values() {
        let mut checker = checker!();
        let location = checker.object(format!("cluster {}", cluster.id));
        if checker.vpc_reference(&location, &cluster.vpc) {
            kept.clusters.insert(cluster.id.clone(), cluster.clone());
        }
    }
    for gateway in topology.gateways.values() {
        let (survivor, managed_ok) = checker!().gateway(gateway);
        if managed_ok {
            if let Some(group) = kept.groups.get_mut(&gateway.managed_group) {
                group.managed_by.get_or_insert_with(|| {
                    super::gateways::managed_product(Some(gateway.kind)).to_owned()
                });
            }
        }
        if let Some(gateway) = survivor {
            kept.gateways.insert(gateway.id.clone(), gateway);
        }
    }
    for endpoint in topology.endpoints.values() {
        if checker!().endpoint(endpoint) {
            kept.endpoints.insert(endpoint.id.clone(), endpoint.clone());
        }
    }
    checker!().authorization_rules();
    checker!().limits();
    for (index, expectation) in topology.expectations.iter().enumerate() {
        let mut checker = checker!();
        let location = checker.object(format!("expectation {}", index + 1));
        let field = |name: &str| location.clone().field(name);
        checker.expectation_endpoint(field("from"), &expectation.from);
        checker.expectation_endpoint(field("to"), &expectation.to);
        let port = expectation.port.map(|port| port.to_string());
        checker.expectation_port(&location, expectation.protocol, port.as_deref());
    }
    for id in topology.layout.keys() {
        checker!().layout_entry(id);
    }
}

/// The model's word for the legacy priority warning of the sglab format.
pub(crate) const LEGACY_PRIORITY: &str =
    "legacy priority 110, ordered after 100: set a priority from 1 to 100";

impl Checker<'_> {
    /// The location of an object of the input.
    pub(crate) fn object(&self, object: String) -> Location {
        self.sink.location().object(object)
    }

    /// One group of the model; the group as the lowering of its file would keep it (without the
    /// rules that have errors), or `None` when its VPC does not exist.
    fn group(&mut self, group: &SecurityGroup) -> Option<SecurityGroup> {
        let location = self.object(format!("security group {}", group.id));
        let vpc_ok = self.vpc_reference(&location, &group.vpc);
        if group.inner_access_policy == InnerAccessPolicy::Accept {
            self.inner_access_policy_accept(&location, group.group_type);
        }
        self.description(location.clone().field("description"), &group.description);
        let info = self
            .known
            .groups
            .get(&group.id)
            .cloned()
            .unwrap_or(GroupInfo {
                vpc: Some(group.vpc.clone()),
                group_type: group.group_type,
            });
        let mut rules = Vec::new();
        for (rule_index, rule) in group.rules.iter().enumerate() {
            let errors = self.sink.error_count();
            self.rule(&location.clone().rule(rule_index), &group.id, &info, rule);
            if self.sink.error_count() == errors {
                rules.push(rule.clone());
            }
        }
        vpc_ok.then(|| SecurityGroup {
            rules: rules.into(),
            ..group.clone()
        })
    }

    /// One rule of the model, in the order the sglab reader checks its fields.
    fn rule(&mut self, location: &Location, holder_id: &GroupId, holder: &GroupInfo, rule: &Rule) {
        let field = |name: &str| location.clone().field(name);
        self.legacy_priority(field("priority"), rule.priority, LEGACY_PRIORITY);
        self.sink.check(
            field("port_range"),
            check_port_field(rule.protocol, &rule.ports.to_string()),
        );
        match &rule.peer {
            Peer::Cidr(cidr) => {
                let name = match cidr {
                    IpNet::V4(_) => SGLAB_PEER_FIELDS.cidr,
                    IpNet::V6(_) => SGLAB_PEER_FIELDS.ipv6_cidr,
                };
                self.peer_family(field(name), Some(rule.protocol), cidr);
            }
            Peer::Group { id, .. } => {
                self.group_reference(field(SGLAB_PEER_FIELDS.group), holder_id, holder, id);
            }
            Peer::PrefixList(id) => {
                self.prefix_list_reference(field(SGLAB_PEER_FIELDS.prefix_list), id);
            }
        }
        self.nic_type(field("nic_type"), rule.nic_type);
        self.description(field("description"), &rule.description);
        self.rule_id(field("id"), rule.id.as_ref());
    }

    /// A VPC an object names must exist.
    pub(crate) fn vpc_reference(&mut self, location: &Location, vpc: &VpcId) -> bool {
        if self.topology.vpcs.contains_key(vpc) {
            return true;
        }
        self.sink.push(
            Diagnostic::error(
                location.clone().field("vpc"),
                format!(
                    "VPC {:?} does not exist: add it to vpcs or correct the id",
                    vpc.as_str()
                ),
            )
            .with_code("InvalidVpcId.NotFound"),
        );
        false
    }

    /// An enterprise group with `inner_access_policy` accept.
    pub(crate) fn inner_access_policy_accept(
        &mut self,
        location: &Location,
        group_type: GroupType,
    ) {
        if group_type == GroupType::Enterprise {
            self.sink.warning(
                location.clone().field("inner_access_policy"),
                "enterprise groups never accept intra-group traffic implicitly: inner_access_policy accept has no effect",
            );
        }
    }

    /// A description of at most 512 characters.
    pub(crate) fn description(&mut self, location: Location, text: &str) {
        self.sink.check(location, check_description_field(text));
    }

    /// The legacy priority 110, worded by the reader.
    pub(crate) fn legacy_priority(
        &mut self,
        location: Location,
        priority: Priority,
        message: &str,
    ) {
        if priority.is_legacy() {
            self.sink.warning(location, message);
        }
    }

    /// `nic_type internet`, which means nothing in a VPC.
    pub(crate) fn nic_type(&mut self, location: Location, nic_type: NicType) {
        if nic_type == NicType::Internet {
            self.sink.warning(
                location,
                "nic_type internet only meant something on the retired classic network: in a VPC the rule governs private and public traffic alike",
            );
        }
    }

    /// A rule id used twice.
    pub(crate) fn rule_id(&mut self, location: Location, id: Option<&RuleId>) {
        if let Some(id) = id {
            if !self.known.rule_ids.insert(id.clone()) {
                self.sink.error(
                    location,
                    format!("rule id {id} is used twice: ids must be unique"),
                );
            }
        }
    }

    /// A CIDR peer of the protocol's address family.
    pub(crate) fn peer_family(
        &mut self,
        location: Location,
        protocol: Option<Protocol>,
        cidr: &IpNet,
    ) -> Option<()> {
        match protocol {
            Some(protocol) => self
                .sink
                .check(location, check_protocol_family(protocol, cidr)),
            None => Some(()),
        }
    }

    /// A group peer: not the holder itself, no enterprise group on either side, an existing
    /// group of the holder's VPC.
    pub(crate) fn group_reference(
        &mut self,
        location: Location,
        holder_id: &GroupId,
        holder: &GroupInfo,
        target: &GroupId,
    ) -> Option<()> {
        let info = self.known.groups.get(target).cloned();
        self.sink.check(
            location,
            check_group_reference(holder_id, holder, target, info.as_ref()),
        )
    }

    /// A prefix list peer that exists.
    pub(crate) fn prefix_list_reference(
        &mut self,
        location: Location,
        id: &PrefixListId,
    ) -> Option<()> {
        if self.known.prefix_lists.contains(id) {
            Some(())
        } else {
            self.sink
                .report(location, &Error::UnknownPrefixList(id.clone()));
            None
        }
    }

    /// The limits on rules per group, group references per basic group and rules per ENI.
    pub(crate) fn limits(&mut self) {
        let topology = self.topology;
        let limits = self.limits;
        let mut warnings = Vec::new();
        for group in topology.groups.values() {
            let location = self
                .object(format!("security group {}", group.id))
                .field("rules");
            if group.rules.len() > limits.rules_per_group {
                warnings.push((
                    location.clone(),
                    format!(
                        "the group holds {} rules, more than the limit of {} per group",
                        group.rules.len(),
                        limits.rules_per_group
                    ),
                ));
            }
            let references = group
                .rules
                .iter()
                .filter(|rule| matches!(rule.peer, Peer::Group { .. }))
                .count();
            if group.group_type == GroupType::Basic
                && references > limits.group_references_per_group
            {
                warnings.push((
                    location,
                    format!(
                        "the group holds {references} rules that reference a group, more than the limit of {} per basic group",
                        limits.group_references_per_group
                    ),
                ));
            }
        }
        for endpoint in topology.endpoints.values() {
            for (eni_index, eni) in endpoint.enis.iter().enumerate() {
                let rules: usize = eni
                    .groups
                    .iter()
                    .filter_map(|group| topology.groups.get(group))
                    .map(|group| group.rules.len())
                    .sum();
                if rules > limits.rules_per_eni {
                    warnings.push((
                        self.object(format!("endpoint {}", endpoint.id))
                            .field(format!("enis[{eni_index}].groups")),
                        format!(
                            "the ENI's groups hold {rules} rules together, more than the limit of {} per ENI",
                            limits.rules_per_eni
                        ),
                    ));
                }
            }
        }
        for (location, message) in warnings {
            self.sink
                .push(Diagnostic::warning(location, message).with_code("AuthorizationLimitExceed"));
        }
    }

    /// The endpoint an expectation names: an endpoint id or name, or an IP address.
    pub(crate) fn expectation_endpoint(
        &mut self,
        location: Location,
        text: &str,
    ) -> Option<String> {
        let text = text.trim();
        if text.is_empty() {
            self.sink.error(
                location,
                "the endpoint is missing: give an endpoint id, an endpoint name or an IP address",
            );
            return None;
        }
        let endpoints = &self.topology.endpoints;
        let known = endpoints.contains_key(&EndpointId::from(text))
            || endpoints.values().any(|endpoint| endpoint.name == text)
            || text.parse::<IpAddr>().is_ok();
        if known {
            Some(text.to_owned())
        } else {
            self.sink.error(
                location,
                format!("{text:?} is neither an endpoint id, an endpoint name nor an IP address"),
            );
            None
        }
    }

    /// The port of an expectation against its protocol; `Some(())` when they fit.
    pub(crate) fn expectation_port(
        &mut self,
        location: &Location,
        protocol: Protocol,
        port: Option<&str>,
    ) -> Option<()> {
        let field = location.clone().field("port");
        match port {
            None if protocol.has_ports() => {
                self.sink
                    .error(field, format!("a {protocol} expectation needs a port"));
                None
            }
            Some(port) if !protocol.has_ports() => {
                self.sink.error(
                    field,
                    format!("protocol {protocol} has no ports: leave port out (it was {port})"),
                );
                None
            }
            _ => Some(()),
        }
    }

    /// A layout entry must name an object; `true` when it does.
    pub(crate) fn layout_entry(&mut self, id: &str) -> bool {
        let topology = self.topology;
        let known = topology.endpoints.contains_key(&EndpointId::from(id))
            || self.known.groups.contains_key(&GroupId::from(id))
            || topology.vpcs.contains_key(&VpcId::from(id))
            || topology
                .clusters
                .contains_key(&crate::model::ClusterId::from(id))
            || topology
                .gateways
                .contains_key(&crate::model::GatewayId::from(id));
        if !known {
            let location = self.object("layout".to_owned()).field(id.to_owned());
            self.sink.warning(
                location,
                format!(
                    "layout names {id:?}, which is no object of the file: the position is ignored"
                ),
            );
        }
        known
    }
}
