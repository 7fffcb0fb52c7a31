//! Exact, priority-aware analysis of which packets each rule decides.
//!
//! For every ENI class (a set of groups in a VPC that some ENI carries) and direction, the
//! rules are pooled in the engine's evaluation order
//! ([`rules::evaluation_order`](crate::eval::rules::evaluation_order)). The packets
//! a rule can match form a product: protocol x destination port x peer. The analysis cuts that
//! space into cells that no rule boundary crosses: ports into elementary intervals between the
//! rules' port boundaries, peers into elementary address intervals between the rules' CIDR
//! boundaries (IPv4 and IPv6 apart), plus the current members of referenced groups and the
//! external networks of the topology. Inside one cell a rule matches all packets or none, so a
//! first-match walk over the cells is exact; it never enumerates ports or addresses.
//!
//! Peers come in three kinds, because the engine matches them differently:
//!
//! - an **address** that carries no group identity (the internet, an office, a Flannel pod IP,
//!   any address no ENI of the VPC owns): matched by CIDR and prefix-list rules;
//! - a **member**: the private address of an ENI of the same VPC together with that ENI's
//!   groups: matched by CIDR and prefix-list rules on the address and by group rules on the
//!   groups. Group peers are therefore compared through the groups' **current members**;
//! - a **network**: an external endpoint that stands for a whole block, which a CIDR rule
//!   matches only when it contains all of the block.
//!
//! Quintuple fields are not cut into cells: a rule with a source-port range or a local CIDR
//! matches only part of any cell, so it may decide packets of a cell but never covers one. This
//! keeps "never decides" sound for every source port and local address.
//!
//! # How it stays fast
//!
//! Every fact is a union over cells (a rule decides *somewhere*, is decided before *somewhere*,
//! would be replaced the other way *somewhere*), so cells that tell the same story need to be
//! told once. The analysis never looks at a cell alone:
//!
//! - A peer cell is its **signature**: the bitset of the side's pooled rules (in evaluation
//!   order) that match it. Per side (class and direction) the address line is swept once, from
//!   per-group event lists ranked and sorted for the whole topology; members and networks read
//!   their signatures from it. An address that only members own (every ENI using it is a member
//!   that a protocol's group rules name) is left out of that protocol's address cells, exactly
//!   as the cell-by-cell analysis (`reference.rs`, the tests' oracle) does.
//! - Only a cell's **head** can decide: its rules up to its second rule that matches all of it
//!   on every port (or its first, once every such rule up to it is known to decide differently
//!   from its replacement). Cells are kept once per head, with the union of their rules.
//! - Per protocol, a head's **chain** in a port window (the matching rules up to the second
//!   that matches all of the cell) can change only where one of its rules starts or ends; a
//!   chain is recorded once per run of windows that keep it, and the rules matched after the
//!   deciders once per run of windows that keep the deciders, from two prefix bitsets (the
//!   rules covering a window or an earlier one, or a later one).
//! - Rules are numbered in group order; what each rule collects (the rules deciding before it,
//!   the rules deciding without it) is a bitset row over the groups that share a class with its
//!   group.
//!
//! This file holds the facts and the entry, [`analyse`]; `index.rs` what the whole topology
//! shares (blocks as intervals, group sweeps, ENI classes, group members), `side.rs` the work of
//! one class and direction, `cells.rs` its peer cells and port windows, `walk.rs` the chains of
//! deciding rules, `bits.rs` the bitsets, and `totals.rs` what the classes add up to.

mod bits;
mod cells;
mod index;
mod side;
mod totals;
mod walk;

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;

use crate::model::{Direction, GroupId, Protocol, Rule, Topology, Verdict, VpcId};

use index::{class_hosts, members_of, Index, Members};
use side::Work;
use totals::{RowLayout, Totals};

/// A rule's number: the rules of the topology counted in group order, then by index, so that
/// sorting numbers sorts rules by group and index.
pub(crate) type RuleNumber = u32;

/// What the analysis found about one rule, over every ENI class that carries its group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RuleFacts {
    /// Whether some ENI class carries the rule's group.
    pub carried: bool,
    /// Whether the rule decides some packet on some ENI class.
    pub decides: bool,
    /// Rules earlier in evaluation order that decide packets the rule matches, sorted.
    pub earlier: Vec<RuleNumber>,
    /// Whether every packet the rule decides would be decided the same way without it.
    pub same_without: bool,
    /// The later rules that would decide those packets without it, sorted (only meaningful
    /// when `same_without`).
    pub takeover: Vec<RuleNumber>,
    /// The default that would decide some of those packets without it (only meaningful when
    /// `same_without`).
    pub default_takeover: Option<Verdict>,
    /// TCP/UDP ports on which the rule decides packets from or to non-member peers: sorted,
    /// disjoint ranges that do not touch.
    pub decided_ports: Vec<(u16, u16)>,
}

