//! The engine against the brute-force reference evaluator on random topologies.
//!
//! Topologies come from `generate::GenParams::small`: most rule ports fall in 1..=64, so the
//! reference can check every port of that universe, and the rest of 1..=65535 is covered by
//! checking every rule boundary (the answer can only change at one), every boundary of the
//! engine's answer, and their neighbours. The properties together run 10,000 cases.

use std::collections::BTreeSet;

use proptest::prelude::*;
use sglab_core::eval::{explain, Party};
use sglab_core::generate::{generate, GenParams};
use sglab_core::model::{PortRange, PortSpec, Protocol, Topology, Verdict};
use sglab_core::portset::port_set;
use sglab_core::reference::{reference_port_set_in, reference_verdict, Outcome, ReferenceBlocker};

const PROTOCOLS: [Protocol; 6] = [
    Protocol::Tcp,
    Protocol::Udp,
    Protocol::Icmp,
    Protocol::Icmpv6,
    Protocol::Gre,
    Protocol::All,
];

/// Endpoints (each three times, so that they are picked more often) plus ad-hoc hosts: an
/// internet address, an IPv6 one, and an unknown private one.
fn parties(topology: &Topology) -> Vec<Party> {
    let mut parties: Vec<Party> = topology
        .endpoints
        .keys()
        .flat_map(|id| std::iter::repeat_n(Party::Endpoint(id.clone()), 3))
        .collect();
    parties.push(Party::Address("198.51.100.77".parse().expect("an address")));
    parties.push(Party::Address("2001:db8::99".parse().expect("an address")));
    parties.push(Party::Address("10.0.0.250".parse().expect("an address")));
    parties
}

/// Every port where some rule's range starts or ends, with neighbours, plus fixed ports.
fn rule_boundaries(topology: &Topology) -> BTreeSet<u16> {
    let mut ports: BTreeSet<u16> = [1, 2, 24, 25, 26, 64, 65, 65534, 65535].into();
    for group in topology.groups.values() {
        for rule in &group.rules {
            if let PortSpec::Range(range) = rule.ports {
                for port in [
                    range.start().saturating_sub(1),
                    range.start(),
                    range.end(),
                    range.end().saturating_add(1),
                ] {
                    if port >= 1 {
                        ports.insert(port);
                    }
                }
            }
        }
    }
    ports
}

