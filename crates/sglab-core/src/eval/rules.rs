//! The rules of one side: pooling them from the ENI's groups in evaluation order, matching one
//! rule against the traffic, the defaults, and the words that explain each outcome.

use std::cmp::Ordering;
use std::net::IpAddr;

use ipnet::IpNet;

use crate::explain::Decision;
use crate::model::{
    Direction, GroupId, GroupType, Peer, Policy, PortRange, Protocol, Rule, Topology, Verdict,
};

use super::route::SideView;

/// A rule of one direction pooled from one of the ENI's groups.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pooled<'t> {
    /// The group holding the rule.
    pub group: &'t GroupId,
    /// The rule's index in the group's list.
    pub index: usize,
    /// The rule.
    pub rule: &'t Rule,
}

/// The evaluation order of reference §3 step 2: priority ascending (legacy 110 after 100), drop
/// before accept at equal priority, then group id and rule index so that the order is
/// deterministic (groups have no order among themselves, and two rules of equal priority and
/// policy give the same verdict, so this tie-break never changes a verdict).
pub(crate) fn evaluation_order(a: &Pooled<'_>, b: &Pooled<'_>) -> Ordering {
    a.rule
        .priority
        .cmp(&b.rule.priority)
        .then_with(|| policy_rank(a.rule.policy).cmp(&policy_rank(b.rule.policy)))
        .then_with(|| a.group.cmp(b.group))
        .then_with(|| a.index.cmp(&b.index))
}

/// Drop sorts before accept.
pub(crate) fn policy_rank(policy: Policy) -> u8 {
    match policy {
        Policy::Drop => 0,
        Policy::Accept => 1,
    }
}

/// The rules of `direction` from all `groups`, in evaluation order.
pub(crate) fn pool<'t>(
    topology: &'t Topology,
    groups: &[&'t GroupId],
    direction: Direction,
) -> Vec<Pooled<'t>> {
    let mut pooled = Vec::new();
    for &group_id in groups {
        let Some(group) = topology.groups.get(group_id) else {
            continue;
        };
        for (index, rule) in group.rules.iter().enumerate() {
            if rule.direction == direction {
                pooled.push(Pooled {
                    group: group_id,
                    index,
                    rule,
                });
            }
        }
    }
    pooled.sort_by(evaluation_order);
    pooled
}

/// Why a rule does not match, checked in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mismatch {
    /// The rule's protocol is neither the query's nor ALL.
    Protocol,
    /// The port is outside the rule's range.
    Ports,
    /// The peer does not match.
    Peer,
    /// The rule restricts source ports to less than every port.
    SourcePorts,
    /// The rule's local CIDR does not contain the ENI's address.
    LocalCidr,
}

/// Whether a rule's protocol covers the query's: equal, or the rule says ALL. A query for ALL
/// asks about traffic that only ALL rules match.
pub(crate) fn protocol_matches(rule: Protocol, query: Protocol) -> bool {
    rule == Protocol::All || rule == query
}

/// Whether a rule's ports cover the query's port. Protocols without ports ignore ports; a
/// TCP/UDP query without a port stands for every port, which only a rule covering every port
/// matches.
pub(crate) fn ports_match(rule: &Rule, protocol: Protocol, port: Option<u16>) -> bool {
    if !protocol.has_ports() {
        return true;
    }
    let range = rule.ports.as_range();
    match port {
        Some(port) => range.contains(port),
        None => range == PortRange::ALL,
    }
}

/// The ports a rule covers for a port-set sweep: its range for TCP and UDP, every port for
/// protocols without ports.
pub(crate) fn effective_range(rule: &Rule, protocol: Protocol) -> (u16, u16) {
    if protocol.has_ports() {
        let range = rule.ports.as_range();
        (range.start(), range.end())
    } else {
        (1, 65535)
    }
}

/// Whether a rule block contains the peer (an address is a one-address block; an external
/// network matches only when the rule contains all of it).
pub(crate) fn block_contains(rule_block: &IpNet, peer: &IpNet) -> bool {
    rule_block.contains(peer)
}

