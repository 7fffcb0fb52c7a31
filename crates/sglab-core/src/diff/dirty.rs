//! Which rows and columns a change can touch: a cheap, conservative dirty set per endpoint and
//! protocol, so that the diff compares only the cells that can differ.
//!
//! A cell (source, target, protocol) is a function of the two endpoints alone: each one's own
//! record (kind, VPC, ENIs with their addresses and groups, public and pod addresses), for a
//! pod its node's record and its cluster, the settings of the groups that filter it (VPC, type,
//! InnerAccessPolicy), the source's egress rules and the target's ingress rules that match the
//! protocol, and the entries of the prefix lists those rules name. No other endpoint, VPC or
//! gateway enters it (`eval::route`, `eval::rules`). So an endpoint whose *identity* (all but
//! the rules) is the same on both sides can change only
//!
//! - its row on a protocol, when the egress rules matching that protocol of one of its groups
//!   changed (in order and in every evaluated field, or in the entries of a prefix list they
//!   name), and
//! - its column on a protocol, when such ingress rules changed;
//!
//! an endpoint whose identity changed, or that exists on one side only, may change its whole
//! row and column on every protocol. A cell whose source's row and target's column are both
//! clean is the same on both sides.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;
use rustc_hash::{FxHashMap, FxHashSet};

use super::DIFF_PROTOCOLS;
use crate::eval::route::Actor;
use crate::eval::rules::protocol_matches;
use crate::matrix::reach::Reach;
use crate::model::{
    Direction, Endpoint, EndpointId, EndpointKind, GroupId, Peer, Protocol, Rule, Topology,
};

/// One bit per protocol of [`DIFF_PROTOCOLS`], by index.
pub(super) type Mask = u8;

/// Every protocol of [`DIFF_PROTOCOLS`].
const ALL: Mask = (1 << DIFF_PROTOCOLS.len()) - 1;

/// The bit of ICMPv6.
const ICMPV6: Mask = 1 << 3;

/// The rows and columns that may differ, per endpoint id; an id absent is clean.
#[derive(Debug, Default)]
pub(super) struct Dirty {
    /// The protocols on which an endpoint's row (as a source) may differ, and those on which its
    /// column (as a target) may.
    sides: BTreeMap<EndpointId, (Mask, Mask)>,
    /// The endpoints whose own record, groups' settings, node or cluster changed, or that are
    /// on one side only: every cell of their row and column may differ.
    renewed: BTreeSet<EndpointId>,
    /// The protocols of the egress rules and of the ingress rules that differ, per group
    /// present on both sides with the same settings.
    rule_groups: BTreeMap<GroupId, (Mask, Mask)>,
}

impl Dirty {
    /// The dirty rows and columns between `old` and `new`, whose groups present on both sides
    /// with rules that differ are `differing` (`JointBlocks::scan`).
    pub(super) fn of(old: &Topology, new: &Topology, differing: &[&GroupId]) -> Dirty {
        let groups = GroupChanges::of(old, new, differing);
        // The protocols on which a change of rules alone can change a cell: not ICMPv6 when no
        // endpoint of either side has an IPv6 address, since an ICMPv6 packet then finds no
        // route between any two parties one of which is an endpoint (it stays on one node or
        // is unreachable, whatever the rules), and a block's row and column change only with
        // the endpoints' columns and rows.
        let by_rules = if old.has_ipv6() || new.has_ipv6() {
            ALL
        } else {
            ALL & !ICMPV6
        };
        let ids: BTreeSet<&EndpointId> = old.endpoints.keys().chain(new.endpoints.keys()).collect();
        let mut sides = BTreeMap::new();
        let mut renewed = BTreeSet::new();
        for id in ids {
            let (Some(before), Some(after)) = (old.endpoints.get(id), new.endpoints.get(id)) else {
                sides.insert(id.clone(), (ALL, ALL));
                renewed.insert(id.clone());
                continue;
            };
            let filtering = Actor::of_endpoint(new, after).groups;
            let mask = if same_identity(old, before, new, after, &filtering, &groups) {
                let (mut row, mut column) = (0, 0);
                for group in filtering {
                    let (egress, ingress) = groups.rules.get(group).copied().unwrap_or((0, 0));
                    row |= egress;
                    column |= ingress;
                }
                (row & by_rules, column & by_rules)
            } else {
                renewed.insert(id.clone());
                (ALL, ALL)
            };
            if mask != (0, 0) {
                sides.insert(id.clone(), mask);
            }
        }
        Dirty {
            sides,
            renewed,
            rule_groups: groups.rules,
        }
    }

