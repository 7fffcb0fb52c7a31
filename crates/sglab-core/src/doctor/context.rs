//! The context every diagnosis reads: the query being diagnosed, the rules found, how a side's
//! blockers are dispatched to the diagnoses, and the helpers the fixes share.

use crate::eval::route::{Actor, Routed, SideView};
use crate::eval::rules::{self, Pooled};
use crate::explain::{Blocker, Decision, Explanation, RuleRef, ServiceStatus};
use crate::fix::Fix;
use crate::model::{
    Direction, EndpointKind, Gateway, GroupId, GroupType, NicType, Peer, Policy, PortRange,
    PortSpec, Priority, Protocol, Rule, Topology,
};

use super::Diagnosis;

/// One query being diagnosed.
pub(super) struct Query<'q, 't> {
    pub(super) topology: &'t Topology,
    pub(super) source: &'q Actor<'t>,
    pub(super) target: &'q Actor<'t>,
    pub(super) protocol: Protocol,
    pub(super) port: Option<u16>,
    pub(super) explanation: &'q Explanation,
}

/// A rule found in a group: where it is and what it says.
#[derive(Clone, Copy)]
pub(super) struct Found<'t> {
    pub(super) group: &'t GroupId,
    pub(super) index: usize,
    pub(super) rule: &'t Rule,
}

impl<'t> Found<'t> {
    pub(super) fn from_pooled(pooled: &Pooled<'t>) -> Found<'t> {
        Found {
            group: pooled.group,
            index: pooled.index,
            rule: pooled.rule,
        }
    }

    pub(super) fn reference(&self) -> RuleRef {
        RuleRef::new(self.group, self.index, self.rule)
    }

    /// `rule 1 of sg-svc (priority 1) allows tcp 8080/8080 from group sg-gw`.
    pub(super) fn words(&self) -> String {
        format!("{} {}", self.label(), self.clause())
    }

    /// `rule 1 of sg-svc`.
    pub(super) fn label(&self) -> String {
        format!("rule {} of {}", self.index + 1, self.group)
    }

    /// `(priority 1) allows tcp 8080/8080 from group sg-gw`.
    pub(super) fn clause(&self) -> String {
        let verb = match self.rule.policy {
            Policy::Accept => "allows",
            Policy::Drop => "drops",
        };
        let towards = match self.rule.direction {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        };
        format!(
            "(priority {}) {verb} {} {} {towards} {}",
            self.rule.priority,
            self.rule.protocol,
            self.rule.ports,
            peer_words(&self.rule.peer)
        )
    }
}

impl<'q, 't> Query<'q, 't> {
    /// `tcp 8080` or `icmp`.
    pub(super) fn what(&self) -> String {
        match self.port {
            Some(port) => format!("{} {port}", self.protocol),
            None if self.protocol.has_ports() => format!("{} on every port", self.protocol),
            None => self.protocol.to_string(),
        }
    }

    /// The actor whose rules filter a side, and the actor at the other end.
    pub(super) fn owner_and_peer(&self, direction: Direction) -> (&'q Actor<'t>, &'q Actor<'t>) {
        match direction {
            Direction::Ingress => (self.target, self.source),
            Direction::Egress => (self.source, self.target),
        }
    }

    /// The blockers of one side.
    pub(super) fn side_blockers(&self, direction: Direction) -> Vec<&'q Blocker> {
        self.explanation
            .blockers
            .iter()
            .filter(|blocker| blocker.side == Some(direction))
            .collect()
    }

