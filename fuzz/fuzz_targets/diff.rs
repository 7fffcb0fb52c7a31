//! The diff (`diff::diff`) of a structured random topology and a copy changed by up to 4 edits
//! (`sglab_fuzz::edit` through `edit::apply`), against the two matrices of the topologies with
//! the same synthetic external peers, compared cell by cell: every pair and protocol whose
//! cells differ is listed once with exactly the ports opened and closed, no other, the verdict
//! and the pair counts follow, and every change's deciding decisions before and after, words
//! included, are those `explain` gives on each side at the change's port. Topologies the
//! model's check refuses are skipped.
#![no_main]

use std::collections::{BTreeMap, BTreeSet};

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use sglab_core::diagnostic::Diagnostic;
use sglab_core::diff::{
    diff, external_blocks, with_external_peers, Deciding, Diff, Verdict, DIFF_PROTOCOLS,
};
use sglab_core::eval::{explain, Party};
use sglab_core::matrix::matrix_with;
use sglab_core::model::{EndpointId, PortRange, Protocol, Topology};

/// The changes by (source, target, protocol): ports opened and ports closed.
type Cells = BTreeMap<(EndpointId, EndpointId, Protocol), (Vec<PortRange>, Vec<PortRange>)>;

fn valid(topology: &Topology) -> bool {
    !sglab_core::validate::check(topology)
        .iter()
        .any(Diagnostic::is_error)
}

/// The ports of `a` not in `b`, by a sweep over the ranges' boundaries (independent of the
/// diff's own difference).
fn minus(a: &[PortRange], b: &[PortRange]) -> Vec<PortRange> {
    let inside = |ranges: &[PortRange], port: u16| ranges.iter().any(|r| r.contains(port));
    let mut points: BTreeSet<u16> = [1].into();
    for range in a.iter().chain(b) {
        points.insert(range.start());
        if range.end() < u16::MAX {
            points.insert(range.end() + 1);
        }
    }
    let points: Vec<u16> = points.into_iter().collect();
    let mut out: Vec<PortRange> = Vec::new();
    for (index, &start) in points.iter().enumerate() {
        let end = points.get(index + 1).map_or(u16::MAX, |next| next - 1);
        if !(inside(a, start) && !inside(b, start)) {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.end().checked_add(1) == Some(start) => {
                *last = PortRange::new(last.start(), end).expect("a range");
            }
            _ => out.push(PortRange::new(start, end).expect("a range")),
        }
    }
    out
}

/// Every change's deciding decisions before and after, as `explain` gives them on each side
/// (with the external blocks as endpoints); none where the source or the target is absent.
fn check_decisions(old: &Topology, new: &Topology, found: &Diff) {
    let blocks: BTreeSet<EndpointId> = found
        .external_peers
        .iter()
        .map(|block| EndpointId(block.to_string()))
        .collect();
    let sides = [
        (old, with_external_peers(old, &found.external_peers)),
        (new, with_external_peers(new, &found.external_peers)),
    ];
    for (change, decided) in found.changes.iter_decided() {
        for ((topology, full), deciding) in sides.iter().zip([&decided.before, &decided.after]) {
            let present =
                |id: &EndpointId| topology.endpoints.contains_key(id) || blocks.contains(id);
            let expected = (present(&change.from) && present(&change.to)).then(|| {
                let port = change
                    .opened
                    .first()
                    .or(change.closed.first())
                    .filter(|_| change.protocol.has_ports())
                    .map(|range| range.start());
                let explanation = explain(
                    full,
                    &Party::Endpoint(change.from.clone()),
                    &Party::Endpoint(change.to.clone()),
                    change.protocol,
                    port,
                );
                Deciding {
                    port: explanation.port,
                    verdict: explanation.verdict,
                    egress: explanation.egress.decided_by,
                    ingress: explanation.ingress.decided_by,
                }
            });
            assert_eq!(
                deciding.as_deref(),
                expected.as_ref(),
                "{} -> {} {}: the deciding decisions differ from explain's",
                change.from,
                change.to,
                change.protocol
            );
        }
    }
}

fn check(u: &mut Unstructured) -> arbitrary::Result<()> {
    let old = sglab_fuzz::topology(u)?;
    if !valid(&old) {
        return Ok(());
    }
    let mut new = old.clone();
    for _ in 0..u.int_in_range(0..=4)? {
        let edit = sglab_fuzz::edit(u, &new)?;
        let _ = sglab_core::edit::apply(&mut new, &edit);
    }
    if !valid(&new) {
        return Ok(());
    }
    let found = diff(&old, &new);
    let blocks = external_blocks(&old, &new);
    assert_eq!(found.external_peers, blocks);
    let before = matrix_with(&with_external_peers(&old, &blocks), &DIFF_PROTOCOLS);
    let after = matrix_with(&with_external_peers(&new, &blocks), &DIFF_PROTOCOLS);
    let ids: BTreeSet<&EndpointId> = before.endpoints().iter().chain(after.endpoints()).collect();
    let mut expected: Cells = BTreeMap::new();
    for from in &ids {
        for to in &ids {
            if from == to {
                continue;
            }
            for protocol in DIFF_PROTOCOLS {
                let a = before.cell(from, to, protocol).unwrap_or(&[]);
                let b = after.cell(from, to, protocol).unwrap_or(&[]);
                let (opened, closed) = (minus(b, a), minus(a, b));
                if !opened.is_empty() || !closed.is_empty() {
                    expected.insert(((*from).clone(), (*to).clone(), protocol), (opened, closed));
                }
            }
        }
    }
    let actual: Cells = found
        .changes
        .iter()
        .map(|change| {
            (
                (change.from.clone(), change.to.clone(), change.protocol),
                (change.opened.to_vec(), change.closed.to_vec()),
            )
        })
        .collect();
    assert_eq!(
        actual.len(),
        found.changes.len(),
        "a pair and protocol is listed twice"
    );
    assert_eq!(
        actual, expected,
        "the diff's changes differ from the matrices'"
    );
    let opened = expected.values().any(|(opened, _)| !opened.is_empty());
    let closed = expected.values().any(|(_, closed)| !closed.is_empty());
    assert_eq!(found.verdict, Verdict::of(opened, closed));
    let pairs = |opened: bool| -> u64 {
        let set: BTreeSet<_> = expected
            .iter()
            .filter(|(_, (o, c))| if opened { !o.is_empty() } else { !c.is_empty() })
            .map(|((from, to, _), _)| (from, to))
            .collect();
        set.len() as u64
    };
    assert_eq!(found.counts.pairs_opened, pairs(true));
    assert_eq!(found.counts.pairs_closed, pairs(false));
    check_decisions(&old, &new, &found);
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = check(&mut Unstructured::new(data));
});
