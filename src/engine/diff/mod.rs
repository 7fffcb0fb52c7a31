//! The compare mode's view model: the core's diff of the pinned baseline and the current
//! topology, arranged for the banner, the diagram's marked edges, the matrix cells and the
//! explanation's before and after, as plain data in words. [`compare`] runs in the engine's
//! worker (the page's module links none of the diff's code); the page receives the [`Compare`]
//! and only looks things up in it.
//!
//! A diff at account scale changes millions of pairs (every pair of members of two groups
//! whose rules changed), and most share their words: the pairs of members of two joint classes
//! have the same ports and the same decisions. So a [`Compare`] holds each distinct wording
//! once, and its pairs and changes as rows of numbers pointing to them, sent as bytes: on the
//! varied shape at 5,000 endpoints with one group's rules replaced (2.4 million changed pairs
//! and protocols), tens of megabytes rather than a gigabyte of words per pair.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
pub use sglab_core::diff::grouped;
use sglab_core::diff::{plural, Change, Counts, Deciding, DIFF_PROTOCOLS};
use sglab_core::model::{EndpointId, Protocol, Topology};

use super::labels::port_label;

mod rows;

use rows::{numbers, search, Interned};

/// The ports a pair gained and lost, in words per protocol (`tcp 22`), shared by every pair
/// with the same.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PairWords {
    /// The ports opened, in words per protocol.
    pub opened: Vec<String>,
    /// The ports closed, in words per protocol.
    pub closed: Vec<String>,
}

/// What changed for one ordered pair of parties, on every protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PairChange<'c> {
    /// The source party (an endpoint or a synthetic external block).
    pub from: &'c EndpointId,
    /// The target party.
    pub to: &'c EndpointId,
    /// The ports opened and closed, in words.
    pub words: &'c PairWords,
}

impl PairChange<'_> {
    /// `opened`, `closed` or `mixed`, the edge's `data-change`.
    pub fn kind(&self) -> &'static str {
        match (self.words.opened.is_empty(), self.words.closed.is_empty()) {
            (false, true) => "opened",
            (true, false) => "closed",
            _ => "mixed",
        }
    }

    /// `+tcp 22 −tcp 80`: the edge's label, with a text mark for each kind of change.
    pub fn label(&self) -> String {
        let opened = self.words.opened.iter().map(|text| format!("+{text}"));
        let closed = self
            .words
            .closed
            .iter()
            .map(|text| format!("\u{2212}{text}"));
        opened.chain(closed).collect::<Vec<_>>().join(" ")
    }
}

/// One side of a changed pair and protocol in words: the verdict (`allow at port 22`, or
/// `absent`) and the deciding decisions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Side {
    /// The verdict, with the port that decides it.
    pub verdict: String,
    /// The egress and ingress decisions, or why there are none.
    pub lines: Vec<String>,
}

/// The before and after of one pair and protocol whose ports changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SideBySide<'c> {
    /// The baseline's side.
    pub before: &'c Side,
    /// The current topology's side.
    pub after: &'c Side,
}

/// What changed between two buckets of the group matrix (a security group, or an endpoint in
/// no group) on one protocol: a row of the core's rollup in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupChange {
    /// The sources' group (or endpoint) id.
    pub from: String,
    /// The targets' group (or endpoint) id.
    pub to: String,
    /// The protocol's word.
    pub protocol: String,
    /// Pairs of members with some port opened.
    pub pairs_opened: u64,
    /// Pairs of members with some port closed.
    pub pairs_closed: u64,
    /// Every port opened for some pair, in words (`tcp 1-65535`), or empty.
    pub opened: String,
    /// Every port closed for some pair, in words, or empty.
    pub closed: String,
}

/// The most rows of the rollup a [`Compare`] carries: the largest, which the overview lists.
pub const GROUP_CHANGES_SHOWN: usize = 50;

/// The numbers of one changed pair: the ranks of its source and target in
/// [`Compare::parties`], and the index of its words in [`Compare::pair_words`].
const PAIR_WIDTH: usize = 3;

/// The numbers of one changed pair and protocol: the index of its pair (in the pairs' order),
/// its protocol (its index in [`DIFF_PROTOCOLS`]), and the indices of its before and after in
/// [`Compare::sides`].
const CHANGE_WIDTH: usize = 4;

