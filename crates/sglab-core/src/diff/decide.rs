//! The deciding decisions of a changed pair on one side of the change: what
//! [`crate::eval::explain`] gives as its verdict and each side's `decided_by`, without the words
//! for every rule considered, the blockers and the notes, which a diff does not report. Each
//! side's rules are pooled once per set of groups and direction, so that a diff with many
//! changed pairs explains each at the cost of one scan of the rules of its two sides.
//!
//! The route, the matching of one rule, the defaults, intra-group access and the TCP 25 block
//! are the evaluator's own (`eval::route`, `eval::rules`); the tests check every decision
//! against [`crate::eval::explain`].

use rustc_hash::FxHashMap;

use super::Deciding;
use crate::eval::route::{self, Actor, Route, Routed, SideView};
use crate::eval::rules::{self, Pooled};
use crate::eval::{outside_words, unreachable_sides};
use crate::explain::{Decision, RuleRef};
use crate::model::{Direction, Endpoint, GroupId, Protocol, Topology, Verdict};

/// The rules of each group and direction that match a protocol and a port, in evaluation
/// order, by the group's address in the topology (a group's rules are pooled once, whatever
/// set of groups it is met in).
#[derive(Default)]
struct Pools<'t> {
    /// Each group's rules of one direction, by the group's address and the direction.
    sorted: FxHashMap<(usize, Direction), Vec<Pooled<'t>>>,
    /// Of those, the ones that match a protocol and a port.
    matching: FxHashMap<(usize, Direction, Protocol, Option<u16>), Vec<Pooled<'t>>>,
}

/// Deciding decisions on one topology, with the actors and pooled rules kept between queries.
pub(super) struct Decider<'t> {
    topology: &'t Topology,
    /// The endpoints of the topology in id order, as a matrix of it numbers them.
    endpoints: Vec<&'t Endpoint>,
    /// Each endpoint's actor by its index in `endpoints`, made when first needed, its groups
    /// being the topology's own ids (so that a group's rules are pooled once).
    actors: Vec<Option<Actor<'t>>>,
    pools: Pools<'t>,
}

impl<'t> Decider<'t> {
    /// A decider for `topology`.
    pub(super) fn new(topology: &'t Topology) -> Decider<'t> {
        let endpoints: Vec<&'t Endpoint> = topology.endpoints.values().collect();
        Decider {
            topology,
            actors: (0..endpoints.len()).map(|_| None).collect(),
            endpoints,
            pools: Pools::default(),
        }
    }

    /// The decisions from the endpoint at index `from` to the one at index `to` (in id order,
    /// as a matrix of the topology numbers them) at `port` (ignored for protocols without
    /// ports), as [`crate::eval::explain`] gives them; `None` when either index is out of
    /// range.
    pub(super) fn deciding(
        &mut self,
        from: usize,
        to: usize,
        protocol: Protocol,
        port: Option<u16>,
    ) -> Option<Deciding> {
        let topology = self.topology;
        self.resolve(from)?;
        self.resolve(to)?;
        let source = self.actors.get(from)?.as_ref()?;
        let target = self.actors.get(to)?.as_ref()?;
        let pools = &mut self.pools;
        let port = port.filter(|_| protocol.has_ports());
        let (egress, ingress) = match route::route(topology, source, target, protocol) {
            Route::Local { reason } => (
                Decision::NotApplicable {
                    reason: reason.clone(),
                },
                Decision::NotApplicable { reason },
            ),
            Route::Unreachable { reason } => unreachable_sides(source, target, &reason),
            Route::Routed(routed) => {
                let query = Query {
                    routed: &routed,
                    protocol,
                    port,
                };
                let egress = routed.egress.as_ref();
                let ingress = routed.ingress.as_ref();
                (
                    side(topology, pools, &query, egress, source, Direction::Egress),
                    side(topology, pools, &query, ingress, target, Direction::Ingress),
                )
            }
        };
        let verdict = if egress.verdict() == Verdict::Allow && ingress.verdict() == Verdict::Allow {
            Verdict::Allow
        } else {
            Verdict::Deny
        };
        Some(Deciding {
            port,
            verdict,
            egress,
            ingress,
        })
    }

    /// Makes the actor of the endpoint at `index` once; `None` when there is none.
    fn resolve(&mut self, index: usize) -> Option<()> {
        let topology = self.topology;
        let endpoint = *self.endpoints.get(index)?;
        let slot = self.actors.get_mut(index)?;
        if slot.is_none() {
            let mut actor = Actor::of_endpoint(topology, endpoint);
            for group in &mut actor.groups {
                if let Some((id, _)) = topology.groups.get_key_value(*group) {
                    *group = id;
                }
            }
            *slot = Some(actor);
        }
        Some(())
    }
}

/// One side's decision, in the order of `eval::explain`: intra-group access, then the TCP 25
/// block on egress, then the first matching rule or the default.
fn side<'t>(
    topology: &'t Topology,
    pools: &mut Pools<'t>,
    query: &Query<'_, '_, 't>,
    view: Option<&SideView<'_, 't>>,
    actor: &Actor<'t>,
    direction: Direction,
) -> Decision {
    let Some(view) = view else {
        return Decision::NotApplicable {
            reason: outside_words(actor, direction),
        };
    };
    if let Some(group) = query.routed.intra_group {
        return Decision::IntraGroup {
            security_group: group.clone(),
        };
    }
    if direction == Direction::Egress
        && rules::smtp_blocked(query.routed.leaves_vpc, query.protocol, query.port)
    {
        return Decision::Platform {
            verdict: Verdict::Deny,
            reason: rules::SMTP_BLOCK_REASON.to_owned(),
        };
    }
    let (protocol, port) = (query.protocol, query.port);
    // The first match of the pooled rules of all the groups is the first, in evaluation order
    // (priority, drop before accept, group, index), of each group's own first match; a group's
    // rules that match the protocol and the port are few.
    let mut first: Option<Pooled<'t>> = None;
    for &group in view.groups {
        let key = (
            std::ptr::from_ref::<GroupId>(group) as usize,
            direction,
            protocol,
            port,
        );
        let Pools { sorted, matching } = &mut *pools;
        let matching = matching.entry(key).or_insert_with(|| {
            sorted
                .entry((key.0, direction))
                .or_insert_with(|| group_pool(topology, group, direction))
                .iter()
                .copied()
                .filter(|entry| {
                    rules::protocol_matches(entry.rule.protocol, protocol)
                        && rules::ports_match(entry.rule, protocol, port)
                })
                .collect()
        });
        let found = matching
            .iter()
            .find(|entry| rules::check_except_ports(topology, view, protocol, entry.rule).is_ok());
        if let Some(found) = found {
            let better = first.is_none_or(|best| {
                rules::evaluation_order(found, &best) == std::cmp::Ordering::Less
            });
            if better {
                first = Some(*found);
            }
        }
    }
    match first {
        Some(entry) => Decision::Rule(RuleRef::new(entry.group, entry.index, entry.rule)),
        None => rules::default_decision(rules::eni_kind(topology, view.groups), direction),
    }
}

