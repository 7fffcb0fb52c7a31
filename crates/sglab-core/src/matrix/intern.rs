//! The matrix's hash map and its one interner, of lists: every list the builder numbers (the
//! blocks containing an address, the groups of an ENI, rule bitsets, port functions, answers,
//! port sets, a cell's port sets over the protocols) goes through [`Interner`].

use std::collections::HashMap;
use std::hash::Hash;

/// Hash maps of the builder's integer keys: rustc-hash's FxHash, fast and deterministic. They
/// are only looked up, never iterated, so their order never reaches the output.
pub(super) type FastMap<K, V> = HashMap<K, V, rustc_hash::FxBuildHasher>;

/// Interns lists: equal lists get equal ids, numbered from 0 in order of arrival. The lists
/// are stored end to end in one buffer, so reading one is a slice of it; the index holds only
/// each list's hash and id (lists of one hash chained through `next`), so that an interner is
/// copied without one allocation per list.
#[derive(Clone)]
pub(super) struct Interner<T> {
    /// The last list interned with each hash.
    ids: FastMap<u64, u32>,
    /// Per list, the list interned before it with the same hash (`u32::MAX`: none).
    next: Vec<u32>,
    /// Where each list starts in `items`; list `i` is `items[starts[i]..starts[i + 1]]`.
    starts: Vec<usize>,
    items: Vec<T>,
}

fn hash_of<T: Hash>(list: &[T]) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(list)
}

impl<T: Copy + Eq + Hash> Interner<T> {
    /// An interner without lists.
    pub(super) fn new() -> Interner<T> {
        Interner {
            ids: FastMap::default(),
            next: Vec::new(),
            starts: vec![0],
            items: Vec::new(),
        }
    }

    /// The id of `list`, numbering it first if it is new.
    pub(super) fn intern(&mut self, list: &[T]) -> u32 {
        let hash = hash_of(list);
        if let Some(id) = self.find(hash, list) {
            return id;
        }
        let id = self.len() as u32;
        let previous = self.ids.insert(hash, id).unwrap_or(u32::MAX);
        self.next.push(previous);
        self.items.extend_from_slice(list);
        self.starts.push(self.items.len());
        id
    }

    fn find(&self, hash: u64, list: &[T]) -> Option<u32> {
        let mut id = *self.ids.get(&hash)?;
        while id != u32::MAX {
            if self.get(id) == list {
                return Some(id);
            }
            id = self.next.get(id as usize).copied().unwrap_or(u32::MAX);
        }
        None
    }

    /// The id of `list`, if it was interned.
    pub(super) fn id(&self, list: &[T]) -> Option<u32> {
        self.find(hash_of(list), list)
    }

    /// The list numbered `id`; empty for an id never given.
    pub(super) fn get(&self, id: u32) -> &[T] {
        let id = id as usize;
        match (self.starts.get(id), self.starts.get(id + 1)) {
            (Some(start), Some(end)) => &self.items[*start..*end],
            _ => &[],
        }
    }

    /// How many lists were interned.
    pub(super) fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// The lists in order of their ids.
    pub(super) fn iter(&self) -> impl Iterator<Item = &[T]> + '_ {
        self.starts
            .windows(2)
            .map(|bounds| &self.items[bounds[0]..bounds[1]])
    }

    /// The lists end to end, in order of their ids (for lists of one length, list `i` is
    /// `items[i * length..][..length]`).
    pub(super) fn items(&self) -> &[T] {
        &self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Equal lists get one id, numbered in order of arrival; a list is found by its contents
    /// and read back by its id.
    #[test]
    fn equal_lists_share_an_id() {
        let mut interner = Interner::<u32>::new();
        assert_eq!(interner.intern(&[1, 2]), 0);
        assert_eq!(interner.intern(&[3]), 1);
        assert_eq!(interner.intern(&[]), 2);
        assert_eq!(interner.intern(&[1, 2]), 0);
        assert_eq!(interner.intern(&[3]), 1);
        assert_eq!(interner.intern(&[]), 2);
        assert_eq!(interner.id(&[3]), Some(1));
        assert_eq!(interner.id(&[2, 1]), None);
        assert_eq!(interner.len(), 3);
        assert_eq!(interner.get(0), &[1, 2]);
        assert_eq!(interner.get(7), &[] as &[u32]);
        let lists: Vec<&[u32]> = interner.iter().collect();
        assert_eq!(lists, vec![&[1, 2][..], &[3][..], &[][..]]);
        assert_eq!(interner.items(), &[1, 2, 3]);
    }

    /// Lists are told apart by their hash first, so that a lookup compares few lists: different
    /// lists hash differently (here).
    #[test]
    fn different_lists_hash_differently() {
        let lists: [&[u32]; 5] = [&[], &[0], &[1], &[0, 1], &[1, 0]];
        for (index, a) in lists.iter().enumerate() {
            for b in &lists[index + 1..] {
                assert_ne!(hash_of(a), hash_of(b), "{a:?} {b:?}");
            }
        }
    }
}
