//! The compare mode's view model: the core's diff of the pinned baseline and the current
//! topology, arranged for the banner, the diagram's marked edges, the matrix cells and the
//! explanation's before and after, as plain data in words. [`compare`] runs in the engine's
//! worker (the page's module links none of the diff's code); the page receives the [`Compare`]
//! and only looks things up in it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sglab_core::diff::{Change, Deciding};
use sglab_core::model::{EndpointId, Protocol, Topology};

use super::labels::port_label;

/// What changed for one ordered pair of parties, on every protocol.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairChange {
    /// The source party (an endpoint or a synthetic external block).
    pub from: EndpointId,
    /// The target party.
    pub to: EndpointId,
    /// The ports opened, in words per protocol (`tcp 22`).
    pub opened: Vec<String>,
    /// The ports closed, in words per protocol.
    pub closed: Vec<String>,
}

impl PairChange {
    /// `opened`, `closed` or `mixed`, the edge's `data-change`.
    pub fn kind(&self) -> &'static str {
        match (self.opened.is_empty(), self.closed.is_empty()) {
            (false, true) => "opened",
            (true, false) => "closed",
            _ => "mixed",
        }
    }

    /// `+tcp 22 −tcp 80`: the edge's label, with a text mark for each kind of change.
    pub fn label(&self) -> String {
        let opened = self.opened.iter().map(|text| format!("+{text}"));
        let closed = self.closed.iter().map(|text| format!("\u{2212}{text}"));
        opened.chain(closed).collect::<Vec<_>>().join(" ")
    }
}

/// One side of a changed pair and protocol in words: the verdict (`allow at port 22`, or
/// `absent`) and the deciding decisions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Side {
    /// The verdict, with the port that decides it.
    pub verdict: String,
    /// The egress and ingress decisions, or why there are none.
    pub lines: Vec<String>,
}

/// The before and after of one pair and protocol whose ports changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SideBySide {
    /// The source party.
    pub from: EndpointId,
    /// The target party.
    pub to: EndpointId,
    /// The protocol.
    pub protocol: Protocol,
    /// The baseline's side.
    pub before: Side,
    /// The current topology's side.
    pub after: Side,
}

/// The diff of the baseline and the current topology in words, with its changes by pair.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compare {
    /// The verdict's word (`more-permissive`).
    pub verdict: String,
    /// The banner's counts: `1 pair opened (tcp 1), 0 pairs closed; 2 rule changes`.
    pub summary: String,
    /// The changes by ordered pair of parties, sorted by pair.
    pub pairs: Vec<PairChange>,
    /// The before and after of every changed pair and protocol, sorted by pair and protocol.
    pub changes: Vec<SideBySide>,
}

/// Compares the baseline with the current topology (in the engine's worker).
pub fn compare(baseline: &Topology, current: &Topology) -> Compare {
    let diff = sglab_core::diff::diff(baseline, current);
    let mut pairs: BTreeMap<(EndpointId, EndpointId), PairChange> = BTreeMap::new();
    for change in &diff.changes {
        let entry = pairs
            .entry((change.from.clone(), change.to.clone()))
            .or_insert_with(|| PairChange {
                from: change.from.clone(),
                to: change.to.clone(),
                opened: Vec::new(),
                closed: Vec::new(),
            });
        if !change.opened.is_empty() {
            entry.opened.push(ports_words(change, change.opened));
        }
        if !change.closed.is_empty() {
            entry.closed.push(ports_words(change, change.closed));
        }
    }
    // The core sorts its changes by pair and protocol.
    let changes: Vec<SideBySide> = diff
        .changes
        .iter()
        .map(|change| SideBySide {
            from: change.from.clone(),
            to: change.to.clone(),
            protocol: change.protocol,
            before: deciding_words(change.before),
            after: deciding_words(change.after),
        })
        .collect();
    let counts = &diff.counts;
    let summary = summary_words(
        counts.pairs_opened,
        &counts.ports_opened,
        counts.pairs_closed,
        &counts.ports_closed,
        diff.rule_changes.len() as u64,
    );
    Compare {
        verdict: diff.verdict.as_str().to_owned(),
        summary,
        pairs: pairs.into_values().collect(),
        changes,
    }
}

impl Compare {
    /// The diff of a topology with itself, known without running it: equivalent, nothing
    /// counted (what [`compare`] answers for two equal topologies).
    pub fn identical() -> Compare {
        Compare {
            verdict: EQUIVALENT.to_owned(),
            summary: summary_words(0, &BTreeMap::new(), 0, &BTreeMap::new(), 0),
            pairs: Vec::new(),
            changes: Vec::new(),
        }
    }

    /// The verdict's word (`more-permissive`).
    pub fn verdict(&self) -> &str {
        &self.verdict
    }

    /// Whether nothing opened or closed.
    pub fn is_equivalent(&self) -> bool {
        self.verdict == EQUIVALENT
    }

