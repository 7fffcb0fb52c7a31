//! `matrix_after_edit` and `group_matrix_after_edit` (the app's recompute after an edit) give
//! the cells of a fresh build.

use proptest::prelude::*;
use sglab_core::generate::{generate, GenParams, Shape};
use sglab_core::matrix::{
    group_matrix_after_edit, group_matrix_of, matrix_after_edit, matrix_with, Matrix,
};
use sglab_core::model::{Policy, PortRange, Priority, Protocol, Topology};

const ALL_PROTOCOLS: [Protocol; 6] = [
    Protocol::Tcp,
    Protocol::Udp,
    Protocol::Icmp,
    Protocol::Icmpv6,
    Protocol::Gre,
    Protocol::All,
];

/// One edit of the rules: flip a rule's policy, delete it, move it to another group, copy it
/// into another group, change its priority, change its description.
fn edit(topology: &mut Topology, op: u8, group: usize, rule: usize, other: usize) {
    let ids: Vec<_> = topology.groups.keys().cloned().collect();
    if ids.is_empty() {
        return;
    }
    let id = ids[group % ids.len()].clone();
    let target = ids[other % ids.len()].clone();
    let Some(rules) = topology.groups.get_mut(&id).map(|g| &mut g.rules) else {
        return;
    };
    if rules.is_empty() {
        return;
    }
    let index = rule % rules.len();
    match op % 6 {
        0 => {
            rules[index].policy = match rules[index].policy {
                Policy::Accept => Policy::Drop,
                Policy::Drop => Policy::Accept,
            }
        }
        1 => {
            rules.remove(index);
        }
        2 => {
            let moved = rules.remove(index);
            if let Some(group) = topology.groups.get_mut(&target) {
                group.rules.push(moved);
            }
        }
        3 => {
            let copied = rules[index].clone();
            if let Some(group) = topology.groups.get_mut(&target) {
                group.rules.insert(0, copied);
            }
        }
        4 => {
            let priority = u32::from(rules[index].priority.get()) % 100 + 1 + other as u32 % 3;
            rules[index].priority = Priority::new(priority.min(100)).unwrap_or(Priority::HIGHEST);
        }
        _ => rules[index].description.push_str(" (edited)"),
    }
}

type Cells = Vec<(String, String, Protocol, Vec<PortRange>)>;