    /// What the dirty rows and columns can differ towards (`matrix::reach`), among the
    /// parties of the diff: the external `blocks` (as synthetic parties, first, by index) and
    /// the endpoints of both sides. For an endpoint dirty by its groups' rules alone, those
    /// that the changed rules, before or after, can match: a CIDR or prefix-list peer
    /// overlapping one of a party's addresses, or a group peer among its groups; every party
    /// for the others.
    ///
    /// The rules of a group and direction that may decide differently are those between the
    /// longest common beginning and end of its two lists (compared on what evaluation reads):
    /// a party that none of them matches is matched by the same rules on both sides, and its
    /// cell with the endpoint is the same when the party's own row or column is clean.
    pub(super) fn reach(
        &self,
        old: &Topology,
        new: &Topology,
        blocks: &[(IpNet, EndpointId)],
    ) -> Reach {
        let mut ids: Vec<&EndpointId> = blocks.iter().map(|(_, id)| id).collect();
        let mut parties: Vec<Party<'_>> = blocks
            .iter()
            .map(|(block, _)| Party {
                addresses: vec![*block],
                groups: Vec::new(),
            })
            .collect();
        for (id, endpoint) in &new.endpoints {
            ids.push(id);
            parties.push(Party::of(new, endpoint));
        }
        for (id, endpoint) in &old.endpoints {
            if !new.endpoints.contains_key(id) {
                ids.push(id);
                parties.push(Party::of(old, endpoint));
            }
        }
        let index = ids
            .iter()
            .enumerate()
            .map(|(index, id)| ((*id).clone(), index as u32))
            .collect();
        let mut by_group: FxHashMap<(&GroupId, Direction), Vec<u64>> = FxHashMap::default();
        let mut sides = FxHashMap::default();
        for (id, (row, column)) in self.entries() {
            if self.renewed.contains(id) {
                continue;
            }
            let Some(endpoint) = new.endpoints.get(id) else {
                continue;
            };
            let filtering = Actor::of_endpoint(new, endpoint).groups;
            let mut side = |direction: Direction, mask: Mask| -> Option<Vec<u64>> {
                if mask == 0 {
                    return None;
                }
                let mut union = vec![0u64; parties.len().div_ceil(64)];
                for group in &filtering {
                    let Some((group, (egress, ingress))) = self.rule_groups.get_key_value(*group)
                    else {
                        continue;
                    };
                    let changed = match direction {
                        Direction::Egress => *egress,
                        Direction::Ingress => *ingress,
                    };
                    if changed == 0 {
                        continue;
                    }
                    let bits = by_group
                        .entry((group, direction))
                        .or_insert_with(|| group_reach(old, new, group, direction, &parties));
                    for (word, more) in union.iter_mut().zip(bits.iter()) {
                        *word |= more;
                    }
                }
                Some(union)
            };
            let reach = [
                side(Direction::Egress, row),
                side(Direction::Ingress, column),
            ];
            sides.insert(id.clone(), reach);
        }
        Reach {
            parties: index,
            sides,
        }
    }

    /// A dirty set of the given rows and columns, by endpoint id.
    #[cfg(test)]
    pub(super) fn of_sides(sides: BTreeMap<EndpointId, (Mask, Mask)>) -> Dirty {
        Dirty {
            sides,
            ..Dirty::default()
        }
    }

    /// The protocols on which `id`'s row and its column may differ.
    #[cfg(test)]
    pub(super) fn sides(&self, id: &EndpointId) -> (Mask, Mask) {
        self.sides.get(id).copied().unwrap_or((0, 0))
    }

    /// The endpoints with something dirty, with the protocols of their row and of their
    /// column.
    pub(super) fn entries(&self) -> impl Iterator<Item = (&EndpointId, (Mask, Mask))> + '_ {
        self.sides.iter().map(|(id, sides)| (id, *sides))
    }

    /// The protocols on which some cell may differ, in [`DIFF_PROTOCOLS`] order.
    pub(super) fn protocols(&self) -> Vec<Protocol> {
        let mask = self
            .sides
            .values()
            .fold(0, |mask, (row, column)| mask | row | column);
        DIFF_PROTOCOLS
            .iter()
            .enumerate()
            .filter(|(index, _)| mask & (1 << index) != 0)
            .map(|(_, protocol)| *protocol)
            .collect()
    }
}

