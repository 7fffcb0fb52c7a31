//! A brute-force reference evaluator: the test oracle of the engine.
//!
//! It applies reference §3-4 literally: for every port, it pools the rules of the direction
//! from the ENI's groups, sorts them by priority (drop before accept at equal priority), and
//! takes the first rule whose every field matches; when none does, the group type's default.
//! No boundary sweep, no equivalence classes, no caching. It is slow on purpose (a full TCP port
//! set evaluates 65,535 ports) and exists so that property tests and benchmarks can compare the
//! engine ([`crate::eval::explain`], [`crate::portset::port_set`], [`crate::matrix::matrix`])
//! against something obviously right. Do not use it to answer users.
//!
//! It shares with the engine only the resolution of endpoints and addresses (which ENI filters
//! a pod, which address a packet carries: `eval::route`) and the wording of decisions, so that
//! decisions compare equal.
//!
//! ```
//! use sglab_core::eval::Party;
//! use sglab_core::model::{Protocol, Topology, Verdict};
//! use sglab_core::reference::reference_verdict;
//!
//! let topology = Topology::default();
//! let from = Party::Address("198.51.100.1".parse().unwrap());
//! let to = Party::Address("203.0.113.9".parse().unwrap());
//! let answer = reference_verdict(&topology, &from, &to, Protocol::Udp, Some(53));
//! assert_eq!(answer.verdict, Verdict::Allow);
//! ```

use std::collections::BTreeMap;

use crate::eval::route::{self, Actor, Route, Routed, SideView};
use crate::eval::{outside_words, rules, unreachable_sides, Party};
use crate::explain::{Blocker, Decision, RuleRef};
use crate::model::{
    Direction, EndpointId, GroupId, GroupType, Peer, Policy, PortRange, PortSpec, Protocol, Rule,
    Topology, Verdict,
};

/// The reference's answer for one connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceAnswer {
    /// Allow when both sides allow.
    pub verdict: Verdict,
    /// What decided the source's egress.
    pub egress: Decision,
    /// What decided the target's ingress.
    pub ingress: Decision,
    /// Every decision that denies (see [`crate::explain::Explanation::blockers`]).
    pub blockers: Vec<Blocker>,
}

/// The verdict and deciding decisions for one connection, by brute force.
pub fn reference_verdict(
    topology: &Topology,
    from: &Party,
    to: &Party,
    protocol: Protocol,
    port: Option<u16>,
) -> ReferenceAnswer {
    let port = if protocol.has_ports() { port } else { None };
    let source = Actor::resolve(topology, from);
    let target = Actor::resolve(topology, to);
    let route = route::route(topology, &source, &target, protocol);
    answer(topology, &route, &source, &target, protocol, port)
}

/// The allowed ports over all of `1..=65535`, one port at a time.
pub fn reference_port_set(
    topology: &Topology,
    from: &Party,
    to: &Party,
    protocol: Protocol,
) -> Vec<PortRange> {
    reference_port_set_in(topology, from, to, protocol, PortRange::ALL)
}

/// The allowed ports within `ports`, one port at a time. For protocols without ports the answer
/// is `ports` itself or nothing.
pub fn reference_port_set_in(
    topology: &Topology,
    from: &Party,
    to: &Party,
    protocol: Protocol,
    ports: PortRange,
) -> Vec<PortRange> {
    let source = Actor::resolve(topology, from);
    let target = Actor::resolve(topology, to);
    let route = route::route(topology, &source, &target, protocol);
    if !protocol.has_ports() {
        let verdict = answer(topology, &route, &source, &target, protocol, None).verdict;
        return if verdict == Verdict::Allow {
            vec![ports]
        } else {
            Vec::new()
        };
    }
    let mut allowed: Vec<(u16, u16)> = Vec::new();
    for port in ports.start()..=ports.end() {
        let verdict = answer(topology, &route, &source, &target, protocol, Some(port)).verdict;
        if verdict == Verdict::Allow {
            match allowed.last_mut() {
                Some(last) if u32::from(last.1) + 1 == u32::from(port) => last.1 = port,
                _ => allowed.push((port, port)),
            }
        }
    }
    allowed
        .into_iter()
        .filter_map(|(start, end)| PortRange::new(start, end).ok())
        .collect()
}

