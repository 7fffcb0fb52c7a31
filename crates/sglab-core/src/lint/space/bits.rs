//! Bitsets over the pooled rules of one side, in evaluation order: ranges of words, the
//! distinct signatures of peer cells, and the cells themselves.

use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

/// The (word, mask) pairs that select bits `from..to`.
pub(super) fn word_masks(from: usize, to: usize) -> impl Iterator<Item = (usize, u64)> {
    let (first, last) = if from < to {
        (from / 64, (to - 1) / 64 + 1)
    } else {
        (0, 0)
    };
    (first..last).map(move |word| {
        let mut mask = u64::MAX;
        if word == from / 64 {
            mask &= u64::MAX << (from % 64);
        }
        if word == (to - 1) / 64 {
            mask &= u64::MAX >> (63 - (to - 1) % 64);
        }
        (word, mask)
    })
}

/// The first and last words of bits `from..to` (not empty), with the masks of their bits.
pub(super) fn span(from: usize, to: usize) -> (usize, usize, u64, u64) {
    (
        from / 64,
        (to - 1) / 64,
        u64::MAX << (from % 64),
        u64::MAX >> (63 - (to - 1) % 64),
    )
}

/// Whether `a` and `b` share a bit in `from..to`.
pub(super) fn common_in(a: &[u64], b: &[u64], from: usize, to: usize) -> bool {
    if from >= to {
        return false;
    }
    let (first, last, head, tail) = span(from, to);
    if first == last {
        return a[first] & b[first] & head & tail != 0;
    }
    a[first] & b[first] & head != 0
        || (first + 1..last).any(|word| a[word] & b[word] != 0)
        || a[last] & b[last] & tail != 0
}

/// Whether `a` has a bit in `from..to`.
pub(super) fn any_in(a: &[u64], from: usize, to: usize) -> bool {
    if from >= to {
        return false;
    }
    let (first, last, head, tail) = span(from, to);
    if first == last {
        return a[first] & head & tail != 0;
    }
    a[first] & head != 0 || a[first + 1..last].iter().any(|&word| word != 0) || a[last] & tail != 0
}

/// Adds the bits `from..to` of `source` to `target`.
pub(super) fn or_in(target: &mut [u64], source: &[u64], from: usize, to: usize) {
    if from >= to {
        return;
    }
    let (first, last, head, tail) = span(from, to);
    if first == last {
        target[first] |= source[first] & head & tail;
        return;
    }
    target[first] |= source[first] & head;
    for (out, &word) in target[first + 1..last]
        .iter_mut()
        .zip(&source[first + 1..last])
    {
        *out |= word;
    }
    target[last] |= source[last] & tail;
}

pub(super) fn and_into(target: &mut [u64], a: &[u64], b: &[u64]) -> bool {
    let mut any = 0;
    for ((out, x), y) in target.iter_mut().zip(a).zip(b) {
        *out = x & y;
        any |= *out;
    }
    any != 0
}

/// Whether two bitsets of one width are equal (short ones: no call to `memcmp`).
pub(super) fn same_words(a: &[u64], b: &[u64]) -> bool {
    a.iter().zip(b).fold(0, |differ, (x, y)| differ | (x ^ y)) == 0
}

