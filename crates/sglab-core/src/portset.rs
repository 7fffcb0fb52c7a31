//! Exact port sets: every port a source may open to a target on one protocol, as sorted ranges
//! with the decision of each side, computed from rule boundaries.
//!
//! Each side is a first-match function of the port that can only change where some rule's range
//! starts or ends. The sweep cuts `1..=65535` at those boundaries into elementary intervals and
//! lets every candidate rule, in evaluation order, claim the intervals no earlier rule claimed
//! (a union-find over "next unclaimed interval" makes that near-linear). It never loops over the
//! 65,535 ports.
//!
//! ```
//! use sglab_core::eval::Party;
//! use sglab_core::model::{Protocol, Topology};
//! use sglab_core::portset::port_set;
//!
//! let topology = Topology::default();
//! let from = Party::Address("198.51.100.1".parse().unwrap());
//! let to = Party::Address("203.0.113.9".parse().unwrap());
//! // Nothing filters traffic between two hosts outside every VPC.
//! let set = port_set(&topology, &from, &to, Protocol::Tcp);
//! assert_eq!(set.ranges().len(), 1);
//! assert_eq!(set.ranges()[0].to_string(), "1/65535");
//! ```

use crate::eval::route::{self, Actor, Route, Routed, SideView};
use crate::eval::{outside_words, rules, Party};
use crate::explain::{Decision, PortSet, PortSetEntry, RuleRef};
use crate::model::{Direction, PortRange, Protocol, Topology, Verdict};

/// The exact ports `from` may open to `to` on `protocol`, with the deciding decisions.
///
/// For protocols without ports the answer is a single `1/65535` entry or nothing.
pub fn port_set(topology: &Topology, from: &Party, to: &Party, protocol: Protocol) -> PortSet {
    let source = Actor::resolve(topology, from);
    let target = Actor::resolve(topology, to);
    let allowed = match route::route(topology, &source, &target, protocol) {
        Route::Local { reason } => vec![PortSetEntry {
            ports: PortRange::ALL,
            egress: Decision::NotApplicable {
                reason: reason.clone(),
            },
            ingress: Decision::NotApplicable { reason },
        }],
        Route::Unreachable { .. } => Vec::new(),
        Route::Routed(routed) => {
            let egress = side_segments(
                topology,
                &routed,
                routed.egress.as_ref(),
                &source,
                Direction::Egress,
                protocol,
            );
            let ingress = side_segments(
                topology,
                &routed,
                routed.ingress.as_ref(),
                &target,
                Direction::Ingress,
                protocol,
            );
            intersect(&egress, &ingress)
        }
    };
    PortSet {
        from: source.id.clone(),
        to: target.id.clone(),
        protocol,
        allowed,
    }
}

/// A piece of a side's decision function: ports `start..=end` decided by `payload`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Segment<T> {
    /// First port.
    pub start: u16,
    /// Last port.
    pub end: u16,
    /// What decided these ports.
    pub payload: T,
}

/// First-match sweep. `ranges` are the port ranges of the candidate rules in evaluation order;
/// the result covers `1..=65535` in order, each segment naming the first rule whose range
/// covers it, or `None`. Adjacent segments with the same rule are merged.
pub(crate) fn first_match(ranges: &[(u16, u16)]) -> Vec<Segment<Option<usize>>> {
    if ranges.is_empty() {
        return vec![Segment {
            start: 1,
            end: 65535,
            payload: None,
        }];
    }
    // Boundaries: where some range starts, or starts being over.
    let mut points: Vec<u32> = Vec::with_capacity(ranges.len() * 2 + 2);
    points.push(1);
    points.push(65536);
    for &(start, end) in ranges {
        points.push(u32::from(start.max(1)));
        points.push(u32::from(end) + 1);
    }
    points.sort_unstable();
    points.dedup();
    let intervals = points.len() - 1;
    let mut owner: Vec<Option<usize>> = vec![None; intervals];
    // next[i]: the first unclaimed interval at or after i (intervals == "none left").
    let mut next: Vec<usize> = (0..=intervals).collect();
    for (rule, &(start, end)) in ranges.iter().enumerate() {
        let first = points.partition_point(|&p| p < u32::from(start.max(1)));
        let stop = points.partition_point(|&p| p < u32::from(end) + 1);
        let mut at = find(&mut next, first);
        while at < stop {
            owner[at] = Some(rule);
            let after = find(&mut next, at + 1);
            next[at] = after;
            at = after;
        }
    }
    let mut segments: Vec<Segment<Option<usize>>> = Vec::new();
    for (index, payload) in owner.into_iter().enumerate() {
        // Boundaries lie in 1..=65536, so these conversions hold.
        let start = u16::try_from(points[index]).unwrap_or(u16::MAX);
        let end = u16::try_from(points[index + 1] - 1).unwrap_or(u16::MAX);
        match segments.last_mut() {
            Some(last) if last.payload == payload => last.end = end,
            _ => segments.push(Segment {
                start,
                end,
                payload,
            }),
        }
    }
    segments
}

