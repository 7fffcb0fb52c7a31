//! The two topologies as the matrices of a diff see them, and which part of each matrix to
//! build.
//!
//! Each side gets the external blocks as synthetic external endpoints
//! ([`super::with_external_peers`]), so that one matrix per side holds the cells of the
//! endpoints and of the external parties. An endpoint a side does not have is left out of that
//! side: it reaches and is reached by nothing there.
//!
//! A cell is a function of its source's egress and its target's ingress (`super::dirty`), so
//! only the cells of a dirty row or a dirty column can differ. Each side builds only those
//! ([`crate::matrix::subset::matrix_part`], which builds the cells of the groups it is given):
//! every ENI of an endpoint with a dirty row gets one more group, a *mark* without rules of the
//! ENI's type (so that its default is unchanged) whose InnerAccessPolicy is drop (so that it
//! allows nothing between its members), and likewise for a dirty column; a group without rules
//! decides nothing, and no rule names a mark, so every cell stays what it was, and the part of
//! the marks is exactly the dirty rows and columns, on both sides alike. When an endpoint
//! cannot carry a mark (a dirty endpoint without ENIs or groups: an external endpoint changed,
//! added or removed), the whole matrix is built.
//!
//! The protocols may be split in two parts, each with marks of its own, when most endpoints
//! are dual-stack and the protocols dirty on the fewest endpoints, dirty on at most a quarter
//! as many as the most, take a route of another address family (an instance added is dirty on
//! all five, a TCP rule of a large group on TCP only): each part is built only on its own rows
//! and columns, so the protocols of the few are not built on the many (`parts`). Both parts are
//! built on the same marked copy, so they number endpoints and classes alike.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;

use super::dirty::{Dirty, Mask};
use super::peers::add_external_peers;
use super::DIFF_PROTOCOLS;
use crate::eval::route::Actor;
use crate::matrix::reach::Reach;
use crate::matrix::subset::{matrix_part, Changed, Earlier, JointBlocks};
use crate::matrix::{matrix_with, Matrix};
use crate::model::{
    EndpointId, Eni, GroupId, GroupType, InnerAccessPolicy, Protocol, Rules, SecurityGroup,
    Topology,
};

/// A side's topology with the external blocks (and its marks when the second is `true`), as
/// [`Marks::side`] gives it.
pub(super) type SideTopology = (Topology, bool);

/// The marks of the dirty rows and of the dirty columns, one of each group type, for each part
/// of the protocols.
pub(super) struct Marks {
    /// The protocols of each part: one part, or two when a few endpoints are dirty on some
    /// protocols (say an instance added, on all five) and many on the others (say a TCP rule
    /// of a large group), so that the few protocols are built only on those few endpoints.
    parts: Vec<Mask>,
    /// The marks of rows of each part: basic, then enterprise.
    rows: Vec<[GroupId; 2]>,
    /// The marks of columns of each part: basic, then enterprise.
    columns: Vec<[GroupId; 2]>,
    /// What the dirty rows and columns can differ towards among the external blocks
    /// ([`Dirty::reach`]).
    reach: Reach,
}

impl Marks {
    /// Marks that neither side uses, for the parts of the protocols of `dirty`, whose dirty
    /// rows and columns reach `reach` among the external blocks.
    pub(super) fn new(old: &Topology, new: &Topology, dirty: &Dirty, reach: Reach) -> Marks {
        let fresh = |name: String| {
            let mut id = GroupId(format!("sg-diff-{name}"));
            while old.groups.contains_key(&id) || new.groups.contains_key(&id) {
                id.0.push('-');
            }
            id
        };
        let parts = parts(dirty, mostly_dual_stack(old) || mostly_dual_stack(new));
        let marks = |what: &str| -> Vec<[GroupId; 2]> {
            (0..parts.len())
                .map(|part| {
                    [
                        fresh(format!("{what}-basic-{part}")),
                        fresh(format!("{what}-enterprise-{part}")),
                    ]
                })
                .collect()
        };
        Marks {
            rows: marks("rows"),
            columns: marks("columns"),
            parts,
            reach,
        }
    }

    /// What the dirty rows and columns can differ towards among the external blocks.
    pub(super) fn reach(&self) -> &Reach {
        &self.reach
    }

