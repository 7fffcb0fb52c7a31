//! One class and direction: the work state of a side, its pooled rules, and the entry that
//! analyses it.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::eval::rules::{self, Pooled};
use crate::model::{Direction, Peer, Policy, PortRange, Protocol, Rule, Topology, Verdict};

use super::bits::{set_bit, Cells};
use super::index::{Index, Members};
use super::totals::Totals;
use super::{EniClass, Interval, Point, RuleNumber, PROTOCOL_ATOMS};

/// A pooled rule: its number, its index in its group, and its group's place in the class.
#[derive(Clone, Copy)]
pub(super) struct PoolEntry {
    pub(super) number: RuleNumber,
    pub(super) index: usize,
    pub(super) slot: usize,
}

/// A group of the class being analysed.
#[derive(Clone, Copy)]
pub(super) struct ClassGroup {
    /// Its place in the topology's group order.
    pub(super) order: u32,
    /// Where the pooled positions of its rules start in `Work::positions`.
    pub(super) positions: usize,
}

/// What one side (class and direction) finds about each of its pooled rules, and the buffers
/// reused from one side to the next.
#[derive(Default)]
pub(super) struct Work {
    /// The pooled rules, in evaluation order.
    pub(super) pooled: Vec<PoolEntry>,
    /// The pooled rules' sort keys.
    pub(super) order_keys: Vec<u64>,
    /// The groups of the class that exist.
    pub(super) class_groups: Vec<ClassGroup>,
    /// Per group of the class, the pooled position of each of its rules of the side's
    /// direction.
    pub(super) positions: Vec<u32>,
    /// Per pair of groups of the class, where the second's rules start in a row of the
    /// first's.
    pub(super) partner_offsets: Vec<usize>,
    /// Words per bitset over the pooled rules.
    pub(super) width: usize,
    pub(super) whole: Vec<u64>,
    pub(super) allow: Vec<u64>,
    pub(super) deny: Vec<u64>,
    pub(super) group_peers: Vec<u64>,
    /// Per protocol atom, the pooled rules of that protocol.
    pub(super) protocols: Vec<u64>,
    pub(super) default_allows: bool,

    pub(super) decides: Vec<bool>,
    pub(super) differs: Vec<bool>,
    pub(super) default_takeover: Vec<bool>,
    /// Per pooled rule, a bitset of the pooled rules before it that decide its packets.
    pub(super) earlier: Vec<u64>,
    /// Per pooled rule, a bitset of the rules that match packets it decides after it.
    pub(super) later: Vec<u64>,
    /// Per pooled rule, a bitset of the rules that decide its packets without it.
    pub(super) takeover: Vec<u64>,
    pub(super) ports: Vec<Vec<(u16, u16)>>,

    // Peer cells.
    /// Per group of the class, the next of its address events.
    pub(super) cursors: Vec<usize>,
    /// The elementary address intervals of the side, with the rank where each starts.
    pub(super) intervals: Vec<Interval>,
    pub(super) interval_ranks: Vec<u32>,
    pub(super) interval_signatures: Vec<u64>,
    /// Per interned group, its offset in `group_signatures` if the side's rules name it.
    pub(super) group_slots: Vec<u32>,
    /// The groups the side's rules name.
    pub(super) named_groups: Vec<u32>,
    pub(super) group_signatures: Vec<u64>,
    /// The members of the VPC that the side's group rules name.
    pub(super) seen: Vec<u64>,
    /// The members of the groups the side's rules name, by rank.
    pub(super) relevant: Vec<u32>,
    pub(super) relevant_interval: Vec<u32>,
    /// Per relevant member, the slots of its named groups (all ones when a slot is past 63).
    pub(super) relevant_kinds: Vec<u64>,
    /// The (interval, named groups) of the members made cells so far.
    pub(super) member_kinds: FxHashSet<(u32, u64)>,
    pub(super) relevant_signatures: Vec<u64>,
    pub(super) candidates: Vec<u32>,
    pub(super) shared_seen: FxHashMap<Point, u32>,
    pub(super) counted: FxHashSet<Point>,
    pub(super) current: Vec<u64>,
    /// The fragile intervals' relevant members: `interval << 32 | member`, sorted.
    pub(super) fragile: Vec<u64>,
    /// The side's peer cells (but fragile intervals) by the head they have on every protocol:
    /// their rules up to the second rule of protocol `all` that matches all of them on every
    /// port, which is full on every protocol.
    pub(super) side_cells: Cells,
    pub(super) network_signatures: Vec<u64>,