    /// The diagnoses of one side's blockers.
    pub(super) fn side(
        &self,
        routed: &Routed<'_, 't>,
        view: &SideView<'_, 't>,
        direction: Direction,
    ) -> Vec<Diagnosis> {
        let blockers = self.side_blockers(direction);
        if blockers.is_empty() {
            return Vec::new();
        }
        let pooled = rules::pool(self.topology, view.groups, direction);
        let matching: Vec<Found<'t>> = pooled
            .iter()
            .filter(|entry| {
                rules::check(self.topology, view, self.protocol, self.port, entry.rule).is_ok()
            })
            .map(Found::from_pooled)
            .collect();
        let accept = matching
            .iter()
            .copied()
            .find(|found| found.rule.policy == Policy::Accept);
        let mut diagnoses = Vec::new();
        let mut default_covered = false;
        for blocker in &blockers {
            let Decision::Rule(drop_ref) = &blocker.decision else {
                continue;
            };
            let Some(drop) = matching.iter().copied().find(|found| {
                found.group == &drop_ref.security_group && found.index == drop_ref.rule_index
            }) else {
                continue;
            };
            let (diagnosis, covers_default) = self.drop_diagnosis(routed, direction, drop, accept);
            default_covered |= covers_default;
            diagnoses.push(diagnosis);
        }
        let default_blocks = blockers
            .iter()
            .any(|blocker| matches!(blocker.decision, Decision::Default { .. }));
        if default_blocks && !default_covered {
            diagnoses.extend(self.default_diagnoses(routed, view, direction, &pooled));
        }
        diagnoses
    }

    /// The diagnoses of a side whose default denies: the specific causes found, else the
    /// generic one.
    pub(super) fn default_diagnoses(
        &self,
        routed: &Routed<'_, 't>,
        view: &SideView<'_, 't>,
        direction: Direction,
        pooled: &[Pooled<'t>],
    ) -> Vec<Diagnosis> {
        let mut diagnoses = Vec::new();
        diagnoses.extend(self.port_outside_rule(routed, view, direction, pooled));
        if direction == Direction::Ingress {
            diagnoses.extend(self.rule_in_other_node_group(routed, view));
            diagnoses.extend(self.flannel_pod_cidr_missing(routed, view, pooled));
        }
        if diagnoses.is_empty() {
            diagnoses.push(match direction {
                Direction::Ingress => self.no_rule_allows(routed, view),
                Direction::Egress => self.enterprise_default_egress_deny(routed, view),
            });
        }
        diagnoses
    }

    /// No address lets the source reach the target: no public address, else no route.
    pub(super) fn unreachable(&self, reason: &str) -> Diagnosis {
        self.no_public_address(reason)
            .unwrap_or_else(|| self.no_route(reason))
    }

    /// FAQ 4 and its cousin: the network allows, but nothing listens.
    pub(super) fn service_diagnoses(&self) -> Option<Diagnosis> {
        match self.explanation.service {
            ServiceStatus::Down => self.service_down(),
            ServiceStatus::NoneDeclared => self.nothing_listens(),
            ServiceStatus::Listening | ServiceStatus::Unknown => None,
        }
    }

    /// What the service diagnoses show of the network: the ingress decision as a rule, if a
    /// rule decided, and the sentence saying the groups allow the query.
    pub(super) fn allowed_by(&self) -> (Option<RuleRef>, String) {
        let decided = match &self.explanation.ingress.decided_by {
            Decision::Rule(rule) => Some(rule.clone()),
            _ => None,
        };
        let allowed_by = format!(
            "the groups allow {} from {} to {} ({})",
            self.what(),
            self.source.name,
            self.target.name,
            self.explanation.ingress.decided_by
        );
        (decided, allowed_by)
    }

    /// Whether a service on `protocol` and `ports` covers the query, as the explanation's
    /// service status counts it.
    pub(super) fn service_covers(&self, protocol: Protocol, ports: PortRange) -> bool {
        (protocol == self.protocol || protocol == Protocol::All)
            && self.port.is_none_or(|port| ports.contains(port))
    }

    /// The name of a declared service of the target covering the query.
    pub(super) fn listening_service(&self) -> Option<String> {
        let services = self.target.endpoint?.services.as_ref()?;
        services
            .iter()
            .find(|service| self.service_covers(service.protocol, service.ports))
            .map(|service| service.name.clone())
    }

    /// Another endpoint that shares a group with the target, for the documents' curl test.
    pub(super) fn group_peer_of_target(&self) -> Option<String> {
        let target = self.target;
        self.topology
            .endpoints
            .values()
            .filter(|endpoint| endpoint.id != target.id && endpoint.id != self.source.id)
            .find(|endpoint| {
                endpoint.enis.iter().any(|eni| {
                    eni.groups
                        .iter()
                        .any(|group| target.groups.contains(&group))
                })
            })
            .map(|endpoint| display_name(&endpoint.name, endpoint.id.as_str()))
    }

    /// The gateway whose node is the source.
    pub(super) fn gateway_of_source(&self) -> Option<&'t Gateway> {
        match &self.source.endpoint?.kind {
            EndpointKind::GatewayNode { gateway } => self.topology.gateways.get(gateway),
            _ => None,
        }
    }

