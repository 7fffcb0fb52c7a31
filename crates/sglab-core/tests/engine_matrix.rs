//! The class-based matrix against the pairwise port sets and the brute-force reference, on
//! topologies of every shape of the generator.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
mod oracle;
use oracle::buckets_of;

use sglab_core::eval::Party;
use sglab_core::generate::{generate, widen_enis, GenParams, Shape};
use sglab_core::matrix::{group_matrix_of, matrix, matrix_with, Bucket, Matrix};
use sglab_core::model::{PortRange, Protocol, Verdict};
use sglab_core::portset::port_set;
use sglab_core::reference::{reference_matrix, reference_port_set_in, reference_verdict};

const ALL_PROTOCOLS: [Protocol; 6] = [
    Protocol::Tcp,
    Protocol::Udp,
    Protocol::Icmp,
    Protocol::Icmpv6,
    Protocol::Gre,
    Protocol::All,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_500))]

    /// Every cell equals the port set of its pair, and a random cell equals the reference on
    /// 1..=64 and at its own boundaries.
    #[test]
    fn matrix_agrees_with_port_sets_and_reference(
        seed in any::<u64>(),
        shape in 0usize..Shape::ALL.len(),
        endpoints in 2usize..12,
        groups in 1usize..6,
        rules in 0usize..60,
        pick in any::<(usize, usize, usize)>(),
    ) {
        let topology = generate(seed, &GenParams::of_shape(Shape::ALL[shape], endpoints, groups, rules));
        let matrix = matrix_with(&topology, &ALL_PROTOCOLS);
        prop_assert!(matrix.class_count() <= topology.endpoints.len());
        for cell in matrix.cells() {
            let expected = port_set(
                &topology,
                &Party::Endpoint(cell.from.clone()),
                &Party::Endpoint(cell.to.clone()),
                cell.protocol,
            );
            let expected = expected.ranges();
            prop_assert_eq!(cell.allowed, expected.as_slice(), "{} -> {} {}", cell.from, cell.to, cell.protocol);
        }
        let ids = matrix.endpoints();
        let from = &ids[pick.0 % ids.len()];
        let to = &ids[pick.1 % ids.len()];
        prop_assume!(from != to);
        let protocol = ALL_PROTOCOLS[pick.2 % ALL_PROTOCOLS.len()];
        let cell = matrix.cell(from, to, protocol).unwrap();
        let (from, to) = (Party::Endpoint(from.clone()), Party::Endpoint(to.clone()));
        let universe = PortRange::new(1, 64).unwrap();
        let clipped: Vec<PortRange> = cell
            .iter()
            .filter(|range| range.start() <= 64)
            .map(|range| PortRange::new(range.start(), range.end().min(64)).unwrap())
            .collect();
        prop_assert_eq!(clipped, reference_port_set_in(&topology, &from, &to, protocol, universe));
        for range in cell {
            for port in [range.start(), range.end()] {
                let answer = reference_verdict(&topology, &from, &to, protocol, Some(port));
                prop_assert_eq!(answer.verdict, Verdict::Allow);
            }
            for port in [range.start().checked_sub(1), range.end().checked_add(1)].into_iter().flatten() {
                if port >= 1 && !cell.iter().any(|other| other.contains(port)) {
                    let answer = reference_verdict(&topology, &from, &to, protocol, Some(port));
                    prop_assert_eq!(answer.verdict, Verdict::Deny);
                }
            }
        }
    }
}

/// The whole matrix of a few small topologies equals the reference matrix port by port over
/// all of 1..=65535.
#[test]
fn matrix_equals_reference_matrix_on_every_port() {
    for seed in 0..3 {
        let topology = generate(seed, &GenParams::small(4, 3, 16));
        let ours = matrix(&topology);
        let theirs = reference_matrix(&topology, &[Protocol::Tcp, Protocol::Icmp]);
        for ((from, to, protocol), expected) in &theirs {
            assert_eq!(
                ours.cell(from, to, *protocol).unwrap(),
                expected.as_slice(),
                "seed {seed}: {from} -> {to} {protocol}"
            );
        }
    }
}

/// The same topology gives a byte-identical matrix.
#[test]
fn matrix_cells_are_deterministic() {
    let topology = generate(42, &GenParams::small(10, 4, 40));
    let first = serde_json::to_string(&matrix(&topology)).unwrap();
    let second = serde_json::to_string(&matrix(&topology)).unwrap();
    assert_eq!(first, second);
}

