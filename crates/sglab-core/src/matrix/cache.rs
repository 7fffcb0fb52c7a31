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
use super::classes::{ClassKey, NetIndex};
use super::incremental::ChangedGroups;
use super::intern::{FastMap, Interner};
use super::sides::GroupSide;

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
    /// The signatures of the build's classes, by which the answer vectors are indexed.
    class_keys: Vec<ClassKey>,
    answer_kinds: Vec<u8>,
    side_sets: Interner<(u16, u16)>,
    port_sets: Interner<(u16, u16)>,
    /// The group sides the build made (`Builder::sides_made`).
    #[cfg(test)]
    sides_made: Vec<u32>,
    /// The pairs of classes the build evaluated (`Builder::pairs_evaluated`).
    #[cfg(test)]
    pairs_evaluated: usize,
    /// The combinations with a side allowing everything (`Builder::combined_with_all`).
    #[cfg(test)]
    combined_with_all: FastMap<u64, u32>,
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

#[cfg(test)]
impl BuildCache {
    /// The group sides kept, by group (in id order) times two plus the direction (egress 0,
    /// ingress 1).
    pub(super) fn sides(&self) -> &[Option<Arc<GroupSide>>] {
        &self.sides
    }

    /// The group sides the build made rather than took from an earlier build, in the order
    /// made.
    pub(super) fn sides_made(&self) -> &[u32] {
        &self.sides_made
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
        self.class_keys = cache.class_keys;
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
            class_keys: self.class_keys,
            answer_kinds: self.answer_kinds,
            side_sets: self.side_sets,
            port_sets: self.port_sets,
            #[cfg(test)]
            sides_made: self.sides_made,
            #[cfg(test)]
            pairs_evaluated: self.pairs_evaluated,
            #[cfg(test)]
            combined_with_all: self.combined_with_all,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use crate::edit::{apply, writable_group, Edit};
    use crate::generate::{generate, widen_enis, GenParams, Shape};
    use crate::matrix::{matrix, matrix_after_edit, Matrix, EMPTY_SET};
    use crate::model::{Direction, Policy};

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

    /// A build after an edit of one group's ingress rules starts from the earlier build: every
    /// other group side it keeps is the earlier one itself, not one made again; the edited
    /// side is made again.
    #[test]
    fn a_build_after_an_edit_keeps_the_sides_of_the_groups_not_edited() {
        let mut shared = 0;
        for shape in Shape::ALL {
            let before = generate(4, &GenParams::of_shape(shape, 30, 4, 80));
            // A writable group's first ingress rule, again with the other policy: a rule that
            // names no block the rules did not name before.
            let Some((group, mut rule)) = before.groups.iter().find_map(|(id, group)| {
                let rule = group
                    .rules
                    .iter()
                    .find(|r| r.direction == Direction::Ingress)?;
                writable_group(&before, id).ok()?;
                Some((id.clone(), rule.clone()))
            }) else {
                continue;
            };
            rule.id = None;
            rule.policy = match rule.policy {
                Policy::Accept => Policy::Drop,
                Policy::Drop => Policy::Accept,
            };
            let mut after = before.clone();
            let edit = Edit::AddRule {
                group: group.clone(),
                rule,
            };
            apply(&mut after, &edit).expect("the rule is added");
            let earlier = matrix(&before);
            let later = matrix_after_edit(&before, &earlier, &after);
            let (Some(kept), Some(made)) = (earlier.cache.0.as_ref(), later.cache.0.as_ref())
            else {
                panic!("{shape:?}: both builds keep their state");
            };
            let edited = before
                .groups
                .keys()
                .position(|id| *id == group)
                .expect("a group")
                * 2
                + 1;
            assert!(
                made.sides()[edited].is_some(),
                "{shape:?}: the edited side is made"
            );
            // Only the pairs towards the classes of the edited group's members are evaluated
            // again.
            let members: BTreeSet<usize> = after
                .endpoints
                .values()
                .filter(|endpoint| {
                    crate::eval::route::Actor::of_endpoint(&after, endpoint)
                        .groups
                        .contains(&&group)
                })
                .filter_map(|endpoint| later.class_of(&endpoint.id))
                .collect();
            let (classes, evaluated) = (later.class_count(), made.pairs_evaluated);
            assert!(
                members.len() < classes && (1..=classes * members.len()).contains(&evaluated),
                "{shape:?}: {evaluated} pairs evaluated again, {} of {classes} classes edited",
                members.len()
            );
            let only = [edited as u32];
            assert_eq!(
                made.sides_made(),
                only,
                "{shape:?}: only the edited side is made"
            );
            for (side, (kept, made)) in kept.sides().iter().zip(made.sides()).enumerate() {
                if let (Some(kept), Some(made)) = (kept, made) {
                    assert_eq!(
                        Arc::ptr_eq(kept, made),
                        side != edited,
                        "{shape:?}: side {side}"
                    );
                    shared += usize::from(side != edited);
                }
            }
        }
        assert!(shared > 20, "{shared} sides shared");
    }

    /// A pair one of whose sides allows nothing never reaches the memo of combinations: its
    /// cell allows nothing without a look-up. A pair one of whose sides allows everything is
    /// combined once, then read from a table by the other side's answer.
    #[test]
    fn pairs_with_a_side_allowing_nothing_or_everything_skip_the_memo() {
        let mut skipped = 0;
        for shape in Shape::ALL {
            let topology = generate(6, &GenParams::of_shape(shape, 30, 4, 80));
            let built = matrix(&topology);
            let cache = built.cache.0.as_ref().expect("kept");
            let nothing = |answer: u32| {
                (answer as usize) < cache.side_answers.len()
                    && cache
                        .side_answers
                        .get(answer)
                        .iter()
                        .all(|set| *set == EMPTY_SET)
            };
            let answers = cache.side_answers.len() as u32;
            skipped += (0..answers).filter(|answer| nothing(*answer)).count();
            for (key, times) in &cache.combined_with_all {
                assert_eq!(*times, 1, "{shape:?}: {key:x} combined {times} times");
            }
            assert!(!cache.combined_with_all.is_empty(), "{shape:?}");
            for key in cache.combo_memo.keys() {
                let (egress, ingress) = ((key >> 33) as u32, ((key >> 1) & 0xffff_ffff) as u32);
                assert!(
                    !nothing(egress) && !nothing(ingress),
                    "{shape:?}: {egress} -> {ingress} in the memo"
                );
            }
        }
        assert!(skipped > 0, "some side answer allows nothing");
    }

    /// A side's answer is memoized on the answers of its groups that match (a group none of
    /// whose rules matches adds nothing): under a packed key for up to three, under the list
    /// of answers for four and five (the most an ENI takes). On topologies whose ENIs have one
    /// to five groups, each with a rule matching every address, both memos are used, each for
    /// its own.
    #[test]
    fn side_answers_are_memoized_by_packed_keys_up_to_three_groups() {
        let (mut short, mut long) = (0, 0);
        for seed in 0..4u64 {
            let mut topology = generate(seed, &GenParams::of_shape(Shape::Varied, 12, 8, 60));
            widen_enis(&mut topology, |index| index % 6);
            for (index, group) in topology.groups.values_mut().enumerate() {
                for direction in [Direction::Egress, Direction::Ingress] {
                    let mut rule = crate::model::Rule::tcp_from_internet(1000 + index as u16);
                    rule.direction = direction;
                    group.rules.push(rule.clone());
                    rule.peer = crate::model::Peer::Cidr("::/0".parse().expect("a block"));
                    group.rules.push(rule);
                }
            }
            let built = matrix(&topology);
            let cache = built.cache.0.as_ref().expect("kept");
            // A long key is four or five answers and the default.
            for key in cache.scope_memo_long.keys() {
                assert!(key.len() >= 5, "seed {seed}: {key:?} memoized as a list");
            }
            short += cache.scope_memo.len();
            long += cache.scope_memo_long.len();
        }
        assert!(short > 0 && long > 0, "{short} packed keys, {long} lists");
    }
}