    /// The banner's counts: `1 pair opened (tcp 1), 0 pairs closed; 2 rule changes`.
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// What changed from `from` to `to`, if anything.
    pub fn pair(&self, from: &EndpointId, to: &EndpointId) -> Option<&PairChange> {
        let at = self
            .pairs
            .binary_search_by(|pair| (&pair.from, &pair.to).cmp(&(from, to)))
            .ok()?;
        self.pairs.get(at)
    }

    /// The before and after of one pair and protocol, for the explanation.
    pub fn change(
        &self,
        from: &EndpointId,
        to: &EndpointId,
        protocol: Protocol,
    ) -> Option<&SideBySide> {
        let at = self
            .changes
            .binary_search_by(|change| {
                (&change.from, &change.to, change.protocol).cmp(&(from, to, protocol))
            })
            .ok()?;
        self.changes.get(at)
    }
}

/// The word of the verdict when nothing opened or closed.
const EQUIVALENT: &str = "equivalent";

/// One side of a change in words: `allow at port 22` with the egress and ingress decisions, or
/// that a party is absent on that side.
fn deciding_words(deciding: Option<&Deciding>) -> Side {
    match deciding {
        None => Side {
            verdict: "absent".to_owned(),
            lines: vec!["the endpoint does not exist on this side".to_owned()],
        },
        Some(deciding) => {
            let at = deciding
                .port
                .map(|port| format!(" at port {port}"))
                .unwrap_or_default();
            Side {
                verdict: format!("{}{at}", deciding.verdict),
                lines: vec![
                    format!("egress: {}", deciding.egress),
                    format!("ingress: {}", deciding.ingress),
                ],
            }
        }
    }
}

fn summary_words(
    pairs_opened: u64,
    ports_opened: &BTreeMap<Protocol, u64>,
    pairs_closed: u64,
    ports_closed: &BTreeMap<Protocol, u64>,
    rule_changes: u64,
) -> String {
    let per_protocol = |ports: &BTreeMap<Protocol, u64>| -> String {
        if ports.is_empty() {
            return String::new();
        }
        let parts: Vec<String> = ports
            .iter()
            .map(|(protocol, count)| format!("{protocol} {count}"))
            .collect();
        format!(" ({})", parts.join(", "))
    };
    format!(
        "{} opened{}, {} closed{}; {}",
        plural(pairs_opened, "pair"),
        per_protocol(ports_opened),
        plural(pairs_closed, "pair"),
        per_protocol(ports_closed),
        plural(rule_changes, "rule change"),
    )
}

fn ports_words(change: Change<'_>, ranges: &[sglab_core::model::PortRange]) -> String {
    let ranges: Vec<(u16, u16)> = ranges.iter().map(|r| (r.start(), r.end())).collect();
    port_label(
        change.protocol.as_str(),
        &ranges,
        change.protocol.has_ports(),
        3,
    )
}

fn plural(count: u64, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{count} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sglab_core::edit::{apply, Edit};
    use sglab_core::model::{Peer, PortRange, PortSpec};

    #[test]
    fn a_port_opened_marks_its_pair_and_undoing_it_is_equivalent() {
        let baseline = crate::engine::example("ai-gateway").unwrap_or_default();
        assert!(compare(&baseline, &baseline).is_equivalent());
        assert_eq!(compare(&baseline, &baseline), Compare::identical());
        let mut current = baseline.clone();
        let (group, index, mut rule) = current
            .groups
            .values()
            .filter(|group| group.managed_by.is_none())
            .find_map(|group| {
                group
                    .rules
                    .iter()
                    .position(|rule| {
                        rule.protocol == Protocol::Tcp && matches!(rule.peer, Peer::Group { .. })
                    })
                    .map(|index| (group.id.clone(), index, group.rules[index].clone()))
            })
            .expect("the example has a group rule");
        rule.ports = PortSpec::Range(PortRange::new(1, 65535).expect("a range"));
        apply(&mut current, &Edit::SetRule { group, index, rule }).expect("the edit applies");
        let result = compare(&baseline, &current);
        assert_eq!(result.verdict(), "more-permissive");
        let change = result.pairs.first().expect("a changed pair");
        assert_eq!(change.kind(), "opened");
        assert!(change.label().starts_with("+tcp"), "{}", change.label());
        assert_eq!(result.pair(&change.from, &change.to), Some(change));
        let sides = result
            .change(&change.from, &change.to, Protocol::Tcp)
            .expect("the pair's tcp change");
        assert_ne!(sides.before, sides.after);
        assert!(result.summary().contains("pair"));
    }

    #[test]
    fn the_comparison_travels_as_json_unchanged() {
        let baseline = crate::engine::example("ai-gateway").unwrap_or_default();
        let result = compare(&baseline, &Topology::default());
        let json = serde_json::to_string(&result).expect("serialises");
        let back: Compare = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, result);
    }
}
