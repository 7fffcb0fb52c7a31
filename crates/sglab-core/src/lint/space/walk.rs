//! The walk over the port windows of cells with one head: the chain of deciding rules per
//! window, opened and closed as it changes, and flushed into the totals.

use crate::model::Verdict;

use super::bits::{any_in, has_bit, or_in, same_rules, set_bit, word_masks};
use super::side::{add_to_row, Work};
use super::totals::{push_range, Totals};

impl Work {
    /// Walks the port windows of cells with one head (`signature`: the rules matching some of
    /// them). Each window's *chain* is the matching rules in evaluation order up to the second
    /// that matches all of the cell (all of them if fewer do; up to the first if that one is
    /// already known to decide differently from its replacement somewhere): the rules up to the
    /// first such rule decide, each after the deciders before it, and the chain says what would
    /// decide without each.
    ///
    /// A chain is recorded once per run of windows that keep it, and the deciders' later rules
    /// (those matching packets the deciders decide first) and ports once per run of windows
    /// that keep the deciders: the later rules of a run are the cell's rules that cover some
    /// window of it. A chain can change only where a rule of the head starts or ends.
    pub(super) fn walk(&mut self, head: &[u64], signature: &[u64], track_ports: bool) {
        let windows = self.windows.len();
        if windows == 0 {
            return;
        }
        // While every rule up to the head's first rule that matches all of it on every port is
        // known to decide differently from its replacement somewhere, chains stop at their
        // first whole rule, which is never after that one: the rules after it cannot change a
        // chain.
        let mut possible = self.pooled.len();
        if let Some(first_full) = head
            .iter()
            .zip(&self.full)
            .enumerate()
            .find(|(_, (&bits, &full))| bits & full != 0)
            .map(|(word, (&bits, &full))| word * 64 + (bits & full).trailing_zeros() as usize)
        {
            let mut all_differ = true;
            for (word, mask) in word_masks(0, first_full + 1) {
                let mut bits = head[word] & self.whole[word] & mask;
                while bits != 0 {
                    all_differ &= self.differs[word * 64 + bits.trailing_zeros() as usize];
                    bits &= bits - 1;
                }
            }
            if all_differ {
                possible = first_full + 1;
            }
        }
        let mut changes = std::mem::take(&mut self.changes);
        changes.clear();
        changes.resize(windows.div_ceil(64), 0);
        set_bit(&mut changes, 0);
        for (word, mask) in word_masks(0, possible) {
            let mut bits = head[word] & mask;
            while bits != 0 {
                let rule = word * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let (first, last) = self.rule_windows[rule];
                set_bit(&mut changes, first as usize);
                if (last as usize) + 1 < windows {
                    set_bit(&mut changes, last as usize + 1);
                }
            }
        }
        let mut chain = std::mem::take(&mut self.chain);
        let mut next = std::mem::take(&mut self.next_chain);
        let mut deciders = std::mem::take(&mut self.deciders);
        chain.clear();
        deciders.clear();
        let mut run_start = 0;
        for (change_word, &change_bits) in changes.iter().enumerate() {
            let mut change_bits = change_bits;
            while change_bits != 0 {
                let window = change_word * 64 + change_bits.trailing_zeros() as usize;
                change_bits &= change_bits - 1;
                if !self.chain_at(window, head, &chain, &mut next) {
                    continue;
                }
                std::mem::swap(&mut chain, &mut next);
                let decider_count = self.first_whole(&chain).map_or(chain.len(), |at| at + 1);
                if !same_rules(&chain[..decider_count], &deciders) {
                    if !deciders.is_empty() {
                        self.close(&deciders, signature, (run_start, window - 1), track_ports);
                    }
                    deciders.clear();
                    deciders.extend_from_slice(&chain[..decider_count]);
                    run_start = window;
                }
                if !chain.is_empty() {
                    self.open(&chain);
                }
            }
        }
        if !deciders.is_empty() {
            self.close(&deciders, signature, (run_start, windows - 1), track_ports);
        }
        self.changes = changes;
        self.chain = chain;
        self.next_chain = next;
        self.deciders = deciders;
    }

