//! The matrix's hash map and its one interner of lists.

use std::collections::HashMap;

/// Hash maps of the builder's integer keys: rustc-hash's FxHash, fast and deterministic. They
/// are only looked up, never iterated, so their order never reaches the output.
pub(super) type FastMap<K, V> = HashMap<K, V, rustc_hash::FxBuildHasher>;

/// Interns lists of numbers: equal lists get equal ids, numbered from 0 in order of arrival.
pub(super) struct Interner<T> {
    pub(super) ids: FastMap<Vec<T>, u32>,
    /// Where each list starts in `items`; list `i` is `items[starts[i]..starts[i + 1]]`.
    pub(super) starts: Vec<usize>,
    pub(super) items: Vec<T>,
}

impl<T: Copy + Eq + std::hash::Hash> Interner<T> {
    pub(super) fn new() -> Interner<T> {
        Interner {
            ids: FastMap::default(),
            starts: vec![0],
            items: Vec::new(),
        }
    }

    pub(super) fn intern(&mut self, list: &[T]) -> u32 {
        if let Some(id) = self.ids.get(list) {
            return *id;
        }
        let id = self.len() as u32;
        self.ids.insert(list.to_vec(), id);
        self.items.extend_from_slice(list);
        self.starts.push(self.items.len());
        id
    }

    pub(super) fn get(&self, id: u32) -> &[T] {
        let id = id as usize;
        match (self.starts.get(id), self.starts.get(id + 1)) {
            (Some(start), Some(end)) => &self.items[*start..*end],
            _ => &[],
        }
    }

    pub(super) fn len(&self) -> usize {
        self.starts.len() - 1
    }
}
