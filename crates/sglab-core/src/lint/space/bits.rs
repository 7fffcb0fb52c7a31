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

#[cfg(test)]
mod tests {
    use super::{
        and_into, any_in, common_in, has_bit, or_in, same_rules, same_words, set_bit, span,
        word_masks, Cells, Signatures,
    };

    /// The width of the bitsets checked: three words, so that a range has a first, a middle
    /// and a last word.
    const WIDTH: usize = 3;
    const BITS: usize = WIDTH * 64;

    /// Positions at and around the ends of every word.
    const EDGES: [usize; 21] = [
        0, 1, 2, 5, 31, 62, 63, 64, 65, 66, 100, 126, 127, 128, 129, 130, 170, 189, 190, 191, 192,
    ];

    /// A small deterministic generator (splitmix64).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn below(&mut self, bound: usize) -> usize {
            (self.next() % bound as u64) as usize
        }
    }

    /// Bit `at` of `words`, read one bit at a time.
    fn bit(words: &[u64], at: usize) -> bool {
        (words[at / 64] >> (at % 64)) & 1 == 1
    }

    /// The words with exactly the bits of `bits`.
    fn words_of(bits: impl IntoIterator<Item = usize>) -> Vec<u64> {
        let mut words = vec![0u64; WIDTH];
        for at in bits {
            words[at / 64] |= 1u64 << (at % 64);
        }
        words
    }

    /// Empty, full, single bits at the ends of words, bits whose differences cancel out
    /// across words, and random words, dense and sparse.
    fn patterns() -> Vec<Vec<u64>> {
        let mut patterns = vec![vec![0; WIDTH], vec![u64::MAX; WIDTH]];
        for at in [0, 1, 63, 64, 65, 127, 128, 191] {
            patterns.push(words_of([at]));
        }
        patterns.push(vec![1, 1, 0]);
        patterns.push(vec![1, 0, 1]);
        patterns.push(vec![0, 1 << 63, 1 << 63]);
        let mut rng = Rng(7);
        for _ in 0..6 {
            patterns.push((0..WIDTH).map(|_| rng.next()).collect());
            patterns.push((0..WIDTH).map(|_| rng.next() & rng.next()).collect());
        }
        patterns
    }

    /// The pairs of `EDGES`, in both orders and equal.
    fn ranges() -> impl Iterator<Item = (usize, usize)> {
        EDGES
            .iter()
            .flat_map(|&from| EDGES.iter().map(move |&to| (from, to)))
    }

    /// Each word a range covers, with the mask of its bits there, for every range of three
    /// words: the words follow one another, and no mask is empty.
    #[test]
    fn word_masks_select_exactly_the_bits_of_a_range() {
        for from in 0..=BITS {
            for to in 0..=BITS {
                let expected: Vec<(usize, u64)> = (0..WIDTH)
                    .map(|word| {
                        let mask = (0..64)
                            .filter(|bit| (from..to).contains(&(word * 64 + bit)))
                            .fold(0u64, |mask, bit| mask | (1 << bit));
                        (word, mask)
                    })
                    .filter(|&(_, mask)| mask != 0)
                    .collect();
                assert_eq!(
                    word_masks(from, to).collect::<Vec<_>>(),
                    expected,
                    "{from}..{to}"
                );
            }
        }
    }

    /// The first and last words of every range that is not empty, and the masks of the bits
    /// from its start in the first and up to its end in the last.
    #[test]
    fn span_gives_the_end_words_and_their_masks() {
        for from in 0..BITS {
            for to in from + 1..=BITS {
                let head = (0..64)
                    .filter(|&bit| bit >= from % 64)
                    .fold(0u64, |mask, bit| mask | (1 << bit));
                let tail = (0..64)
                    .filter(|&bit| bit <= (to - 1) % 64)
                    .fold(0u64, |mask, bit| mask | (1 << bit));
                assert_eq!(
                    span(from, to),
                    (from / 64, (to - 1) / 64, head, tail),
                    "{from}..{to}"
                );
            }
        }
    }

    /// `any_in`, `common_in` and `or_in` against a bit-by-bit reading, on ranges with ends at
    /// and around the words' ends (empty and reversed ones included).
    #[test]
    fn range_operations_agree_with_a_bit_by_bit_reading() {
        let patterns = patterns();
        for (from, to) in ranges() {
            let range = from..to.max(from);
            for a in &patterns {
                assert_eq!(
                    any_in(a, from, to),
                    range.clone().any(|at| bit(a, at)),
                    "any_in {a:x?} {from}..{to}"
                );
                for b in &patterns {
                    assert_eq!(
                        common_in(a, b, from, to),
                        range.clone().any(|at| bit(a, at) && bit(b, at)),
                        "common_in {a:x?} {b:x?} {from}..{to}"
                    );
                    let mut target = a.clone();
                    or_in(&mut target, b, from, to);
                    let expected = words_of(
                        (0..BITS).filter(|&at| bit(a, at) || (range.contains(&at) && bit(b, at))),
                    );
                    assert_eq!(target, expected, "or_in {a:x?} {b:x?} {from}..{to}");
                }
            }
        }
    }

    /// `and_into`, `same_words`, `set_bit` and `has_bit` against a bit-by-bit reading.
    #[test]
    fn word_operations_agree_with_a_bit_by_bit_reading() {
        let patterns = patterns();
        for a in &patterns {
            for at in 0..BITS {
                assert_eq!(has_bit(a, at), bit(a, at), "has_bit {a:x?} {at}");
            }
            for b in &patterns {
                let mut target = vec![u64::MAX; WIDTH];
                let any = and_into(&mut target, a, b);
                let expected = words_of((0..BITS).filter(|&at| bit(a, at) && bit(b, at)));
                assert_eq!(target, expected, "and_into {a:x?} {b:x?}");
                assert_eq!(any, expected.iter().any(|&word| word != 0));
                assert_eq!(same_words(a, b), a == b, "same_words {a:x?} {b:x?}");
            }
        }
        for at in 0..BITS {
            let mut words = vec![0u64; WIDTH];
            set_bit(&mut words, at);
            assert_eq!(words, words_of([at]));
            set_bit(&mut words, (at + 70) % BITS);
            assert_eq!(words, words_of([at, (at + 70) % BITS]));
        }
    }

    #[test]
    fn same_rules_compares_lengths_and_rules() {
        let lists: [&[u32]; 6] = [&[], &[1], &[2], &[1, 2], &[2, 1], &[1, 2, 3]];
        for a in lists {
            for b in lists {
                assert_eq!(same_rules(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    /// Signatures are stored once each, in insertion order, across clears and widths.
    #[test]
    fn signatures_are_kept_once_in_insertion_order() {
        let patterns = patterns();
        let mut signatures = Signatures::default();
        for width in [WIDTH, 2, 1] {
            signatures.clear(width);
            assert_eq!(signatures.len(), 0);
            let mut kept: Vec<Vec<u64>> = Vec::new();
            let mut rng = Rng(width as u64);
            for _ in 0..200 {
                let signature = &patterns[rng.below(patterns.len())][..width];
                let expected = match kept.iter().position(|other| other == signature) {
                    Some(at) => (at, false),
                    None => {
                        kept.push(signature.to_vec());
                        (kept.len() - 1, true)
                    }
                };
                assert_eq!(signatures.insert(signature), expected, "{signature:x?}");
                assert_eq!(signatures.len(), kept.len());
            }
            for (at, signature) in kept.iter().enumerate() {
                assert_eq!(signatures.get(at), &signature[..]);
            }
        }
    }

    /// The head of a cell as its definition reads, one rule at a time: its rules up to its
    /// second rule in `full`, or up to its first one when no rule of the cell up to that one
    /// is `undecided`; all of its rules when it has fewer.
    fn head_of(signature: &[u64], full: &[u64], undecided: &[u64]) -> Vec<u64> {
        let mut head = Vec::new();
        let mut fulls = 0;
        let mut undecided_seen = false;
        for rule in (0..BITS).filter(|&at| bit(signature, at)) {
            head.push(rule);
            undecided_seen |= bit(undecided, rule);
            if bit(full, rule) {
                fulls += 1;
                if fulls == 2 || !undecided_seen {
                    break;
                }
            }
        }
        words_of(head)
    }

    /// Cells by head against their definition: random cells whose rules in `full` (none to
    /// four) and in `undecided` fall in any word, some of them with the same head and other
    /// rules after it; each head kept once, with the union of its cells' rules and whether
    /// one of them tracks ports.
    #[test]
    fn cells_are_kept_by_head_with_the_union_of_their_rules() {
        let mut rng = Rng(11);
        let mut cells = Cells::default();
        for round in 0..300 {
            let positions = |rng: &mut Rng, count: usize| {
                words_of((0..count).map(|_| rng.below(BITS)).collect::<Vec<_>>())
            };
            let count = rng.below(5);
            let full = positions(&mut rng, count);
            let count = rng.below(4);
            let mut undecided = positions(&mut rng, count);
            if round % 3 == 0 {
                // Rules of `full` known to decide differently, or not.
                for (out, &word) in undecided.iter_mut().zip(&full) {
                    *out |= word & rng.next();
                }
            }
            cells.clear(WIDTH);
            let mut kept: Vec<(Vec<u64>, Vec<u64>, bool)> = Vec::new();
            let bases: Vec<Vec<u64>> = (0..4)
                .map(|_| {
                    (0..WIDTH)
                        .map(|word| {
                            let bits = rng.next() & rng.next();
                            bits | (full[word] & rng.next())
                        })
                        .collect()
                })
                .collect();
            for _ in 0..12 {
                let base = &bases[rng.below(bases.len())];
                let head = head_of(base, &full, &undecided);
                // The same cell with more rules after its head, or another cell.
                let last = (0..BITS)
                    .rev()
                    .find(|&at| bit(&head, at))
                    .map_or(0, |at| at + 1);
                let signature: Vec<u64> = if rng.below(2) == 0 {
                    let more = words_of((last..BITS).filter(|_| rng.below(3) == 0));
                    base.iter().zip(&more).map(|(a, b)| a | b).collect()
                } else {
                    (0..WIDTH).map(|_| rng.next() & rng.next()).collect()
                };
                let track = rng.below(2) == 0;
                cells.add(&signature, &full, &undecided, track);
                let head = head_of(&signature, &full, &undecided);
                match kept.iter_mut().find(|(other, _, _)| *other == head) {
                    Some((_, tail, tracks)) => {
                        for (out, &word) in tail.iter_mut().zip(&signature) {
                            *out |= word;
                        }
                        *tracks |= track;
                    }
                    None => kept.push((head, signature.clone(), track)),
                }
            }
            assert_eq!(cells.len(), kept.len(), "round {round}");
            for (at, (head, tail, tracks)) in kept.iter().enumerate() {
                assert_eq!(cells.head(at), &head[..], "round {round}, cell {at}");
                assert_eq!(cells.tail(at), &tail[..], "round {round}, cell {at}");
                assert_eq!(cells.tracks[at], *tracks, "round {round}, cell {at}");
            }
        }
    }
}
