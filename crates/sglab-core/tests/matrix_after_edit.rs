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
