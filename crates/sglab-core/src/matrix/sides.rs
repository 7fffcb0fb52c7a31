//! Group sides: one group's rules in one direction, compiled per protocol, with the rules each
//! address class and group set satisfies as bitsets, swept once per distinct matched set.

use crate::eval::route::{AddressRole, FamilyKey};
use crate::eval::rules;
use crate::model::{Direction, Peer};

use super::builder::{AnswerVector, Builder, Scratch, NO_KEY, NO_MATCH, UNSET};
use super::classes::Signature;
use super::intern::{FastMap, Interner};

/// Which address of the peer a side sees, and whether group references can match it: the
/// part of a route that a group's answer depends on, as a small number.
pub(super) fn variant(role: AddressRole, peer_groups: bool) -> u8 {
    let role = match role {
        AddressRole::Private(FamilyKey::V4) => 0,
        AddressRole::Private(FamilyKey::V6) => 1,
        AddressRole::PublicIn => 2,
        AddressRole::PublicOut => 3,
        AddressRole::External => 4,
    };
    role * 2 + u8::from(peer_groups)
}

/// The address role of a [`variant`].
pub(super) fn variant_role(variant: u8) -> AddressRole {
    match variant / 2 {
        0 => AddressRole::Private(FamilyKey::V4),
        1 => AddressRole::Private(FamilyKey::V6),
        2 => AddressRole::PublicIn,
        3 => AddressRole::PublicOut,
        _ => AddressRole::External,
    }
}

/// The rank of a rule within its group's evaluation order that decides between groups: lower
/// wins; priority first, drop before accept (reference §3 step 2). Odd keys accept.
pub(super) fn rule_key(rule: &crate::model::Rule) -> u16 {
    u16::from(rule.priority.get()) * 2 + u16::from(rules::policy_rank(rule.policy))
}

/// The rules of one group in one direction compiled for one protocol: each rule that can
/// match the protocol is a span of elementary port intervals.
#[derive(Clone)]
pub(super) struct KeyPool {
    /// Interval boundaries: interval `i` is `points[i]..points[i + 1]`.
    pub(super) points: Vec<u32>,
    /// Per rule position: its first interval and the one after its last.
    pub(super) spans: Vec<(u32, u32)>,
    /// The rules that can match the protocol (protocol, source ports).
    pub(super) active: Vec<u64>,
}

/// One group's rules in one direction (a group side), with what every peer matches of them.
///
/// A side of a pair filters with the rules of all the ENI's groups; the first match of the
/// pooled rules is, port by port, the best-ranked of each group's own first match. So a group
/// side is evaluated once per *distinct set of its rules a peer satisfies* (an answer keyed by
/// rank, per protocol), and the answer of an ENI's side merges its groups' answers.
#[derive(Clone)]
pub(super) struct GroupSide {
    /// The rank of each rule ([`rule_key`]), in evaluation order within the group.
    pub(super) keys: Vec<u16>,
    /// Per rule, its local CIDR's block id when it has one (`UNSET` for a block no address
    /// class holds).
    pub(super) local_blocks: Vec<Option<u32>>,
    pub(super) words: usize,
    /// Whether some rule has a local CIDR (quintuple rules): then the answer depends on the
    /// ENI's own address too.
    pub(super) local_sensitive: bool,
    /// Per address class, the id of the set of rules an address of that class satisfies
    /// ([`UNSET`] until a peer of that class is read: a part of a matrix reads most sides
    /// towards a few classes).
    pub(super) addr_proj: Vec<u32>,
    pub(super) addr_bits: Interner<u64>,
    /// Per block (by id), the index of the rules naming it in `block_bits`, or [`UNSET`].
    pub(super) block_rules: Vec<u32>,
    /// The rules naming each block that some rule names, `words` words each.
    pub(super) block_bits: Vec<u64>,
    /// Per group set, the id of the set of rules a peer in those groups satisfies.
    pub(super) group_proj: Vec<u32>,
    pub(super) group_bits: Interner<u64>,
    /// Per protocol (index in the build's protocols).
    pub(super) pools: Vec<KeyPool>,
    /// The distinct sets of rules matched so far, and the group-answer id of each.
    pub(super) matched_sets: Interner<u64>,
    pub(super) answers: Vec<u32>,
    /// Dense answers by (address projection, group projection), per local address class
    /// (`UNSET` key when not local-sensitive).
    pub(super) tables: FastMap<u32, Vec<u32>>,
}

