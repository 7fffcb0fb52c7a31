//! The compare mode's view model: the core's diff of the pinned baseline and the current
//! topology, arranged for the banner, the diagram's marked edges, the matrix cells and the
//! explanation's before and after. Computed only while a baseline is pinned.

use std::collections::BTreeMap;

use sglab_core::diff::{Change, Deciding, Diff, Verdict};
use sglab_core::model::{EndpointId, Protocol, Topology};

use super::labels::port_label;

/// What changed for one ordered pair of parties, on every protocol.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PairChange {
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

/// The diff of the baseline and the current topology, with its changes by pair.
#[derive(Clone, Debug, PartialEq)]
pub struct Compare {
    /// The core's diff.
    pub diff: Diff,
    /// The changes by ordered pair of parties (endpoints and synthetic external blocks).
    pub pairs: BTreeMap<(EndpointId, EndpointId), PairChange>,
}

/// Compares the baseline with the current topology.
pub fn compare(baseline: &Topology, current: &Topology) -> Compare {
    let diff = sglab_core::diff::diff(baseline, current);
    let mut pairs: BTreeMap<(EndpointId, EndpointId), PairChange> = BTreeMap::new();
    for change in &diff.changes {
        let entry = pairs
            .entry((change.from.clone(), change.to.clone()))
            .or_default();
        if !change.opened.is_empty() {
            entry.opened.push(ports_words(change, &change.opened));
        }
        if !change.closed.is_empty() {
            entry.closed.push(ports_words(change, &change.closed));
        }
    }
    Compare { diff, pairs }
}

impl Compare {
    /// The verdict's word (`more-permissive`).
    pub fn verdict(&self) -> &'static str {
        self.diff.verdict.as_str()
    }

    /// Whether nothing opened or closed.
    pub fn is_equivalent(&self) -> bool {
        self.diff.verdict == Verdict::Equivalent
    }

    /// The banner's counts: `1 pair opened (tcp 1), 0 pairs closed; 2 rule changes`.
    pub fn summary(&self) -> String {
        let counts = &self.diff.counts;
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
            plural(counts.pairs_opened, "pair"),
            per_protocol(&counts.ports_opened),
            plural(counts.pairs_closed, "pair"),
            per_protocol(&counts.ports_closed),
            plural(self.diff.rule_changes.len() as u64, "rule change"),
        )
    }

    /// What changed from `from` to `to`, if anything.
    pub fn pair(&self, from: &EndpointId, to: &EndpointId) -> Option<&PairChange> {
        self.pairs.get(&(from.clone(), to.clone()))
    }

    /// The change of one pair and protocol, for the explanation's before and after.
    pub fn change(
        &self,
        from: &EndpointId,
        to: &EndpointId,
        protocol: Protocol,
    ) -> Option<&Change> {
        let at = self
            .diff
            .changes
            .binary_search_by(|change| {
                (&change.from, &change.to, change.protocol).cmp(&(from, to, protocol))
            })
            .ok()?;
        self.diff.changes.get(at)
    }
}

/// One side of a change in words: `allow at port 22: egress ...; ingress ...`, or that a party
/// is absent on that side.
pub fn deciding_words(deciding: Option<&Deciding>) -> (String, Vec<String>) {
    match deciding {
        None => (
            "absent".to_owned(),
            vec!["the endpoint does not exist on this side".to_owned()],
        ),
        Some(deciding) => {
            let at = deciding
                .port
                .map(|port| format!(" at port {port}"))
                .unwrap_or_default();
            (
                format!("{}{at}", deciding.verdict),
                vec![
                    format!("egress: {}", deciding.egress),
                    format!("ingress: {}", deciding.ingress),
                ],
            )
        }
    }
}

fn ports_words(change: &Change, ranges: &[sglab_core::model::PortRange]) -> String {
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
        let (pair, change) = result.pairs.iter().next().expect("a changed pair");
        assert_eq!(change.kind(), "opened");
        assert!(change.label().starts_with("+tcp"), "{}", change.label());
        assert!(result.change(&pair.0, &pair.1, Protocol::Tcp).is_some());
        assert!(result.summary().contains("pair"));
    }
}
