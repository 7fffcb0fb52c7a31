//! What a build keeps for the next one: the builder's state that does not borrow the topology
//! (address classes, group sets, group sides, answer vectors, the interned answers and port
//! sets with their memos), so that a recompute after an edit of rules only makes again what
//! the edited groups' rules decide.
//!
//! Every list the builder numbers is interned by content, so the ids of an earlier build stay
//! valid in the next one as long as the blocks the rules name, the endpoints and the groups are
//! the same; only the group sides of the edited groups (and the answer vectors read from them)
//! are dropped. The port sets and combos are the earlier matrix's, so that its cells can be
//! reused as they are.
//!
//! Only matrices of up to 2,000 classes keep their state: the recompute starts from a copy of
//! it, and at 5,000 endpoints that copy (a few hundred megabytes) costs about what it saves.

use std::sync::Arc;

use crate::model::Protocol;

use super::builder::{AnswerVector, Builder};
use super::classes::NetIndex;
use super::incremental::ChangedGroups;
use super::intern::{FastMap, Interner};
use super::sides::GroupSide;
use super::{EMPTY_SET, FULL_SET};

/// The builder's state after a build; see the module's documentation.
#[derive(Clone)]
pub(super) struct BuildCache {
    nets: NetIndex,
    protocols: Vec<Protocol>,
    address_sets: Interner<u32>,
    group_set_members: Interner<u32>,
    group_set_defaults: Vec<[bool; 2]>,
    accept_groups: Vec<Vec<u32>>,
    sides: Vec<Option<Arc<GroupSide>>>,
    functions: Interner<(u16, u16, u16)>,
    group_answers: Interner<u32>,
    side_answers: Interner<u32>,
    scope_memo: FastMap<u128, u32>,
    scope_memo_long: FastMap<Vec<u32>, u32>,
    function_memo: FastMap<(u128, usize), u32>,
    intersections: FastMap<u64, u32>,
    combos: Interner<u32>,
    combo_memo: FastMap<u64, u32>,
    answer_vectors: FastMap<(u32, u8, u32), AnswerVector>,
    answer_kinds: Vec<u8>,
    side_sets: Interner<(u16, u16)>,
    port_sets: Interner<(u16, u16)>,
}

/// A matrix's [`BuildCache`], shared between its clones; it takes no part in comparisons,
/// serialization or [`super::Matrix::parts`], and a matrix put together from its parts has
/// none.
#[derive(Clone, Default)]
pub(super) struct CacheSlot(pub(super) Option<Arc<BuildCache>>);

impl CacheSlot {
    /// A slot holding `cache`.
    pub(super) fn of(cache: BuildCache) -> CacheSlot {
        CacheSlot(Some(Arc::new(cache)))
    }
}

impl PartialEq for CacheSlot {
    fn eq(&self, _: &CacheSlot) -> bool {
        true
    }
}

impl Eq for CacheSlot {}

impl std::fmt::Debug for CacheSlot {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(if self.0.is_some() {
            "CacheSlot(kept)"
        } else {
            "CacheSlot(none)"
        })
    }
}

impl<'t> Builder<'t> {
    /// Starts from an earlier build's state, less the group sides of the groups whose rules
    /// changed; `false` (and nothing taken) when the cache was made for other rule blocks or
    /// other protocols.
    pub(super) fn seed(
        &mut self,
        cache: &BuildCache,
        protocols: &[Protocol],
        changed: &ChangedGroups,
    ) -> bool {
        if cache.protocols != protocols
            || cache.nets.ids != self.nets.ids
            || cache.sides.len() != self.groups.len() * 2
        {
            return false;
        }
        let cache = cache.clone();
        let mut dropped = vec![false; cache.sides.len()];
        for (direction, list) in [&changed.egress, &changed.ingress].into_iter().enumerate() {
            for group in list {
                if let Some(flag) = dropped.get_mut(*group as usize * 2 + direction) {
                    *flag = true;
                }
            }
        }
        self.address_sets = cache.address_sets;
        self.group_set_members = cache.group_set_members;
        self.group_set_defaults = cache.group_set_defaults;
        self.accept_groups = cache.accept_groups;
        self.sides = cache.sides;
        for (side, dropped) in self.sides.iter_mut().zip(&dropped) {
            if *dropped {
                *side = None;
            }
        }
        self.functions = cache.functions;
        self.group_answers = cache.group_answers;
        self.side_answers = cache.side_answers;
        self.scope_memo = cache.scope_memo;
        self.scope_memo_long = cache.scope_memo_long;
        self.function_memo = cache.function_memo;
        self.intersections = cache.intersections;
        self.combos = cache.combos;
        self.combo_memo = cache.combo_memo;
        self.answer_vectors = cache.answer_vectors;
        self.answer_vectors
            .retain(|(side, _, _), _| !dropped.get(*side as usize).copied().unwrap_or(true));
        self.answer_kinds = cache.answer_kinds;
        self.side_sets = cache.side_sets;
        self.port_sets = cache.port_sets;
        self.seeded = true;
        true
    }