/// The diff of the baseline and the current topology in words, with its changes by pair.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compare {
    /// The verdict's word (`more-permissive`).
    pub verdict: String,
    /// The banner's counts: `1 pair opened (tcp 1 port), 0 pairs closed; 2 rule changes`.
    pub summary: String,
    /// The largest changes by pair of groups, the most pairs first (at most
    /// [`GROUP_CHANGES_SHOWN`]).
    pub groups: Vec<GroupChange>,
    /// How many pairs of groups and protocols changed in all.
    pub group_total: usize,
    /// The parties of the changed pairs, sorted.
    parties: Vec<EndpointId>,
    /// Each distinct wording of a pair's ports.
    pair_words: Vec<PairWords>,
    /// Each distinct side of a change.
    sides: Vec<Side>,
    /// [`PAIR_WIDTH`] numbers per changed pair, sorted by source and target.
    #[serde(with = "numbers")]
    pairs: Vec<u32>,
    /// [`CHANGE_WIDTH`] numbers per changed pair and protocol, sorted by pair and protocol.
    #[serde(with = "numbers")]
    changes: Vec<u32>,
}

/// Compares the baseline with the current topology (in the engine's worker).
pub fn compare(baseline: &Topology, current: &Topology) -> Compare {
    let diff = sglab_core::diff::diff(baseline, current);
    // Every party compared, sorted, so that the ranks of the core's changes index it.
    let parties: Vec<EndpointId> = diff.changes.ids().to_vec();
    let mut pairs: Vec<u32> = Vec::new();
    let mut changes: Vec<u32> = Vec::new();
    let mut pair_words = Interned::<PairWords>::default();
    let mut sides = Interned::<Side>::default();
    // The words of each pair's ports, by the keys of the ports of its changes (a key stands
    // for one protocol's ports).
    let mut words_of: FxHashMap<Vec<u32>, u32> = FxHashMap::default();
    // The words of each side's decisions, by the decisions shared (the same `Arc`).
    let mut sides_of: FxHashMap<(usize, usize), (u32, u32)> = FxHashMap::default();
    let mut decisions = diff.changes.decisions();
    // The pair being read: its parties' ranks, and its changes so far with their ports' keys.
    let mut current_pair: Option<(u32, u32)> = None;
    let mut keys: Vec<u32> = Vec::new();
    let mut pending: Vec<Change<'_>> = Vec::new();
    // Ends the pair being read: its words, put into words once per distinct list of keys.
    let mut finish = |pair: Option<(u32, u32)>,
                      keys: &mut Vec<u32>,
                      pending: &mut Vec<Change<'_>>,
                      pairs: &mut Vec<u32>| {
        if let Some((from, to)) = pair {
            let known = words_of.get(keys.as_slice()).copied();
            let index = known.unwrap_or_else(|| {
                let mut words = PairWords::default();
                for change in pending.iter() {
                    if !change.opened.is_empty() {
                        words.opened.push(ports_words(*change, change.opened));
                    }
                    if !change.closed.is_empty() {
                        words.closed.push(ports_words(*change, change.closed));
                    }
                }
                let index = pair_words.intern(words);
                words_of.insert(keys.clone(), index);
                index
            });
            pairs.extend([from, to, index]);
        }
        keys.clear();
        pending.clear();
    };
    for (change, shared) in diff.changes.iter_shared() {
        let (from, to) = (shared.from, shared.to);
        if current_pair != Some((from, to)) {
            finish(current_pair, &mut keys, &mut pending, &mut pairs);
            current_pair = Some((from, to));
        }
        keys.push(shared.ports);
        pending.push(change);
        let decided = decisions.of(&change);
        let address = |deciding: &Option<std::sync::Arc<Deciding>>| {
            deciding
                .as_ref()
                .map_or(0, |arc| std::sync::Arc::as_ptr(arc) as usize)
        };
        let key = (address(&decided.before), address(&decided.after));
        let (before, after) = *sides_of.entry(key).or_insert_with(|| {
            (
                sides.intern(deciding_words(decided.before.as_deref())),
                sides.intern(deciding_words(decided.after.as_deref())),
            )
        });
        let pair = (pairs.len() / PAIR_WIDTH) as u32;
        changes.extend([pair, protocol_number(change.protocol), before, after]);
    }
    finish(current_pair, &mut keys, &mut pending, &mut pairs);
    let summary = summary_words(&diff.counts, diff.rule_changes.len() as u64);
    let groups = diff
        .rollup
        .iter()
        .take(GROUP_CHANGES_SHOWN)
        .map(|row| GroupChange {
            from: bucket_words(&row.from),
            to: bucket_words(&row.to),
            protocol: row.protocol.as_str().to_owned(),
            pairs_opened: row.pairs_opened,
            pairs_closed: row.pairs_closed,
            opened: ranges_words(row.protocol, &row.opened),
            closed: ranges_words(row.protocol, &row.closed),
        })
        .collect();
    Compare {
        verdict: diff.verdict.as_str().to_owned(),
        summary,
        groups,
        group_total: diff.rollup.len(),
        parties,
        pair_words: pair_words.values,
        sides: sides.values,
        pairs,
        changes,
    }
}