    /// `topology` with the external blocks as synthetic endpoints and, when every dirty
    /// endpoint of the side can carry them, the marks on the ENIs of the dirty endpoints; and
    /// whether it has the marks. The marks change no decision, so the deciding decisions may be
    /// read on it as well.
    pub(super) fn side(
        &self,
        topology: &Topology,
        blocks: &[(IpNet, EndpointId)],
        dirty: &Dirty,
    ) -> (Topology, bool) {
        if let Some(mut marked) = self.marked(topology, dirty) {
            add_external_peers(&mut marked, blocks);
            return (marked, true);
        }
        let mut all = topology.clone();
        add_external_peers(&mut all, blocks);
        (all, false)
    }

    /// The matrices of a side (from [`Marks::side`]) on `protocols`, each with the protocols
    /// it holds: the parts of the dirty rows and columns when it has the marks, else the whole
    /// matrix.
    ///
    /// `blocks` holds the rule blocks of both sides; `earlier` is the other side with its parts
    /// (from this function), whose group sides a part takes for the groups whose rules are the
    /// same on both sides; `later` is the other side when its parts are built next, from these,
    /// so that the group sides made here know its endpoints' address classes and group sets;
    /// `differing` holds the groups whose rules differ between the two sides
    /// (`JointBlocks::scan`).
    pub(super) fn matrices(
        &self,
        (topology, marked): &SideTopology,
        protocols: &[Protocol],
        blocks: &JointBlocks,
        earlier: Option<(&SideTopology, &[(Mask, Matrix)])>,
        later: Option<&SideTopology>,
        differing: &[&GroupId],
    ) -> Vec<(Mask, Matrix)> {
        if !*marked {
            return vec![(Mask::MAX, matrix_with(topology, protocols))];
        }
        self.parts
            .iter()
            .zip(self.rows.iter().zip(&self.columns))
            .enumerate()
            .map(|(index, (mask, (rows, columns)))| {
                let rows: BTreeSet<&GroupId> = rows.iter().collect();
                let columns: BTreeSet<&GroupId> = columns.iter().collect();
                let protocols: Vec<Protocol> = protocols
                    .iter()
                    .copied()
                    .filter(|protocol| mask & bit(*protocol) != 0)
                    .collect();
                // The other side's part of the same protocols, when it is a part too.
                let earlier = earlier.and_then(|((other, other_marked), parts)| {
                    let (other_mask, part) = parts.get(index).filter(|_| *other_marked)?;
                    (other_mask == mask).then_some(Earlier {
                        topology: other,
                        part,
                        differing: Some(differing),
                    })
                });
                // The other side's parts start from these only when it has the marks too.
                let later = later.filter(|(_, marked)| *marked).map(|(later, _)| later);
                let changed = Changed {
                    egress: &rows,
                    ingress: &columns,
                    reach: Some(&self.reach),
                };
                let part = matrix_part(topology, &protocols, &changed, blocks, earlier, later);
                (*mask, part)
            })
            .collect()
    }

    /// `topology` with the marks on the ENIs of the dirty endpoints; `None` when a dirty
    /// endpoint of the side is not filtered by a marked ENI.
    fn marked(&self, topology: &Topology, dirty: &Dirty) -> Option<Topology> {
        let vpc = topology.vpcs.keys().next()?.clone();
        let mut marked = topology.clone();
        for marks in self.rows.iter().chain(&self.columns) {
            for (mark, group_type) in marks.iter().zip([GroupType::Basic, GroupType::Enterprise]) {
                marked.groups.insert(
                    mark.clone(),
                    SecurityGroup {
                        id: mark.clone(),
                        name: String::new(),
                        description: String::new(),
                        tags: BTreeMap::new(),
                        vpc: vpc.clone(),
                        group_type,
                        inner_access_policy: InnerAccessPolicy::Drop,
                        managed_by: None,
                        rules: Rules::default(),
                    },
                );
            }
        }
        for (id, (row, column)) in dirty.entries() {
            let Some(endpoint) = marked.endpoints.get_mut(id) else {
                continue;
            };
            for eni in &mut endpoint.enis {
                let slot = mark_slot(topology, eni);
                for (part, mask) in self.parts.iter().enumerate() {
                    let marks = [(row, &self.rows[part]), (column, &self.columns[part])];
                    for (dirty, marks) in marks {
                        if dirty & mask != 0 && !eni.groups.contains(&marks[slot]) {
                            eni.groups.push(marks[slot].clone());
                        }
                    }
                }
            }
        }
        // Every dirty endpoint must now be filtered by an ENI that carries its marks and, before
        // them, some group of the ENI's type.
        for (id, (row, column)) in dirty.entries() {
            let Some(endpoint) = marked.endpoints.get(id) else {
                continue;
            };
            let groups = Actor::of_endpoint(&marked, endpoint).groups;
            let carries = |marks: &[GroupId; 2]| groups.iter().any(|group| marks.contains(group));
            let typed = groups
                .iter()
                .any(|group| topology.groups.contains_key(*group));
            let carried = self.parts.iter().enumerate().all(|(part, mask)| {
                (row & mask == 0 || carries(&self.rows[part]))
                    && (column & mask == 0 || carries(&self.columns[part]))
            });
            if !typed || !carried {
                return None;
            }
        }
        Some(marked)
    }
}