/// The allowed ports of every ordered pair of distinct endpoints, for each protocol, by brute
/// force. Pairs with nothing allowed are listed with an empty list.
pub fn reference_matrix(
    topology: &Topology,
    protocols: &[Protocol],
) -> BTreeMap<(EndpointId, EndpointId, Protocol), Vec<PortRange>> {
    let mut cells = BTreeMap::new();
    for from in topology.endpoints.keys() {
        for to in topology.endpoints.keys() {
            if from == to {
                continue;
            }
            for &protocol in protocols {
                let ports = reference_port_set(
                    topology,
                    &Party::Endpoint(from.clone()),
                    &Party::Endpoint(to.clone()),
                    protocol,
                );
                cells.insert((from.clone(), to.clone(), protocol), ports);
            }
        }
    }
    cells
}

fn answer(
    topology: &Topology,
    route: &Route<'_, '_>,
    source: &Actor<'_>,
    target: &Actor<'_>,
    protocol: Protocol,
    port: Option<u16>,
) -> ReferenceAnswer {
    match route {
        Route::Local { reason } => ReferenceAnswer {
            verdict: Verdict::Allow,
            egress: Decision::NotApplicable {
                reason: reason.clone(),
            },
            ingress: Decision::NotApplicable {
                reason: reason.clone(),
            },
            blockers: Vec::new(),
        },
        Route::Unreachable { reason } => {
            let (egress, ingress) = unreachable_sides(source, target, reason);
            ReferenceAnswer {
                verdict: Verdict::Deny,
                egress,
                ingress,
                blockers: vec![Blocker {
                    side: None,
                    decision: Decision::Platform {
                        verdict: Verdict::Deny,
                        reason: reason.clone(),
                    },
                }],
            }
        }
        Route::Routed(routed) => {
            let mut blockers = Vec::new();
            let egress = side(
                topology,
                routed,
                routed.egress.as_ref(),
                source,
                Direction::Egress,
                protocol,
                port,
                &mut blockers,
            );
            let ingress = side(
                topology,
                routed,
                routed.ingress.as_ref(),
                target,
                Direction::Ingress,
                protocol,
                port,
                &mut blockers,
            );
            let verdict =
                if egress.verdict() == Verdict::Allow && ingress.verdict() == Verdict::Allow {
                    Verdict::Allow
                } else {
                    Verdict::Deny
                };
            ReferenceAnswer {
                verdict,
                egress,
                ingress,
                blockers,
            }
        }
    }
}