fn topology(seed: u64, endpoints: usize, groups: usize, rules: usize) -> Topology {
    generate(seed, &GenParams::small(endpoints, groups, rules))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5_000))]

    /// Verdict, deciding decision of each side and every blocker agree at one port.
    #[test]
    fn explain_agrees_with_reference(
        seed in any::<u64>(),
        endpoints in 2usize..10,
        groups in 1usize..6,
        rules in 0usize..60,
        pick in any::<(usize, usize, usize, usize)>(),
    ) {
        let topology = topology(seed, endpoints, groups, rules);
        let parties = parties(&topology);
        let from = &parties[pick.0 % parties.len()];
        let to = &parties[pick.1 % parties.len()];
        let protocol = PROTOCOLS[pick.2 % PROTOCOLS.len()];
        let boundaries: Vec<u16> = rule_boundaries(&topology).into_iter().collect();
        let port = match pick.3 % 4 {
            0 => None,
            _ => Some(boundaries[pick.3 % boundaries.len()]),
        };
        let ours = explain(&topology, from, to, protocol, port);
        let theirs = reference_verdict(&topology, from, to, protocol, port);
        prop_assert_eq!(ours.verdict, theirs.verdict);
        prop_assert_eq!(Outcome::from(&ours.egress.decided_by), theirs.egress.clone());
        prop_assert_eq!(Outcome::from(&ours.ingress.decided_by), theirs.ingress.clone());
        let blockers: Vec<ReferenceBlocker> =
            ours.blockers.iter().map(ReferenceBlocker::from).collect();
        prop_assert_eq!(&blockers, &theirs.blockers);
        prop_assert_eq!(ours.egress.verdict, theirs.egress.verdict());
        prop_assert_eq!(ours.ingress.verdict, theirs.ingress.verdict());
        if ours.verdict == Verdict::Deny {
            prop_assert!(!ours.blockers.is_empty());
        } else {
            prop_assert!(ours.blockers.is_empty());
        }
    }

    /// The port set equals the reference on every port of 1..=64 and at every boundary of
    /// 1..=65535, decisions included.
    #[test]
    fn port_set_agrees_with_reference(
        seed in any::<u64>(),
        endpoints in 2usize..10,
        groups in 1usize..6,
        rules in 0usize..60,
        pick in any::<(usize, usize, usize)>(),
    ) {
        let topology = topology(seed, endpoints, groups, rules);
        let parties = parties(&topology);
        let from = &parties[pick.0 % parties.len()];
        let to = &parties[pick.1 % parties.len()];
        let protocol = [Protocol::Tcp, Protocol::Tcp, Protocol::Udp, Protocol::Icmp][pick.2 % 4];
        let ours = port_set(&topology, from, to, protocol);

        // Sorted, non-overlapping.
        for pair in ours.allowed.windows(2) {
            prop_assert!(pair[0].ports.end() < pair[1].ports.start());
        }
        let universe = PortRange::new(1, 64).unwrap();
        let clipped: Vec<PortRange> = ours
            .ranges()
            .into_iter()
            .filter(|range| range.start() <= 64)
            .map(|range| PortRange::new(range.start(), range.end().min(64)).unwrap())
            .collect();
        let expected = reference_port_set_in(&topology, from, to, protocol, universe);
        prop_assert_eq!(&clipped, &expected);

        let mut probes = rule_boundaries(&topology);
        for entry in &ours.allowed {
            for port in [entry.ports.start(), entry.ports.end()] {
                probes.insert(port);
                probes.insert(port.saturating_sub(1).max(1));
                probes.insert(port.saturating_add(1));
            }
        }
        for port in probes {
            let theirs = reference_verdict(&topology, from, to, protocol, Some(port));
            let entry = ours.allowed.iter().find(|entry| entry.ports.contains(port));
            prop_assert_eq!(entry.is_some(), theirs.verdict == Verdict::Allow, "port {}", port);
            if let Some(entry) = entry {
                prop_assert_eq!(Outcome::from(&entry.egress), theirs.egress.clone(), "port {}", port);
                prop_assert_eq!(Outcome::from(&entry.ingress), theirs.ingress.clone(), "port {}", port);
            }
            if protocol.has_ports() {
                let explained = explain(&topology, from, to, protocol, Some(port));
                prop_assert_eq!(explained.verdict, theirs.verdict, "port {}", port);
            }
        }
    }
}

/// The generated topologies exercise every kind of decision, so the properties above are not
/// vacuous.
#[test]
fn generated_topologies_exercise_every_decision() {
    use sglab_core::explain::Decision;
    use sglab_core::model::Policy;
    use std::collections::BTreeMap;

    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for seed in 0..300 {
        let topology = topology(seed, 8, 4, 30);
        let parties = parties(&topology);
        for (index, from) in parties.iter().enumerate() {
            let to = &parties[(index * 7 + seed as usize) % parties.len()];
            for protocol in [Protocol::Tcp, Protocol::Icmp] {
                let explanation = explain(&topology, from, to, protocol, Some(10));
                for decision in [
                    &explanation.egress.decided_by,
                    &explanation.ingress.decided_by,
                ] {
                    let name = match decision {
                        Decision::Rule(rule) if rule.policy == Policy::Accept => {
                            "rule accept".to_owned()
                        }
                        Decision::Rule(_) => "rule drop".to_owned(),
                        Decision::Default { verdict, .. } => format!("default {verdict}"),
                        other => other.kind().to_owned(),
                    };
                    *seen.entry(name).or_default() += 1;
                }
            }
        }
    }
    for kind in [
        "rule accept",
        "rule drop",
        "default allow",
        "default deny",
        "intra-group",
        "platform",
        "not-applicable",
    ] {
        assert!(
            seen.get(kind).copied().unwrap_or(0) >= 20,
            "{kind} seen too rarely: {seen:?}"
        );
    }
}
