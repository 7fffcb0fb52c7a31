//! Evaluation of one connection: "can A reach B on (protocol, port)?", with the deciding
//! decision of each side, every blocker and notes, following `reference/security-groups.md`
//! §3-4 exactly. `docs/semantics.md` lists the decisions sglab makes where the vendor documents
//! are silent.
//!
//! ```
//! use sglab_core::eval::{explain, Party};
//! use sglab_core::model::{Protocol, Topology, Verdict};
//!
//! // An address that belongs to no endpoint is an ad-hoc external host; two external hosts
//! // have no security groups between them.
//! let topology = Topology::default();
//! let from = Party::Address("198.51.100.1".parse().unwrap());
//! let to = Party::Address("203.0.113.9".parse().unwrap());
//! let explanation = explain(&topology, &from, &to, Protocol::Tcp, Some(443));
//! assert_eq!(explanation.verdict, Verdict::Allow);
//! ```

pub(crate) mod route;
pub(crate) mod rules;

use std::net::IpAddr;

use crate::explain::{
    Address, Blocker, ConsideredRule, Decision, Explanation, RuleRef, ServiceStatus, SideResult,
};
use crate::model::{
    Direction, EndpointId, EndpointKind, GroupId, Policy, Protocol, Topology, Verdict,
};

use route::{Actor, Route, Routed, SideView};

/// One end of a query.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Party {
    /// An endpoint of the topology.
    Endpoint(EndpointId),
    /// An address: the endpoint that owns it, or else an ad-hoc host outside every VPC.
    Address(IpAddr),
}

impl From<EndpointId> for Party {
    fn from(id: EndpointId) -> Party {
        Party::Endpoint(id)
    }
}

impl From<&str> for Party {
    /// An endpoint id.
    fn from(id: &str) -> Party {
        Party::Endpoint(EndpointId::from(id))
    }
}

/// Why [`resolve_party`] could not resolve a text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// The text is no endpoint id, no endpoint name and no IP address.
    #[error("{0:?} is no endpoint id, endpoint name or IP address: use one of those")]
    NotFound(String),
    /// The text names several endpoints (by name, or as an address several endpoints own).
    #[error("{text:?} is ambiguous: it could be {}; use an endpoint id", join_ids(.candidates))]
    Ambiguous {
        /// The text written.
        text: String,
        /// The endpoints it could mean, sorted by id.
        candidates: Vec<EndpointId>,
    },
}