/// Whether a rule's peer matches the side's peer.
pub(crate) fn peer_matches(topology: &Topology, view: &SideView<'_, '_>, peer: &Peer) -> bool {
    match peer {
        Peer::Cidr(block) => block_contains(block, &view.peer),
        Peer::Group { id, .. } => view.peer_groups.is_some_and(|groups| groups.contains(&id)),
        Peer::PrefixList(id) => topology.prefix_lists.get(id).is_some_and(|list| {
            list.cidrs
                .iter()
                .any(|block| block_contains(block, &view.peer))
        }),
    }
}

/// Whether a quintuple rule's source ports let a new connection through. A query carries no
/// source port (clients pick one at random), so sglab matches a source-port range only when it
/// covers every port.
pub(crate) fn source_ports_match(rule: &Rule) -> bool {
    rule.source_ports
        .is_none_or(|range| range == PortRange::ALL)
}

/// Whether a quintuple rule's local CIDR contains the ENI's own address.
pub(crate) fn local_matches(rule: &Rule, local: Option<IpAddr>) -> bool {
    match rule.local_cidr {
        None => true,
        Some(block) => local.is_some_and(|address| block.contains(&address)),
    }
}

/// Checks everything but the port.
pub(crate) fn check_except_ports(
    topology: &Topology,
    view: &SideView<'_, '_>,
    protocol: Protocol,
    rule: &Rule,
) -> Result<(), Mismatch> {
    if !protocol_matches(rule.protocol, protocol) {
        return Err(Mismatch::Protocol);
    }
    if !peer_matches(topology, view, &rule.peer) {
        return Err(Mismatch::Peer);
    }
    if !source_ports_match(rule) {
        return Err(Mismatch::SourcePorts);
    }
    if !local_matches(rule, view.local) {
        return Err(Mismatch::LocalCidr);
    }
    Ok(())
}

/// Checks a rule against the traffic.
pub(crate) fn check(
    topology: &Topology,
    view: &SideView<'_, '_>,
    protocol: Protocol,
    port: Option<u16>,
    rule: &Rule,
) -> Result<(), Mismatch> {
    if !protocol_matches(rule.protocol, protocol) {
        return Err(Mismatch::Protocol);
    }
    if !ports_match(rule, protocol, port) {
        return Err(Mismatch::Ports);
    }
    check_except_ports(topology, view, protocol, rule)
}

/// The kinds of groups an ENI is in, which decide its defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EniKind {
    /// No group (invalid input): basic defaults apply.
    NoGroup,
    /// Basic groups only.
    Basic,
    /// Enterprise groups only.
    Enterprise,
    /// Both kinds (invalid input): enterprise defaults apply.
    Mixed,
}

/// The kind of an ENI from its groups; groups that do not exist are ignored.
pub(crate) fn eni_kind(topology: &Topology, groups: &[&GroupId]) -> EniKind {
    let mut basic = false;
    let mut enterprise = false;
    for group in groups {
        match topology.groups.get(*group).map(|group| group.group_type) {
            Some(GroupType::Basic) => basic = true,
            Some(GroupType::Enterprise) => enterprise = true,
            None => {}
        }
    }
    match (basic, enterprise) {
        (false, false) => EniKind::NoGroup,
        (true, false) => EniKind::Basic,
        (false, true) => EniKind::Enterprise,
        (true, true) => EniKind::Mixed,
    }
}

/// The default decision of a side when no rule matches (reference §3 step 3).
pub(crate) fn default_decision(kind: EniKind, direction: Direction) -> Decision {
    let (verdict, reason) = match (kind, direction) {
        (EniKind::Basic, Direction::Ingress) => {
            (Verdict::Deny, "no rule matched; basic groups deny all ingress by default")
        }
        (EniKind::Basic, Direction::Egress) => {
            (Verdict::Allow, "no rule matched; basic groups allow all egress by default")
        }
        (EniKind::Enterprise, Direction::Ingress) => (
            Verdict::Deny,
            "no rule matched; enterprise groups deny all ingress by default",
        ),
        (EniKind::Enterprise, Direction::Egress) => (
            Verdict::Deny,
            "no rule matched; enterprise groups deny all egress by default",
        ),
        (EniKind::Mixed, Direction::Ingress) => (
            Verdict::Deny,
            "no rule matched; ingress is denied by default (the ENI mixes basic and enterprise groups, which the cloud refuses)",
        ),
        (EniKind::Mixed, Direction::Egress) => (
            Verdict::Deny,
            "no rule matched; the ENI mixes basic and enterprise groups, which the cloud refuses: sglab applies the stricter enterprise default and denies egress",
        ),
        (EniKind::NoGroup, Direction::Ingress) => (
            Verdict::Deny,
            "no rule matched; the ENI is in no security group: sglab applies the basic default and denies ingress",
        ),
        (EniKind::NoGroup, Direction::Egress) => (
            Verdict::Allow,
            "no rule matched; the ENI is in no security group: sglab applies the basic default and allows egress",
        ),
    };
    Decision::Default {
        verdict,
        reason: reason.to_owned(),
    }
}

