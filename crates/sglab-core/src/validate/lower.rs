//! Lowering: the raw file types of [`crate::format`] become the model. Lowering reads words,
//! numbers, addresses and ids, fills defaults, and reports what only the file can get wrong
//! (a missing id, an unknown word, a field the object's kind does not allow); it runs the
//! model's checks ([`super::check`]) on each object as it reads it, so that the diagnostics
//! come in the order of the file.

use std::collections::BTreeSet;
use std::net::IpAddr;

use ipnet::IpNet;

use super::check::{Checker, Known};
use super::fields::{
    check_ip_field, check_port_field, check_protocol_field, check_single_port_field, unknown_value,
};
use super::rule::{Dialect, Field, PeerFields, RuleFields};
use super::{GroupInfo, Limits};
use crate::diagnostic::{Location, Sink};
use crate::format::{
    default_inner_access_policy, RawAuthorization, RawFile, RawGroup, RawRule, Scalar,
};
use crate::model::{
    Authorization, Cluster, ClusterId, EndpointId, Expectation, Gateway, GatewayId, GatewayKind,
    GroupId, GroupType, InnerAccessPolicy, NetworkMode, Position, PrefixList, PrefixListId,
    Protocol, Rule, SecurityGroup, Topology, Verdict, Vpc, VpcId,
};

/// The state of one lowering: the diagnostics, what is declared, the model built so far.
pub(super) struct Lowering {
    pub(super) sink: Sink,
    pub(super) known: Known,
    pub(super) topology: Topology,
    pub(super) limits: Limits,
}

impl Lowering {
    /// A lowering of the file `file` with the given limits.
    pub(super) fn new(file: Option<&str>, limits: &Limits, name: &str) -> Lowering {
        Lowering {
            sink: Sink::new(file),
            known: Known::default(),
            topology: Topology {
                name: name.to_owned(),
                ..Topology::default()
            },
            limits: limits.clone(),
        }
    }