fn join_ids(ids: &[EndpointId]) -> String {
    ids.iter()
        .map(EndpointId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The security groups whose rules filter `endpoint`'s traffic, in its ENI's order, without
/// repeats: the groups of its primary ENI; for a Flannel or Terway-shared pod, its node's; for a
/// Terway-trunk pod, its own ENI's; none for an external endpoint. Groups the topology does not
/// hold are left out. The diagram draws an endpoint inside exactly these groups.
pub fn filtering_groups(topology: &Topology, endpoint: &crate::model::Endpoint) -> Vec<GroupId> {
    Actor::of_endpoint(topology, endpoint)
        .groups
        .into_iter()
        .filter(|group| topology.groups.contains_key(*group))
        .cloned()
        .collect()
}

/// Resolves what a user typed: an endpoint id, else an endpoint name, else an IP address (the
/// endpoint that owns it, or an ad-hoc external host when none does).
pub fn resolve_party(topology: &Topology, text: &str) -> Result<Party, ResolveError> {
    let text = text.trim();
    let id = EndpointId::from(text);
    if topology.endpoints.contains_key(&id) {
        return Ok(Party::Endpoint(id));
    }
    let named: Vec<EndpointId> = topology
        .endpoints
        .values()
        .filter(|endpoint| endpoint.name == text)
        .map(|endpoint| endpoint.id.clone())
        .collect();
    match named.len() {
        0 => {}
        1 => return Ok(Party::Endpoint(named[0].clone())),
        _ => {
            return Err(ResolveError::Ambiguous {
                text: text.to_owned(),
                candidates: named,
            })
        }
    }
    let Ok(address) = text.parse::<IpAddr>() else {
        return Err(ResolveError::NotFound(text.to_owned()));
    };
    let owners = route::endpoints_with_address(topology, address);
    match owners.as_slice() {
        [] => Ok(Party::Address(address)),
        [owner] => Ok(Party::Endpoint(owner.id.clone())),
        _ => Err(ResolveError::Ambiguous {
            text: text.to_owned(),
            candidates: owners.iter().map(|owner| owner.id.clone()).collect(),
        }),
    }
}

/// Explains whether `from` can open a connection to `to` on `protocol` and `port`.
///
/// The port is ignored for protocols without ports (ICMP, ICMPv6, GRE, ALL). A TCP or UDP
/// query without a port stands for "every port": only rules covering every port match it.
pub fn explain(
    topology: &Topology,
    from: &Party,
    to: &Party,
    protocol: Protocol,
    port: Option<u16>,
) -> Explanation {
    let port = if protocol.has_ports() { port } else { None };
    let source = Actor::resolve(topology, from);
    let target = Actor::resolve(topology, to);
    let mut notes = Vec::new();
    let route = route::route(topology, &source, &target, protocol);
    let (from_address, to_address, egress, ingress, mut blockers) = match &route {
        Route::Local { reason } => {
            notes.push(reason.clone());
            let side = || SideResult {
                verdict: Verdict::Allow,
                decided_by: Decision::NotApplicable {
                    reason: reason.clone(),
                },
                considered: Vec::new(),
            };
            (None, None, side(), side(), Vec::new())
        }
        Route::Unreachable { reason } => {
            let (egress, ingress) = unreachable_sides(&source, &target, reason);
            let side = |decided_by: Decision| SideResult {
                verdict: decided_by.verdict(),
                decided_by,
                considered: Vec::new(),
            };
            let blockers = vec![Blocker {
                side: None,
                decision: Decision::Platform {
                    verdict: Verdict::Deny,
                    reason: reason.clone(),
                },
            }];
            (None, None, side(egress), side(ingress), blockers)
        }
        Route::Routed(routed) => {
            notes.push(address_note(&source, &target, routed));
            let mut blockers = Vec::new();
            let egress = explain_side(
                topology,
                routed,
                routed.egress.as_ref(),
                &source,
                Direction::Egress,
                protocol,
                port,
                &mut blockers,
            );
            let ingress = explain_side(
                topology,
                routed,
                routed.ingress.as_ref(),
                &target,
                Direction::Ingress,
                protocol,
                port,
                &mut blockers,
            );
            (
                Some(Address(routed.from_address)),
                Some(Address(routed.to_address)),
                egress,
                ingress,
                blockers,
            )
        }
    };
    blockers.dedup();
    let verdict = if egress.verdict == Verdict::Allow && ingress.verdict == Verdict::Allow {
        Verdict::Allow
    } else {
        Verdict::Deny
    };
    if let Route::Routed(routed) = &route {
        if let Some(group) = routed.intra_group {
            notes.push(format!(
                "intra-group access: both ENIs are in basic group {group}, whose InnerAccessPolicy is Accept; it lets private traffic through whatever the rules say, and sglab applies it to egress as well as ingress (the documents do not say whether it overrides an explicit egress drop)"
            ));
        }
    }
    for actor in [&source, &target] {
        if actor.network_mode == Some(crate::model::NetworkMode::Flannel) {
            notes.push(format!(
                "{} is a Flannel pod: the groups of its node filter its traffic and see its pod IP, which group references and intra-group access do not match; the node's groups need a rule for the pod CIDR",
                actor.name
            ));
        }
    }
    let service = service_status(&target, protocol, port);
    match verdict {
        Verdict::Allow => {
            notes.push(
                "replies pass automatically: security groups are stateful (sessions live up to 910 s)"
                    .to_owned(),
            );
            match service {
                ServiceStatus::Down => notes.push(format!(
                    "the network allows the connection, but the service on {} is down: nothing listens",
                    target.name
                )),
                ServiceStatus::NoneDeclared => notes.push(format!(
                    "the network allows the connection, but {} declares no service on this port",
                    target.name
                )),
                ServiceStatus::Listening | ServiceStatus::Unknown => {}
            }
        }
        Verdict::Deny => {
            notes.push("a drop is silent: the client sees a timeout, not a reset".to_owned())
        }
    }
    Explanation {
        from: source.id.clone(),
        from_name: source.name.clone(),
        from_address,
        to: target.id.clone(),
        to_name: target.name.clone(),
        to_address,
        protocol,
        port,
        verdict,
        egress,
        ingress,
        blockers,
        service,
        notes,
    }
}

/// The decisions of both sides when no address lets the source reach the target: the sides in a
/// VPC carry the platform's denial; a side outside every VPC is not applicable, except that
/// when neither side is in a VPC the target's ingress carries the denial, so that at least one
/// side denies.
pub(crate) fn unreachable_sides(
    source: &Actor<'_>,
    target: &Actor<'_>,
    reason: &str,
) -> (Decision, Decision) {
    let platform = Decision::Platform {
        verdict: Verdict::Deny,
        reason: reason.to_owned(),
    };
    let egress = if source.vpc.is_some() {
        platform.clone()
    } else {
        Decision::NotApplicable {
            reason: outside_words(source, Direction::Egress),
        }
    };
    let ingress = if target.vpc.is_some() || source.vpc.is_none() {
        platform
    } else {
        Decision::NotApplicable {
            reason: outside_words(target, Direction::Ingress),
        }
    };
    (egress, ingress)
}

/// Why a side outside every VPC does not filter.
pub(crate) fn outside_words(actor: &Actor<'_>, direction: Direction) -> String {
    let side = direction.as_str();
    format!(
        "{} is outside every VPC: no security group filters its {side}",
        actor.name
    )
}

fn address_note(source: &Actor<'_>, target: &Actor<'_>, routed: &Routed<'_, '_>) -> String {
    let from = Address(routed.from_address);
    let to = Address(routed.to_address);
    if routed.same_vpc {
        let vpc = source.vpc.map(|vpc| vpc.as_str()).unwrap_or_default();
        return format!("{from} -> {to}: private addresses inside VPC {vpc}");
    }
    let mut parts = Vec::new();
    if source.vpc.is_some() {
        parts.push(format!(
            "{} is seen at its public address {from} outside its VPC",
            source.name
        ));
    }
    if target.vpc.is_some() {
        parts.push(format!(
            "{} is reached at its public IP {to} from outside its VPC",
            target.name
        ));
    }
    if parts.is_empty() {
        parts.push("neither side is in a VPC: no security group applies".to_owned());
    }
    format!("{from} -> {to}: {}", parts.join("; "))
}

/// Evaluates one side for the explanation and appends its blockers.
#[allow(clippy::too_many_arguments)]
fn explain_side(
    topology: &Topology,
    routed: &Routed<'_, '_>,
    view: Option<&SideView<'_, '_>>,
    actor: &Actor<'_>,
    direction: Direction,
    protocol: Protocol,
    port: Option<u16>,
    blockers: &mut Vec<Blocker>,
) -> SideResult {
    let Some(view) = view else {
        return SideResult {
            verdict: Verdict::Allow,
            decided_by: Decision::NotApplicable {
                reason: outside_words(actor, direction),
            },
            considered: Vec::new(),
        };
    };
    let pooled = rules::pool(topology, view.groups, direction);
    let mut considered = Vec::with_capacity(pooled.len());
    let mut first: Option<RuleRef> = None;
    // The drop rules that match before the first matching accept, and whether an accept
    // matches at all: the blockers of this side if it denies.
    let mut drops_before_accept = Vec::new();
    let mut accept_seen = false;
    for entry in &pooled {
        let rule_ref = RuleRef::new(entry.group, entry.index, entry.rule);
        let (matched, reason) = match rules::check(topology, view, protocol, port, entry.rule) {
            Ok(()) => {
                let decides = first.is_none();
                if decides {
                    first = Some(rule_ref.clone());
                }
                if !accept_seen {
                    match entry.rule.policy {
                        Policy::Drop => drops_before_accept.push(rule_ref.clone()),
                        Policy::Accept => accept_seen = true,
                    }
                }
                (true, rules::match_words(view, entry.rule, decides))
            }
            Err(mismatch) => (
                false,
                rules::mismatch_words(topology, view, protocol, port, entry.rule, mismatch),
            ),
        };
        considered.push(ConsideredRule {
            rule: rule_ref,
            matched,
            reason,
        });
    }
    let default = rules::default_decision(rules::eni_kind(topology, view.groups), direction);
    let by_rules = match first {
        Some(rule) => Decision::Rule(rule),
        None => default.clone(),
    };
    let rules_deny = by_rules.verdict() == Verdict::Deny;
    let mut rule_blockers = Vec::new();
    if rules_deny {
        for rule in drops_before_accept {
            rule_blockers.push(Blocker {
                side: Some(direction),
                decision: Decision::Rule(rule),
            });
        }
        if !accept_seen && default.verdict() == Verdict::Deny {
            rule_blockers.push(Blocker {
                side: Some(direction),
                decision: default,
            });
        }
    }
    let decided_by = if let Some(group) = routed.intra_group {
        Decision::IntraGroup {
            security_group: group.clone(),
        }
    } else if direction == Direction::Egress
        && rules::smtp_blocked(routed.leaves_vpc, protocol, port)
    {
        let platform = Decision::Platform {
            verdict: Verdict::Deny,
            reason: rules::SMTP_BLOCK_REASON.to_owned(),
        };
        blockers.push(Blocker {
            side: Some(direction),
            decision: platform.clone(),
        });
        blockers.append(&mut rule_blockers);
        platform
    } else {
        blockers.append(&mut rule_blockers);
        by_rules
    };
    SideResult {
        verdict: decided_by.verdict(),
        decided_by,
        considered,
    }
}

/// Whether a declared service listens on the target.
fn service_status(target: &Actor<'_>, protocol: Protocol, port: Option<u16>) -> ServiceStatus {
    let Some(endpoint) = target.endpoint else {
        return ServiceStatus::Unknown;
    };
    if matches!(endpoint.kind, EndpointKind::External { .. }) {
        return ServiceStatus::Unknown;
    }
    let Some(services) = &endpoint.services else {
        return ServiceStatus::Unknown;
    };
    let covering: Vec<_> = services
        .iter()
        .filter(|service| {
            (service.protocol == protocol || service.protocol == Protocol::All)
                && match port {
                    Some(port) => service.ports.contains(port),
                    None => true,
                }
        })
        .collect();
    if covering.is_empty() {
        if protocol.has_ports() {
            ServiceStatus::NoneDeclared
        } else {
            ServiceStatus::Unknown
        }
    } else if covering.iter().any(|service| service.up) {
        ServiceStatus::Listening
    } else {
        ServiceStatus::Down
    }
}