/// The facts of every rule of a topology.
#[derive(Clone, Debug)]
pub(crate) struct Facts<'t> {
    /// The group, index and rule of each rule number.
    keys: Vec<(&'t GroupId, usize, &'t Rule)>,
    /// The number of the first rule of each group.
    first: BTreeMap<&'t GroupId, RuleNumber>,
    /// The facts of each rule number.
    rules: Vec<RuleFacts>,
}

impl<'t> Facts<'t> {
    /// Numbers the rules of a topology, with empty facts.
    pub(crate) fn numbered(topology: &'t Topology) -> Facts<'t> {
        let mut keys = Vec::new();
        let mut first = BTreeMap::new();
        for (id, group) in &topology.groups {
            first.insert(id, keys.len() as RuleNumber);
            keys.extend(
                group
                    .rules
                    .iter()
                    .enumerate()
                    .map(|(index, rule)| (id, index, rule)),
            );
        }
        let rules = vec![RuleFacts::default(); keys.len()];
        Facts { keys, first, rules }
    }

    /// The number of rule 0 of `group` (rule `index` is `index` more); a group that does not
    /// exist has no rules, so its numbers are those of no rule.
    pub(crate) fn first_number(&self, group: &GroupId) -> RuleNumber {
        self.first
            .get(group)
            .copied()
            .unwrap_or(self.keys.len() as RuleNumber)
    }

    /// The facts of a rule whose group some ENI class carries.
    pub(crate) fn get(&self, number: RuleNumber) -> Option<&RuleFacts> {
        self.rules
            .get(number as usize)
            .filter(|facts| facts.carried)
    }

    /// The facts of a rule, carried or not, to fill in.
    pub(crate) fn get_mut(&mut self, number: RuleNumber) -> Option<&mut RuleFacts> {
        self.rules.get_mut(number as usize)
    }

    /// The group, index and rule of a rule number.
    pub(crate) fn key(&self, number: RuleNumber) -> (&'t GroupId, usize, &'t Rule) {
        self.keys[number as usize]
    }

    /// How many rules the topology holds.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
}

/// An ENI class: the groups of a filtering ENI and its VPC.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct EniClass<'t> {
    /// The groups, sorted, without repeats.
    pub groups: Vec<&'t GroupId>,
    /// The VPC.
    pub vpc: Option<&'t VpcId>,
}

/// The protocols a query can ask about; a rule for `all` is analysed on each.
const PROTOCOL_ATOMS: [Protocol; 6] = [
    Protocol::Tcp,
    Protocol::Udp,
    Protocol::Icmp,
    Protocol::Icmpv6,
    Protocol::Gre,
    Protocol::All,
];

/// An address as a point of its family's line (IPv4 in the low 32 bits).
type Point = (bool, u128);

/// An address interval of one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Interval {
    v6: bool,
    start: u128,
    end: u128,
}

fn family_max(v6: bool) -> u128 {
    if v6 {
        u128::MAX
    } else {
        u128::from(u32::MAX)
    }
}

fn address_value(address: IpAddr) -> Point {
    match address {
        IpAddr::V4(v4) => (false, u128::from(u32::from(v4))),
        IpAddr::V6(v6) => (true, u128::from(v6)),
    }
}

fn interval_of(net: &IpNet) -> Interval {
    let (v6, start) = address_value(net.network());
    let (_, end) = address_value(net.broadcast());
    Interval { v6, start, end }
}

/// Analyses every rule of the topology.
pub(crate) fn analyse(topology: &Topology) -> Facts<'_> {
    let mut facts = Facts::numbered(topology);
    let mut index = Index::new(topology, &facts);
    let classes = class_hosts(topology, &mut index);
    let mut partners: Vec<Vec<u32>> = vec![Vec::new(); topology.groups.len()];
    for class in classes.keys() {
        let orders: Vec<u32> = class
            .groups
            .iter()
            .filter_map(|group| index.group_order.get(group).copied())
            .collect();
        for &order in &orders {
            partners[order as usize].extend_from_slice(&orders);
        }
    }
    for partners in &mut partners {
        crate::sort::sort(partners);
        partners.dedup();
    }
    let layout = RowLayout::new(partners, &index.first_of_order);
    let mut totals = Totals::new(facts.len(), layout);
    let mut members_by_vpc: BTreeMap<Option<&VpcId>, Members> = BTreeMap::new();
    let mut work = Work::default();
    for (class, hosts) in classes {
        let members = members_by_vpc
            .entry(class.vpc)
            .or_insert_with(|| members_of(topology, class.vpc, &mut index));
        let hosts: Vec<u32> = hosts.into_iter().collect();
        for direction in [Direction::Ingress, Direction::Egress] {
            work.analyse_side(
                topology,
                &index,
                &class,
                &hosts,
                direction,
                members,
                &mut totals,
            );
        }
    }
    totals.finish(&index, &mut facts);
    facts
}