/// The rules of one group and direction in evaluation order, as [`rules::pool`] gives them for
/// that group alone: by priority, drop before accept, then index (a stable sort of the rules in
/// index order, without comparing the group's id, the same for all of them).
fn group_pool<'t>(
    topology: &'t Topology,
    group: &'t GroupId,
    direction: Direction,
) -> Vec<Pooled<'t>> {
    let mut pooled: Vec<Pooled<'t>> = topology
        .groups
        .get(group)
        .map(|found| {
            found
                .rules
                .iter()
                .enumerate()
                .filter(|(_, rule)| rule.direction == direction)
                .map(|(index, rule)| Pooled { group, index, rule })
                .collect()
        })
        .unwrap_or_default();
    crate::sort::sort_by_key(&mut pooled, |entry| {
        (entry.rule.priority, rules::policy_rank(entry.rule.policy))
    });
    pooled
}

/// The traffic of one query.
struct Query<'q, 'a, 't> {
    routed: &'q Routed<'a, 't>,
    protocol: Protocol,
    port: Option<u16>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{explain, Party};
    use crate::generate::{generate, GenParams, Shape};

    /// Every pair of every shape, on every protocol and at ports where rules, the defaults and
    /// the TCP 25 block differ, decides as `explain` does.
    #[test]
    fn decisions_are_those_of_explain() {
        for seed in 0..24u64 {
            let shape = Shape::ALL[seed as usize % Shape::ALL.len()];
            let topology = generate(seed, &GenParams::of_shape(shape, 8, 4, 40));
            let mut decider = Decider::new(&topology);
            for (at_from, from) in topology.endpoints.keys().enumerate() {
                for (at_to, to) in topology.endpoints.keys().enumerate() {
                    for protocol in super::super::DIFF_PROTOCOLS {
                        for port in [None, Some(1), Some(22), Some(25), Some(40), Some(65535)] {
                            let decided = decider.deciding(at_from, at_to, protocol, port);
                            let explanation = explain(
                                &topology,
                                &Party::Endpoint(from.clone()),
                                &Party::Endpoint(to.clone()),
                                protocol,
                                port,
                            );
                            let expected = Deciding {
                                port: explanation.port,
                                verdict: explanation.verdict,
                                egress: explanation.egress.decided_by,
                                ingress: explanation.ingress.decided_by,
                            };
                            assert_eq!(decided, Some(expected), "{from} -> {to} {protocol}");
                        }
                    }
                }
            }
        }
    }
}