/// The reason of the outbound TCP 25 platform block.
pub(crate) const SMTP_BLOCK_REASON: &str =
    "outbound TCP 25 to addresses outside the VPC is blocked by the platform whatever the rules say";

/// Whether the platform's TCP 25 block applies to a routed connection: TCP leaving the VPC to
/// port 25, or to every port (a TCP query without a port), which includes 25.
pub(crate) fn smtp_blocked(leaves_vpc: bool, protocol: Protocol, port: Option<u16>) -> bool {
    leaves_vpc && protocol == Protocol::Tcp && port.is_none_or(|port| port == 25)
}

/// The words for one considered rule.
pub(crate) fn mismatch_words(
    topology: &Topology,
    view: &SideView<'_, '_>,
    protocol: Protocol,
    port: Option<u16>,
    rule: &Rule,
    mismatch: Mismatch,
) -> String {
    let peer = crate::explain::Address(view.peer);
    match mismatch {
        Mismatch::Protocol => format!(
            "protocol {} does not cover {protocol}",
            rule.protocol
        ),
        Mismatch::Ports => match port {
            Some(port) => format!("port {port} is outside {}", rule.ports),
            None => format!(
                "the query names no port, which only a rule covering every port matches, and {} does not",
                rule.ports
            ),
        },
        Mismatch::Peer => match &rule.peer {
            Peer::Cidr(block) => {
                if block.addr().is_ipv4() != view.peer.addr().is_ipv4() {
                    format!("{peer} is not of the family of {block}")
                } else if view.peer.prefix_len() < view.peer.max_prefix_len() {
                    format!("{block} does not contain all of {peer}")
                } else {
                    format!("{peer} is not in {block}")
                }
            }
            Peer::Group { id, .. } => match view.peer_groups {
                None => format!(
                    "{peer} is not a private address of an ENI in this VPC, and group {id} matches only those"
                ),
                Some(_) => format!("the peer's ENI is not in group {id}"),
            },
            Peer::PrefixList(id) => match topology.prefix_lists.get(id) {
                None => format!("prefix list {id} does not exist"),
                Some(_) => format!("{peer} is in no entry of prefix list {id}"),
            },
        },
        Mismatch::SourcePorts => format!(
            "the rule limits source ports to {}; a new connection's source port is not known, so sglab matches a source-port range only when it covers every port",
            rule.source_ports.unwrap_or(PortRange::ALL)
        ),
        Mismatch::LocalCidr => match view.local {
            Some(local) => format!(
                "the ENI's address {local} is not in the rule's local CIDR {}",
                rule.local_cidr.map(|block| block.to_string()).unwrap_or_default()
            ),
            None => "the ENI has no address the rule's local CIDR could contain".to_owned(),
        },
    }
}

/// The words for a matching rule.
pub(crate) fn match_words(view: &SideView<'_, '_>, rule: &Rule, decides: bool) -> String {
    let peer = crate::explain::Address(view.peer);
    let how = match &rule.peer {
        Peer::Cidr(block) => format!("{peer} is in {block}"),
        Peer::Group { id, .. } => format!("the peer {peer} is an ENI of group {id}"),
        Peer::PrefixList(id) => format!("{peer} is in prefix list {id}"),
    };
    let legacy = if rule.priority.is_legacy() {
        "; legacy priority 110 is ordered after 100"
    } else {
        ""
    };
    if decides {
        format!("matches ({how}) and decides{legacy}")
    } else {
        format!("matches ({how}), but an earlier rule decided{legacy}")
    }
}