impl<'t> Builder<'t> {
    /// The inverse index the group sides read: the group sets holding each group.
    pub(super) fn index_memberships(&mut self) {
        self.sets_of_group = vec![Vec::new(); self.groups.len()];
        for (set, groups) in self.group_set_members.iter().enumerate() {
            for group in groups {
                if let Some(list) = self.sets_of_group.get_mut(*group as usize) {
                    list.push(set as u32);
                }
            }
        }
        if self.sides.len() != self.groups.len() * 2 {
            self.sides = (0..self.groups.len() * 2).map(|_| None).collect();
        }
        // A side kept from an earlier build of other endpoints knows only the address classes
        // and group sets of that build: one that misses some of this build's group sets is made
        // again, and one that misses address classes works them out when it reads them.
        let (address_count, set_count) = (self.address_sets.len(), self.group_set_members.len());
        for slot in &mut self.sides {
            if let Some(side) = slot
                .as_mut()
                .filter(|side| side.addr_proj.len() < address_count)
            {
                std::sync::Arc::make_mut(side)
                    .addr_proj
                    .resize(address_count, UNSET);
            }
            let short = slot
                .as_ref()
                .is_some_and(|side| side.group_proj.len() < set_count);
            if short {
                *slot = None;
                self.answer_vectors.clear();
            }
        }
    }

    pub(super) fn default_allows(&self, group_set: u32, direction: Direction) -> bool {
        let index = usize::from(direction == Direction::Ingress);
        self.group_set_defaults
            .get(group_set as usize)
            .is_some_and(|defaults| defaults[index])
    }

    pub(super) fn side(&self, side: u32) -> Option<&GroupSide> {
        self.sides.get(side as usize).and_then(Option::as_deref)
    }

    /// The local key of a group side: the ENI's own address class when the side has rules
    /// with a local CIDR, [`UNSET`] otherwise.
    pub(super) fn local_key(&mut self, side: u32, own: Option<u32>) -> u32 {
        self.ensure_side(side);
        match self.side(side) {
            Some(found) if found.local_sensitive => own.unwrap_or(UNSET - 1),
            _ => UNSET,
        }
    }