/// Union-find lookup with path halving.
fn find(next: &mut [usize], mut at: usize) -> usize {
    while next[at] != at {
        next[at] = next[next[at]];
        at = next[at];
    }
    at
}

/// The decision function of one side over all ports.
fn side_segments(
    topology: &Topology,
    routed: &Routed<'_, '_>,
    view: Option<&SideView<'_, '_>>,
    actor: &Actor<'_>,
    direction: Direction,
    protocol: Protocol,
) -> Vec<Segment<Decision>> {
    let whole = |payload: Decision| {
        vec![Segment {
            start: 1,
            end: 65535,
            payload,
        }]
    };
    let Some(view) = view else {
        return whole(Decision::NotApplicable {
            reason: outside_words(actor, direction),
        });
    };
    if let Some(group) = routed.intra_group {
        return whole(Decision::IntraGroup {
            security_group: group.clone(),
        });
    }
    let pooled = rules::pool(topology, view.groups, direction);
    let candidates: Vec<&rules::Pooled<'_>> = pooled
        .iter()
        .filter(|entry| rules::check_except_ports(topology, view, protocol, entry.rule).is_ok())
        .collect();
    let ranges: Vec<(u16, u16)> = candidates
        .iter()
        .map(|entry| rules::effective_range(entry.rule, protocol))
        .collect();
    let default = rules::default_decision(rules::eni_kind(topology, view.groups), direction);
    let mut segments: Vec<Segment<Decision>> = first_match(&ranges)
        .into_iter()
        .map(|segment| Segment {
            start: segment.start,
            end: segment.end,
            payload: match segment.payload {
                Some(index) => {
                    let entry = candidates[index];
                    Decision::Rule(RuleRef::new(entry.group, entry.index, entry.rule))
                }
                None => default.clone(),
            },
        })
        .collect();
    if direction == Direction::Egress && rules::smtp_blocked(routed.leaves_vpc, protocol, Some(25))
    {
        segments = punch(
            segments,
            25,
            Decision::Platform {
                verdict: Verdict::Deny,
                reason: rules::SMTP_BLOCK_REASON.to_owned(),
            },
        );
    }
    segments
}

/// Replaces the decision of one port.
pub(crate) fn punch<T: Clone>(segments: Vec<Segment<T>>, port: u16, payload: T) -> Vec<Segment<T>> {
    let mut out = Vec::with_capacity(segments.len() + 2);
    for segment in segments {
        if segment.start <= port && port <= segment.end {
            if segment.start < port {
                out.push(Segment {
                    start: segment.start,
                    end: port - 1,
                    payload: segment.payload.clone(),
                });
            }
            out.push(Segment {
                start: port,
                end: port,
                payload: payload.clone(),
            });
            if port < segment.end {
                out.push(Segment {
                    start: port + 1,
                    end: segment.end,
                    payload: segment.payload,
                });
            }
        } else {
            out.push(segment);
        }
    }
    out
}