    /// The state to keep for the next build. Answer vectors made for some classes only (a
    /// recompute without a cache reads a side only towards the classes it needs) are left out.
    pub(super) fn into_cache(mut self) -> BuildCache {
        let masked = std::mem::take(&mut self.peer_masks);
        self.answer_vectors
            .retain(|(side, _, _), _| masked.get(*side as usize).is_none_or(|mask| mask.is_none()));
        BuildCache {
            nets: self.nets,
            protocols: self.protocols,
            address_sets: self.address_sets,
            group_set_members: self.group_set_members,
            group_set_defaults: self.group_set_defaults,
            accept_groups: self.accept_groups,
            sides: self.sides,
            functions: self.functions,
            group_answers: self.group_answers,
            side_answers: self.side_answers,
            scope_memo: self.scope_memo,
            scope_memo_long: self.scope_memo_long,
            function_memo: self.function_memo,
            intersections: self.intersections,
            combos: self.combos,
            combo_memo: self.combo_memo,
            answer_vectors: self.answer_vectors,
            answer_kinds: self.answer_kinds,
            side_sets: self.side_sets,
            port_sets: self.port_sets,
        }
    }

    /// Forgets the port sets no combo uses any more (after cells were reused from an earlier
    /// matrix), keeping the order of the others; ids 0 and 1 stay. `combos` are the combos'
    /// port-set ids end to end, renumbered in place; the builder's combos and memo of
    /// intersections follow. A seeded builder keeps a few unused sets rather than renumber.
    pub(super) fn drop_unused_port_sets(&mut self, combos: &mut [u32]) {
        let mut used = vec![false; self.port_sets.len()];
        used[EMPTY_SET as usize] = true;
        used[FULL_SET as usize] = true;
        for set in combos.iter() {
            if let Some(flag) = used.get_mut(*set as usize) {
                *flag = true;
            }
        }
        let unused = used.iter().filter(|flag| !**flag).count();
        if unused == 0 || (self.seeded && unused * 8 < used.len()) {
            return;
        }
        let mut renumber = vec![EMPTY_SET; used.len()];
        let mut kept = Interner::new();
        for (id, ranges) in self.port_sets.iter().enumerate() {
            if used[id] {
                renumber[id] = kept.intern(ranges);
            }
        }
        for set in combos.iter_mut() {
            *set = renumber.get(*set as usize).copied().unwrap_or(EMPTY_SET);
        }
        self.port_sets = kept;
        self.intersections
            .retain(|_, set| used.get(*set as usize).copied().unwrap_or(false));
        for set in self.intersections.values_mut() {
            *set = renumber[*set as usize];
        }
        // Renumbering keeps the used sets apart, so the combos keep their ids.
        let protocol_count = self.protocols.len();
        if protocol_count > 0 {
            let mut interned = Interner::new();
            for combo in combos.chunks(protocol_count) {
                interned.intern(combo);
            }
            self.combos = interned;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::generate::{generate, GenParams};
    use crate::matrix::{matrix, Matrix};

    fn shareable<T: Clone + Send + Sync>(_: &T) {}

    /// A matrix with its kept state stays cheap to clone and can move between threads; its
    /// clones and its serialized form do not depend on that state.
    #[test]
    fn the_kept_state_is_shared_and_invisible() {
        let topology = generate(2, &GenParams::small(8, 3, 30));
        let built: Matrix = matrix(&topology);
        assert!(built.cache.0.is_some());
        shareable(&built);
        let copy = built.clone();
        assert!(std::sync::Arc::ptr_eq(
            built.cache.0.as_ref().expect("kept"),
            copy.cache.0.as_ref().expect("kept")
        ));
        let rebuilt = Matrix::from_parts(built.parts().owned()).expect("parts fit");
        assert!(rebuilt.cache.0.is_none());
        assert_eq!(rebuilt, built);
        assert_eq!(
            serde_json::to_string(&rebuilt).ok(),
            serde_json::to_string(&built).ok()
        );
    }
}