    /// Makes the group side `side` (group `side / 2`, egress when even).
    pub(super) fn ensure_side(&mut self, side: u32) {
        if self.side(side).is_some() {
            return;
        }
        let Some(group_id) = self.groups.get((side / 2) as usize).copied() else {
            return;
        };
        let direction = if side.is_multiple_of(2) {
            Direction::Egress
        } else {
            Direction::Ingress
        };
        // The rules in evaluation order: within one group, by rank, then by index (a stable
        // sort of the rules in index order), as `rules::pool` orders them. A rule that can
        // match none of the build's protocols never decides a cell of it, so it is left out.
        let protocols = &self.protocols;
        let mut rules: Vec<&'t crate::model::Rule> = self
            .topology
            .groups
            .get(group_id)
            .map(|group| {
                group
                    .rules
                    .iter()
                    .filter(|rule| {
                        rule.direction == direction
                            && rules::source_ports_match(rule)
                            && protocols
                                .iter()
                                .any(|protocol| rules::protocol_matches(rule.protocol, *protocol))
                    })
                    .collect()
            })
            .unwrap_or_default();
        crate::sort::sort_by_key(&mut rules, |rule| rule_key(rule));
        let words = rules.len().div_ceil(64).max(1);
        let bit = |position: usize, bits: &mut [u64]| bits[position / 64] |= 1 << (position % 64);

        // The rules each block, group and local CIDR satisfies.
        let mut by_block: FastMap<u32, Vec<u64>> = FastMap::default();
        let mut by_group: FastMap<u32, Vec<u64>> = FastMap::default();
        for (position, rule) in rules.iter().enumerate() {
            let mut blocks: Vec<u32> = Vec::new();
            match &rule.peer {
                Peer::Cidr(block) => blocks.extend(self.nets.id(*block)),
                Peer::Group { id, .. } => {
                    if let Some(index) = self.group_index.get(id) {
                        bit(
                            position,
                            by_group.entry(*index).or_insert_with(|| vec![0; words]),
                        );
                    }
                }
                Peer::PrefixList(id) => {
                    if let Some(list) = self.topology.prefix_lists.get(id) {
                        blocks.extend(list.cidrs.iter().filter_map(|block| self.nets.id(*block)));
                    }
                }
            }
            for block in blocks {
                bit(
                    position,
                    by_block.entry(block).or_insert_with(|| vec![0; words]),
                );
            }
        }
        // What each address class satisfies, through the blocks that contain it, is worked
        // out when a peer of that class is first read (`Builder::address_projection`).
        let mut block_rules = vec![UNSET; self.nets.ids.len()];
        let mut block_bits = Vec::with_capacity(by_block.len() * words);
        for (block, bits) in &by_block {
            if let Some(slot) = block_rules.get_mut(*block as usize) {
                *slot = (block_bits.len() / words) as u32;
                block_bits.extend_from_slice(bits);
            }
        }
        let mut addr_bits = Interner::new();
        // Id 0 is the empty set, which most peers satisfy.
        addr_bits.intern(&vec![0u64; words]);
        let addr_proj = vec![UNSET; self.address_sets.len()];
        let set_count = self.group_set_members.len();
        let mut group_matched = vec![0u64; set_count * words];
        for (group, bits) in &by_group {
            for set in self
                .sets_of_group
                .get(*group as usize)
                .into_iter()
                .flatten()
            {
                let at = *set as usize * words;
                or_into(&mut group_matched[at..at + words], bits);
            }
        }
        let mut group_bits = Interner::new();
        group_bits.intern(&vec![0u64; words]);
        // Id 0 is the empty set, which most peers satisfy.
        let group_proj: Vec<u32> = group_matched
            .chunks(words)
            .map(|bits| {
                if bits.iter().all(|word| *word == 0) {
                    0
                } else {
                    group_bits.intern(bits)
                }
            })
            .collect();

        let pools = self
            .protocols
            .iter()
            .map(|protocol| {
                // Only the rules that can match the protocol bound its intervals; the others
                // are never swept, and span nothing.
                let mut active = vec![0u64; words];
                let mut ranges = Vec::with_capacity(rules.len());
                for (position, rule) in rules.iter().enumerate() {
                    let matches = rules::protocol_matches(rule.protocol, *protocol);
                    if matches {
                        bit(position, &mut active);
                    }
                    ranges.push(matches.then(|| rules::effective_range(rule, *protocol)));
                }
                let mut points: Vec<u32> = vec![1, 65536];
                for (start, end) in ranges.iter().flatten() {
                    points.push(u32::from(*start));
                    points.push(u32::from(*end) + 1);
                }
                points.sort_unstable();
                points.dedup();
                let spans = ranges
                    .iter()
                    .map(|range| match range {
                        Some((start, end)) => (
                            points.partition_point(|p| *p < u32::from(*start)) as u32,
                            points.partition_point(|p| *p < u32::from(*end) + 1) as u32,
                        ),
                        None => (0, 0),
                    })
                    .collect();
                KeyPool {
                    points,
                    spans,
                    active,
                }
            })
            .collect();
        let local_sensitive = rules.iter().any(|rule| rule.local_cidr.is_some());
        let local_blocks = rules
            .iter()
            .map(|rule| {
                rule.local_cidr
                    .map(|block| self.nets.id(block).unwrap_or(UNSET))
            })
            .collect();
        #[cfg(test)]
        {
            self.sides_made.push(side);
        }
        let made = GroupSide {
            keys: rules.iter().map(|rule| rule_key(rule)).collect(),
            local_blocks,
            words,
            local_sensitive,
            addr_proj,
            addr_bits,
            block_rules,
            block_bits,
            group_proj,
            group_bits,
            pools,
            matched_sets: Interner::new(),
            answers: Vec::new(),
            tables: FastMap::default(),
        };
        if let Some(slot) = self.sides.get_mut(side as usize) {
            *slot = Some(std::sync::Arc::new(made));
        }
    }