/// The group matrix counts, at every boundary port, the member pairs the matrix allows.
#[test]
fn group_matrix_counts_member_pairs() {
    for seed in 0..40 {
        let topology = generate(seed, &GenParams::small(10, 4, 40));
        let matrix = matrix(&topology);
        let groups = group_matrix_of(&topology, &matrix);
        let mut probes: BTreeSet<u16> = [1, 25, 65535].into();
        for cell in matrix.cells() {
            for range in cell.allowed {
                probes.insert(range.start());
                probes.insert(range.end());
                probes.insert(range.end().saturating_add(1));
            }
        }
        let mut expected: BTreeMap<(Bucket, Bucket, Protocol, u16), u64> = BTreeMap::new();
        let mut pairs: BTreeMap<(Bucket, Bucket), u64> = BTreeMap::new();
        for cell in matrix.cells() {
            for from in buckets_of(&topology, cell.from) {
                for to in buckets_of(&topology, cell.to) {
                    if cell.protocol == Protocol::Tcp {
                        *pairs.entry((from.clone(), to.clone())).or_default() += 1;
                    }
                    for port in &probes {
                        if cell.allowed.iter().any(|range| range.contains(*port)) {
                            *expected
                                .entry((from.clone(), to.clone(), cell.protocol, *port))
                                .or_default() += 1;
                        }
                    }
                }
            }
        }
        let mut actual: BTreeMap<(Bucket, Bucket, Protocol, u16), u64> = BTreeMap::new();
        for cell in &groups.cells {
            assert_eq!(
                Some(&cell.pairs),
                pairs.get(&(cell.from.clone(), cell.to.clone())),
                "seed {seed}"
            );
            for port in &probes {
                if let Some(range) = cell
                    .allowed
                    .iter()
                    .find(|range| range.ports.contains(*port))
                {
                    actual.insert(
                        (cell.from.clone(), cell.to.clone(), cell.protocol, *port),
                        range.pairs,
                    );
                }
            }
        }
        assert_eq!(actual, expected, "seed {seed}");
    }
}

/// The matrix of `topology` on every protocol, each of whose cells equals its pair's port set
/// (`context` says which topology in a failure).
fn assert_cells_are_port_sets(topology: &sglab_core::model::Topology, context: &str) -> Matrix {
    let matrix = matrix_with(topology, &ALL_PROTOCOLS);
    for cell in matrix.cells() {
        let expected = port_set(
            topology,
            &Party::Endpoint(cell.from.clone()),
            &Party::Endpoint(cell.to.clone()),
            cell.protocol,
        );
        assert_eq!(
            cell.allowed,
            expected.ranges().as_slice(),
            "{context}: {} -> {} {}",
            cell.from,
            cell.to,
            cell.protocol
        );
    }
    matrix
}

/// ENIs in four and five groups (the most an ENI may have): the memo of a side's answers by
/// its groups' answers has room for three, so sides of more groups are worked out each time;
/// every cell still equals the pair's port set.
#[test]
fn enis_in_four_and_five_groups_agree_with_port_sets() {
    let mut checked = 0;
    for seed in 0..12u64 {
        for width in [4usize, 5] {
            let mut topology = generate(seed, &GenParams::of_shape(Shape::Varied, 10, 8, 80));
            checked += widen_enis(&mut topology, |_| width);
            assert_cells_are_port_sets(&topology, &format!("seed {seed}, {width} groups"));
        }
    }
    assert!(checked > 0, "no ENI could take four or five groups");
}

/// Rules at the top of the port range (TCP 65535 alone, UDP 1 to 65534, and a drop of TCP
/// 65534 to 65535 below an accept of every port): the last port is decided like any other,
/// and every cell equals the pair's port set.
#[test]
fn the_last_port_is_decided_like_the_others() {
    use sglab_core::model::{Direction, NicType, Peer, Policy, PortSpec, Priority, Rule};
    let rule = |protocol, policy, priority: u32, start, end| Rule {
        id: None,
        direction: Direction::Ingress,
        policy,
        priority: Priority::new(priority).expect("a priority"),
        protocol,
        ports: PortSpec::Range(PortRange::new(start, end).expect("a range")),
        peer: Peer::Cidr("0.0.0.0/0".parse().expect("a block")),
        source_ports: None,
        local_cidr: None,
        nic_type: NicType::Intranet,
        description: String::new(),
    };
    let mut checked = 0;
    for seed in 0..6u64 {
        let mut topology = generate(seed, &GenParams::small(8, 3, 20));
        for (index, group) in topology.groups.values_mut().enumerate() {
            group.rules.push(match index % 3 {
                0 => rule(Protocol::Tcp, Policy::Accept, 1, 65535, 65535),
                1 => rule(Protocol::Udp, Policy::Accept, 1, 1, 65534),
                _ => rule(Protocol::Tcp, Policy::Drop, 1, 65534, 65535),
            });
            group
                .rules
                .push(rule(Protocol::Tcp, Policy::Accept, 2, 1, 65535));
        }
        let matrix = assert_cells_are_port_sets(&topology, &format!("seed {seed}"));
        for cell in matrix.cells() {
            checked += usize::from(cell.allowed.iter().any(|range| range.end() == 65535));
        }
    }
    assert!(checked > 0, "no cell allows the last port");
}