/// The ports both sides allow, with both decisions.
fn intersect(egress: &[Segment<Decision>], ingress: &[Segment<Decision>]) -> Vec<PortSetEntry> {
    let mut entries: Vec<PortSetEntry> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < egress.len() && j < ingress.len() {
        let (a, b) = (&egress[i], &ingress[j]);
        let start = a.start.max(b.start);
        let end = a.end.min(b.end);
        if start <= end
            && a.payload.verdict() == Verdict::Allow
            && b.payload.verdict() == Verdict::Allow
        {
            let extends = entries.last().is_some_and(|last| {
                u32::from(last.ports.end()) + 1 == u32::from(start)
                    && last.egress == a.payload
                    && last.ingress == b.payload
            });
            if extends {
                if let Some(last) = entries.last_mut() {
                    if let Ok(ports) = PortRange::new(last.ports.start(), end) {
                        last.ports = ports;
                    }
                }
            } else if let Ok(ports) = PortRange::new(start, end) {
                entries.push(PortSetEntry {
                    ports,
                    egress: a.payload.clone(),
                    ingress: b.payload.clone(),
                });
            }
        }
        if a.end <= b.end {
            i += 1;
        }
        if b.end <= a.end {
            j += 1;
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::{first_match, punch, Segment};
    use crate::generate::Rng;

    fn seg<T>(start: u16, end: u16, payload: T) -> Segment<T> {
        Segment {
            start,
            end,
            payload,
        }
    }

    /// Segments cover `1..=65535` in order, none empty, and neighbours differ.
    fn assert_canonical<T: PartialEq + std::fmt::Debug>(segments: &[Segment<T>]) {
        assert_eq!(segments.first().map(|s| s.start), Some(1), "{segments:?}");
        assert_eq!(segments.last().map(|s| s.end), Some(65535), "{segments:?}");
        for s in segments {
            assert!(s.start <= s.end, "empty segment in {segments:?}");
        }
        for pair in segments.windows(2) {
            assert_eq!(
                u32::from(pair[0].end) + 1,
                u32::from(pair[1].start),
                "{segments:?}"
            );
            assert_ne!(pair[0].payload, pair[1].payload, "unmerged in {segments:?}");
        }
    }

    #[test]
    fn first_match_merges_the_pieces_of_one_rule() {
        assert_eq!(
            first_match(&[(1, 10), (5, 20)]),
            vec![
                seg(1, 10, Some(0)),
                seg(11, 20, Some(1)),
                seg(21, 65535, None)
            ]
        );
        assert_eq!(
            first_match(&[(5, 8), (1, 20), (10, 12)]),
            vec![
                seg(1, 4, Some(1)),
                seg(5, 8, Some(0)),
                seg(9, 20, Some(1)),
                seg(21, 65535, None)
            ]
        );
    }

    #[test]
    fn first_match_agrees_with_a_port_by_port_scan() {
        let mut rng = Rng(7);
        for _ in 0..300 {
            let count = rng.below(6);
            let ranges: Vec<(u16, u16)> = (0..count)
                .map(|_| {
                    let a = 1 + rng.below(40) as u16;
                    let b = 1 + rng.below(40) as u16;
                    if rng.chance(10) {
                        (1, 65535)
                    } else {
                        (a.min(b), a.max(b))
                    }
                })
                .collect();
            let segments = first_match(&ranges);
            assert_canonical(&segments);
            for port in 1..=45u16 {
                let expected = ranges.iter().position(|&(s, e)| s <= port && port <= e);
                let found = segments.iter().find(|s| s.start <= port && port <= s.end);
                assert_eq!(
                    found.map(|s| s.payload),
                    Some(expected),
                    "{ranges:?} port {port}"
                );
            }
        }
    }

    #[test]
    fn punch_splits_at_the_start_the_middle_and_the_end() {
        let segments = vec![seg(1, 24, 'a'), seg(25, 30, 'b'), seg(31, 65535, 'c')];
        assert_eq!(
            punch(segments.clone(), 25, 'x'),
            vec![
                seg(1, 24, 'a'),
                seg(25, 25, 'x'),
                seg(26, 30, 'b'),
                seg(31, 65535, 'c')
            ]
        );
        assert_eq!(
            punch(segments.clone(), 30, 'x'),
            vec![
                seg(1, 24, 'a'),
                seg(25, 29, 'b'),
                seg(30, 30, 'x'),
                seg(31, 65535, 'c')
            ]
        );
        assert_eq!(
            punch(segments, 27, 'x'),
            vec![
                seg(1, 24, 'a'),
                seg(25, 26, 'b'),
                seg(27, 27, 'x'),
                seg(28, 30, 'b'),
                seg(31, 65535, 'c')
            ]
        );
        assert_eq!(
            punch(vec![seg(1, 65535, 'a')], 1, 'x'),
            vec![seg(1, 1, 'x'), seg(2, 65535, 'a')]
        );
    }
}