    /// Makes the answers of a group side towards every class, for one variant and local key.
    pub(super) fn answer_vector(
        &mut self,
        key: (u32, u8, u32),
        signatures: &[Signature<'t>],
    ) -> AnswerVector {
        // A vector kept from an earlier build over fewer classes is completed for the others.
        let known = self.answer_vectors.get(&key).cloned();
        if let Some(vector) = known.as_ref().filter(|v| v.len() >= signatures.len()) {
            return vector.clone();
        }
        let (side_id, variant, local) = key;
        self.ensure_side(side_id);
        let role = variant_role(variant);
        let peer_groups = variant % 2 == 1;
        let Some(mut shared) = self.sides.get_mut(side_id as usize).and_then(Option::take) else {
            return std::sync::Arc::from(vec![NO_MATCH; signatures.len()]);
        };
        // A side kept from an earlier build is copied only when it is read here again.
        let side = std::sync::Arc::make_mut(&mut shared);
        let group_rows = side.group_bits.len();
        let mut table = side
            .tables
            .remove(&local)
            .unwrap_or_else(|| vec![UNSET; side.addr_bits.len() * group_rows]);
        let mask = self.peer_masks.get(side_id as usize).cloned().flatten();
        let mut answer_towards = |signature: &Signature<'t>| {
            let address = signature
                .address(role)
                .map_or(0, |class| self.address_projection(side, class));
            let groups = if peer_groups {
                side.group_proj[signature.group_set as usize]
            } else {
                0
            };
            let cell = address as usize * group_rows + groups as usize;
            // A projection worked out just now adds a row to the table.
            if cell >= table.len() {
                table.resize((address as usize + 1) * group_rows, UNSET);
            }
            if table[cell] == UNSET {
                table[cell] = self.group_answer(side, address, groups, local);
            }
            table[cell]
        };
        let vector: Vec<u32> = match (&known, &mask) {
            (Some(known), _) => {
                let mut vector = known.to_vec();
                vector.extend(signatures.iter().skip(known.len()).map(&mut answer_towards));
                vector
            }
            (None, Some(classes)) => {
                // The other classes are never read: no pair with them is evaluated from this
                // side.
                let mut vector = vec![NO_MATCH; signatures.len()];
                for class in classes.iter() {
                    let class = *class as usize;
                    if let (Some(slot), Some(signature)) =
                        (vector.get_mut(class), signatures.get(class))
                    {
                        *slot = answer_towards(signature);
                    }
                }
                vector
            }
            (None, None) => signatures.iter().map(answer_towards).collect(),
        };
        side.tables.insert(local, table);
        if let Some(slot) = self.sides.get_mut(side_id as usize) {
            *slot = Some(shared);
        }
        let vector: AnswerVector = vector.into();
        self.answer_vectors.insert(key, vector.clone());
        vector
    }

    /// The id of the set of a side's rules that an address of class `class` satisfies: the
    /// rules naming the blocks that contain it, worked out once per class.
    fn address_projection(&mut self, side: &mut GroupSide, class: u32) -> u32 {
        let known = side.addr_proj.get(class as usize).copied().unwrap_or(UNSET);
        if known != UNSET {
            return known;
        }
        let words = side.words;
        let matched = &mut self.scratch.matched;
        matched.clear();
        matched.resize(words, 0);
        for block in self.address_sets.get(class) {
            let at = side
                .block_rules
                .get(*block as usize)
                .copied()
                .unwrap_or(UNSET);
            if at != UNSET {
                let at = at as usize * words;
                or_into(matched, &side.block_bits[at..at + words]);
            }
        }
        let id = if matched.iter().all(|word| *word == 0) {
            0
        } else {
            side.addr_bits.intern(matched)
        };
        if let Some(slot) = side.addr_proj.get_mut(class as usize) {
            *slot = id;
        }
        id
    }