    // Per protocol.
    /// `port << 32 | rule << 1 | opens`, sorted.
    pub(super) port_events: Vec<u64>,
    pub(super) cover: Vec<u64>,
    /// The port windows that some rule covers.
    pub(super) windows: Vec<(u16, u16)>,
    /// Per window, the rules covering it.
    pub(super) window_cover: Vec<u64>,
    /// Per rule, the first and last windows it covers.
    pub(super) rule_windows: Vec<(u32, u32)>,
    /// Per window, the rules covering it or an earlier window.
    pub(super) started_by: Vec<u64>,
    /// Per window, the rules covering it or a later window.
    pub(super) ends_from: Vec<u64>,
    /// The rules that match all of a cell on every port of the protocol.
    pub(super) full: Vec<u64>,
    /// The rules that match all of a cell on every port of every protocol.
    pub(super) full_everywhere: Vec<u64>,
    /// The rules that match all of a cell and are not yet known to decide differently from
    /// their replacement somewhere.
    pub(super) undecided: Vec<u64>,
    /// The windows where a cell's chain may change.
    pub(super) changes: Vec<u64>,
    /// The protocol's peer cells by head.
    pub(super) atom_cells: Cells,
    pub(super) cell: Vec<u64>,
    pub(super) chain: Vec<u32>,
    pub(super) next_chain: Vec<u32>,
    pub(super) deciders: Vec<u32>,
    pub(super) scratch: Vec<u64>,
    pub(super) done: Vec<(usize, bool)>,
}