/// Which of a pair of marks (basic, enterprise) an ENI takes: the basic one when a basic group
/// of `topology` is on it, so that a mark never changes the ENI's default.
fn mark_slot(topology: &Topology, eni: &Eni) -> usize {
    let basic = eni.groups.iter().any(|group| {
        topology
            .groups
            .get(group)
            .is_some_and(|group| group.group_type == GroupType::Basic)
    });
    usize::from(!basic)
}

/// The bit of a protocol in a [`Mask`].
pub(super) fn bit(protocol: Protocol) -> Mask {
    DIFF_PROTOCOLS
        .iter()
        .position(|known| *known == protocol)
        .map_or(0, |index| 1 << index)
}

/// Whether more than half of the endpoints of `topology` have an IPv6 address.
fn mostly_dual_stack(topology: &Topology) -> bool {
    let dual = topology
        .endpoints
        .values()
        .filter(|endpoint| endpoint.has_ipv6())
        .count();
    dual * 2 > topology.endpoints.len()
}

/// The parts of the protocols of `dirty`: one, or two when the protocols dirty on the fewest
/// endpoints are dirty on at most a quarter as many as the most, include ICMP or ICMPv6 where
/// those of the most do not, and the endpoints are mostly dual-stack (`dual_stack`): those go
/// to a part of their own, built only on their few rows and columns.
///
/// A part evaluates a pair of classes once per distinct route its protocols take, and ICMP
/// and ICMPv6 take routes of one address family each. When most parties have both families,
/// those protocols added to the part of the many (an instance added dirties all five) evaluate
/// most of its pairs a second time, which costs more than a build of their own on the few.
/// Otherwise their routes are the others' (or there are none), they add little to the part of
/// the many, and a second build (its classes, its group sides) costs more than it saves
/// (`docs/performance.md`, "The diff").
fn parts(dirty: &Dirty, dual_stack: bool) -> Vec<Mask> {
    let counts: Vec<usize> = DIFF_PROTOCOLS
        .iter()
        .map(|protocol| {
            let bit = bit(*protocol);
            dirty
                .entries()
                .filter(|(_, (row, column))| (row | column) & bit != 0)
                .count()
        })
        .collect();
    let most = counts.iter().copied().max().unwrap_or(0);
    let (mut many, mut few): (Mask, Mask) = (0, 0);
    for (index, count) in counts.iter().enumerate() {
        if *count == 0 {
            continue;
        }
        if count * 4 > most {
            many |= 1 << index;
        } else {
            few |= 1 << index;
        }
    }
    let new_route = [Protocol::Icmp, Protocol::Icmpv6]
        .into_iter()
        .any(|protocol| few & bit(protocol) != 0 && many & bit(protocol) == 0);
    if few == 0 || many == 0 || !dual_stack || !new_route {
        vec![many | few]
    } else {
        vec![many, few]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::{apply, Edit, NewEndpoint};
    use crate::generate::{generate, GenParams, Shape};
    use crate::model::{Direction, EndpointId, Rule};

    /// The parts of a dirty set whose endpoints are dirty on the masks given (row and column
    /// alike), with endpoints mostly dual-stack or not.
    fn parts_of(masks: &[Mask], dual_stack: bool) -> Vec<Mask> {
        let sides = masks
            .iter()
            .enumerate()
            .map(|(index, mask)| (EndpointId(format!("ecs-{index}")), (*mask, *mask)))
            .collect();
        parts(&Dirty::of_sides(sides), dual_stack)
    }

    /// With mostly dual-stack endpoints, the protocols dirty on at most a quarter as many
    /// endpoints as the most go to a second part when they take a route of another family (ICMP,
    /// ICMPv6); a quarter and one more stay with the most; one part when all are alike. With
    /// mostly single-stack endpoints, one part.
    #[test]
    fn protocols_split_at_a_quarter_of_the_most_on_another_route() {
        let [tcp, udp, icmp, icmpv6] = [
            Protocol::Tcp,
            Protocol::Udp,
            Protocol::Icmp,
            Protocol::Icmpv6,
        ]
        .map(bit);
        // TCP on four endpoints, ICMP on one of them: one is a quarter of four.
        assert_eq!(
            parts_of(&[tcp | icmp, tcp, tcp, tcp], true),
            vec![tcp, icmp]
        );
        assert_eq!(
            parts_of(&[tcp | icmpv6, tcp, tcp, tcp], true),
            vec![tcp, icmpv6]
        );
        // The same, mostly single-stack: one part.
        assert_eq!(
            parts_of(&[tcp | icmp, tcp, tcp, tcp], false),
            vec![tcp | icmp]
        );
        // UDP routes as TCP does: one part.
        assert_eq!(parts_of(&[tcp | udp, tcp, tcp, tcp], true), vec![tcp | udp]);
        // ICMP with the many already: ICMPv6 still takes a route of its own.
        let many = tcp | icmp;
        assert_eq!(
            parts_of(&[many | icmpv6, many, many, many], true),
            vec![many, icmpv6]
        );
        assert_eq!(
            parts_of(&[many | udp, many, many, many], true),
            vec![many | udp]
        );
        // TCP on three, ICMP on one: more than a quarter.
        assert_eq!(parts_of(&[tcp | icmp, tcp, tcp], true), vec![tcp | icmp]);
        // TCP alone: one part.
        assert_eq!(parts_of(&[tcp, tcp], true), vec![tcp]);
        assert_eq!(parts_of(&[], true), vec![0]);
    }

    /// A TCP rule added to the group with the most members and an instance added: on a
    /// dual-stack topology two parts, TCP on the members, the other protocols on the instance
    /// alone; on roles (one instance in five with IPv6) one part.
    #[test]
    fn few_endpoints_dirty_on_other_protocols_make_a_part_of_their_own() {
        let old = generate(3, &GenParams::of_shape(Shape::Roles, 40, 4, 80));
        let (new, _) = tcp_rule_and_instance_added(&old);
        let dirty = Dirty::of(
            &old,
            &new,
            &crate::diff::rules::differing_groups(&old, &new),
        );
        assert!(!mostly_dual_stack(&old) && !mostly_dual_stack(&new));
        assert_eq!(
            Marks::new(&old, &new, &dirty, Reach::default()).parts,
            vec![Mask::from(0b11111)]
        );

        let old = generate(3, &GenParams::of_shape(Shape::DualStack, 40, 4, 80));
        assert!(mostly_dual_stack(&old));
        let (new, differing) = tcp_rule_and_instance_added(&old);
        let differing: Vec<&GroupId> = differing.iter().collect();
        let dirty = Dirty::of(&old, &new, &differing);
        let marks = Marks::new(&old, &new, &dirty, Reach::default());
        assert_eq!(marks.parts, vec![bit(Protocol::Tcp), Mask::from(0b11110)]);
        // Each part is built on its own protocols only.
        let side = marks.side(&old, &[], &dirty);
        assert!(side.1, "the old side carries the marks");
        let joint = JointBlocks::of(&old, &new);
        let parts = marks.matrices(&side, &dirty.protocols(), &joint, None, None, &differing);
        let protocols: Vec<&[Protocol]> = parts.iter().map(|(_, part)| part.protocols()).collect();
        let rest: &[Protocol] = &[
            Protocol::Udp,
            Protocol::Icmp,
            Protocol::Icmpv6,
            Protocol::Gre,
        ];
        assert_eq!(protocols, vec![&[Protocol::Tcp][..], rest]);
    }

    /// `old` with an ingress TCP rule added to its group with the most members and an instance
    /// added to that group, and the groups whose rules differ.
    fn tcp_rule_and_instance_added(old: &Topology) -> (Topology, Vec<GroupId>) {
        let members = |group: &GroupId| {
            old.endpoints
                .values()
                .filter(|endpoint| crate::eval::filtering_groups(old, endpoint).contains(group))
                .count()
        };
        let group = old
            .groups
            .keys()
            .max_by_key(|group| members(group))
            .cloned()
            .expect("a generated topology has groups");
        assert!(
            members(&group) >= 8,
            "{group} has {} members",
            members(&group)
        );
        let mut new = old.clone();
        let rule = Rule::tcp_from_internet(22);
        let added = Edit::AddRule {
            group: group.clone(),
            rule,
        };
        apply(&mut new, &added).expect("the rule is added");
        apply(&mut new, &Edit::AddEndpoint(NewEndpoint::Ecs { group })).expect("an instance");
        let differing = crate::diff::rules::differing_groups(old, &new)
            .into_iter()
            .cloned()
            .collect();
        (new, differing)
    }

    /// Each side's copy carries a mark of its dirty rows and one of its dirty columns, of the
    /// right type, on every ENI of the endpoints dirty there, and on no other: a TCP rule of
    /// one direction added to each of two groups (rows of one, columns of the other).
    #[test]
    fn marks_go_on_the_dirty_rows_and_columns_only() {
        let old = generate(3, &GenParams::of_shape(Shape::Roles, 40, 4, 80));
        let members = |group: &GroupId| -> BTreeSet<EndpointId> {
            old.endpoints
                .iter()
                .filter(|(_, endpoint)| {
                    crate::eval::filtering_groups(&old, endpoint).contains(group)
                })
                .map(|(id, _)| id.clone())
                .collect()
        };
        let writable: Vec<(GroupId, BTreeSet<EndpointId>)> = old
            .groups
            .keys()
            .filter(|id| crate::edit::writable_group(&old, id).is_ok())
            .map(|id| (id.clone(), members(id)))
            .filter(|(_, members)| !members.is_empty())
            .collect();
        // Two groups with members, none in both.
        let (ingress, egress) = writable
            .iter()
            .flat_map(|a| writable.iter().map(move |b| (a, b)))
            .find(|((_, a), (_, b))| a.is_disjoint(b))
            .map(|((a, _), (b, _))| (a, b))
            .expect("two groups without a member in common");
        let mut new = old.clone();
        for (group, direction) in [(ingress, Direction::Ingress), (egress, Direction::Egress)] {
            let mut rule = Rule::tcp_from_internet(22);
            rule.direction = direction;
            let edit = Edit::AddRule {
                group: group.clone(),
                rule,
            };
            apply(&mut new, &edit).expect("the rule is added");
        }
        let differing = crate::diff::rules::differing_groups(&old, &new);
        let dirty = Dirty::of(&old, &new, &differing);
        let marks = Marks::new(&old, &new, &dirty, Reach::default());
        assert_eq!(marks.parts, vec![bit(Protocol::Tcp)]);
        let (mut rows_only, mut columns_only) = (0, 0);
        for topology in [&old, &new] {
            let (marked, carries) = marks.side(topology, &[], &dirty);
            assert!(carries, "the side carries the marks");
            for (id, endpoint) in &marked.endpoints {
                let (row, column) = dirty.sides(id);
                rows_only += usize::from(row != 0 && column == 0);
                columns_only += usize::from(row == 0 && column != 0);
                for eni in &endpoint.enis {
                    let slot = mark_slot(topology, eni);
                    for (dirty, marks) in [(row, &marks.rows[0]), (column, &marks.columns[0])] {
                        assert_eq!(
                            eni.groups.contains(&marks[slot]),
                            dirty != 0,
                            "{id}: {marks:?} on {:?}",
                            eni.groups
                        );
                        assert!(!eni.groups.contains(&marks[1 - slot]), "{id}");
                    }
                }
            }
        }
        assert!(
            rows_only > 0 && columns_only > 0,
            "{rows_only} {columns_only}"
        );
    }
}