fn cells(matrix: &Matrix) -> Cells {
    matrix
        .cells()
        .map(|cell| {
            (
                cell.from.to_string(),
                cell.to.to_string(),
                cell.protocol,
                cell.allowed.to_vec(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// After one or more edits of the rules, the reusing matrix has the cells of a fresh build.
    #[test]
    fn matrix_after_edits_equals_a_fresh_build(
        seed in any::<u64>(),
        shape in 0usize..Shape::ALL.len(),
        endpoints in 2usize..14,
        groups in 1usize..6,
        rules in 0usize..60,
        edits in prop::collection::vec(any::<(u8, usize, usize, usize)>(), 1..4),
    ) {
        let mut topology = generate(seed, &GenParams::of_shape(Shape::ALL[shape], endpoints, groups, rules));
        let mut matrix = matrix_with(&topology, &ALL_PROTOCOLS);
        for (op, group, rule, other) in edits {
            let before = topology.clone();
            edit(&mut topology, op, group, rule, other);
            let reused = matrix_after_edit(&before, &matrix, &topology);
            let fresh = matrix_with(&topology, &ALL_PROTOCOLS);
            prop_assert_eq!(reused.class_count(), fresh.class_count());
            prop_assert_eq!(cells(&reused), cells(&fresh));
            matrix = reused;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// After one or more edits of the rules, the group matrix derived from the previous one
    /// equals the group matrix computed afresh, from the reusing matrix and from a fresh one.
    #[test]
    fn group_matrix_after_edits_equals_a_fresh_build(
        seed in any::<u64>(),
        shape in 0usize..Shape::ALL.len(),
        endpoints in 2usize..14,
        groups in 1usize..6,
        rules in 0usize..60,
        edits in prop::collection::vec(any::<(u8, usize, usize, usize)>(), 1..4),
    ) {
        let mut topology = generate(seed, &GenParams::of_shape(Shape::ALL[shape], endpoints, groups, rules));
        let mut matrix = matrix_with(&topology, &ALL_PROTOCOLS);
        let mut groups = group_matrix_of(&topology, &matrix);
        for (op, group, rule, other) in edits {
            let before = topology.clone();
            edit(&mut topology, op, group, rule, other);
            let reused = matrix_after_edit(&before, &matrix, &topology);
            let derived = group_matrix_after_edit(&before, &matrix, &groups, &topology, &reused);
            prop_assert_eq!(&derived, &group_matrix_of(&topology, &reused));
            let fresh = matrix_with(&topology, &ALL_PROTOCOLS);
            prop_assert_eq!(&derived, &group_matrix_of(&topology, &fresh));
            matrix = reused;
            groups = derived;
        }
    }
}

/// A change outside the rules (an endpoint removed) builds the whole matrix.
#[test]
fn other_changes_build_the_whole_matrix() {
    let topology = generate(3, &GenParams::small(10, 3, 40));
    let matrix = matrix_with(&topology, &ALL_PROTOCOLS);
    let mut changed = topology.clone();
    let first = changed.endpoints.keys().next().cloned();
    if let Some(first) = first {
        changed.endpoints.remove(&first);
    }
    let reused = matrix_after_edit(&topology, &matrix, &changed);
    assert_eq!(
        cells(&reused),
        cells(&matrix_with(&changed, &ALL_PROTOCOLS))
    );
    let groups = group_matrix_of(&topology, &matrix);
    assert_eq!(
        group_matrix_after_edit(&topology, &matrix, &groups, &changed, &reused),
        group_matrix_of(&changed, &reused)
    );
}

/// The interactive target: an edit of one group's rules gives the fresh cells.
#[test]
fn interactive_edit_equals_a_fresh_build() {
    let topology = generate(1, &GenParams::interactive());
    let matrix = matrix_with(&topology, &ALL_PROTOCOLS[..3]);
    let mut edited = topology.clone();
    edit(&mut edited, 0, 3, 0, 0);
    edit(&mut edited, 2, 7, 5, 9);
    let reused = matrix_after_edit(&topology, &matrix, &edited);
    assert_eq!(
        cells(&reused),
        cells(&matrix_with(&edited, &ALL_PROTOCOLS[..3]))
    );
    let groups = group_matrix_of(&topology, &matrix);
    let derived = group_matrix_after_edit(&topology, &matrix, &groups, &edited, &reused);
    assert_eq!(derived, group_matrix_of(&edited, &reused));
    assert!(!derived.cells.is_empty());
}

/// A change that reaches what a matrix keeps from its build for the next recompute: a rule's
/// peer made a new host block, an existing block, or the rule's own group (the edited group on
/// both sides of a pair); a rule with a local CIDR; a rule added to a group without members;
/// an endpoint's groups, address or VPC; a prefix list's entries; a VPC's block; or the matrix
/// passed through its parts (which drops what it keeps), then a plain edit of rules.
fn wider_edit(
    topology: &mut Topology,
    matrix: &mut Matrix,
    op: u8,
    group: usize,
    rule: usize,
    other: usize,
) {
    use sglab_core::model::{GroupId, Peer};
    let ids: Vec<GroupId> = topology.groups.keys().cloned().collect();
    if ids.is_empty() {
        return;
    }
    let id = ids[group % ids.len()].clone();
    let endpoint_ids: Vec<_> = topology.endpoints.keys().cloned().collect();
    let host = |n: usize| -> ipnet::IpNet {
        format!("10.{}.{}.{}/32", n % 3, n % 7, n % 250 + 1)
            .parse()
            .unwrap_or_default()
    };
    match op % 12 {
        0..=1 => edit(topology, op / 12, group, rule, other),
        2 => {
            if let Some(found) = topology.groups.get_mut(&id) {
                if !found.rules.is_empty() {
                    let index = rule % found.rules.len();
                    found.rules[index].peer = Peer::Cidr(host(other));
                }
            }
        }
        3 => {
            if let Some(found) = topology.groups.get_mut(&id) {
                if !found.rules.is_empty() {
                    let index = rule % found.rules.len();
                    found.rules[index].peer = Peer::Group {
                        id: id.clone(),
                        owner_account: None,
                    };
                }
            }
        }
        4 => {
            let blocks: Vec<Peer> = topology
                .groups
                .values()
                .flat_map(|group| group.rules.iter())
                .filter(|rule| matches!(rule.peer, Peer::Cidr(_)))
                .map(|rule| rule.peer.clone())
                .collect();
            if let (Some(found), false) = (topology.groups.get_mut(&id), blocks.is_empty()) {
                if !found.rules.is_empty() {
                    let index = rule % found.rules.len();
                    found.rules[index].peer = blocks[other % blocks.len()].clone();
                }
            }
        }
        5 => {
            if let Some(found) = topology.groups.get_mut(&id) {
                if !found.rules.is_empty() {
                    let index = rule % found.rules.len();
                    found.rules[index].local_cidr =
                        Some(host(other).supernet().unwrap_or_default());
                }
            }
        }
        6 => {
            let used: std::collections::BTreeSet<GroupId> = topology
                .endpoints
                .values()
                .flat_map(|endpoint| endpoint.enis.iter())
                .flat_map(|eni| eni.groups.iter().cloned())
                .collect();
            let copied = topology
                .groups
                .values()
                .flat_map(|group| group.rules.iter())
                .nth(rule)
                .cloned();
            let empty = ids.iter().find(|id| !used.contains(*id)).cloned();
            if let (Some(empty), Some(copied)) = (empty, copied) {
                if let Some(found) = topology.groups.get_mut(&empty) {
                    found.rules.insert(0, copied);
                }
            }
        }
        7 => {
            if endpoint_ids.is_empty() {
                return;
            }
            let target = &endpoint_ids[other % endpoint_ids.len()];
            if let Some(eni) = topology
                .endpoints
                .get_mut(target)
                .and_then(|endpoint| endpoint.enis.first_mut())
            {
                if eni.groups.contains(&id) && eni.groups.len() > 1 {
                    eni.groups.retain(|group| *group != id);
                } else if !eni.groups.contains(&id) {
                    eni.groups.push(id.clone());
                }
            }
        }
        8 => {
            if endpoint_ids.is_empty() {
                return;
            }
            let target = &endpoint_ids[other % endpoint_ids.len()];
            if let Some(eni) = topology
                .endpoints
                .get_mut(target)
                .and_then(|endpoint| endpoint.enis.first_mut())
            {
                if let Some(ip) = eni.private_ips.first_mut() {
                    if ip.is_ipv4() {
                        *ip = host(rule).addr();
                    }
                }
            }
        }
        9 => {
            let vpcs: Vec<_> = topology.vpcs.keys().cloned().collect();
            if vpcs.is_empty() || endpoint_ids.is_empty() {
                return;
            }
            let target = &endpoint_ids[other % endpoint_ids.len()];
            if let Some(endpoint) = topology.endpoints.get_mut(target) {
                endpoint.vpc = Some(vpcs[rule % vpcs.len()].clone());
            }
        }
        10 => {
            if let Some(list) = topology.prefix_lists.values_mut().nth(other) {
                list.cidrs.push(host(rule));
            } else if let Some(vpc) = topology.vpcs.values_mut().nth(other % 2) {
                vpc.cidr = Some(host(rule).supernet().unwrap_or_default());
            }
        }
        _ => {
            if let Ok(rebuilt) = Matrix::from_parts(matrix.parts().owned()) {
                *matrix = rebuilt;
            }
            edit(topology, 0, group, rule, other);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// A chain of edits of every kind: each recompute (from a matrix that kept its build's
    /// state, or from one that did not) has the cells of a fresh build, and so does the group
    /// matrix derived from the previous one; a stale group side, answer or port set would show.
    #[test]
    fn chains_of_wider_edits_equal_fresh_builds(
        seed in any::<u64>(),
        shape in 0usize..Shape::ALL.len(),
        endpoints in 2usize..14,
        groups in 1usize..6,
        rules in 0usize..60,
        edits in prop::collection::vec(any::<(u8, usize, usize, usize)>(), 1..7),
    ) {
        let mut topology = generate(seed, &GenParams::of_shape(Shape::ALL[shape], endpoints, groups, rules));
        let mut matrix = matrix_with(&topology, &ALL_PROTOCOLS);
        let mut groups = group_matrix_of(&topology, &matrix);
        for (op, group, rule, other) in edits {
            let before = topology.clone();
            wider_edit(&mut topology, &mut matrix, op, group, rule, other);
            let reused = matrix_after_edit(&before, &matrix, &topology);
            let fresh = matrix_with(&topology, &ALL_PROTOCOLS);
            prop_assert_eq!(reused.class_count(), fresh.class_count());
            prop_assert_eq!(cells(&reused), cells(&fresh));
            let derived = group_matrix_after_edit(&before, &matrix, &groups, &topology, &reused);
            prop_assert_eq!(&derived, &group_matrix_of(&topology, &fresh));
            matrix = reused;
            groups = derived;
        }
    }
}

/// An ingress accept of every TCP port from `block` at the highest priority.
fn tcp_from(block: ipnet::IpNet) -> sglab_core::model::Rule {
    use sglab_core::model::{Direction, NicType, Peer, PortSpec, Rule};
    Rule {
        id: None,
        direction: Direction::Ingress,
        policy: Policy::Accept,
        priority: Priority::HIGHEST,
        protocol: Protocol::Tcp,
        ports: PortSpec::All,
        peer: Peer::Cidr(block),
        source_ports: None,
        local_cidr: None,
        nic_type: NicType::Intranet,
        description: String::new(),
    }
}

/// A rule added whose peer is a block no rule named before (an external host's own address):
/// the blocks the rules distinguish change, so the earlier build's address classes no longer
/// hold, and the matrix after the edit still has the cells of a fresh build.
#[test]
fn a_rule_naming_a_new_block_gives_the_cells_of_a_fresh_build() {
    use sglab_core::model::{EndpointKind, Peer};
    let mut checked = 0;
    for seed in 0..12u64 {
        let old = generate(seed, &GenParams::of_shape(Shape::Varied, 12, 4, 40));
        let Some(block) = old
            .endpoints
            .values()
            .find_map(|endpoint| match endpoint.kind {
                EndpointKind::External { cidr } => Some(cidr),
                _ => None,
            })
        else {
            continue;
        };
        let named = old
            .groups
            .values()
            .flat_map(|group| &group.rules)
            .any(|rule| rule.peer == Peer::Cidr(block));
        if named {
            continue;
        }
        let Some(group) = old.groups.keys().next().cloned() else {
            continue;
        };
        let mut new = old.clone();
        new.groups
            .get_mut(&group)
            .expect("the group")
            .rules
            .push(tcp_from(block));
        let matrix = matrix_with(&old, &ALL_PROTOCOLS);
        let reused = matrix_after_edit(&old, &matrix, &new);
        let fresh = matrix_with(&new, &ALL_PROTOCOLS);
        assert_eq!(cells(&reused), cells(&fresh), "seed {seed}, {block}");
        checked += 1;
    }
    assert!(
        checked > 0,
        "no topology had an external host no rule names"
    );
}

/// The rule that tells one instance of a class apart (a rule whose peer is its own address,
/// `/32`) made to name another instance of that class instead, and a rule naming a third added:
/// classes split and merge, the earlier matrix's classes no longer hold although some counts
/// may not change, and the matrix after the edit still has the cells of a fresh build.
#[test]
fn rules_splitting_and_merging_classes_give_the_cells_of_a_fresh_build() {
    use sglab_core::model::EndpointKind;
    let (mut moved, mut same_count) = (0, 0);
    for seed in 0..16u64 {
        let shape = Shape::ALL[seed as usize % Shape::ALL.len()];
        let base = generate(seed, &GenParams::of_shape(shape, 16, 3, 40));
        let matrix = matrix_with(&base, &ALL_PROTOCOLS);
        // Three instances of one class, by their first private address.
        let mut by_class: std::collections::BTreeMap<usize, Vec<ipnet::IpNet>> = Default::default();
        for endpoint in base.endpoints.values() {
            let address = endpoint
                .enis
                .first()
                .and_then(|eni| eni.private_ips.first());
            if let (EndpointKind::Ecs, Some(class), Some(address)) =
                (&endpoint.kind, matrix.class_of(&endpoint.id), address)
            {
                by_class
                    .entry(class)
                    .or_default()
                    .push(ipnet::IpNet::from(*address));
            }
        }
        let (Some(hosts), Some(group)) = (
            by_class.into_values().find(|hosts| hosts.len() >= 3),
            base.groups.keys().next().cloned(),
        ) else {
            continue;
        };
        let with = |rules: &[ipnet::IpNet]| {
            let mut topology = base.clone();
            let group = topology.groups.get_mut(&group).expect("the group");
            group
                .rules
                .extend(rules.iter().map(|block| tcp_from(*block)));
            topology
        };
        let old = with(&hosts[..1]);
        for new in [with(&hosts[1..2]), with(&hosts[1..3])] {
            let earlier = matrix_with(&old, &ALL_PROTOCOLS);
            let reused = matrix_after_edit(&old, &earlier, &new);
            let fresh = matrix_with(&new, &ALL_PROTOCOLS);
            assert_eq!(cells(&reused), cells(&fresh), "seed {seed}, {hosts:?}");
            same_count += usize::from(fresh.class_count() == earlier.class_count());
            moved += 1;
        }
    }
    assert!(
        moved > 4 && same_count > 2,
        "{moved} edits, {same_count} with as many classes"
    );
}

/// Every group's first ingress rule with the other policy, on topologies of more than one
/// block of 64 classes (the builder reads columns by blocks of 64): the pairs evaluated again
/// are every row towards the changed columns of each block, and the matrix after the edit has
/// the cells of a fresh build.
#[test]
fn ingress_edits_over_many_blocks_of_columns_give_the_cells_of_a_fresh_build() {
    let mut checked = 0;
    for seed in 0..3u64 {
        let old = generate(seed, &GenParams::of_shape(Shape::Varied, 160, 8, 200));
        let matrix = matrix_with(&old, &ALL_PROTOCOLS);
        assert!(
            matrix.class_count() > 64,
            "{} classes",
            matrix.class_count()
        );
        let mut new = old.clone();
        for group in new.groups.values_mut() {
            let ingress = group
                .rules
                .iter_mut()
                .find(|rule| rule.direction == sglab_core::model::Direction::Ingress);
            if let Some(rule) = ingress {
                rule.policy = match rule.policy {
                    Policy::Accept => Policy::Drop,
                    Policy::Drop => Policy::Accept,
                };
                checked += 1;
            }
        }
        let reused = matrix_after_edit(&old, &matrix, &new);
        let fresh = matrix_with(&new, &ALL_PROTOCOLS);
        assert_eq!(cells(&reused), cells(&fresh), "seed {seed}");
    }
    assert!(checked > 0);
}

/// A group's settings changed with its rules kept: its intra-group policy, its type, its
/// managing service. The group sides the earlier build made no longer decide alike (a basic group's members reach each other by its policy, a type
/// changes the defaults), so the matrix and the group matrix after the change are those of a
/// fresh build.
#[test]
fn a_group_setting_changed_gives_the_cells_of_a_fresh_build() {
    use sglab_core::model::{GroupType, InnerAccessPolicy};
    let mut checked = 0;
    for seed in 0..8u64 {
        let shape = Shape::ALL[seed as usize % Shape::ALL.len()];
        let old = generate(seed, &GenParams::of_shape(shape, 16, 4, 40));
        let matrix = matrix_with(&old, &ALL_PROTOCOLS);
        let groups = group_matrix_of(&old, &matrix);
        for (index, id) in old.groups.keys().enumerate() {
            for setting in 0..3 {
                let mut new = old.clone();
                let group = new.groups.get_mut(id).expect("the group");
                match setting {
                    0 => {
                        group.inner_access_policy = match group.inner_access_policy {
                            InnerAccessPolicy::Accept => InnerAccessPolicy::Drop,
                            InnerAccessPolicy::Drop => InnerAccessPolicy::Accept,
                        }
                    }
                    1 => {
                        group.group_type = match group.group_type {
                            GroupType::Basic => GroupType::Enterprise,
                            GroupType::Enterprise => GroupType::Basic,
                        }
                    }
                    _ => group.managed_by = Some(format!("service {index}")),
                }
                let reused = matrix_after_edit(&old, &matrix, &new);
                let fresh = matrix_with(&new, &ALL_PROTOCOLS);
                assert_eq!(
                    cells(&reused),
                    cells(&fresh),
                    "seed {seed}, {id}, {setting}"
                );
                assert_eq!(
                    group_matrix_after_edit(&old, &matrix, &groups, &new, &reused),
                    group_matrix_of(&new, &fresh),
                    "seed {seed}, {id}, {setting}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "{checked} settings changed");
}

/// The group matrix after an edit of one group's rules takes the cells of the pairs of buckets
/// the edit does not touch from the earlier group matrix, as they are: given an earlier group
/// matrix whose every cell counts a thousand pairs more, the cells it takes show it, and every
/// other cell is the fresh one.
#[test]
fn the_group_matrix_after_an_edit_takes_the_untouched_cells_as_they_are() {
    let (mut taken, mut made) = (0, 0);
    for seed in 0..6u64 {
        let shape = Shape::ALL[seed as usize % Shape::ALL.len()];
        let old = generate(seed, &GenParams::of_shape(shape, 20, 5, 60));
        let matrix = matrix_with(&old, &ALL_PROTOCOLS);
        let mut marked = group_matrix_of(&old, &matrix);
        for cell in &mut marked.cells {
            cell.pairs += 1000;
        }
        let mut new = old.clone();
        edit(&mut new, 0, seed as usize, 0, 0);
        let reused = matrix_after_edit(&old, &matrix, &new);
        let fresh = group_matrix_of(&new, &reused);
        let after = group_matrix_after_edit(&old, &matrix, &marked, &new, &reused);
        assert_eq!(after.cells.len(), fresh.cells.len(), "seed {seed}");
        for (got, expected) in after.cells.iter().zip(&fresh.cells) {
            if got.pairs == expected.pairs + 1000 {
                taken += 1;
                let mut unmarked = got.clone();
                unmarked.pairs -= 1000;
                assert_eq!(&unmarked, expected, "seed {seed}");
            } else {
                made += 1;
                assert_eq!(got, expected, "seed {seed}");
            }
        }
    }
    assert!(
        taken > 50 && made > 0,
        "{taken} cells taken, {made} made again"
    );
}
