//! The matrix builder: its state, and the build itself (classes, routes, then the egress
//! answers by rows and the ingress answers and cells by blocks of columns).

use std::collections::BTreeMap;

use crate::eval::route::{self, Actor, Route};
use crate::model::{Direction, EndpointId, GroupId, PortRange, Protocol, Topology};

use super::cache::CacheSlot;
use super::classes::{family_slot, ClassKey, NetIndex, RouteSummary, RoutingSignature, Signature};
use super::combine::sorted_intersect;
use super::incremental::Reuse;
use super::intern::{FastMap, Interner};
use super::reach::ClassReach;
use super::sides::{variant, GroupSide};
use super::{Matrix, EMPTY_SET, FULL_SET};

/// A group side's answers towards every class, shared between the rows and columns using it.
pub(super) type AnswerVector = std::sync::Arc<[u32]>;

/// The most classes of a matrix that keeps its build's state for the next recompute: beyond,
/// copying that state (hundreds of megabytes at 5,000 endpoints) costs about what it saves.
const CACHED_CLASSES: usize = 2_000;

/// The value of a memo cell not yet computed.
pub(super) const UNSET: u32 = u32::MAX;

/// The side-answer id of a side that does not filter: every port of every protocol.
pub(super) const UNFILTERED: u32 = 0;

/// The group answer of a group none of whose rules matches: id 0.
pub(super) const NO_MATCH: u32 = 0;

/// A key meaning "no rule matched" in a keyed port function.
pub(super) const NO_KEY: u16 = u16::MAX;

/// Sweep buffers, reused from one sweep to the next.
#[derive(Default)]
pub(super) struct Scratch {
    pub(super) matched: Vec<u64>,
    pub(super) owner: Vec<u16>,
    pub(super) next: Vec<usize>,
    pub(super) keyed: Vec<(u16, u16, u16)>,
    pub(super) ranges: Vec<(u16, u16)>,
    pub(super) ids: Vec<u32>,
    pub(super) points: Vec<u32>,
    pub(super) sides: Vec<u32>,
    pub(super) function_ids: Vec<u32>,
}

pub(super) struct Builder<'t> {
    pub(super) topology: &'t Topology,
    pub(super) nets: NetIndex,
    pub(super) group_index: BTreeMap<&'t GroupId, u32>,
    pub(super) groups: Vec<&'t GroupId>,
    /// Per address class, the ids of the blocks containing its addresses, sorted.
    pub(super) address_sets: Interner<u32>,
    /// Per group set, the indices of its groups, sorted.
    pub(super) group_set_members: Interner<u32>,
    /// Per group set, whether its default allows egress and ingress.
    pub(super) group_set_defaults: Vec<[bool; 2]>,
    /// Per group set, its basic groups with InnerAccessPolicy Accept, sorted.
    pub(super) accept_groups: Vec<Vec<u32>>,
    pub(super) protocols: Vec<Protocol>,
    /// Group sides by `group * 2 + direction` (0 egress, 1 ingress), made when first needed.
    pub(super) sides: Vec<Option<std::sync::Arc<GroupSide>>>,
    /// Per group, the group sets holding it.
    pub(super) sets_of_group: Vec<Vec<u32>>,
    /// Keyed port functions: (first port, last port, key) lists.
    pub(super) functions: Interner<(u16, u16, u16)>,
    /// Group answers: one function id per protocol.
    pub(super) group_answers: Interner<u32>,
    /// Side answers: one side-set id per protocol.
    pub(super) side_answers: Interner<u32>,
    /// Side answers by (default allows, group answers), for up to three groups.
    pub(super) scope_memo: FastMap<u128, u32>,
    pub(super) scope_memo_long: FastMap<Vec<u32>, u32>,
    /// Side sets by (default allows, functions) and protocol, for up to three groups.
    pub(super) function_memo: FastMap<(u128, usize), u32>,
    /// Port sets by (egress side set, ingress side set, port 25 blocked).
    pub(super) intersections: FastMap<u64, u32>,
    /// Cell answers (one port-set id per protocol) by (egress, ingress, leaves VPC).
    pub(super) combos: Interner<u32>,
    pub(super) combo_memo: FastMap<u64, u32>,
    /// Per (group side, variant, local address class), the group answer towards each class.
    pub(super) answer_vectors: FastMap<(u32, u8, u32), AnswerVector>,
    /// Per group side, the classes towards which its answers are read, when not all of them
    /// (after an edit: the classes whose other side changed); `None` or absent: every class.
    pub(super) peer_masks: Vec<Option<std::rc::Rc<[u32]>>>,
    pub(super) scratch: Scratch,
    /// Per side answer, what it allows (see [`Builder::answer_kind`]).
    pub(super) answer_kinds: Vec<u8>,
    pub(super) side_sets: Interner<(u16, u16)>,
    /// The matrix's port sets: allowed ranges, sorted and disjoint.
    pub(super) port_sets: Interner<(u16, u16)>,
    /// Whether the state above comes from an earlier build's [`BuildCache`], whose port sets
    /// and combos are those of the earlier matrix.
    pub(super) seeded: bool,
    /// The signatures of the classes of this build (once they are known) or, before, of the
    /// earlier build this one was seeded from: the answer vectors kept from that build hold
    /// for the classes that keep their number and signature.
    pub(super) class_keys: Vec<ClassKey>,
    /// The group sides this build made (not taken from an earlier build), for the tests that
    /// hold a build to what it must make.
    #[cfg(test)]
    pub(super) sides_made: Vec<u32>,
    /// The pairs of classes this build evaluated (not taken from an earlier matrix), for the
    /// same tests.
    #[cfg(test)]
    pub(super) pairs_evaluated: usize,
    /// How many times each pair of side answers one of which allows everything was combined
    /// ([`Builder::combine`]), for the same tests.
    #[cfg(test)]
    pub(super) combined_with_all: FastMap<u64, u32>,
}

