//! The compare mode's view model against the core's diff: every change read back from the
//! rows, the words of the counts, and the rows' bytes.

use std::collections::BTreeMap;

use super::*;
use sglab_core::edit::{apply, Edit};
use sglab_core::model::{Peer, PortRange, PortSpec};

#[test]
fn a_port_opened_marks_its_pair_and_undoing_it_is_equivalent() {
    let baseline = crate::engine::example("ai-gateway").unwrap_or_default();
    assert!(compare(&baseline, &baseline).is_equivalent());
    assert_eq!(compare(&baseline, &baseline), Compare::identical());
    let mut current = baseline.clone();
    let (group, index, mut rule) = current
        .groups
        .values()
        .filter(|group| group.managed_by.is_none())
        .find_map(|group| {
            group
                .rules
                .iter()
                .position(|rule| {
                    rule.protocol == Protocol::Tcp && matches!(rule.peer, Peer::Group { .. })
                })
                .map(|index| (group.id.clone(), index, group.rules[index].clone()))
        })
        .expect("the example has a group rule");
    rule.ports = PortSpec::Range(PortRange::new(1, 65535).expect("a range"));
    apply(&mut current, &Edit::SetRule { group, index, rule }).expect("the edit applies");
    let result = compare(&baseline, &current);
    assert_eq!(result.verdict(), "more-permissive");
    let change = result.pairs().next().expect("a changed pair");
    assert_eq!(change.kind(), "opened");
    assert!(change.label().starts_with("+tcp"), "{}", change.label());
    assert_eq!(result.pair(change.from, change.to), Some(change));
    let sides = result
        .change(change.from, change.to, Protocol::Tcp)
        .expect("the pair's tcp change");
    assert_ne!(sides.before, sides.after);
    assert!(result.summary().contains("pair"));
}

/// Every change of the core's diff reads back from the compact rows: its pair's words
/// (every protocol's ports, opened and closed) and its before and after; every other pair
/// and protocol reads as unchanged.
#[test]
fn every_change_reads_back_from_the_rows() {
    use sglab_core::generate::{generate, GenParams, Shape};
    let mut checked = 0;
    for (seed, shape) in [(1, Shape::Roles), (2, Shape::Varied), (3, Shape::DualStack)] {
        let baseline = generate(seed, &GenParams::of_shape(shape, 60, 8, 240));
        let with_rules: Vec<_> = baseline
            .groups
            .values()
            .filter(|group| !group.rules.is_empty() && group.managed_by.is_none())
            .map(|group| group.id.clone())
            .collect();
        // The first replacement of one group's rules by another's that changes something.
        let (current, diff) = with_rules
            .iter()
            .flat_map(|first| with_rules.iter().map(move |second| (first, second)))
            .filter(|(first, second)| first != second)
            .map(|(first, second)| {
                let mut current = baseline.clone();
                let rules = current.groups[second].rules.clone();
                if let Some(group) = current.groups.get_mut(first) {
                    group.rules = rules;
                }
                let diff = sglab_core::diff::diff(&baseline, &current);
                (current, diff)
            })
            .find(|(_, diff)| diff.changes.len() > 20)
            .expect("some replacement changes something");
        let result = compare(&baseline, &current);
        assert!(
            !diff.changes.is_empty(),
            "{shape:?}: the change changes something"
        );
        let mut expected: BTreeMap<(&EndpointId, &EndpointId), PairWords> = BTreeMap::new();
        for (change, decided) in diff.changes.iter_decided() {
            let words = expected.entry((change.from, change.to)).or_default();
            if !change.opened.is_empty() {
                words.opened.push(ports_words(change, change.opened));
            }
            if !change.closed.is_empty() {
                words.closed.push(ports_words(change, change.closed));
            }
            let sides = result
                .change(change.from, change.to, change.protocol)
                .expect("every change is in the rows");
            assert_eq!(sides.before, &deciding_words(decided.before.as_deref()));
            assert_eq!(sides.after, &deciding_words(decided.after.as_deref()));
            checked += 1;
        }
        let read: BTreeMap<(&EndpointId, &EndpointId), PairWords> = result
            .pairs()
            .map(|pair| ((pair.from, pair.to), pair.words.clone()))
            .collect();
        assert_eq!(read, expected);
        assert_eq!(result.pair_count(), expected.len());
        assert_eq!(result.group_total, diff.rollup.len());
        assert_eq!(
            result.groups.len(),
            diff.rollup.len().min(GROUP_CHANGES_SHOWN)
        );
        for (row, words) in diff.rollup.iter().zip(&result.groups) {
            assert_eq!(words.from, bucket_words(&row.from));
            assert_eq!(words.to, bucket_words(&row.to));
            assert_eq!(
                (words.pairs_opened, words.pairs_closed),
                (row.pairs_opened, row.pairs_closed)
            );
            assert_eq!(words.opened.is_empty(), row.opened.is_empty());
            assert_eq!(words.closed.is_empty(), row.closed.is_empty());
        }
        for from in baseline.endpoints.keys() {
            for to in baseline.endpoints.keys() {
                let changed = expected.contains_key(&(from, to));
                assert_eq!(result.pair(from, to).is_some(), changed, "{from} -> {to}");
                for protocol in DIFF_PROTOCOLS {
                    let listed = diff
                        .changes
                        .iter()
                        .any(|c| c.from == from && c.to == to && c.protocol == protocol);
                    assert_eq!(result.change(from, to, protocol).is_some(), listed);
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} changes checked");
}

#[test]
fn the_comparison_travels_as_json_unchanged() {
    let baseline = crate::engine::example("ai-gateway").unwrap_or_default();
    let result = compare(&baseline, &Topology::default());
    assert!(result.pair_count() > 0);
    let json = serde_json::to_string(&result).expect("serialises");
    let back: Compare = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back, result);
}

#[test]
fn counts_set_their_thousands_apart() {
    let ports = BTreeMap::from([(Protocol::Tcp, 68_065_063_256), (Protocol::Icmp, 3)]);
    assert_eq!(
        summary_words(
            &Counts {
                pairs_opened: 1_096_326,
                ports_opened: ports,
                pairs_closed: 1,
                ports_closed: BTreeMap::new(),
            },
            10
        ),
        "1,096,326 pairs opened (tcp 68,065,063,256 ports, icmp on 3 pairs), 1 pair closed; 10 rule changes"
    );
    assert_eq!(grouped(0), "0");
    assert_eq!(grouped(999), "999");
    assert_eq!(grouped(1_000), "1,000");
    assert_eq!(grouped(100_000), "100,000");
}

#[test]
fn rows_of_a_broken_length_are_refused() {
    let mut json: serde_json::Value =
        serde_json::to_value(Compare::identical()).expect("serialises");
    json["pairs"] = serde_json::json!([1, 2, 3]);
    let error = serde_json::from_value::<Compare>(json).expect_err("three bytes are refused");
    assert!(error.to_string().contains("3 bytes"), "{error}");
}
