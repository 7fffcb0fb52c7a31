//! The engine against the brute-force reference (`sglab_core::reference`) on structured random
//! topologies (`sglab_fuzz::topology`): one query through `eval::explain` (verdict, each side's
//! deciding decision, every blocker) and one cell of `matrix::matrix_with` (every port of
//! 1..=64, and the verdict at each boundary of the cell and of the rules) give the reference's
//! answers. Topologies the model's check refuses are skipped.
#![no_main]

use std::collections::BTreeSet;

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use sglab_core::diagnostic::Diagnostic;
use sglab_core::eval::{explain, Party};
use sglab_core::matrix::matrix_with;
use sglab_core::model::{PortRange, PortSpec, Topology, Verdict};
use sglab_core::reference::{reference_port_set_in, reference_verdict, Outcome, ReferenceBlocker};
use sglab_fuzz::PROTOCOLS;

/// Every port where a rule's range starts or ends, with neighbours, plus fixed ports.
fn rule_boundaries(topology: &Topology) -> BTreeSet<u16> {
    let mut ports: BTreeSet<u16> = [1, 2, 24, 25, 26, 64, 65, 65534, 65535].into();
    for rule in topology.groups.values().flat_map(|group| &group.rules) {
        if let PortSpec::Range(range) = rule.ports {
            for port in [
                range.start().saturating_sub(1),
                range.start(),
                range.end(),
                range.end().saturating_add(1),
            ] {
                ports.insert(port.max(1));
            }
        }
    }
    ports
}

fn check(u: &mut Unstructured) -> arbitrary::Result<()> {
    let topology = sglab_fuzz::topology(u)?;
    if sglab_core::validate::check(&topology)
        .iter()
        .any(Diagnostic::is_error)
    {
        return Ok(());
    }
    let mut parties: Vec<Party> = topology
        .endpoints
        .keys()
        .map(|id| Party::Endpoint(id.clone()))
        .collect();
    for address in ["198.51.100.77", "2001:db8::99", "10.0.0.250"] {
        parties.push(Party::Address(address.parse().expect("an address")));
    }
    let from = u.choose(&parties)?;
    let to = u.choose(&parties)?;
    let protocol = *u.choose(&PROTOCOLS)?;
    let boundaries: Vec<u16> = rule_boundaries(&topology).into_iter().collect();
    let port = if u.ratio(1, 4)? {
        None
    } else {
        Some(*u.choose(&boundaries)?)
    };
    let ours = explain(&topology, from, to, protocol, port);
    let theirs = reference_verdict(&topology, from, to, protocol, port);
    assert_eq!(ours.verdict, theirs.verdict);
    assert_eq!(Outcome::from(&ours.egress.decided_by), theirs.egress);
    assert_eq!(Outcome::from(&ours.ingress.decided_by), theirs.ingress);
    let blockers: Vec<ReferenceBlocker> =
        ours.blockers.iter().map(ReferenceBlocker::from).collect();
    assert_eq!(blockers, theirs.blockers);
    assert_eq!(ours.verdict == Verdict::Deny, !ours.blockers.is_empty());

    let matrix = matrix_with(&topology, &PROTOCOLS);
    let ids = matrix.endpoints();
    if ids.len() < 2 {
        return Ok(());
    }
    let from = ids[u.choose_index(ids.len())?].clone();
    let to = ids[u.choose_index(ids.len())?].clone();
    if from == to {
        return Ok(());
    }
    let protocol = *u.choose(&PROTOCOLS)?;
    let cell = matrix
        .cell(&from, &to, protocol)
        .expect("a cell of two endpoints")
        .to_vec();
    let (from, to) = (Party::Endpoint(from), Party::Endpoint(to));
    let universe = PortRange::new(1, 64).expect("a range");
    let clipped: Vec<PortRange> = cell
        .iter()
        .filter(|range| range.start() <= 64)
        .filter_map(|range| PortRange::new(range.start(), range.end().min(64)).ok())
        .collect();
    assert_eq!(
        clipped,
        reference_port_set_in(&topology, &from, &to, protocol, universe)
    );
    let mut probes = rule_boundaries(&topology);
    for range in &cell {
        probes.extend([range.start(), range.end(), range.end().saturating_add(1)]);
        probes.insert(range.start().saturating_sub(1).max(1));
    }
    for port in probes {
        let expected = reference_verdict(&topology, &from, &to, protocol, Some(port)).verdict;
        let allowed = cell.iter().any(|range| range.contains(port));
        assert_eq!(
            allowed,
            expected == Verdict::Allow,
            "{protocol} port {port}"
        );
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = check(&mut Unstructured::new(data));
});
