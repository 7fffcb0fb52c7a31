//! A cell: the intersection of its two side answers (less port 25 where the platform blocks
//! it), memoized on the pair of answers.

use crate::eval::rules;

use super::builder::{Builder, UNSET};
use super::intern::Interner;
use super::EMPTY_SET;

impl<'t> Builder<'t> {
    /// [`Builder::combine`], without a look-up when a side allows nothing, and through dense
    /// tables (`tables`, by the other side's answer) when a side allows everything, which
    /// covers most pairs.
    pub(super) fn combine_fast(
        &mut self,
        egress: u32,
        ingress: u32,
        leaves_vpc: bool,
        tables: &mut [Vec<u32>; 4],
    ) -> u32 {
        let (egress_kind, ingress_kind) = (self.answer_kind(egress), self.answer_kind(ingress));
        if egress_kind == 2 || ingress_kind == 2 {
            return 0;
        }
        let (table, other) = match (egress_kind, ingress_kind) {
            (1, _) => (usize::from(leaves_vpc), ingress),
            (_, 1) => (2 + usize::from(leaves_vpc), egress),
            _ => return self.combine(egress, ingress, leaves_vpc),
        };
        let known = tables[table].get(other as usize).copied().unwrap_or(UNSET);
        if known != UNSET {
            return known;
        }
        let combo = self.combine(egress, ingress, leaves_vpc);
        let table = &mut tables[table];
        if table.len() <= other as usize {
            table.resize(other as usize + 1, UNSET);
        }
        table[other as usize] = combo;
        combo
    }

    /// The cell answer (a port-set id per protocol) of a pair's two side answers, without port
    /// 25 when the platform blocks it.
    pub(super) fn combine(&mut self, egress: u32, ingress: u32, leaves_vpc: bool) -> u32 {
        let key = (u64::from(egress) << 33) | (u64::from(ingress) << 1) | u64::from(leaves_vpc);
        #[cfg(test)]
        if self.answer_kind(egress) == 1 || self.answer_kind(ingress) == 1 {
            *self.combined_with_all.entry(key).or_default() += 1;
        }
        if let Some(id) = self.combo_memo.get(&key) {
            return *id;
        }
        let mut sets = std::mem::take(&mut self.scratch.sides);
        sets.clear();
        for protocol_index in 0..self.protocols.len() {
            let protocol = self.protocols[protocol_index];
            let side = |answers: &Interner<u32>, answer: u32| {
                answers
                    .get(answer)
                    .get(protocol_index)
                    .copied()
                    .unwrap_or(EMPTY_SET)
            };
            let egress_set = side(&self.side_answers, egress);
            let ingress_set = side(&self.side_answers, ingress);
            let smtp = rules::smtp_blocked(leaves_vpc, protocol, Some(25));
            let key =
                (u64::from(egress_set) << 33) | (u64::from(ingress_set) << 1) | u64::from(smtp);
            let set = match self.intersections.get(&key) {
                Some(set) => *set,
                None => {
                    let mut ranges = intersect(
                        self.side_sets.get(egress_set),
                        self.side_sets.get(ingress_set),
                    );
                    if smtp {
                        ranges = remove_port(ranges, 25);
                    }
                    let set = self.port_sets.intern(&ranges);
                    self.intersections.insert(key, set);
                    set
                }
            };
            sets.push(set);
        }
        let id = self.combos.intern(&sets);
        self.scratch.sides = sets;
        self.combo_memo.insert(key, id);
        id
    }
}

/// Whether two sorted lists share an element.
pub(super) fn sorted_intersect(a: &[u32], b: &[u32]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// The intersection of two sorted lists of disjoint ranges.
pub(super) fn intersect(a: &[(u16, u16)], b: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let start = a[i].0.max(b[j].0);
        let end = a[i].1.min(b[j].1);
        if start <= end {
            out.push((start, end));
        }
        if a[i].1 <= b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// The ranges without one port.
pub(super) fn remove_port(ranges: Vec<(u16, u16)>, port: u16) -> Vec<(u16, u16)> {
    let mut out = Vec::with_capacity(ranges.len() + 1);
    for (start, end) in ranges {
        if start <= port && port <= end {
            if start < port {
                out.push((start, port - 1));
            }
            if port < end {
                out.push((port + 1, end));
            }
        } else {
            out.push((start, end));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Taking port 25 out of a list of ranges: a range starting or ending at it loses that
    /// end only, a range of it alone goes, one around it splits, the others stay.
    #[test]
    fn removing_a_port_keeps_the_rest_of_each_range() {
        assert_eq!(remove_port(vec![(25, 30)], 25), vec![(26, 30)]);
        assert_eq!(remove_port(vec![(20, 25)], 25), vec![(20, 24)]);
        assert_eq!(remove_port(vec![(25, 25)], 25), vec![]);
        assert_eq!(
            remove_port(vec![(1, 65_535)], 25),
            vec![(1, 24), (26, 65_535)]
        );
        assert_eq!(
            remove_port(vec![(1, 24), (26, 30), (80, 80)], 25),
            vec![(1, 24), (26, 30), (80, 80)]
        );
    }
}