/// One side at one port, literally.
#[allow(clippy::too_many_arguments)]
fn side(
    topology: &Topology,
    routed: &Routed<'_, '_>,
    view: Option<&SideView<'_, '_>>,
    actor: &Actor<'_>,
    direction: Direction,
    protocol: Protocol,
    port: Option<u16>,
    blockers: &mut Vec<Blocker>,
) -> Decision {
    let Some(view) = view else {
        return Decision::NotApplicable {
            reason: outside_words(actor, direction),
        };
    };
    // Pool every rule of this direction from every group of the ENI.
    let mut pooled: Vec<(&GroupId, usize, &Rule)> = Vec::new();
    for group_id in view.groups {
        if let Some(group) = topology.groups.get(*group_id) {
            for (index, rule) in group.rules.iter().enumerate() {
                if rule.direction == direction {
                    pooled.push((group_id, index, rule));
                }
            }
        }
    }
    // Insertion sort by (priority, drop first, group id, rule index).
    let key = |entry: &(&GroupId, usize, &Rule)| {
        let drop_first = match entry.2.policy {
            Policy::Drop => 0,
            Policy::Accept => 1,
        };
        (
            u32::from(entry.2.priority),
            drop_first,
            entry.0.clone(),
            entry.1,
        )
    };
    for i in 1..pooled.len() {
        let mut j = i;
        while j > 0 && key(&pooled[j - 1]) > key(&pooled[j]) {
            pooled.swap(j - 1, j);
            j -= 1;
        }
    }
    let matching: Vec<&(&GroupId, usize, &Rule)> = pooled
        .iter()
        .filter(|(_, _, rule)| matches(topology, view, protocol, port, rule))
        .collect();
    let default = default(topology, view.groups, direction);
    let by_rules = match matching.first() {
        Some((group, index, rule)) => Decision::Rule(RuleRef::new(group, *index, rule)),
        None => default.clone(),
    };
    let mut side_blockers = Vec::new();
    if by_rules.verdict() == Verdict::Deny {
        let mut accept_found = false;
        for (group, index, rule) in &matching {
            if rule.policy == Policy::Accept {
                accept_found = true;
                break;
            }
            side_blockers.push(Blocker {
                side: Some(direction),
                decision: Decision::Rule(RuleRef::new(group, *index, rule)),
            });
        }
        if !accept_found && default.verdict() == Verdict::Deny {
            side_blockers.push(Blocker {
                side: Some(direction),
                decision: default,
            });
        }
    }
    if let Some(group) = routed.intra_group {
        return Decision::IntraGroup {
            security_group: group.clone(),
        };
    }
    if direction == Direction::Egress
        && routed.leaves_vpc
        && protocol == Protocol::Tcp
        && port == Some(25)
    {
        let platform = Decision::Platform {
            verdict: Verdict::Deny,
            reason: rules::SMTP_BLOCK_REASON.to_owned(),
        };
        blockers.push(Blocker {
            side: Some(direction),
            decision: platform.clone(),
        });
        blockers.extend(side_blockers);
        return platform;
    }
    blockers.extend(side_blockers);
    by_rules
}

/// Whether every field of the rule matches the packet.
fn matches(
    topology: &Topology,
    view: &SideView<'_, '_>,
    protocol: Protocol,
    port: Option<u16>,
    rule: &Rule,
) -> bool {
    let protocol_ok = rule.protocol == Protocol::All || rule.protocol == protocol;
    let port_ok = if protocol == Protocol::Tcp || protocol == Protocol::Udp {
        let (start, end) = match rule.ports {
            PortSpec::All => (1, 65535),
            PortSpec::Range(range) => (range.start(), range.end()),
        };
        match port {
            Some(port) => start <= port && port <= end,
            None => start == 1 && end == 65535,
        }
    } else {
        true
    };
    let peer_ok = match &rule.peer {
        Peer::Cidr(block) => block.contains(&view.peer),
        Peer::Group { id, .. } => match view.peer_groups {
            Some(groups) => groups.contains(&id),
            None => false,
        },
        Peer::PrefixList(id) => match topology.prefix_lists.get(id) {
            Some(list) => list.cidrs.iter().any(|block| block.contains(&view.peer)),
            None => false,
        },
    };
    let source_ports_ok = match rule.source_ports {
        None => true,
        Some(range) => range.start() == 1 && range.end() == 65535,
    };
    let local_ok = match (rule.local_cidr, view.local) {
        (None, _) => true,
        (Some(block), Some(local)) => block.contains(&local),
        (Some(_), None) => false,
    };
    protocol_ok && port_ok && peer_ok && source_ports_ok && local_ok
}

/// The default of reference §3 step 3 for the ENI's groups.
fn default(topology: &Topology, groups: &[&GroupId], direction: Direction) -> Decision {
    let types: Vec<GroupType> = groups
        .iter()
        .filter_map(|group| topology.groups.get(*group))
        .map(|group| group.group_type)
        .collect();
    let basic = types.contains(&GroupType::Basic);
    let enterprise = types.contains(&GroupType::Enterprise);
    let kind = match (basic, enterprise) {
        (true, true) => rules::EniKind::Mixed,
        (true, false) => rules::EniKind::Basic,
        (false, true) => rules::EniKind::Enterprise,
        (false, false) => rules::EniKind::NoGroup,
    };
    rules::default_decision(kind, direction)
}