/// What changed in the groups: whose settings, and whose rules per direction and protocol.
struct GroupChanges {
    /// The groups whose existence, VPC, type or InnerAccessPolicy differ.
    settings: BTreeSet<GroupId>,
    /// The protocols whose egress rules and those whose ingress rules differ, per group.
    rules: BTreeMap<GroupId, (Mask, Mask)>,
}

impl GroupChanges {
    fn of(old: &Topology, new: &Topology, differing: &[&GroupId]) -> GroupChanges {
        let mut changes = GroupChanges {
            settings: BTreeSet::new(),
            rules: BTreeMap::new(),
        };
        let same_lists = old.prefix_lists == new.prefix_lists;
        let ids: BTreeSet<&GroupId> = old.groups.keys().chain(new.groups.keys()).collect();
        for id in ids {
            let (Some(before), Some(after)) = (old.groups.get(id), new.groups.get(id)) else {
                changes.settings.insert(id.clone());
                continue;
            };
            let same_settings = before.vpc == after.vpc
                && before.group_type == after.group_type
                && before.inner_access_policy == after.inner_access_policy;
            if !same_settings {
                changes.settings.insert(id.clone());
                continue;
            }
            // `differing` is in id order, as `ids` is.
            if same_lists && differing.binary_search(&id).is_err() {
                continue;
            }
            let mask = |direction: Direction| -> Mask {
                let mut mask = 0;
                for (index, protocol) in DIFF_PROTOCOLS.iter().enumerate() {
                    let before = keys(old, &before.rules, direction, Some(*protocol));
                    if !before.eq(keys(new, &after.rules, direction, Some(*protocol))) {
                        mask |= 1 << index;
                    }
                }
                mask
            };
            let masks = (mask(Direction::Egress), mask(Direction::Ingress));
            if masks != (0, 0) {
                changes.rules.insert(id.clone(), masks);
            }
        }
        changes
    }
}

/// What a rule can match of a party of a diff: every address others may see it at (its own or
/// its node's, private, public or its block: `eval::route`), and its groups, which a group peer
/// names.
struct Party<'t> {
    addresses: Vec<IpNet>,
    groups: Vec<&'t GroupId>,
}

impl<'t> Party<'t> {
    fn of(topology: &'t Topology, endpoint: &'t Endpoint) -> Party<'t> {
        let actor = Actor::of_endpoint(topology, endpoint);
        let addresses = actor
            .private_ips
            .iter()
            .chain(actor.public_in.iter())
            .chain(actor.public_out.iter())
            .map(|address| IpNet::from(*address))
            .chain(actor.external)
            .collect();
        Party {
            addresses,
            groups: actor.groups,
        }
    }
}

