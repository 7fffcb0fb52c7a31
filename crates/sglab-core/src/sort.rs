//! Sorting and ordered collections through one shared routine.
//!
//! `slice::sort_by` and the `FromIterator` of `BTreeSet` and `BTreeMap` compile a whole
//! sorting routine for every element type, a few kilobytes each in the WebAssembly bundle. The
//! helpers here sort positions (`usize`) with the comparison behind a `dyn`, so that every caller
//! shares one routine, and build the collections by insertion. They suit the lists the
//! interface and the importers sort (findings, diagnostics, names); the evaluation's inner loops
//! keep the standard sorts of plain numbers.
//!
//! ```
//! let mut words = vec!["b", "a", "c"];
//! sglab_core::sort::sort(&mut words);
//! assert_eq!(words, ["a", "b", "c"]);
//! ```

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Sorts `items` stably by `compare`, like `slice::sort_by`.
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let mut order = sorted_positions(items.len(), &mut |a, b| compare(&items[a], &items[b]));
    permute(items, &mut order);
}

/// Sorts `items` stably by the key `key` gives, like `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` stably in their natural order, like `slice::sort`.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// Collects `items` into a set by insertion, like `collect::<BTreeSet<T>>()`.
pub fn set_of<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    set.extend(items);
    set
}

/// Collects `entries` into a map by insertion, like `collect::<BTreeMap<K, V>>()`: of entries
/// with equal keys the last one stays.
pub fn map_of<K: Ord, V>(entries: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    map.extend(entries);
    map
}

/// The positions `0..len` sorted stably by `compare`: the one sorting routine every element
/// type shares.
#[inline(never)]
fn sorted_positions(len: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// Moves the item at `order[i]` to position `i` for every `i`, following each cycle of the
/// permutation once; `order` is used up.
fn permute<T>(items: &mut [T], order: &mut [usize]) {
    for start in 0..items.len() {
        let mut current = start;
        // Position `current` holds the item that started at `start`; the cycle's later
        // positions still hold their own.
        loop {
            let next = order[current];
            order[current] = current;
            if next == start || next == current {
                break;
            }
            items.swap(current, next);
            current = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        let cases: Vec<Vec<(u8, u8)>> = vec![
            vec![],
            vec![(1, 0)],
            vec![(2, 0), (1, 1), (2, 2), (0, 3), (1, 4), (2, 5)],
            (0..50u8).map(|i| (i.wrapping_mul(37) % 7, i)).collect(),
            (0..50u8).rev().map(|i| (i % 3, i)).collect(),
        ];
        for case in cases {
            let mut expected = case.clone();
            expected.sort_by_key(|pair| pair.0);
            let mut got = case.clone();
            sort_by_key(&mut got, |pair| pair.0);
            assert_eq!(got, expected, "stable by key for {case:?}");
            let mut expected = case.clone();
            expected.sort();
            let mut got = case;
            sort(&mut got);
            assert_eq!(got, expected);
        }
    }

    #[test]
    fn collections_keep_what_collect_keeps() {
        assert_eq!(
            set_of([3, 1, 3, 2]),
            [3, 1, 3, 2].into_iter().collect::<BTreeSet<_>>()
        );
        let entries = [(2, 'a'), (1, 'b'), (2, 'c')];
        assert_eq!(
            map_of(entries),
            entries.into_iter().collect::<BTreeMap<_, _>>()
        );
        assert_eq!(map_of(entries)[&2], 'c');
    }
}