    /// The gateway whose node is the source, when its managed group's rules can match the
    /// source (same VPC, the node's ENI in the managed group).
    pub(super) fn gateway_source(&self, routed: &Routed<'_, 't>) -> Option<&'t Gateway> {
        let gateway = self.gateway_of_source()?;
        (routed.same_vpc
            && self.source.eni_addressed
            && self.source.groups.contains(&&gateway.managed_group))
        .then_some(gateway)
    }

    /// The ports of a narrow rule for the query: the single port, every port of TCP/UDP for a
    /// query without a port, `-1/-1` for protocols without ports.
    pub(super) fn narrow_ports(&self) -> PortSpec {
        if !self.protocol.has_ports() {
            return PortSpec::All;
        }
        match self.port.and_then(|port| PortRange::single(port).ok()) {
            Some(range) => PortSpec::Range(range),
            None => PortSpec::Range(PortRange::ALL),
        }
    }

    /// The narrowest peer for a rule of `holder` that matches the other end: its group when
    /// both are basic groups of one VPC and the other end uses an ENI address, else its address
    /// as this side sees it.
    pub(super) fn peer_for(
        &self,
        routed: &Routed<'_, 't>,
        holder: &GroupId,
        direction: Direction,
    ) -> Peer {
        let (other, other_address) = match direction {
            Direction::Ingress => (self.source, routed.from_address),
            Direction::Egress => (self.target, routed.to_address),
        };
        if routed.same_vpc && other.eni_addressed {
            let group = other.groups.iter().find(|group| {
                let peer = Peer::Group {
                    id: (**group).clone(),
                    owner_account: None,
                };
                valid_peer_in(self.topology, holder, &peer)
            });
            if let Some(group) = group {
                return Peer::Group {
                    id: (*group).clone(),
                    owner_account: None,
                };
            }
        }
        Peer::Cidr(other_address)
    }

    /// The narrowest accept for the query in `holder`, at `priority`: a gateway authorization
    /// for TCP from a gateway node into a group the gateway can authorize, else a rule.
    pub(super) fn accept_fix(
        &self,
        routed: &Routed<'_, 't>,
        direction: Direction,
        holder: &GroupId,
        priority: Priority,
    ) -> Fix {
        if direction == Direction::Ingress && self.protocol == Protocol::Tcp {
            if let (Some(gateway), Some(port)) = (self.gateway_source(routed), self.port) {
                if can_authorize(self.topology, gateway, holder) {
                    if let Ok(range) = PortRange::single(port) {
                        return Fix::Authorize {
                            gateway: gateway.id.clone(),
                            backend_group: holder.clone(),
                            port_ranges: vec![range],
                        };
                    }
                }
            }
        }
        let peer = self.peer_for(routed, holder, direction);
        Fix::AddRule {
            security_group: holder.clone(),
            rule: accept_rule(
                direction,
                priority,
                self.protocol,
                self.narrow_ports(),
                peer,
            ),
        }
    }
}

/// An accept rule with no quintuple fields.
pub(super) fn accept_rule(
    direction: Direction,
    priority: Priority,
    protocol: Protocol,
    ports: PortSpec,
    peer: Peer,
) -> Rule {
    Rule {
        id: None,
        direction,
        policy: Policy::Accept,
        priority,
        protocol,
        ports,
        peer,
        source_ports: None,
        local_cidr: None,
        nic_type: NicType::Intranet,
        description: String::new(),
    }
}