/// The parties (by index, one bit each) that the rules of `group` and `direction` that may
/// decide differently on the two sides can match: those between the longest common beginning
/// and end of the two lists, whose peers overlap an address of the party (a CIDR, or an entry
/// of the prefix list as its side has it) or name one of its groups.
fn group_reach<'t>(
    old: &'t Topology,
    new: &'t Topology,
    group: &GroupId,
    direction: Direction,
    parties: &[Party<'_>],
) -> Vec<u64> {
    let of = |topology: &'t Topology| -> Vec<Key<'t>> {
        topology
            .groups
            .get(group)
            .map(|group| keys(topology, &group.rules, direction, None).collect())
            .unwrap_or_default()
    };
    let (before, after) = (of(old), of(new));
    let start = before
        .iter()
        .zip(&after)
        .take_while(|(a, b)| a == b)
        .count();
    let end = before[start..]
        .iter()
        .rev()
        .zip(after[start..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let changed = before[start..before.len() - end]
        .iter()
        .chain(&after[start..after.len() - end]);
    let mut nets: FxHashSet<IpNet> = FxHashSet::default();
    let mut groups: FxHashSet<&GroupId> = FxHashSet::default();
    for key in changed {
        match &key.rule.peer {
            Peer::Cidr(net) => {
                nets.insert(net.trunc());
            }
            Peer::PrefixList(_) => nets.extend(key.entries.unwrap_or(&[]).iter().map(IpNet::trunc)),
            Peer::Group { id, .. } => {
                groups.insert(id);
            }
        }
    }
    // A net contains an address when the address cut to the net's length is the net: one
    // look-up per length the nets have. A party's block may also contain a net.
    let mut lengths: Vec<u8> = nets.iter().map(IpNet::prefix_len).collect();
    lengths.sort_unstable();
    lengths.dedup();
    let overlaps = |address: &IpNet| {
        let within = lengths.iter().any(|length| {
            *length <= address.prefix_len()
                && IpNet::new(address.addr(), *length).is_ok_and(|cut| nets.contains(&cut.trunc()))
        });
        within
            || (address.prefix_len() < address.max_prefix_len()
                && nets.iter().any(|net| address.contains(net)))
    };
    let mut bits = vec![0u64; parties.len().div_ceil(64)];
    for (index, party) in parties.iter().enumerate() {
        let by_address = party.addresses.iter().any(overlaps);
        if by_address || party.groups.iter().any(|group| groups.contains(group)) {
            bits[index / 64] |= 1 << (index % 64);
        }
    }
    bits
}

/// What evaluation reads of the rules of one direction that match one protocol (`None`: any),
/// in order.
fn keys<'t>(
    topology: &'t Topology,
    rules: &'t [Rule],
    direction: Direction,
    protocol: Option<Protocol>,
) -> impl Iterator<Item = Key<'t>> + 't {
    rules
        .iter()
        .filter(move |rule| {
            rule.direction == direction
                && protocol.is_none_or(|protocol| protocol_matches(rule.protocol, protocol))
        })
        .map(move |rule| Key::of(topology, rule))
}

/// Rules compared on what evaluation reads.
fn same_rule(a: &Rule, b: &Rule) -> bool {
    a.policy == b.policy
        && a.priority == b.priority
        && a.protocol == b.protocol
        && a.ports == b.ports
        && a.peer == b.peer
        && a.source_ports == b.source_ports
        && a.local_cidr == b.local_cidr
        && a.nic_type == b.nic_type
        && a.direction == b.direction
}

/// Whether an endpoint is the same on both sides in everything but its groups' rules;
/// `filtering` holds the groups that filter it after.
///
/// Its filtering groups are read from its own record, and for a pod from its node's and its
/// cluster's (`eval::route::Actor::of_endpoint`): when those are equal, so are the groups.
fn same_identity(
    old: &Topology,
    before: &Endpoint,
    new: &Topology,
    after: &Endpoint,
    filtering: &[&GroupId],
    groups: &GroupChanges,
) -> bool {
    if before != after {
        return false;
    }
    if let EndpointKind::Pod { cluster, node } = &after.kind {
        if old.endpoints.get(node) != new.endpoints.get(node)
            || old.clusters.get(cluster) != new.clusters.get(cluster)
        {
            return false;
        }
    }
    filtering
        .iter()
        .all(|group| !groups.settings.contains(*group))
}

/// What evaluation reads of a rule: every field but its id and description, and the entries
/// of the prefix list it names.
struct Key<'t> {
    rule: &'t Rule,
    entries: Option<&'t [ipnet::IpNet]>,
}