/// Rules with a local CIDR on dual-stack instances: every group takes a drop of every protocol
/// from the IPv4 internet to one member's own IPv4 address, and one of ICMPv6 from the IPv6
/// internet to its own IPv6 address, above its other rules. A target's IPv4 and IPv6 routes then read its groups'
/// ingress with different own addresses, and every cell still equals the pair's port set.
#[test]
fn local_cidrs_of_both_families_agree_with_port_sets() {
    use sglab_core::model::{Direction, NicType, Peer, Policy, PortSpec, Priority, Rule};
    let rule = |protocol, peer: &str, local: ipnet::IpNet| Rule {
        id: None,
        direction: Direction::Ingress,
        policy: Policy::Drop,
        priority: Priority::HIGHEST,
        protocol,
        ports: PortSpec::All,
        peer: Peer::Cidr(peer.parse().expect("a block")),
        source_ports: None,
        local_cidr: Some(local),
        nic_type: NicType::Intranet,
        description: String::new(),
    };
    let mut checked = 0;
    for seed in 0..6u64 {
        let mut topology = generate(seed, &GenParams::of_shape(Shape::DualStack, 12, 3, 30));
        // Each group's first member with addresses of both families.
        let mut locals = Vec::new();
        for (id, _) in topology.groups.iter() {
            let member = topology.endpoints.values().find_map(|endpoint| {
                let eni = endpoint.enis.iter().find(|eni| eni.groups.contains(id))?;
                let v4 = eni.private_ips.iter().find(|ip| ip.is_ipv4())?;
                let v6 = eni.private_ips.iter().find(|ip| ip.is_ipv6())?;
                Some((ipnet::IpNet::from(*v4), ipnet::IpNet::from(*v6)))
            });
            if let Some(member) = member {
                locals.push((id.clone(), member));
            }
        }
        for (id, (v4, v6)) in locals {
            let group = topology.groups.get_mut(&id).expect("the group");
            group.rules.push(rule(Protocol::All, "0.0.0.0/0", v4));
            group.rules.push(rule(Protocol::Icmpv6, "::/0", v6));
            checked += 1;
        }
        assert_cells_are_port_sets(&topology, &format!("seed {seed}"));
    }
    assert!(checked > 0, "no group had a dual-stack member");
}

/// Group sides of more than 64 rules (the rules a peer satisfies are bitsets of 64-bit
/// words): every group takes 80 more rules in each direction, each a TCP port of its own,
/// accept and drop in turn, naming in turn an endpoint's own address and another group; every
/// cell still equals the pair's port set.
#[test]
fn group_sides_of_more_than_64_rules_agree_with_port_sets() {
    use sglab_core::model::{Direction, NicType, Peer, Policy, PortSpec, Priority, Rule};
    let mut checked = 0;
    for seed in 0..4u64 {
        let mut topology = generate(seed, &GenParams::of_shape(Shape::Varied, 16, 4, 40));
        let hosts: Vec<ipnet::IpNet> = topology
            .endpoints
            .values()
            .flat_map(|endpoint| &endpoint.enis)
            .flat_map(|eni| &eni.private_ips)
            .map(|address| ipnet::IpNet::from(*address))
            .collect();
        let groups: Vec<_> = topology.groups.keys().cloned().collect();
        if hosts.is_empty() {
            continue;
        }
        for group in topology.groups.values_mut() {
            for index in 0..160usize {
                let peer = if index % 2 == 0 {
                    Peer::Cidr(hosts[index / 2 % hosts.len()])
                } else {
                    Peer::Group {
                        id: groups[index / 2 % groups.len()].clone(),
                        owner_account: None,
                    }
                };
                let port = 1000 + index as u16 / 2;
                group.rules.push(Rule {
                    id: None,
                    direction: if index < 80 {
                        Direction::Ingress
                    } else {
                        Direction::Egress
                    },
                    policy: if index % 4 < 2 {
                        Policy::Accept
                    } else {
                        Policy::Drop
                    },
                    priority: Priority::new(1 + (index % 7) as u32).expect("a priority"),
                    protocol: Protocol::Tcp,
                    ports: PortSpec::Range(PortRange::new(port, port).expect("a port")),
                    peer,
                    source_ports: None,
                    local_cidr: None,
                    nic_type: NicType::Intranet,
                    description: String::new(),
                });
            }
            checked += 1;
        }
        assert_cells_are_port_sets(&topology, &format!("seed {seed}"));
    }
    assert!(checked > 0);
}