/// Whether two short lists of rules are equal.
pub(super) fn same_rules(a: &[u32], b: &[u32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

pub(super) fn set_bit(words: &mut [u64], bit: usize) {
    words[bit / 64] |= 1 << (bit % 64);
}

pub(super) fn has_bit(words: &[u64], bit: usize) -> bool {
    words[bit / 64] & (1 << (bit % 64)) != 0
}

/// Distinct signatures of one width, stored flat, in insertion order.
#[derive(Default)]
pub(super) struct Signatures {
    pub(super) width: usize,
    pub(super) words: Vec<u64>,
    /// The last signature stored with each hash.
    pub(super) by_hash: FxHashMap<u64, u32>,
    /// The signature stored before each one with the same hash.
    pub(super) previous: Vec<u32>,
}

impl Signatures {
    const NONE: u32 = u32::MAX;

    pub(super) fn clear(&mut self, width: usize) {
        self.width = width;
        self.words.clear();
        self.by_hash.clear();
        self.previous.clear();
    }

    pub(super) fn len(&self) -> usize {
        self.previous.len()
    }

    pub(super) fn get(&self, at: usize) -> &[u64] {
        &self.words[at * self.width..(at + 1) * self.width]
    }

    /// Stores a signature unless it is there already; says where it is and whether it is new.
    pub(super) fn insert(&mut self, signature: &[u64]) -> (usize, bool) {
        let mut hasher = FxHasher::default();
        for &word in signature {
            hasher.write_u64(word);
        }
        let hash = hasher.finish();
        let width = self.width;
        let new = self.previous.len() as u32;
        let last = self.by_hash.entry(hash).or_insert(Self::NONE);
        let mut at = *last;
        while at != Self::NONE {
            let start = at as usize * width;
            if same_words(&self.words[start..start + width], signature) {
                return (at as usize, false);
            }
            at = self.previous[at as usize];
        }
        self.previous.push(*last);
        *last = new;
        self.words.extend_from_slice(signature);
        (new as usize, true)
    }
}

/// Peer cells by *head*: the rules of a cell up to its second rule that matches all of it on
/// every port (its second rule in `full`), or up to the first one when every rule up to it
/// that matches all of the cell is known to decide differently from its replacement somewhere
/// (chains then stop at their first such rule). Only those rules can decide, or follow a
/// decider in a chain, so cells with the same head decide alike in every window: they are kept
/// once, with the union of their rules (for the rules that come after the deciders) and
/// whether one of them is an address or network cell (whose decided ports count).
#[derive(Default)]
pub(super) struct Cells {
    pub(super) heads: Signatures,
    pub(super) tails: Vec<u64>,
    pub(super) tracks: Vec<bool>,
    pub(super) head: Vec<u64>,
}

impl Cells {
    pub(super) fn clear(&mut self, width: usize) {
        self.heads.clear(width);
        self.tails.clear();
        self.tracks.clear();
        self.head.clear();
        self.head.resize(width, 0);
    }

    pub(super) fn len(&self) -> usize {
        self.heads.len()
    }

    pub(super) fn head(&self, at: usize) -> &[u64] {
        self.heads.get(at)
    }

    pub(super) fn tail(&self, at: usize) -> &[u64] {
        let width = self.heads.width;
        &self.tails[at * width..(at + 1) * width]
    }

    /// Adds a cell matched by the rules of `signature`, with `full` the rules that match all of
    /// a cell on every port and `undecided` the rules that match all of a cell and are not yet
    /// known to decide differently from their replacement.
    pub(super) fn add(
        &mut self,
        signature: &[u64],
        full: &[u64],
        undecided: &[u64],
        track_ports: bool,
    ) {
        let width = self.heads.width;
        // The word of the last rule of the head, and the mask of the bits up to it.
        let mut cut = (width, u64::MAX);
        let mut seen = 0;
        let mut undecided_seen = 0;
        for (word, ((&bits, &full), &undecided)) in
            signature.iter().zip(full).zip(undecided).enumerate()
        {
            let fulls = bits & full;
            if seen == 0 && fulls != 0 {
                let first = fulls.trailing_zeros();
                let upto = u64::MAX >> (63 - first);
                if undecided_seen == 0 && bits & undecided & upto == 0 {
                    cut = (word, upto);
                    break;
                }
            }
            undecided_seen |= bits & undecided;
            let count = fulls.count_ones();
            if seen + count >= 2 {
                let second = if seen == 1 {
                    fulls
                } else {
                    fulls & (fulls - 1)
                };
                cut = (word, u64::MAX >> (63 - second.trailing_zeros()));
                break;
            }
            seen += count;
        }
        for (word, (out, &bits)) in self.head.iter_mut().zip(signature).enumerate() {
            *out = match word.cmp(&cut.0) {
                std::cmp::Ordering::Less => bits,
                std::cmp::Ordering::Equal => bits & cut.1,
                std::cmp::Ordering::Greater => 0,
            };
        }
        let (at, new) = self.heads.insert(&self.head);
        if new {
            self.tails.extend_from_slice(signature);
            self.tracks.push(track_ports);
        } else {
            for (tail, &word) in self.tails[at * width..(at + 1) * width]
                .iter_mut()
                .zip(signature)
            {
                *tail |= word;
            }
            self.tracks[at] |= track_ports;
        }
    }
}