impl<'t> Key<'t> {
    fn of(topology: &'t Topology, rule: &'t Rule) -> Key<'t> {
        let entries = match &rule.peer {
            Peer::PrefixList(id) => topology
                .prefix_lists
                .get(id)
                .map(|list| list.cidrs.as_slice()),
            _ => None,
        };
        Key { rule, entries }
    }
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        same_rule(self.rule, other.rule) && self.entries == other.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::{apply, writable_group, Edit, NewEndpoint};
    use crate::generate::{generate, GenParams, Shape};

    /// A topology without IPv6, a group of it with members that rules may be added to, and one
    /// of its members.
    fn ipv4_only() -> (Topology, GroupId, EndpointId) {
        let old = generate(5, &GenParams::of_shape(Shape::Roles, 12, 3, 30));
        assert!(!old.has_ipv6(), "the roles shape has no IPv6 address");
        let member = |group: &GroupId| {
            old.endpoints.iter().find_map(|(id, endpoint)| {
                Actor::of_endpoint(&old, endpoint)
                    .groups
                    .contains(&group)
                    .then(|| id.clone())
            })
        };
        let (group, id) = old
            .groups
            .keys()
            .filter(|group| writable_group(&old, group).is_ok())
            .find_map(|group| Some((group.clone(), member(group)?)))
            .expect("a writable group with a member");
        (old, group, id)
    }

    /// `topology` with an ingress accept of `protocol` from everywhere added to `group`.
    fn with_rule(topology: &Topology, group: &GroupId, protocol: Protocol) -> Topology {
        let mut rule = Rule::tcp_from_internet(22);
        rule.protocol = protocol;
        if !protocol.has_ports() {
            rule.ports = crate::model::PortSpec::All;
        }
        let mut changed = topology.clone();
        let edit = Edit::AddRule {
            group: group.clone(),
            rule,
        };
        apply(&mut changed, &edit).expect("the rule is added");
        changed
    }

    fn dirty(old: &Topology, new: &Topology) -> Dirty {
        let differing = super::super::rules::differing_groups(old, new);
        Dirty::of(old, new, &differing)
    }

    /// A rule makes dirty only the protocols it matches: a TCP rule TCP alone, a rule of every
    /// protocol every protocol but ICMPv6 when neither side has an IPv6 address.
    #[test]
    fn rules_make_dirty_the_protocols_they_match() {
        let (old, group, member) = ipv4_only();
        let tcp = dirty(&old, &with_rule(&old, &group, Protocol::Tcp));
        assert_eq!(tcp.protocols(), vec![Protocol::Tcp]);
        assert_eq!(tcp.sides(&member), (0, 1));
        let all = dirty(&old, &with_rule(&old, &group, Protocol::All));
        let without_v6 = vec![Protocol::Tcp, Protocol::Udp, Protocol::Icmp, Protocol::Gre];
        assert_eq!(all.protocols(), without_v6);
        assert_eq!(all.sides(&member), (0, ALL & !ICMPV6));
        assert_eq!(dirty(&old, &old).protocols(), Vec::<Protocol>::new());
    }

    /// A rule of one block added to a group reaches that block from the group's members'
    /// columns, and no other block; a rule open to `0.0.0.0/0` reaches every IPv4 block and
    /// no IPv6 one; a rule whose peer is a group reaches no block and exactly the endpoints
    /// that group filters; an instance added reaches every party (it has no entry).
    #[test]
    fn a_changed_rule_reaches_the_parties_its_peer_matches() {
        let (old, group, member) = ipv4_only();
        let blocks: Vec<(IpNet, EndpointId)> =
            ["198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"]
                .into_iter()
                .map(|text| (text.parse().expect("a block"), EndpointId(text.to_owned())))
                .collect();
        /// The blocks (by index) and endpoints that `member`'s column reaches after a rule of
        /// `peer` is added to `group`.
        fn reach_in(
            old: &Topology,
            group: &GroupId,
            member: &EndpointId,
            blocks: &[(IpNet, EndpointId)],
            peer: Peer,
        ) -> (Vec<usize>, BTreeSet<EndpointId>) {
            let mut rule = Rule::tcp_from_internet(22);
            rule.peer = peer;
            let mut new = old.clone();
            let edit = Edit::AddRule {
                group: group.clone(),
                rule,
            };
            apply(&mut new, &edit).expect("the rule is added");
            let found = dirty(old, &new);
            assert_eq!(found.sides(member), (0, 1), "{member}");
            let reach = found.reach(old, &new, blocks);
            let [row, column] = reach.sides.get(member).cloned().expect("an entry");
            assert_eq!(row, None);
            let column = column.expect("bits");
            let reached = |index: usize| column[index / 64] >> (index % 64) & 1 == 1;
            let endpoints: BTreeSet<EndpointId> = new
                .endpoints
                .keys()
                .enumerate()
                .filter(|(index, _)| reached(blocks.len() + index))
                .map(|(_, id)| id.clone())
                .collect();
            let blocks: Vec<usize> = (0..blocks.len()).filter(|index| reached(*index)).collect();
            (blocks, endpoints)
        }
        let reach_of = |peer: Peer| reach_in(&old, &group, &member, &blocks, peer);
        let office = Peer::Cidr("203.0.113.7/24".parse().expect("a block"));
        assert_eq!(reach_of(office).0, vec![1]);
        let internet = Peer::Cidr("0.0.0.0/0".parse().expect("a block"));
        let (blocks_reached, endpoints_reached) = reach_of(internet);
        assert_eq!(blocks_reached, vec![0, 1]);
        assert_eq!(
            endpoints_reached.len(),
            old.endpoints.len(),
            "every IPv4 endpoint"
        );
        let host = Peer::Cidr("198.51.100.9/32".parse().expect("a block"));
        assert_eq!(reach_of(host).0, vec![0]);
        // A group peer, on a topology with several groups with members.
        let larger = generate(5, &GenParams::of_shape(Shape::Roles, 40, 6, 80));
        let members_of = |id: &GroupId| -> BTreeSet<EndpointId> {
            larger
                .endpoints
                .iter()
                .filter(|(_, endpoint)| Actor::of_endpoint(&larger, endpoint).groups.contains(&id))
                .map(|(id, _)| id.clone())
                .collect()
        };
        let with_members: Vec<(GroupId, BTreeSet<EndpointId>)> = larger
            .groups
            .keys()
            .map(|id| (id.clone(), members_of(id)))
            .filter(|(_, members)| !members.is_empty())
            .collect();
        let (target, target_members) = with_members
            .iter()
            .find(|(id, _)| writable_group(&larger, id).is_ok())
            .expect("a writable group with members");
        let vpc = |id: &GroupId| larger.groups.get(id).map(|group| &group.vpc);
        let (other, members) = with_members
            .iter()
            .find(|(id, _)| id != target && vpc(id) == vpc(target))
            .expect("another group with members in the same VPC");
        let member = target_members.iter().next().expect("a member");
        let by_group = Peer::Group {
            id: other.clone(),
            owner_account: None,
        };
        assert_eq!(
            reach_in(&larger, target, member, &blocks, by_group),
            (Vec::new(), members.clone())
        );

        let mut new = old.clone();
        let added = Edit::AddEndpoint(NewEndpoint::Ecs {
            group: group.clone(),
        });
        apply(&mut new, &added).expect("an instance");
        let found = dirty(&old, &new);
        let reach = found.reach(&old, &new, &blocks);
        let renewed: Vec<&EndpointId> = found
            .entries()
            .filter(|(_, sides)| *sides == (ALL & !ICMPV6, ALL & !ICMPV6) || *sides == (ALL, ALL))
            .map(|(id, _)| id)
            .collect();
        assert!(!renewed.is_empty());
        for id in renewed {
            assert!(!reach.sides.contains_key(id), "{id} reaches every party");
        }
    }

    /// A pod's identity is its node's record and its cluster's too: a change of either makes
    /// the pod's whole row and column dirty, and a change of neither leaves them clean.
    #[test]
    fn a_pod_is_dirty_when_its_node_or_its_cluster_changes() {
        let old = generate(2, &GenParams::of_shape(Shape::Kubernetes, 16, 3, 30));
        let (pod, node, cluster) = old
            .endpoints
            .iter()
            .find_map(|(id, endpoint)| match &endpoint.kind {
                EndpointKind::Pod { cluster, node } => {
                    Some((id.clone(), node.clone(), cluster.clone()))
                }
                _ => None,
            })
            .expect("the kubernetes shape has pods");
        assert_eq!(dirty(&old, &old).sides(&pod), (0, 0));
        let mut node_changed = old.clone();
        let record = node_changed
            .endpoints
            .get_mut(&node)
            .expect("the pod's node");
        record.name.push_str(" (renamed)");
        assert_eq!(dirty(&old, &node_changed).sides(&pod), (ALL, ALL));
        let mut cluster_changed = old.clone();
        let record = cluster_changed
            .clusters
            .get_mut(&cluster)
            .expect("the pod's cluster");
        record.name.push_str(" (renamed)");
        assert_eq!(dirty(&old, &cluster_changed).sides(&pod), (ALL, ALL));
    }

    /// When one side only has an IPv6 address (an IPv6 block added), a rule of every protocol
    /// makes ICMPv6 dirty too.
    #[test]
    fn icmpv6_is_dirty_when_either_side_has_ipv6() {
        let (old, group, member) = ipv4_only();
        let mut new = with_rule(&old, &group, Protocol::All);
        let external = Edit::AddEndpoint(NewEndpoint::External {
            cidr: "2001:db8::/32".to_owned(),
        });
        apply(&mut new, &external).expect("the external block is added");
        assert!(new.has_ipv6());
        for (old, new) in [(&old, &new), (&new, &old)] {
            let found = dirty(old, new);
            assert_eq!(found.sides(&member), (0, ALL), "{member}");
            assert_eq!(found.protocols(), DIFF_PROTOCOLS.to_vec());
        }
    }
}
