//! An ENI's side answer: its groups' ranked answers merged, port by port, with the default of
//! its kind applied, memoized on the groups' answers.

use super::builder::{Builder, NO_KEY, UNSET};
use super::intern::FastMap;
use super::{EMPTY_SET, FULL_SET};

impl<'t> Builder<'t> {
    /// [`Builder::scope_answer`] through a memo of the current row.
    pub(super) fn memo_scope_answer(
        &mut self,
        row: &mut FastMap<u128, u32>,
        default_allows: bool,
        answers: &[u32],
    ) -> u32 {
        let Some(key) = scope_key(default_allows, answers) else {
            return self.scope_answer(default_allows, answers);
        };
        if let Some(id) = row.get(&key) {
            return *id;
        }
        let id = self.scope_answer(default_allows, answers);
        row.insert(key, id);
        id
    }

    /// The side answer of an ENI whose groups give `answers`, with the default of its kind.
    pub(super) fn scope_answer(&mut self, default_allows: bool, answers: &[u32]) -> u32 {
        let key = scope_key(default_allows, answers);
        if let Some(key) = key {
            if let Some(id) = self.scope_memo.get(&key) {
                return *id;
            }
        } else {
            let mut long = answers.to_vec();
            long.push(u32::from(default_allows));
            if let Some(id) = self.scope_memo_long.get(&long) {
                return *id;
            }
        }
        let mut sides = std::mem::take(&mut self.scratch.sides);
        sides.clear();
        for protocol_index in 0..self.protocols.len() {
            let mut function_ids = std::mem::take(&mut self.scratch.function_ids);
            function_ids.clear();
            function_ids.extend(answers.iter().map(|answer| {
                self.group_answers
                    .get(*answer)
                    .get(protocol_index)
                    .copied()
                    .unwrap_or(UNSET)
            }));
            // Protocols share few functions, so each protocol's side is memoized on its own.
            let key = scope_key(default_allows, &function_ids).map(|key| (key, protocol_index));
            let known = key.and_then(|key| self.function_memo.get(&key).copied());
            let side = match known {
                Some(side) => side,
                None => {
                    let functions: Vec<&[(u16, u16, u16)]> = function_ids
                        .iter()
                        .map(|function| self.functions.get(*function))
                        .collect();
                    let scratch = &mut self.scratch;
                    merge_functions(
                        &functions,
                        default_allows,
                        &mut scratch.points,
                        &mut scratch.ranges,
                    );
                    let side = self.side_sets.intern(&self.scratch.ranges);
                    if let Some(key) = key {
                        self.function_memo.insert(key, side);
                    }
                    side
                }
            };
            self.scratch.function_ids = function_ids;
            sides.push(side);
        }
        let id = self.side_answers.intern(&sides);
        self.scratch.sides = sides;
        match key {
            Some(key) => {
                self.scope_memo.insert(key, id);
            }
            None => {
                let mut long = answers.to_vec();
                long.push(u32::from(default_allows));
                self.scope_memo_long.insert(long, id);
            }
        }
        id
    }

    /// What a side answer allows: 1 every port of every protocol, 2 nothing, 0 something else.
    pub(super) fn answer_kind(&mut self, answer: u32) -> u8 {
        while self.answer_kinds.len() < self.side_answers.len() {
            let sets = self.side_answers.get(self.answer_kinds.len() as u32);
            let kind = if sets.iter().all(|set| *set == FULL_SET) {
                1
            } else if sets.iter().all(|set| *set == EMPTY_SET) {
                2
            } else {
                0
            };
            self.answer_kinds.push(kind);
        }
        self.answer_kinds.get(answer as usize).copied().unwrap_or(0)
    }
}

/// The memo key of a side with up to three groups: the default, the count and the answers.
pub(super) fn scope_key(default_allows: bool, answers: &[u32]) -> Option<u128> {
    if answers.len() > 3 {
        return None;
    }
    let mut key = u128::from(default_allows) | ((answers.len() as u128) << 1);
    for (at, id) in answers.iter().enumerate() {
        key |= u128::from(*id) << (3 + 32 * at);
    }
    Some(key)
}

/// The allowed ranges of a side whose groups' first matches are `functions`: port by port, the
/// best-ranked match decides (odd ranks accept), the default where none matches.
pub(super) fn merge_functions(
    functions: &[&[(u16, u16, u16)]],
    default_allows: bool,
    points: &mut Vec<u32>,
    out: &mut Vec<(u16, u16)>,
) {
    out.clear();
    points.clear();
    points.extend([1, 65536]);
    for function in functions {
        for (start, end, _) in function.iter() {
            points.push(u32::from(*start));
            points.push(u32::from(*end) + 1);
        }
    }
    points.sort_unstable();
    points.dedup();
    let mut cursors = [0usize; 16];
    let mut long_cursors = Vec::new();
    let cursors: &mut [usize] = if functions.len() <= cursors.len() {
        &mut cursors[..functions.len()]
    } else {
        long_cursors.resize(functions.len(), 0);
        &mut long_cursors
    };
    for window in points.windows(2) {
        let (start, stop) = (window[0], window[1]);
        if start > 65535 {
            break;
        }
        let mut best = NO_KEY;
        for (function, cursor) in functions.iter().zip(cursors.iter_mut()) {
            while *cursor < function.len() && u32::from(function[*cursor].1) < start {
                *cursor += 1;
            }
            if let Some((first, _, key)) = function.get(*cursor) {
                if u32::from(*first) <= start {
                    best = best.min(*key);
                }
            }
        }
        let allows = if best == NO_KEY {
            default_allows
        } else {
            best % 2 == 1
        };
        if allows {
            let start = u16::try_from(start).unwrap_or(u16::MAX);
            let end = u16::try_from(stop - 1).unwrap_or(u16::MAX);
            match out.last_mut() {
                Some(last) if u32::from(last.1) + 1 == u32::from(start) => last.1 = end,
                _ => out.push((start, end)),
            }
        }
    }
}