impl<'t> Builder<'t> {
    pub(super) fn new(topology: &'t Topology) -> Builder<'t> {
        Builder::with_nets(topology, NetIndex::new(topology))
    }

    /// A builder of `topology` whose address classes are those of the blocks of `nets`, which
    /// must hold every block the rules of `topology` mention.
    pub(super) fn with_nets(topology: &'t Topology, nets: NetIndex) -> Builder<'t> {
        let mut builder = Builder {
            topology,
            nets,
            group_index: topology
                .groups
                .keys()
                .enumerate()
                .map(|(index, id)| (id, index as u32))
                .collect(),
            groups: topology.groups.keys().collect(),
            address_sets: Interner::new(),
            group_set_members: Interner::new(),
            group_set_defaults: Vec::new(),
            accept_groups: Vec::new(),
            protocols: Vec::new(),
            sides: Vec::new(),
            sets_of_group: Vec::new(),
            functions: Interner::new(),
            group_answers: Interner::new(),
            side_answers: Interner::new(),
            scope_memo: FastMap::default(),
            scope_memo_long: FastMap::default(),
            function_memo: FastMap::default(),
            intersections: FastMap::default(),
            combos: Interner::new(),
            combo_memo: FastMap::default(),
            answer_vectors: FastMap::default(),
            peer_masks: Vec::new(),
            scratch: Scratch::default(),
            answer_kinds: Vec::new(),
            side_sets: Interner::new(),
            port_sets: Interner::new(),
            seeded: false,
            class_keys: Vec::new(),
            #[cfg(test)]
            sides_made: Vec::new(),
            #[cfg(test)]
            pairs_evaluated: 0,
            #[cfg(test)]
            combined_with_all: FastMap::default(),
        };
        // Ids 0 and 1 of port sets and of side sets are nothing and everything.
        for ranges in [Vec::new(), vec![(1, 65535)]] {
            builder.port_sets.intern(&ranges);
            builder.side_sets.intern(&ranges);
        }
        builder
    }

    pub(super) fn build(self, protocols: Vec<Protocol>) -> Matrix {
        self.build_reusing(protocols, None)
    }

    /// Builds the matrix; with `reuse`, the cells of the pairs of classes whose groups' rules
    /// did not change come from the earlier matrix, when the classes are the same.
    pub(super) fn build_reusing(
        mut self,
        protocols: Vec<Protocol>,
        reuse: Option<Reuse<'_>>,
    ) -> Matrix {
        let topology = self.topology;
        self.protocols = protocols.clone();
        let endpoints: Vec<EndpointId> = topology.endpoints.keys().cloned().collect();
        let actors: Vec<Actor<'t>> = topology
            .endpoints
            .values()
            .map(|endpoint| Actor::of_endpoint(topology, endpoint))
            .collect();

        // Classes of endpoints with identical signatures.
        let mut classes: FastMap<Signature<'t>, u32> = FastMap::default();
        let mut signatures: Vec<Signature<'t>> = Vec::new();
        let mut members: Vec<Vec<u32>> = Vec::new();
        let mut class_of = Vec::with_capacity(actors.len());
        for (index, actor) in actors.iter().enumerate() {
            let signature = self.signature(actor);
            let next = signatures.len() as u32;
            let class = *classes.entry(signature.clone()).or_insert(next);
            if class == next {
                signatures.push(signature);
                members.push(Vec::new());
            }
            members[class as usize].push(index as u32);
            class_of.push(class);
        }
        let class_count = signatures.len();
        // The answer vectors kept from an earlier build are by class: they hold when its classes
        // are the first of these, with the same signatures (a vector shorter than the classes
        // is completed when read).
        let keys: Vec<ClassKey> = signatures.iter().map(Signature::key).collect();
        let earlier = std::mem::replace(&mut self.class_keys, keys);
        if !self.class_keys.starts_with(&earlier) {
            self.answer_vectors.clear();
        }
        self.index_memberships();

        // Routing depends on less than the full signature (not on which blocks contain the
        // addresses), so `route` itself works it out once per pair of routing signatures, on
        // representatives.
        let mut routing_ids: FastMap<RoutingSignature<'t>, u32> = FastMap::default();
        let mut routing_of: Vec<u32> = Vec::with_capacity(class_count);
        let mut routing_representative: Vec<usize> = Vec::new();
        for (class, signature) in signatures.iter().enumerate() {
            let next = routing_ids.len() as u32;
            let id = *routing_ids.entry(signature.routing()).or_insert(next);
            if id == next {
                routing_representative.push(members[class][0] as usize);
            }
            routing_of.push(id);
        }
        let routing_count = routing_representative.len();
        let mut slot_protocols: [Option<Protocol>; 3] = [None; 3];
        for protocol in &protocols {
            slot_protocols[family_slot(*protocol)].get_or_insert(*protocol);
        }
        // Per pair of routing signatures: the distinct routes and the protocols taking each.
        let mut route_plans: Vec<Vec<(RouteSummary, Vec<usize>)>> =
            Vec::with_capacity(routing_count * routing_count);
        for from in 0..routing_count {
            for to in 0..routing_count {
                let from_actor = &actors[routing_representative[from]];
                let to_actor = &actors[routing_representative[to]];
                let summaries = slot_protocols.map(|protocol| {
                    let protocol = protocol?;
                    match route::route_through_enis(topology, from_actor, to_actor, protocol) {
                        Route::Routed(routed) => Some(RouteSummary::of(&routed)),
                        Route::Local { .. } | Route::Unreachable { .. } => None,
                    }
                });
                let mut plan: Vec<(RouteSummary, Vec<usize>)> = Vec::new();
                for (protocol_index, protocol) in protocols.iter().enumerate() {
                    let Some(summary) = summaries[family_slot(*protocol)] else {
                        continue;
                    };
                    match plan.iter_mut().find(|(known, _)| *known == summary) {
                        Some((_, indices)) => indices.push(protocol_index),
                        None => plan.push((summary, vec![protocol_index])),
                    }
                }
                route_plans.push(plan);
            }
        }

        let protocol_count = protocols.len();
        // With an earlier matrix over the same classes, only the pairs of classes whose
        // source's egress rules or target's ingress rules changed are evaluated again.
        let reuse = reuse.filter(|reuse| {
            reuse.matrix.is_none_or(|matrix| {
                matrix.protocols == protocols
                    && matrix.endpoints == endpoints
                    && matrix.class_count == class_count
                    && matrix.class_of == class_of
                    && matrix.cells.len() == class_count * class_count
            })
        });
        // Combo 0 allows nothing.
        self.combos.intern(&vec![EMPTY_SET; protocol_count]);
        let (mut cells, affected) = match &reuse {
            Some(reuse) => {
                // Port-set ids stay those of the earlier matrix, and so do the combos (a seeded
                // builder has them already).
                if let Some(matrix) = reuse.matrix.filter(|_| !self.seeded) {
                    for ranges in matrix.port_sets.iter().skip(2) {
                        let ranges: Vec<(u16, u16)> =
                            ranges.iter().map(|r| (r.start(), r.end())).collect();
                        self.port_sets.intern(&ranges);
                    }
                    for combo in matrix.combos.chunks(protocol_count.max(1)).skip(1) {
                        self.combos.intern(combo);
                    }
                }
                let affected: Vec<[bool; 2]> = signatures
                    .iter()
                    .map(|signature| {
                        let members = self.group_set_members.get(signature.group_set);
                        [
                            sorted_intersect(members, &reuse.changed.egress),
                            sorted_intersect(members, &reuse.changed.ingress),
                        ]
                    })
                    .collect();
                // A group side is read towards every class only if one of its classes
                // changed on that side; otherwise only towards the classes whose other side
                // changed (the only pairs evaluated again).
                // A seeded builder keeps every answer vector it makes for the next build, so
                // it makes them whole.
                let mut whole = vec![self.seeded; self.groups.len() * 2];
                for (signature, sides) in signatures.iter().zip(&affected) {
                    for group in self.group_set_members.get(signature.group_set) {
                        for (direction, changed) in sides.iter().enumerate() {
                            if *changed {
                                if let Some(flag) = whole.get_mut(*group as usize * 2 + direction) {
                                    *flag = true;
                                }
                            }
                        }
                    }
                }
                // The classes changed on each side, listed, so that a side read towards a few
                // classes reads only those.
                let changed_on: [std::rc::Rc<[u32]>; 2] = [0, 1].map(|direction| {
                    affected
                        .iter()
                        .enumerate()
                        .filter(|(_, sides)| sides[direction])
                        .map(|(class, _)| class as u32)
                        .collect()
                });
                self.peer_masks = whole
                    .iter()
                    .enumerate()
                    .map(|(side, whole)| {
                        // An egress side is read towards targets whose ingress changed, and
                        // the other way round.
                        (!whole).then(|| changed_on[1 - side % 2].clone())
                    })
                    .collect();
                let cells = reuse.matrix.map_or_else(
                    || vec![0; class_count * class_count],
                    |matrix| matrix.cells.clone(),
                );
                (cells, Some(affected))
            }
            None => (vec![0; class_count * class_count], None),
        };
        let class_reach = match (reuse.as_ref().and_then(|reuse| reuse.reach), &affected) {
            (Some(reach), Some(affected)) => Some(ClassReach::of(
                reach,
                class_count,
                |class| {
                    members[class]
                        .iter()
                        .map(|index| &endpoints[*index as usize])
                },
                |class, side| affected[class][side],
            )),
            _ => None,
        };
        // Side answer 0 is "every port of every protocol": a side that does not filter; group
        // answer 0 matches no rule for any protocol.
        let all_ports = vec![FULL_SET; protocol_count];
        self.side_answers.intern(&all_ports);
        let no_rule = self.functions.intern(&[]);
        self.group_answers.intern(&vec![no_rule; protocol_count]);

        let signatures = &signatures;
        let needed = |from_class: usize, to_class: usize| {
            if from_class == to_class && members[to_class].len() < 2 {
                return false;
            }
            match &affected {
                Some(affected) => {
                    // A changed side meets the synthetic parties it reaches only.
                    let reaches = |side: usize| {
                        class_reach
                            .as_ref()
                            .is_none_or(|reach| reach.reaches(from_class, to_class, side))
                    };
                    (affected[from_class][0] && reaches(0)) || (affected[to_class][1] && reaches(1))
                }
                None => true,
            }
        };
        // The targets a source's row may need: every class when its egress changed (or
        // without an earlier matrix), else only the classes whose ingress changed, so that a
        // part of a few rows and columns does not walk every pair of classes.
        let every_class: Vec<usize> = (0..class_count).collect();
        let changed_columns: Vec<usize> = match &affected {
            Some(affected) => (0..class_count).filter(|to| affected[*to][1]).collect(),
            None => every_class.clone(),
        };
        let whole_row = |from_class: usize| {
            affected
                .as_ref()
                .is_none_or(|affected| affected[from_class][0])
        };
        let plan_of = |from_class: usize, to_class: usize| {
            &route_plans
                [routing_of[from_class] as usize * routing_count + routing_of[to_class] as usize]
        };
        let intra_group =
            |builder: &Builder<'t>, summary: &RouteSummary, from: usize, to: usize| {
                let (from, to) = (&signatures[from], &signatures[to]);
                summary.same_vpc
                    && from.eni_addressed
                    && to.eni_addressed
                    && sorted_intersect(
                        &builder.accept_groups[from.group_set as usize],
                        &builder.accept_groups[to.group_set as usize],
                    )
            };

        // Pass 1, by rows: the egress answer of every pair, for the k-th route of its plan, in
        // the pair's k-th slot (a plan has at most one route per protocol). A row's source
        // has few distinct answers, so a memo of the row catches nearly all of them.
        let mut memo: FastMap<u128, u32> = FastMap::default();
        let mut egress_ids: Vec<u32> = Vec::with_capacity(4);
        // The egress answers of the second and third routes of a pair, when its protocols
        // route differently (rare), by pair and route.
        let mut more_routes: FastMap<(usize, usize), u32> = FastMap::default();
        for from_class in 0..class_count {
            let targets = if whole_row(from_class) {
                &every_class
            } else {
                &changed_columns
            };
            if !targets.iter().any(|to_class| needed(from_class, *to_class)) {
                continue;
            }
            let from = &signatures[from_class];
            let from_groups = self.group_set_members.get(from.group_set).to_vec();
            let default = self.default_allows(from.group_set, Direction::Egress);
            // Per routing signature of the target and route: the answer vectors of the
            // source's groups.
            let mut row_vectors: Vec<Vec<Option<Vec<AnswerVector>>>> =
                Vec::with_capacity(routing_count);
            for to_routing in 0..routing_count {
                let plan =
                    &route_plans[routing_of[from_class] as usize * routing_count + to_routing];
                let mut routes = Vec::with_capacity(plan.len());
                for (summary, _) in plan {
                    routes.push(match summary.egress {
                        Some(peer_groups) => {
                            let variant = variant(summary.to_role, peer_groups);
                            let mut vectors = Vec::with_capacity(from_groups.len());
                            for group in &from_groups {
                                let side = group * 2;
                                let local = self.local_key(side, from.private(summary.family));
                                vectors
                                    .push(self.answer_vector((side, variant, local), signatures));
                            }
                            Some(vectors)
                        }
                        None => None,
                    });
                }
                row_vectors.push(routes);
            }
            memo.clear();
            for &to_class in targets {
                if !needed(from_class, to_class) {
                    continue;
                }
                let pair = from_class * class_count + to_class;
                let plan = plan_of(from_class, to_class);
                cells[pair] = UNFILTERED;
                for (k, (summary, _)) in plan.iter().enumerate() {
                    let answer = match &row_vectors[routing_of[to_class] as usize][k] {
                        Some(vectors) if !intra_group(&self, summary, from_class, to_class) => {
                            egress_ids.clear();
                            // A group none of whose rules matches adds nothing to the side.
                            egress_ids.extend(
                                vectors
                                    .iter()
                                    .map(|vector| vector[to_class])
                                    .filter(|answer| *answer != NO_MATCH),
                            );
                            self.memo_scope_answer(&mut memo, default, &egress_ids)
                        }
                        _ => UNFILTERED,
                    };
                    if k == 0 {
                        cells[pair] = answer;
                    } else {
                        more_routes.insert((pair, k), answer);
                    }
                }
            }
        }

        // Pass 2, by blocks of columns: the ingress answer of every pair, which varies little
        // down a column (one memo per column of the block), combined with the egress answer
        // into the pair's port sets.
        const BLOCK: usize = 64;
        let mut column_memos: Vec<FastMap<u128, u32>> = vec![FastMap::default(); BLOCK];
        let mut ingress_ids: Vec<u32> = Vec::with_capacity(4);
        let mut mixed: Vec<u32> = vec![EMPTY_SET; protocol_count];
        // The combos of pairs one of whose sides allows everything, by the other side's answer.
        let mut one_side_combos: [Vec<u32>; 4] = Default::default();
        for block_start in (0..class_count).step_by(BLOCK) {
            let block_end = (block_start + BLOCK).min(class_count);
            // Per column and variant: the answer vectors of the target's groups.
            let mut column_vectors: Vec<Vec<(u8, u32, Vec<AnswerVector>)>> =
                vec![Vec::new(); block_end - block_start];
            column_memos.iter_mut().for_each(FastMap::clear);
            let block_all = &every_class[block_start..block_end];
            let block_changed = {
                let first = changed_columns.partition_point(|to| *to < block_start);
                let stop = changed_columns.partition_point(|to| *to < block_end);
                &changed_columns[first..stop]
            };
            for from_class in 0..class_count {
                let columns = if whole_row(from_class) {
                    block_all
                } else {
                    block_changed
                };
                for &to_class in columns {
                    if !needed(from_class, to_class) {
                        continue;
                    }
                    let column = to_class - block_start;
                    let to = &signatures[to_class];
                    let pair = from_class * class_count + to_class;
                    let plan = plan_of(from_class, to_class);
                    let mut result = 0;
                    for (k, (summary, indices)) in plan.iter().enumerate() {
                        let ingress = match summary.ingress {
                            Some(peer_groups)
                                if !intra_group(&self, summary, from_class, to_class) =>
                            {
                                let variant = variant(summary.from_role, peer_groups);
                                let own = to.private(summary.family).unwrap_or(UNSET);
                                let known = column_vectors[column]
                                    .iter()
                                    .position(|(v, o, _)| *v == variant && *o == own);
                                let at =
                                    match known {
                                        Some(at) => at,
                                        None => {
                                            let groups =
                                                self.group_set_members.get(to.group_set).to_vec();
                                            let mut vectors = Vec::with_capacity(groups.len());
                                            for group in groups {
                                                let side = group * 2 + 1;
                                                let local = self.local_key(
                                                    side,
                                                    Some(own).filter(|own| *own != UNSET),
                                                );
                                                vectors.push(self.answer_vector(
                                                    (side, variant, local),
                                                    signatures,
                                                ));
                                            }
                                            column_vectors[column].push((variant, own, vectors));
                                            column_vectors[column].len() - 1
                                        }
                                    };
                                ingress_ids.clear();
                                ingress_ids.extend(
                                    column_vectors[column][at]
                                        .2
                                        .iter()
                                        .map(|vector| vector[from_class])
                                        .filter(|answer| *answer != NO_MATCH),
                                );
                                let default = self.default_allows(to.group_set, Direction::Ingress);
                                self.memo_scope_answer(
                                    &mut column_memos[column],
                                    default,
                                    &ingress_ids,
                                )
                            }
                            _ => UNFILTERED,
                        };
                        let egress = if k == 0 {
                            cells[pair]
                        } else {
                            more_routes.get(&(pair, k)).copied().unwrap_or(UNFILTERED)
                        };
                        let combo = self.combine_fast(
                            egress,
                            ingress,
                            summary.leaves_vpc,
                            &mut one_side_combos,
                        );
                        if plan.len() == 1 && indices.len() == protocol_count {
                            result = combo;
                        } else {
                            // Protocols that route differently, or not at all: each takes its
                            // own route's port set.
                            if k == 0 {
                                mixed.fill(EMPTY_SET);
                            }
                            let sets = self.combos.get(combo);
                            for protocol_index in indices {
                                mixed[*protocol_index] = sets[*protocol_index];
                            }
                            if k + 1 == plan.len() {
                                result = self.combos.intern(&mixed);
                            }
                        }
                    }
                    cells[pair] = result;
                    #[cfg(test)]
                    {
                        self.pairs_evaluated += 1;
                    }
                }
            }
        }
        let mut local_pairs = Vec::new();
        let mut by_node: BTreeMap<&EndpointId, Vec<u32>> = BTreeMap::new();
        for (index, actor) in actors.iter().enumerate() {
            if let Some(node) = actor.host_node {
                by_node.entry(node).or_default().push(index as u32);
            }
        }
        for on_node in by_node.values() {
            for &a in on_node {
                for &b in on_node {
                    if a != b
                        && route::same_node(&actors[a as usize], &actors[b as usize]).is_some()
                    {
                        local_pairs.push((a, b));
                    }
                }
            }
        }
        local_pairs.sort_unstable();
        let combos = self.combos.items().to_vec();
        let port_sets = self
            .port_sets
            .iter()
            .map(|ranges| {
                ranges
                    .iter()
                    .filter_map(|(start, end)| PortRange::new(*start, *end).ok())
                    .collect()
            })
            .collect();
        Matrix {
            endpoints,
            protocols,
            class_of,
            class_count,
            port_sets,
            cells,
            combos,
            local_pairs,
            cache: if class_count <= CACHED_CLASSES {
                CacheSlot::of(self.into_cache())
            } else {
                CacheSlot::default()
            },
        }
    }
}
