//! What the classes add up to: each rule's rows of bitsets (the rules decided before it, the
//! rules that take over without it) summed over every class, and the facts they give.

use crate::model::Verdict;

use super::index::Index;
use super::{Facts, RuleFacts, RuleNumber};

/// Where each rule's sets of rules live: one bitset row per rule, over the rules of the
/// groups that share an ENI class with its group (its own included), which are the only rules
/// that can decide before it or in its stead.
pub(super) struct RowLayout {
    /// Per group order: the groups sharing a class with it, sorted, each with where its bits
    /// start in a row (in words).
    pub(super) partners: Vec<Vec<(u32, usize)>>,
    /// Per group order: the words of a row, and where the group's first row starts.
    pub(super) rows: Vec<(usize, usize)>,
    /// The words of all rows.
    pub(super) words: usize,
}

impl RowLayout {
    /// The layout for groups sharing classes as `partners` says (per group order, sorted).
    pub(super) fn new(partners: Vec<Vec<u32>>, first_of_order: &[RuleNumber]) -> RowLayout {
        let size = |order: u32| {
            let order = order as usize;
            (first_of_order[order + 1] - first_of_order[order]) as usize
        };
        let mut words = 0;
        let mut rows = Vec::with_capacity(partners.len());
        let partners: Vec<Vec<(u32, usize)>> = partners
            .into_iter()
            .enumerate()
            .map(|(order, partners)| {
                let mut row = 0;
                let placed: Vec<(u32, usize)> = partners
                    .into_iter()
                    .map(|partner| {
                        let at = row;
                        row += size(partner).div_ceil(64);
                        (partner, at)
                    })
                    .collect();
                rows.push((row, words));
                words += row * size(order as u32);
                placed
            })
            .collect();
        RowLayout {
            partners,
            rows,
            words,
        }
    }

    /// Where the bits of `partner`'s rules start in a row of `group`'s rules.
    pub(super) fn offset(&self, group: u32, partner: u32) -> usize {
        let partners = &self.partners[group as usize];
        let at = partners.partition_point(|&(other, _)| other < partner);
        partners.get(at).map_or(0, |&(_, offset)| offset)
    }

    /// Where the row of rule `index` of `group` starts.
    pub(super) fn row(&self, group: u32, index: usize) -> usize {
        let (words, first) = self.rows[group as usize];
        first + index * words
    }

    /// The rules of a row, as sorted rule numbers.
    pub(super) fn numbers(
        &self,
        words: &[u64],
        group: u32,
        index: usize,
        first_of_order: &[RuleNumber],
    ) -> Vec<RuleNumber> {
        let row = self.row(group, index);
        let mut numbers = Vec::new();
        for &(partner, offset) in &self.partners[group as usize] {
            let first = first_of_order[partner as usize];
            let count = (first_of_order[partner as usize + 1] - first) as usize;
            let start = row + offset;
            for (word_at, &word) in words[start..start + count.div_ceil(64)].iter().enumerate() {
                let mut bits = word;
                while bits != 0 {
                    numbers.push(first + (word_at * 64) as u32 + bits.trailing_zeros());
                    bits &= bits - 1;
                }
            }
        }
        numbers
    }
}

/// The facts of every rule, added up over the classes.
pub(super) struct Totals {
    pub(super) carried: Vec<bool>,
    pub(super) decides: Vec<bool>,
    pub(super) differs: Vec<bool>,
    pub(super) default_takeover: Vec<Option<Verdict>>,
    /// The ports each rule decides on some side, as the sides found them.
    pub(super) decided_ports: Vec<Vec<(u16, u16)>>,
    pub(super) layout: RowLayout,
    /// The rules before each rule that decide packets it matches, in its row.
    pub(super) earlier: Vec<u64>,
    /// The rules that would decide each rule's packets without it, in its row.
    pub(super) takeover: Vec<u64>,
}

impl Totals {
    pub(super) fn new(rules: usize, layout: RowLayout) -> Totals {
        Totals {
            carried: vec![false; rules],
            decides: vec![false; rules],
            differs: vec![false; rules],
            default_takeover: vec![None; rules],
            decided_ports: vec![Vec::new(); rules],
            earlier: vec![0; layout.words],
            takeover: vec![0; layout.words],
            layout,
        }
    }

    pub(super) fn finish(self, index: &Index<'_>, facts: &mut Facts<'_>) {
        let first_of_order = &index.first_of_order;
        let mut group = 0;
        for number in 0..facts.len() {
            while first_of_order[group as usize + 1] as usize <= number {
                group += 1;
            }
            if !self.carried[number] {
                continue;
            }
            let rule_index = number - first_of_order[group as usize] as usize;
            let numbers = |words: &[u64]| {
                self.layout
                    .numbers(words, group, rule_index, first_of_order)
            };
            let same_without = !self.differs[number];
            let fact = RuleFacts {
                carried: true,
                decides: self.decides[number],
                earlier: numbers(&self.earlier),
                same_without,
                takeover: if same_without {
                    numbers(&self.takeover)
                } else {
                    Vec::new()
                },
                default_takeover: self.default_takeover[number].filter(|_| same_without),
                decided_ports: merged_ranges(&self.decided_ports[number]),
            };
            if let Some(slot) = facts.get_mut(number as RuleNumber) {
                *slot = fact;
            }
        }
    }
}

/// Port ranges as sorted, disjoint ranges that do not touch.
pub(super) fn merged_ranges(ranges: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let mut packed: Vec<u32> = ranges
        .iter()
        .map(|&(start, end)| u32::from(start) << 16 | u32::from(end))
        .collect();
    packed.sort_unstable();
    let mut merged: Vec<(u16, u16)> = Vec::new();
    for range in packed {
        let (start, end) = ((range >> 16) as u16, range as u16);
        match merged.last_mut() {
            Some(last) if u32::from(start) <= u32::from(last.1) + 1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Adds a port range to a list sorted by start, merging it with the last range when they touch.
pub(super) fn push_range(ranges: &mut Vec<(u16, u16)>, range: (u16, u16)) {
    if let Some(last) = ranges.last_mut() {
        if u32::from(last.1) + 1 >= u32::from(range.0) && range.0 >= last.0 {
            last.1 = last.1.max(range.1);
            return;
        }
    }
    ranges.push(range);
}

#[cfg(test)]
mod tests {
    use super::merged_ranges;

    /// A rule's decided ports, gathered in pieces from several classes, read as the reference
    /// reads them: overlapping and touching pieces become one range, apart ones stay apart.
    #[test]
    fn decided_ports_merge_touching_and_overlapping_pieces() {
        assert_eq!(
            merged_ranges(&[(6, 10), (1, 5), (30, 40), (20, 35), (42, 42)]),
            vec![(1, 10), (20, 40), (42, 42)]
        );
        assert_eq!(
            merged_ranges(&[(65535, 65535), (1, 65534)]),
            vec![(1, 65535)]
        );
        assert_eq!(merged_ranges(&[]), Vec::<(u16, u16)>::new());
    }
}