    /// The model's checks, over what is lowered so far.
    pub(super) fn checker(&mut self) -> Checker<'_> {
        Checker {
            sink: &mut self.sink,
            known: &mut self.known,
            topology: &self.topology,
            limits: &self.limits,
        }
    }

    pub(super) fn location(&self) -> Location {
        self.sink.location()
    }

    pub(super) fn run(&mut self, raw: &RawFile) {
        self.vpcs(raw);
        self.prefix_lists(raw);
        self.declare_groups(raw);
        for (index, group) in raw.security_groups.iter().enumerate() {
            self.group(index, group);
        }
        self.clusters(raw);
        self.gateways(raw);
        for endpoint in &raw.endpoints {
            self.known
                .endpoint_kinds
                .entry(EndpointId(endpoint.id.trim().to_owned()))
                .or_insert_with(|| endpoint.kind.trim().to_ascii_lowercase());
        }
        let mut seen = BTreeSet::new();
        for (index, endpoint) in raw.endpoints.iter().enumerate() {
            self.endpoint(index, endpoint, &mut seen);
        }
        self.checker().authorization_rules();
        self.checker().limits();
        self.expectations(raw);
        self.layout(raw);
    }

    pub(super) fn id(&mut self, location: &Location, text: &str, what: &str) -> Option<String> {
        let id = text.trim();
        if id.is_empty() {
            self.sink.error(
                location.clone().field("id"),
                format!("the {what} has no id: give it a unique id"),
            );
            None
        } else {
            Some(id.to_owned())
        }
    }

    pub(super) fn duplicate(&mut self, location: &Location, what: &str, id: &str) {
        self.sink.error(
            location.clone().field("id"),
            format!("{what} id {id} is used twice: ids must be unique"),
        );
    }

    fn vpcs(&mut self, raw: &RawFile) {
        for (index, vpc) in raw.vpcs.iter().enumerate() {
            let location = self.location().object(object_name("VPC", &vpc.id, index));
            let Some(id) = self.id(&location, &vpc.id, "VPC") else {
                continue;
            };
            let cidr = vpc
                .cidr
                .as_deref()
                .and_then(|text| self.cidr(&location.clone().field("cidr"), text));
            let id = VpcId(id);
            if self.topology.vpcs.contains_key(&id) {
                self.duplicate(&location, "VPC", id.as_str());
                continue;
            }
            self.topology.vpcs.insert(
                id.clone(),
                Vpc {
                    id,
                    name: vpc.name.clone(),
                    cidr,
                },
            );
        }
    }

    fn prefix_lists(&mut self, raw: &RawFile) {
        for (index, list) in raw.prefix_lists.iter().enumerate() {
            let location = self
                .location()
                .object(object_name("prefix list", &list.id, index));
            let Some(id) = self.id(&location, &list.id, "prefix list") else {
                continue;
            };
            let mut cidrs = Vec::new();
            for (cidr_index, text) in list.cidrs.iter().enumerate() {
                let field = format!("cidrs[{cidr_index}]");
                if let Some(cidr) = self.cidr(&location.clone().field(field), text) {
                    cidrs.push(cidr);
                }
            }
            let id = PrefixListId(id);
            if !self.known.prefix_lists.insert(id.clone()) {
                self.duplicate(&location, "prefix list", id.as_str());
                continue;
            }
            self.topology.prefix_lists.insert(
                id.clone(),
                PrefixList {
                    id,
                    name: list.name.clone(),
                    cidrs,
                },
            );
        }
    }

    /// Records every group's VPC and type before any rule is checked, so that rules may
    /// reference groups declared later in the file.
    fn declare_groups(&mut self, raw: &RawFile) {
        for group in &raw.security_groups {
            let id = GroupId(group.id.trim().to_owned());
            if id.0.is_empty() || self.known.groups.contains_key(&id) {
                continue;
            }
            let vpc = match group.vpc.as_deref().map(str::trim) {
                Some(vpc) => {
                    Some(VpcId::from(vpc)).filter(|vpc| self.topology.vpcs.contains_key(vpc))
                }
                None => self.only_vpc(),
            };
            let group_type =
                parse_group_type(group.group_type.as_deref()).unwrap_or(GroupType::Basic);
            self.known.groups.insert(id, GroupInfo { vpc, group_type });
        }
    }

    fn only_vpc(&self) -> Option<VpcId> {
        let mut ids = self.topology.vpcs.keys();
        match (ids.next(), ids.next()) {
            (Some(id), None) => Some(id.clone()),
            _ => None,
        }
    }

    /// The VPC of an object: the one written (which must exist), else `fallback`, else the only
    /// VPC of the file.
    pub(super) fn vpc(
        &mut self,
        location: &Location,
        written: Option<&str>,
        fallback: Option<VpcId>,
    ) -> Option<VpcId> {
        match written.map(str::trim) {
            Some(text) => {
                let id = VpcId::from(text);
                self.checker().vpc_reference(location, &id).then_some(id)
            }
            None => match fallback {
                Some(vpc) => Some(vpc),
                None => self.checker().missing_vpc(location),
            },
        }
    }

    pub(super) fn cidr(&mut self, location: &Location, text: &str) -> Option<IpNet> {
        self.checker().read_cidr(location.clone(), text, None)
    }

    pub(super) fn ip(&mut self, location: Location, text: &str) -> Option<IpAddr> {
        self.sink.check(location, check_ip_field(text))
    }

    fn group(&mut self, index: usize, raw: &RawGroup) {
        let location = self
            .location()
            .object(object_name("security group", &raw.id, index));
        let Some(id) = self.id(&location, &raw.id, "security group") else {
            return;
        };
        let id = GroupId(id);
        if self.topology.groups.contains_key(&id) {
            self.duplicate(&location, "security group", id.as_str());
            return;
        }
        let vpc = self.vpc(&location, raw.vpc.as_deref(), None);
        let group_type = match parse_group_type(raw.group_type.as_deref()) {
            Some(group_type) => group_type,
            None => {
                self.sink.report(
                    location.clone().field("type"),
                    &unknown_value(
                        "type",
                        raw.group_type.clone().unwrap_or_default(),
                        "basic (also normal) or enterprise",
                    ),
                );
                GroupType::Basic
            }
        };
        let inner_access_policy = match raw.inner_access_policy.as_deref() {
            None => default_inner_access_policy(group_type),
            Some(text) => match InnerAccessPolicy::parse(text) {
                Some(policy) => {
                    if policy == InnerAccessPolicy::Accept {
                        self.checker()
                            .inner_access_policy_accept(&location, group_type);
                    }
                    policy
                }
                None => {
                    self.sink.report(
                        location.clone().field("inner_access_policy"),
                        &unknown_value("inner_access_policy", text.to_owned(), "accept or drop"),
                    );
                    InnerAccessPolicy::Accept
                }
            },
        };
        self.checker()
            .description(location.clone().field("description"), &raw.description);
        let info = GroupInfo {
            vpc: vpc.clone(),
            group_type,
        };
        let mut rules = Vec::new();
        for (rule_index, rule) in raw.rules.iter().enumerate() {
            let rule_location = location.clone().rule(rule_index);
            if let Some(rule) = self.rule(&rule_location, &id, &info, rule) {
                rules.push(rule);
            }
        }
        let Some(vpc) = vpc else {
            return;
        };
        self.topology.groups.insert(
            id.clone(),
            SecurityGroup {
                id,
                name: raw.name.clone(),
                description: raw.description.clone(),
                tags: raw.tags.clone(),
                vpc,
                group_type,
                inner_access_policy,
                managed_by: raw
                    .managed_by
                    .as_deref()
                    .map(str::trim)
                    .filter(|text| !text.is_empty())
                    .map(str::to_owned),
                rules: rules.into(),
            },
        );
    }

    fn rule(
        &mut self,
        location: &Location,
        group_id: &GroupId,
        group: &GroupInfo,
        raw: &RawRule,
    ) -> Option<Rule> {
        let priority = raw.priority.as_ref().map(Scalar::to_text);
        let port_range = raw.port_range.as_ref().map(Scalar::to_text);
        let source_port_range = raw.source_port_range.as_ref().map(Scalar::to_text);
        let fields = RuleFields {
            id: Field::new("id", raw.id.as_deref()),
            policy: Field::new("policy", raw.policy.as_deref()),
            priority: Field::new("priority", priority.as_deref()),
            protocol: Field::new("protocol", Some(&raw.protocol)),
            port_range: Field::new("port_range", port_range.as_deref()),
            peer: PeerFields {
                cidr: Field::new("cidr", raw.cidr.as_deref()),
                ipv6_cidr: Field::new("ipv6_cidr", raw.ipv6_cidr.as_deref()),
                group: Field::new("group", raw.group.as_deref()),
                owner: Field::new("group_owner_account", raw.group_owner_account.as_deref()),
                prefix_list: Field::new("prefix_list", raw.prefix_list.as_deref()),
            },
            source_port_range: Field::new("source_port_range", source_port_range.as_deref()),
            local_cidr: vec![(Field::new("local_cidr", raw.local_cidr.as_deref()), None)],
            nic_type: Field::new("nic_type", raw.nic_type.as_deref()),
            description: Field::new("description", Some(&raw.description)),
        };
        let mut checker = self.checker();
        let direction = checker.read_direction(
            location,
            Dialect::Sglab,
            Field::new("direction", Some(&raw.direction)),
        );
        checker.read_rule(
            location,
            Dialect::Sglab,
            direction,
            group_id,
            Some(group),
            &fields,
        )
    }

    fn clusters(&mut self, raw: &RawFile) {
        for (index, cluster) in raw.clusters.iter().enumerate() {
            let location = self
                .location()
                .object(object_name("cluster", &cluster.id, index));
            let Some(id) = self.id(&location, &cluster.id, "cluster") else {
                continue;
            };
            let vpc = self.vpc(&location, cluster.vpc.as_deref(), None);
            let pod_cidr = match cluster.pod_cidr.as_deref() {
                None => Some(None),
                Some(text) => self
                    .cidr(&location.clone().field("pod_cidr"), text)
                    .map(Some),
            };
            let word = cluster
                .network_mode
                .trim()
                .to_ascii_lowercase()
                .replace('-', "_");
            let network_mode = match word.as_str() {
                "terway" => Some(NetworkMode::TerwayShared),
                "terway_exclusive" => Some(NetworkMode::TerwayTrunk),
                word => NetworkMode::parse(word),
            };
            if network_mode.is_none() {
                self.sink.report(
                    location.clone().field("network_mode"),
                    &unknown_value(
                        "network_mode",
                        cluster.network_mode.clone(),
                        "flannel, terway_shared or terway_trunk",
                    ),
                );
            }
            let id = ClusterId(id);
            if self.topology.clusters.contains_key(&id) {
                self.duplicate(&location, "cluster", id.as_str());
                continue;
            }
            let (Some(vpc), Some(pod_cidr), Some(network_mode)) = (vpc, pod_cidr, network_mode)
            else {
                continue;
            };
            self.topology.clusters.insert(
                id.clone(),
                Cluster {
                    id,
                    name: cluster.name.clone(),
                    vpc,
                    pod_cidr,
                    network_mode,
                },
            );
        }
    }

    fn gateways(&mut self, raw: &RawFile) {
        for (index, gateway) in raw.gateways.iter().enumerate() {
            let location = self
                .location()
                .object(object_name("gateway", &gateway.id, index));
            let Some(id) = self.id(&location, &gateway.id, "gateway") else {
                continue;
            };
            let word = gateway.kind.trim().to_ascii_lowercase().replace('-', "_");
            let kind = match word.as_str() {
                "ai" => Some(GatewayKind::AiGateway),
                "mse" | "cloud_native" => Some(GatewayKind::MseCloudNative),
                word => GatewayKind::parse(word),
            };
            if kind.is_none() {
                self.sink.report(
                    location.clone().field("kind"),
                    &unknown_value(
                        "kind",
                        gateway.kind.clone(),
                        "ai_gateway or mse_cloud_native",
                    ),
                );
            }
            let vpc = self.vpc(&location, gateway.vpc.as_deref(), None);
            let managed_group = GroupId(gateway.managed_group.trim().to_owned());
            let managed_ok =
                self.checker()
                    .managed_group(&location, &managed_group, vpc.as_ref(), kind);
            if managed_ok {
                if let Some(group) = self.topology.groups.get_mut(&managed_group) {
                    if group.managed_by.is_none() {
                        group.managed_by = Some(super::gateways::managed_product(kind).to_owned());
                    }
                }
            }
            let mut authorizations = Vec::new();
            for (auth_index, authorization) in gateway.authorizations.iter().enumerate() {
                let prefix = format!("authorizations[{auth_index}]");
                if let Some(authorization) = self.authorization(
                    &location,
                    &prefix,
                    &managed_group,
                    vpc.as_ref(),
                    authorization,
                ) {
                    authorizations.push(authorization);
                }
            }
            let id = GatewayId(id);
            if self.topology.gateways.contains_key(&id) {
                self.duplicate(&location, "gateway", id.as_str());
                continue;
            }
            let (Some(kind), Some(vpc), true) = (kind, vpc, managed_ok) else {
                continue;
            };
            self.topology.gateways.insert(
                id.clone(),
                Gateway {
                    id,
                    name: gateway.name.clone(),
                    kind,
                    vpc,
                    managed_group,
                    authorizations,
                },
            );
        }
    }

    fn authorization(
        &mut self,
        location: &Location,
        prefix: &str,
        managed_group: &GroupId,
        vpc: Option<&VpcId>,
        raw: &RawAuthorization,
    ) -> Option<Authorization> {
        let field = |name: &str| location.clone().field(format!("{prefix}.{name}"));
        let backend = GroupId(raw.backend_group.trim().to_owned());
        let mut checker = self.checker();
        let mut ok =
            checker.authorization_backend(field("backend_group"), &backend, managed_group, vpc);
        ok &= checker.authorization_port_count(field("port_ranges"), raw.port_ranges.len());
        let mut port_ranges = Vec::new();
        for (range_index, scalar) in raw.port_ranges.iter().enumerate() {
            let location = field(&format!("port_ranges[{range_index}]"));
            match self
                .sink
                .check(location, check_port_field(Protocol::Tcp, &scalar.to_text()))
            {
                Some(ports) => port_ranges.push(ports.as_range()),
                None => ok = false,
            }
        }
        self.checker()
            .description(field("description"), &raw.description);
        ok.then(|| Authorization {
            backend_group: backend,
            port_ranges,
            description: raw.description.clone(),
        })
    }

    fn expectations(&mut self, raw: &RawFile) {
        for (index, expectation) in raw.expectations.iter().enumerate() {
            let location = self.location().object(format!("expectation {}", index + 1));
            let field = |name: &str| location.clone().field(name);
            let from = self
                .checker()
                .expectation_endpoint(field("from"), &expectation.from);
            let to = self
                .checker()
                .expectation_endpoint(field("to"), &expectation.to);
            let protocol = self.sink.check(
                field("protocol"),
                check_protocol_field(&expectation.protocol),
            );
            let written = expectation.port.as_ref().map(Scalar::to_text);
            let port = match protocol {
                Some(protocol)
                    if self
                        .checker()
                        .expectation_port(&location, protocol, written.as_deref())
                        .is_none() =>
                {
                    None
                }
                _ => match &written {
                    Some(text) => self
                        .sink
                        .check(field("port"), check_single_port_field(text))
                        .map(Some),
                    None => Some(None),
                },
            };
            let verdict = match expectation.verdict.trim().to_ascii_lowercase().as_str() {
                "allowed" | "accept" => Some(Verdict::Allow),
                "denied" | "drop" => Some(Verdict::Deny),
                word => Verdict::parse(word),
            };
            if verdict.is_none() {
                self.sink.report(
                    field("verdict"),
                    &unknown_value("verdict", expectation.verdict.clone(), "allow or deny"),
                );
            }
            if let (Some(from), Some(to), Some(protocol), Some(port), Some(verdict)) =
                (from, to, protocol, port, verdict)
            {
                self.topology.expectations.push(Expectation {
                    from,
                    to,
                    protocol,
                    port,
                    verdict,
                });
            }
        }
    }

    fn layout(&mut self, raw: &RawFile) {
        for (id, position) in &raw.layout {
            if self.checker().layout_entry(id) {
                self.topology.layout.insert(
                    id.clone(),
                    Position {
                        x: position.x,
                        y: position.y,
                    },
                );
            }
        }
    }
}

/// The object in words: `security group sg-web`, or `security group 3` when the id is missing.
pub(super) fn object_name(what: &str, id: &str, index: usize) -> String {
    let id = id.trim();
    if id.is_empty() {
        format!("{what} {}", index + 1)
    } else {
        format!("{what} {id}")
    }
}

/// The group type of the sglab format, with the API's `normal` and the console's `advanced`.
fn parse_group_type(text: Option<&str>) -> Option<GroupType> {
    match text.map(|text| text.trim().to_ascii_lowercase()) {
        None => Some(GroupType::Basic),
        Some(text) => match text.as_str() {
            "normal" => Some(GroupType::Basic),
            "advanced" => Some(GroupType::Enterprise),
            word => GroupType::parse(word),
        },
    }
}