/// The priority of an added rule or of an authorization (always 1).
pub(super) fn fix_priority(fix: &Fix) -> Option<Priority> {
    match fix {
        Fix::AddRule { rule, .. } | Fix::ReplaceRule { rule, .. } => Some(rule.priority),
        Fix::Authorize { .. } => Some(Priority::HIGHEST),
        Fix::DeleteRule { .. } | Fix::StartService { .. } | Fix::Together { .. } => None,
    }
}

/// The priority just above (a smaller number than) `priority`, if any: none above 1; the
/// legacy 110 has 100 above it.
pub(super) fn above(priority: Priority) -> Option<Priority> {
    let value = priority.get();
    if priority.is_legacy() {
        return Priority::new(100).ok();
    }
    if value <= 1 {
        return None;
    }
    Priority::new(u32::from(value) - 1).ok()
}

/// How far `port` is from `range`.
pub(super) fn distance(range: PortRange, port: u16) -> u16 {
    if port < range.start() {
        range.start() - port
    } else {
        port.saturating_sub(range.end())
    }
}

/// Whether the group exists and is not managed: whether an edit may change it
/// ([`crate::edit::writable_group`]).
pub(super) fn writable(topology: &Topology, group: &GroupId) -> bool {
    crate::edit::writable_group(topology, group).is_ok()
}

pub(super) fn managed_by<'t>(topology: &'t Topology, group: &GroupId) -> Option<&'t str> {
    topology.groups.get(group)?.managed_by.as_deref()
}

/// The first group of the list that exists and is not managed.
pub(super) fn first_writable<'g>(
    topology: &Topology,
    groups: &[&'g GroupId],
) -> Option<&'g GroupId> {
    groups
        .iter()
        .copied()
        .find(|group| writable(topology, group))
}

/// Whether a rule of `holder` may name `peer`: a group peer must be another basic group of the
/// same VPC, and `holder` must be basic too (enterprise groups neither reference nor are
/// referenced; a group cannot name itself).
pub(super) fn valid_peer_in(topology: &Topology, holder: &GroupId, peer: &Peer) -> bool {
    let Peer::Group { id, .. } = peer else {
        return true;
    };
    let (Some(holder_group), Some(peer_group)) =
        (topology.groups.get(holder), topology.groups.get(id))
    else {
        return false;
    };
    id != holder
        && holder_group.group_type == GroupType::Basic
        && peer_group.group_type == GroupType::Basic
        && holder_group.vpc == peer_group.vpc
}

/// Whether `rule` is what the gateway's authorization creates: TCP, accept, from its managed
/// group.
pub(super) fn is_authorization_rule(rule: &Rule, gateway: &Gateway) -> bool {
    rule.direction == Direction::Ingress
        && rule.policy == Policy::Accept
        && rule.protocol == Protocol::Tcp
        && matches!(&rule.peer, Peer::Group { id, .. } if id == &gateway.managed_group)
}

/// Whether [`crate::gateway::authorize`] accepts `group` as a backend of `gateway`.
pub(super) fn can_authorize(topology: &Topology, gateway: &Gateway, group: &GroupId) -> bool {
    let basic_in_vpc = |id: &GroupId| {
        topology
            .groups
            .get(id)
            .is_some_and(|group| group.group_type == GroupType::Basic && group.vpc == gateway.vpc)
    };
    writable(topology, group)
        && group != &gateway.managed_group
        && basic_in_vpc(group)
        && topology
            .groups
            .get(&gateway.managed_group)
            .is_some_and(|managed| managed.group_type == GroupType::Basic)
}

pub(super) fn peer_words(peer: &Peer) -> String {
    match peer {
        Peer::Cidr(block) => block.to_string(),
        Peer::Group { id, .. } => format!("group {id}"),
        Peer::PrefixList(id) => format!("prefix list {id}"),
    }
}

pub(super) fn group_list(groups: &[&GroupId]) -> String {
    if groups.is_empty() {
        return "no group".to_owned();
    }
    groups
        .iter()
        .map(|group| group.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn display_name(name: &str, id: &str) -> String {
    if name.is_empty() || name == id {
        id.to_owned()
    } else {
        format!("{id} ({name})")
    }
}