    /// Writes the chain of a window into `next` and says whether it differs from `chain`.
    pub(super) fn chain_at(
        &self,
        window: usize,
        signature: &[u64],
        chain: &[u32],
        next: &mut Vec<u32>,
    ) -> bool {
        let width = self.width;
        let cover = &self.window_cover[window * width..(window + 1) * width];
        // Compared with the current chain as it comes; written out only when it differs.
        let mut same = 0;
        let mut differs = false;
        let mut wholes = 0;
        'scan: for word in 0..width {
            let mut bits = cover[word] & signature[word];
            while bits != 0 {
                let bit = bits.trailing_zeros();
                bits &= bits - 1;
                let rule = (word * 64) as u32 + bit;
                if differs {
                    next.push(rule);
                } else if chain.get(same) == Some(&rule) {
                    same += 1;
                } else {
                    differs = true;
                    next.clear();
                    next.extend_from_slice(&chain[..same]);
                    next.push(rule);
                }
                if self.whole[word] & (1 << bit) != 0 {
                    wholes += 1;
                    // What follows the first whole rule matters only while it may still be
                    // found to decide the same way as its replacement everywhere.
                    if wholes == 2 || self.differs[rule as usize] {
                        break 'scan;
                    }
                }
            }
        }
        if !differs {
            if same == chain.len() {
                return false;
            }
            next.clear();
            next.extend_from_slice(&chain[..same]);
        }
        true
    }

    /// Where the first rule of a chain that matches all of the cell is, if one does.
    pub(super) fn first_whole(&self, chain: &[u32]) -> Option<usize> {
        chain
            .iter()
            .position(|&rule| has_bit(&self.whole, rule as usize))
    }

    /// Records what a chain's deciders decide: that they decide, the deciders before each, and
    /// whether the rules after each up to the next rule that matches all of the cell (or the
    /// default) would decide the same way without it.
    pub(super) fn open(&mut self, chain: &[u32]) {
        let width = self.width;
        let first_whole = self.first_whole(chain);
        let deciders = first_whole.map_or(chain.len(), |at| at + 1);
        for at in 0..deciders {
            let rule = chain[at] as usize;
            self.decides[rule] = true;
            for &other in &chain[..at] {
                set_bit(&mut self.earlier[rule * width..], other as usize);
            }
            if self.differs[rule] {
                continue;
            }
            let next_whole = self
                .first_whole(&chain[at + 1..])
                .map(|offset| at + 1 + offset);
            let stop = next_whole.map_or(chain.len(), |next| next + 1);
            let successors = &chain[at + 1..stop];
            let allows = has_bit(&self.allow, rule);
            let same = successors
                .iter()
                .all(|&other| has_bit(&self.allow, other as usize) == allows)
                && (next_whole.is_some() || self.default_allows == allows);
            if same {
                for &other in successors {
                    set_bit(&mut self.takeover[rule * width..], other as usize);
                }
                if next_whole.is_none() {
                    self.default_takeover[rule] = true;
                }
            } else {
                self.differs[rule] = true;
                self.undecided[rule / 64] &= !(1 << (rule % 64));
            }
        }
    }

    /// Records what a run of windows with the same deciders adds once it ends: the rules
    /// after the first decider that matches all of the cell (the last decider, if one does),
    /// which match packets the deciders decide first, and the ports the deciders decide.
    pub(super) fn close(
        &mut self,
        deciders: &[u32],
        signature: &[u64],
        (first, last): (usize, usize),
        track_ports: bool,
    ) {
        let width = self.width;
        let count = self.pooled.len();
        let whole = deciders
            .last()
            .filter(|&&rule| has_bit(&self.whole, rule as usize));
        if let Some(&whole) = whole {
            let limit = whole as usize + 1;
            let mut any = false;
            let started = &self.started_by[last * width..(last + 1) * width];
            let ending = &self.ends_from[first * width..(first + 1) * width];
            for (((out, &started), &ending), &word) in self
                .scratch
                .iter_mut()
                .zip(started)
                .zip(ending)
                .zip(signature)
            {
                *out = started & ending & word;
                any |= *out != 0;
            }
            if any && any_in(&self.scratch, limit, count) {
                for &rule in deciders {
                    let row = rule as usize * width..(rule as usize + 1) * width;
                    or_in(&mut self.later[row], &self.scratch, limit, count);
                }
            }
        }
        if track_ports {
            let ports = (self.windows[first].0, self.windows[last].1);
            for &rule in deciders {
                push_range(&mut self.ports[rule as usize], ports);
            }
        }
    }

    /// Adds the side's facts to the totals.
    pub(super) fn flush(&mut self, totals: &mut Totals, default: Verdict) {
        let width = self.width;
        let count = self.pooled.len();
        // Rules that match packets a rule decides, after it, are decided before by it.
        for decider in 0..count {
            for word in 0..width {
                let mut bits = self.later[decider * width + word];
                while bits != 0 {
                    let rule = word * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    set_bit(&mut self.earlier[rule * width..], decider);
                }
            }
        }
        let groups = self.class_groups.len();
        self.partner_offsets.clear();
        for group in &self.class_groups {
            for partner in &self.class_groups {
                self.partner_offsets
                    .push(totals.layout.offset(group.order, partner.order));
            }
        }
        for rule in 0..count {
            let entry = self.pooled[rule];
            let number = entry.number as usize;
            totals.carried[number] = true;
            totals.decides[number] |= self.decides[rule];
            totals.differs[number] |= self.differs[rule];
            if self.default_takeover[rule] {
                totals.default_takeover[number] = Some(default);
            }
            totals.decided_ports[number].extend_from_slice(&self.ports[rule]);
            let row = totals
                .layout
                .row(self.class_groups[entry.slot].order, entry.index);
            let offsets = &self.partner_offsets[entry.slot * groups..(entry.slot + 1) * groups];
            let bits = rule * width..(rule + 1) * width;
            add_to_row(
                &mut totals.earlier,
                row,
                offsets,
                &self.pooled,
                &self.earlier[bits.clone()],
            );
            if !totals.differs[number] {
                add_to_row(
                    &mut totals.takeover,
                    row,
                    offsets,
                    &self.pooled,
                    &self.takeover[bits],
                );
            }
        }
    }
}