    /// The group answer of a side for a peer satisfying the rules of an address projection
    /// and a group projection, with the ENI's own address class `local`.
    pub(super) fn group_answer(
        &mut self,
        side: &mut GroupSide,
        address: u32,
        groups: u32,
        local: u32,
    ) -> u32 {
        let words = side.words;
        let scratch = &mut self.scratch;
        scratch.matched.clear();
        scratch
            .matched
            .extend_from_slice(side.addr_bits.get(address));
        scratch.matched.resize(words, 0);
        or_into(&mut scratch.matched, side.group_bits.get(groups));
        if side.local_sensitive {
            let own: &[u32] = self.address_sets.get(local);
            for (position, block) in side.local_blocks.iter().enumerate() {
                let Some(block) = block else {
                    continue;
                };
                if own.binary_search(block).is_err() {
                    scratch.matched[position / 64] &= !(1 << (position % 64));
                }
            }
        }
        let set = side.matched_sets.intern(&scratch.matched);
        if let Some(id) = side.answers.get(set as usize) {
            return *id;
        }
        let matched = side.matched_sets.get(set);
        scratch.ids.clear();
        for pool in &side.pools {
            sweep_keys(pool, &side.keys, matched, scratch);
            let id = self.functions.intern(&scratch.keyed);
            scratch.ids.push(id);
        }
        let id = self.group_answers.intern(&scratch.ids);
        side.answers.push(id);
        id
    }
}

pub(super) fn or_into(target: &mut [u64], bits: &[u64]) {
    for (word, add) in target.iter_mut().zip(bits) {
        *word |= add;
    }
}

/// First-match sweep of one group's rules for one protocol and one set of matched rules: the
/// rank of the deciding rule per range of ports (into `scratch.keyed`), ranges without a
/// matching rule left out.
pub(super) fn sweep_keys(pool: &KeyPool, keys: &[u16], matched: &[u64], scratch: &mut Scratch) {
    let Scratch {
        owner, next, keyed, ..
    } = scratch;
    let intervals = pool.points.len().saturating_sub(1);
    owner.clear();
    owner.resize(intervals, NO_KEY);
    next.clear();
    next.extend(0..=intervals);
    let mut unclaimed = intervals;
    'rules: for (word_index, word) in matched.iter().enumerate() {
        let mut bits = word & pool.active.get(word_index).copied().unwrap_or(0);
        while bits != 0 {
            let position = word_index * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let (first, stop) = pool.spans[position];
            let key = keys[position];
            let mut at = find(next, first as usize);
            while at < stop as usize {
                owner[at] = key;
                unclaimed -= 1;
                next[at] = at + 1;
                at = find(next, at + 1);
            }
            if unclaimed == 0 {
                break 'rules;
            }
        }
    }
    keyed.clear();
    for (index, key) in owner.iter().enumerate() {
        if *key == NO_KEY {
            continue;
        }
        // Boundaries lie in 1..=65536, so these conversions hold.
        let start = u16::try_from(pool.points[index]).unwrap_or(u16::MAX);
        let end = u16::try_from(pool.points[index + 1] - 1).unwrap_or(u16::MAX);
        match keyed.last_mut() {
            Some(last) if last.2 == *key && u32::from(last.1) + 1 == u32::from(start) => {
                last.1 = end
            }
            _ => keyed.push((start, end, *key)),
        }
    }
}

/// Union-find lookup with path halving.
pub(super) fn find(next: &mut [usize], mut at: usize) -> usize {
    while next[at] != at {
        next[at] = next[next[at]];
        at = next[at];
    }
    at
}