impl Work {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn analyse_side(
        &mut self,
        topology: &Topology,
        index: &Index<'_>,
        class: &EniClass<'_>,
        hosts: &[u32],
        direction: Direction,
        members: &Members,
        totals: &mut Totals,
    ) {
        let mut pooled: Vec<(Pooled<'_>, PoolEntry)> = Vec::new();
        self.class_groups.clear();
        let mut positions = 0;
        for &group_id in &class.groups {
            let (Some(group), Some(&order)) = (
                topology.groups.get(group_id),
                index.group_order.get(group_id),
            ) else {
                continue;
            };
            let first = index.first_of_order[order as usize];
            let slot = self.class_groups.len();
            for (rule_index, rule) in group.rules.iter().enumerate() {
                if rule.direction == direction {
                    let entry = Pooled {
                        group: group_id,
                        index: rule_index,
                        rule,
                    };
                    let place = PoolEntry {
                        number: first + rule_index as RuleNumber,
                        index: rule_index,
                        slot,
                    };
                    pooled.push((entry, place));
                }
            }
            self.class_groups.push(ClassGroup { order, positions });
            positions += group.rules.len();
        }
        if pooled.is_empty() {
            return;
        }
        // The engine's evaluation order: priority, drop before accept, then group id (the class
        // lists its groups sorted) and index, as one number.
        self.order_keys.clear();
        self.order_keys
            .extend(pooled.iter().enumerate().map(|(at, (entry, place))| {
                u64::from(entry.rule.priority.get()) << 56
                    | u64::from(rules::policy_rank(entry.rule.policy)) << 48
                    | (place.slot as u64) << 32
                    | at as u64
            }));
        self.order_keys.sort_unstable();
        self.pooled.clear();
        self.pooled.extend(
            self.order_keys
                .iter()
                .map(|&key| pooled[(key as u32) as usize].1),
        );
        let pooled: Vec<Pooled<'_>> = self
            .order_keys
            .iter()
            .map(|&key| pooled[(key as u32) as usize].0)
            .collect();
        self.positions.clear();
        self.positions.resize(positions, u32::MAX);
        for (at, place) in self.pooled.iter().enumerate() {
            let group = self.class_groups[place.slot];
            self.positions[group.positions + place.index] = at as u32;
        }
        let default =
            rules::default_decision(rules::eni_kind(topology, &class.groups), direction).verdict();
        self.prepare(&pooled, totals, default);
        self.peer_cells(index, hosts, members, direction);
        for (atom_at, atom) in PROTOCOL_ATOMS.into_iter().enumerate() {
            let width = self.width;
            let mask = atom_at * width..(atom_at + 1) * width;
            if !self.protocols[mask.clone()].iter().any(|&word| word != 0) {
                continue;
            }
            // Two protocols with the same rules and the same kind of ports give the same facts.
            let repeated = self.done.iter().any(|&(other, ports)| {
                ports == atom.has_ports()
                    && self.protocols[other * width..(other + 1) * width]
                        == self.protocols[mask.clone()]
            });
            if repeated {
                continue;
            }
            self.done.push((atom_at, atom.has_ports()));
            self.analyse_atom(index, direction, atom_at, atom);
        }
        self.flush(totals, default);
    }

    /// Sizes the bitsets and the per-rule facts for the pooled rules.
    pub(super) fn prepare(&mut self, pooled: &[Pooled<'_>], totals: &Totals, default: Verdict) {
        let count = pooled.len();
        let width = count.div_ceil(64);
        self.width = width;
        for bits in [
            &mut self.whole,
            &mut self.allow,
            &mut self.deny,
            &mut self.group_peers,
            &mut self.cover,
            &mut self.full,
            &mut self.full_everywhere,
            &mut self.undecided,
            &mut self.scratch,
        ] {
            bits.clear();
            bits.resize(width, 0);
        }
        self.protocols.clear();
        self.protocols.resize(PROTOCOL_ATOMS.len() * width, 0);
        for rows in [&mut self.earlier, &mut self.later, &mut self.takeover] {
            rows.clear();
            rows.resize(count * width, 0);
        }
        self.decides.clear();
        self.decides.resize(count, false);
        self.default_takeover.clear();
        self.default_takeover.resize(count, false);
        self.differs.clear();
        self.differs.extend(
            self.pooled
                .iter()
                .map(|entry| totals.differs[entry.number as usize]),
        );
        if self.ports.len() < count {
            self.ports.resize(count, Vec::new());
        }
        for ranges in &mut self.ports[..count] {
            ranges.clear();
        }
        self.done.clear();
        self.default_allows = default == Verdict::Allow;
        for (at, entry) in pooled.iter().enumerate() {
            let rule = entry.rule;
            if is_whole(rule) {
                set_bit(&mut self.whole, at);
                if !self.differs[at] {
                    set_bit(&mut self.undecided, at);
                }
            }
            match rule.policy {
                Policy::Accept => set_bit(&mut self.allow, at),
                Policy::Drop => set_bit(&mut self.deny, at),
            }
            if matches!(rule.peer, Peer::Group { .. }) {
                set_bit(&mut self.group_peers, at);
            }
            if rule.protocol == Protocol::All
                && is_whole(rule)
                && rule.ports.as_range() == PortRange::ALL
            {
                set_bit(&mut self.full_everywhere, at);
            }
            for (atom_at, atom) in PROTOCOL_ATOMS.into_iter().enumerate() {
                if rules::protocol_matches(rule.protocol, atom) {
                    set_bit(&mut self.protocols[atom_at * width..], at);
                }
            }
        }
    }
}

/// Adds a bitset over the pooled rules to a rule's row, where `offsets` says where each group
/// of the class starts.
pub(super) fn add_to_row(
    words: &mut [u64],
    row: usize,
    offsets: &[usize],
    pooled: &[PoolEntry],
    bits: &[u64],
) {
    for (word, &value) in bits.iter().enumerate() {
        let mut value = value;
        while value != 0 {
            let other = pooled[word * 64 + value.trailing_zeros() as usize];
            value &= value - 1;
            set_bit(&mut words[row + offsets[other.slot]..], other.index);
        }
    }
}

/// Whether a rule matches every packet of a cell that it matches at all.
pub(super) fn is_whole(rule: &Rule) -> bool {
    rule.local_cidr.is_none()
        && rule
            .source_ports
            .is_none_or(|range| range == PortRange::ALL)
}