/// A protocol's number in the rows: its index in [`DIFF_PROTOCOLS`].
fn protocol_number(protocol: Protocol) -> u32 {
    DIFF_PROTOCOLS
        .iter()
        .position(|p| *p == protocol)
        .unwrap_or(DIFF_PROTOCOLS.len()) as u32
}

impl Compare {
    /// The diff of a topology with itself, known without running it: equivalent, nothing
    /// counted (what [`compare`] answers for two equal topologies).
    pub fn identical() -> Compare {
        Compare {
            verdict: EQUIVALENT.to_owned(),
            summary: summary_words(&Counts::default(), 0),
            groups: Vec::new(),
            group_total: 0,
            parties: Vec::new(),
            pair_words: Vec::new(),
            sides: Vec::new(),
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

    /// The banner's counts: `1 pair opened (tcp 1 port), 0 pairs closed; 2 rule changes`.
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// The number of changed pairs.
    pub fn pair_count(&self) -> usize {
        self.pairs.len() / PAIR_WIDTH
    }

    /// The changed pairs, sorted by source and target.
    pub fn pairs(&self) -> impl Iterator<Item = PairChange<'_>> + '_ {
        self.pairs
            .chunks_exact(PAIR_WIDTH)
            .filter_map(|row| self.pair_of(row))
    }

    /// What changed from `from` to `to`, if anything.
    pub fn pair(&self, from: &EndpointId, to: &EndpointId) -> Option<PairChange<'_>> {
        let at = self.pair_index(from, to)?;
        self.pair_of(self.pairs.get(at * PAIR_WIDTH..(at + 1) * PAIR_WIDTH)?)
    }

    /// The before and after of one pair and protocol, for the explanation.
    pub fn change(
        &self,
        from: &EndpointId,
        to: &EndpointId,
        protocol: Protocol,
    ) -> Option<SideBySide<'_>> {
        let pair = self.pair_index(from, to)? as u32;
        let at = search(
            &self.changes,
            CHANGE_WIDTH,
            (pair, protocol_number(protocol)),
        )?;
        let row = self
            .changes
            .get(at * CHANGE_WIDTH..(at + 1) * CHANGE_WIDTH)?;
        Some(SideBySide {
            before: self.sides.get(*row.get(2)? as usize)?,
            after: self.sides.get(*row.get(3)? as usize)?,
        })
    }

    /// The index of the pair from `from` to `to` among the pairs.
    fn pair_index(&self, from: &EndpointId, to: &EndpointId) -> Option<usize> {
        let from = self.parties.binary_search(from).ok()? as u32;
        let to = self.parties.binary_search(to).ok()? as u32;
        search(&self.pairs, PAIR_WIDTH, (from, to))
    }

    /// The pair of a row of numbers.
    fn pair_of(&self, row: &[u32]) -> Option<PairChange<'_>> {
        Some(PairChange {
            from: self.parties.get(*row.first()? as usize)?,
            to: self.parties.get(*row.get(1)? as usize)?,
            words: self.pair_words.get(*row.get(2)? as usize)?,
        })
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

fn summary_words(counts: &Counts, rule_changes: u64) -> String {
    format!(
        "{}; {}",
        counts.words(),
        plural(rule_changes, "rule change")
    )
}

fn ports_words(change: Change<'_>, ranges: &[sglab_core::model::PortRange]) -> String {
    ranges_words(change.protocol, ranges)
}

/// `tcp 22, 80`; empty for no ranges.
fn ranges_words(protocol: Protocol, ranges: &[sglab_core::model::PortRange]) -> String {
    if ranges.is_empty() {
        return String::new();
    }
    let ranges: Vec<(u16, u16)> = ranges.iter().map(|r| (r.start(), r.end())).collect();
    port_label(protocol.as_str(), &ranges, protocol.has_ports(), 3)
}

/// A bucket's id: its group's, or its endpoint's.
fn bucket_words(bucket: &sglab_core::matrix::Bucket) -> String {
    match bucket {
        sglab_core::matrix::Bucket::Group(id) => id.to_string(),
        sglab_core::matrix::Bucket::Endpoint(id) => id.to_string(),
    }
}

#[cfg(test)]
mod tests;
