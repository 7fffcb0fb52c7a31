//! `diff(old, new)` against the two matrices compared cell by cell and against the brute-force
//! reference, on topologies of every shape of the generator edited at random through
//! `edit::apply`; and the diff corpus (`tests/diffs/` at the workspace root).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde::Deserialize;
use sglab_core::diff::{
    diff, external_blocks, with_external_peers, Deciding, Diff, GroupPairChange, Verdict,
    DIFF_PROTOCOLS,
};
use sglab_core::edit::{apply, Edit, NewEndpoint};
use sglab_core::eval::{explain, filtering_groups, Party};
use sglab_core::generate::{generate, GenParams, Shape};
use sglab_core::load::parse_sglab;
use sglab_core::matrix::{matrix_with, Bucket};
use sglab_core::model::{
    EndpointId, GatewayKind, GroupId, GroupType, InnerAccessPolicy, NetworkMode, Peer, Policy,
    PortRange, PortSpec, Priority, Protocol, Topology,
};
use sglab_core::reference::reference_port_set_in;

/// One random edit through `edit::apply`: flip a rule's policy, change its priority or ports,
/// delete it, copy it into another group, open a port to the internet, add an instance.
fn edit(topology: &mut Topology, op: u8, group: usize, rule: usize, other: usize) {
    let ids: Vec<_> = topology.groups.keys().cloned().collect();
    if ids.is_empty() {
        return;
    }
    let id = ids[group % ids.len()].clone();
    let target = ids[other % ids.len()].clone();
    let rules = topology.groups[&id].rules.clone();
    let edit = match (op % 7, rules.is_empty()) {
        (5, _) => {
            let mut opened = sglab_core::model::Rule {
                id: None,
                direction: sglab_core::model::Direction::Ingress,
                policy: Policy::Accept,
                priority: Priority::HIGHEST,
                protocol: Protocol::Tcp,
                ports: PortSpec::Range(PortRange::new(22, 22).expect("well-formed test data")),
                peer: Peer::Cidr("0.0.0.0/0".parse().expect("well-formed test data")),
                source_ports: None,
                local_cidr: None,
                nic_type: sglab_core::model::NicType::Intranet,
                description: String::new(),
            };
            if other.is_multiple_of(2) {
                opened.priority =
                    Priority::new(1 + (other % 100) as u32).expect("well-formed test data");
            }
            Edit::AddRule {
                group: id,
                rule: opened,
            }
        }
        (6, _) => Edit::AddEndpoint(NewEndpoint::Ecs { group: id }),
        (_, true) => return,
        (op, false) => {
            let index = rule % rules.len();
            let mut changed = rules[index].clone();
            match op {
                0 => {
                    changed.policy = match changed.policy {
                        Policy::Accept => Policy::Drop,
                        Policy::Drop => Policy::Accept,
                    }
                }
                1 => {
                    let priority = (other % 100) as u32 + 1;
                    changed.priority = Priority::new(priority).unwrap_or(Priority::HIGHEST);
                }
                2 if changed.protocol.has_ports() => {
                    let start = (other % 60) as u16 + 1;
                    changed.ports = PortSpec::Range(
                        PortRange::new(start, start + 4).expect("well-formed test data"),
                    );
                }
                3 => return drop(apply(topology, &Edit::DeleteRule { group: id, index })),
                _ => {
                    return drop(apply(
                        topology,
                        &Edit::AddRule {
                            group: target,
                            rule: changed,
                        },
                    ))
                }
            }
            Edit::SetRule {
                group: id,
                index,
                rule: changed,
            }
        }
    };
    let _ = apply(topology, &edit);
}

/// One random edit of something else than a rule's fields, each a way for a wrong dirty set to
/// miss a changed cell: a rule added to a group without members, a prefix list's entries, an
/// endpoint's addresses or groups, a group's InnerAccessPolicy or type, a VPC's CIDR, a
/// cluster's network mode, a gateway added or authorized, an endpoint deleted, and a rule
/// moved to the end of its group.
fn structural_edit(topology: &mut Topology, op: u8, pick: usize, other: usize) {
    let group_ids: Vec<_> = topology.groups.keys().cloned().collect();
    let endpoint_ids: Vec<_> = topology.endpoints.keys().cloned().collect();
    let vpc_ids: Vec<_> = topology.vpcs.keys().cloned().collect();
    let nth = |len: usize, at: usize| (len > 0).then(|| at % len);
    let block = |n: usize| -> ipnet::IpNet {
        format!("203.0.{}.0/24", n % 4)
            .parse()
            .expect("well-formed test data")
    };
    let edit = match op % 11 {
        0 => {
            // A rule in a fresh group nobody is in.
            let Some(vpc) = nth(vpc_ids.len(), pick).map(|i| vpc_ids[i].clone()) else {
                return;
            };
            let before: BTreeSet<_> = topology.groups.keys().cloned().collect();
            if apply(
                topology,
                &Edit::AddGroup {
                    vpc,
                    group_type: GroupType::Basic,
                },
            )
            .is_err()
            {
                return;
            }
            let Some(group) = topology
                .groups
                .keys()
                .find(|id| !before.contains(*id))
                .cloned()
            else {
                return;
            };
            let mut rule = open_rule(other);
            rule.peer = Peer::Cidr(block(other));
            Edit::AddRule { group, rule }
        }
        1 => {
            let lists: Vec<_> = topology.prefix_lists.values().cloned().collect();
            let Some(mut list) = nth(lists.len(), pick).map(|i| lists[i].clone()) else {
                return;
            };
            if other.is_multiple_of(2) && !list.cidrs.is_empty() {
                list.cidrs.remove(other % list.cidrs.len());
            } else {
                list.cidrs.push(block(other));
            }
            Edit::SetPrefixList(list)
        }
        2 | 3 => {
            let Some(id) = nth(endpoint_ids.len(), pick).map(|i| endpoint_ids[i].clone()) else {
                return;
            };
            let mut endpoint = topology.endpoints[&id].clone();
            if op % 11 == 2 {
                endpoint.public_ip = match endpoint.public_ip {
                    Some(_) if other.is_multiple_of(2) => None,
                    _ => Some(
                        format!("198.51.100.{}", 1 + other % 200)
                            .parse()
                            .expect("well-formed test data"),
                    ),
                };
            } else {
                let same_vpc: Vec<_> = topology
                    .groups
                    .values()
                    .filter(|group| Some(&group.vpc) == endpoint.vpc.as_ref())
                    .map(|group| group.id.clone())
                    .collect();
                let Some(eni) = endpoint.enis.first_mut() else {
                    return;
                };
                let Some(group) = nth(same_vpc.len(), other).map(|i| same_vpc[i].clone()) else {
                    return;
                };
                if eni.groups.contains(&group) && eni.groups.len() > 1 {
                    eni.groups.retain(|g| *g != group);
                } else if !eni.groups.contains(&group) {
                    eni.groups.push(group);
                }
            }
            Edit::SetEndpoint(endpoint)
        }
        4 | 5 => {
            let Some(id) = nth(group_ids.len(), pick).map(|i| group_ids[i].clone()) else {
                return;
            };
            let mut group = topology.groups[&id].clone();
            if op % 11 == 4 {
                group.inner_access_policy = match group.inner_access_policy {
                    InnerAccessPolicy::Accept => InnerAccessPolicy::Drop,
                    InnerAccessPolicy::Drop => InnerAccessPolicy::Accept,
                };
            } else {
                group.group_type = match group.group_type {
                    GroupType::Basic => GroupType::Enterprise,
                    GroupType::Enterprise => GroupType::Basic,
                };
            }
            Edit::SetGroup(group)
        }
        6 => {
            let Some(id) = nth(vpc_ids.len(), pick).map(|i| vpc_ids[i].clone()) else {
                return;
            };
            let mut vpc = topology.vpcs[&id].clone();
            vpc.cidr = match vpc.cidr {
                Some(cidr) if cidr.prefix_len() > 8 => cidr.supernet(),
                _ => Some("10.0.0.0/8".parse().expect("well-formed test data")),
            };
            Edit::SetVpc(vpc)
        }
        7 => {
            let clusters: Vec<_> = topology.clusters.values().cloned().collect();
            let Some(mut cluster) = nth(clusters.len(), pick).map(|i| clusters[i].clone()) else {
                return;
            };
            cluster.network_mode = match (cluster.network_mode, other % 2) {
                (NetworkMode::Flannel, 0) => NetworkMode::TerwayShared,
                (NetworkMode::Flannel, _) => NetworkMode::TerwayTrunk,
                (_, 0) => NetworkMode::Flannel,
                (NetworkMode::TerwayShared, _) => NetworkMode::TerwayTrunk,
                _ => NetworkMode::TerwayShared,
            };
            Edit::SetCluster(cluster)
        }
        8 => {
            let Some(vpc) = nth(vpc_ids.len(), pick).map(|i| vpc_ids[i].clone()) else {
                return;
            };
            let gateways: Vec<_> = topology.gateways.keys().cloned().collect();
            match (nth(gateways.len(), other), nth(group_ids.len(), other)) {
                (Some(gateway), Some(backend)) if other.is_multiple_of(2) => Edit::Authorize {
                    gateway: gateways[gateway].clone(),
                    backend: group_ids[backend].clone(),
                    ranges: vec![PortRange::new(8000, 8080).expect("well-formed test data")],
                    description: String::new(),
                },
                _ => Edit::AddGateway {
                    vpc,
                    kind: GatewayKind::AiGateway,
                },
            }
        }
        9 => {
            let Some(id) = nth(endpoint_ids.len(), pick).map(|i| endpoint_ids[i].clone()) else {
                return;
            };
            Edit::DeleteEndpoint(id)
        }
        _ => {
            // The same rules in another order: a reorder changes no verdict, and the dirty set
            // may count it or not.
            let Some(id) = nth(group_ids.len(), pick).map(|i| group_ids[i].clone()) else {
                return;
            };
            let rules = topology.groups[&id].rules.clone();
            let Some(index) = nth(rules.len(), other) else {
                return;
            };
            if apply(
                topology,
                &Edit::DeleteRule {
                    group: id.clone(),
                    index,
                },
            )
            .is_err()
            {
                return;
            }
            Edit::AddRule {
                group: id,
                rule: rules[index].clone(),
            }
        }
    };
    let _ = apply(topology, &edit);
}

/// An accept rule for TCP 22 from the internet, at a priority drawn from `other`.
fn open_rule(other: usize) -> sglab_core::model::Rule {
    sglab_core::model::Rule {
        id: None,
        direction: sglab_core::model::Direction::Ingress,
        policy: Policy::Accept,
        priority: Priority::new(1 + (other % 100) as u32).expect("well-formed test data"),
        protocol: Protocol::Tcp,
        ports: PortSpec::Range(PortRange::new(22, 22).expect("well-formed test data")),
        peer: Peer::Cidr("0.0.0.0/0".parse().expect("well-formed test data")),
        source_ports: None,
        local_cidr: None,
        nic_type: sglab_core::model::NicType::Intranet,
        description: String::new(),
    }
}

/// The changes by (source, target, protocol): ports opened and ports closed.
type Cells = BTreeMap<(EndpointId, EndpointId, Protocol), (Vec<PortRange>, Vec<PortRange>)>;

/// A change of a diff as owned data, which a test can alter.
#[derive(Clone, Debug)]
struct Owned {
    from: EndpointId,
    to: EndpointId,
    protocol: Protocol,
    opened: Vec<PortRange>,
    closed: Vec<PortRange>,
}

/// The changes of `diff` as owned data, in order.
fn owned(diff: &Diff) -> Vec<Owned> {
    diff.changes
        .iter()
        .map(|c| Owned {
            from: c.from.clone(),
            to: c.to.clone(),
            protocol: c.protocol,
            opened: c.opened.to_vec(),
            closed: c.closed.to_vec(),
        })
        .collect()
}

/// The diff against the two matrices of the topologies (with the synthetic external peers),
/// compared cell by cell with a port-by-port difference of its own.
fn check_against_matrices(old: &Topology, new: &Topology, diff: &Diff) -> Result<(), String> {
    check_decisions(old, new, diff)?;
    check_rollup(old, new, diff)?;
    check_cells(old, new, diff, &owned(diff))
}

/// The verdict, counts, external peers and `changes` (those of `diff`, or altered) against the
/// two matrices of the topologies.
fn check_cells(
    old: &Topology,
    new: &Topology,
    diff: &Diff,
    changes: &[Owned],
) -> Result<(), String> {
    let blocks = external_blocks(old, new);
    if blocks != diff.external_peers {
        return Err(format!(
            "external peers {:?} != {:?}",
            diff.external_peers, blocks
        ));
    }
    let old_full = with_external_peers(old, &blocks);
    let new_full = with_external_peers(new, &blocks);
    let before = matrix_with(&old_full, &DIFF_PROTOCOLS);
    let after = matrix_with(&new_full, &DIFF_PROTOCOLS);
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
                if a == b {
                    continue;
                }
                let opened = minus(b, a);
                let closed = minus(a, b);
                if !opened.is_empty() || !closed.is_empty() {
                    expected.insert(((*from).clone(), (*to).clone(), protocol), (opened, closed));
                }
            }
        }
    }
    let actual: Cells = changes
        .iter()
        .map(|c| {
            (
                (c.from.clone(), c.to.clone(), c.protocol),
                (c.opened.clone(), c.closed.clone()),
            )
        })
        .collect();
    if actual.len() != changes.len() {
        return Err("a pair and protocol is listed twice".to_owned());
    }
    if actual != expected {
        return Err(format!(
            "changes differ:\n diff {actual:?}\n matrices {expected:?}"
        ));
    }
    let opened = expected.values().any(|(opened, _)| !opened.is_empty());
    let closed = expected.values().any(|(_, closed)| !closed.is_empty());
    if diff.verdict != Verdict::of(opened, closed) {
        return Err(format!(
            "verdict {} with opened {opened}, closed {closed}",
            diff.verdict
        ));
    }
    let pairs = |opened: bool| -> u64 {
        let set: BTreeSet<_> = expected
            .iter()
            .filter(|(_, (o, c))| if opened { !o.is_empty() } else { !c.is_empty() })
            .map(|((from, to, _), _)| (from, to))
            .collect();
        set.len() as u64
    };
    if diff.counts.pairs_opened != pairs(true) || diff.counts.pairs_closed != pairs(false) {
        return Err(format!("counts {:?}", diff.counts));
    }
    // The ports per protocol, summed over the pairs (a protocol without ports counts 1 a pair).
    let ports = |opened: bool| -> BTreeMap<Protocol, u64> {
        let mut sums = BTreeMap::new();
        for ((_, _, protocol), (o, c)) in &expected {
            let count = sglab_core::diff::count_ports(if opened { o } else { c }, *protocol);
            if count > 0 {
                *sums.entry(*protocol).or_default() += count;
            }
        }
        sums
    };
    if diff.counts.ports_opened != ports(true) || diff.counts.ports_closed != ports(false) {
        return Err(format!("port counts {:?}", diff.counts));
    }
    Ok(())
}

/// The rollup summed change by change: each endpoint counts in its filtering groups after the
/// change (before, when it is gone), or alone when it has none; the most pairs first, ties by
/// source bucket, target bucket and protocol.
fn check_rollup(old: &Topology, new: &Topology, diff: &Diff) -> Result<(), String> {
    let buckets = |id: &EndpointId| -> Vec<Bucket> {
        let endpoint = new.endpoints.get(id).map(|endpoint| (new, endpoint));
        let endpoint = endpoint.or_else(|| old.endpoints.get(id).map(|e| (old, e)));
        let groups = endpoint
            .map(|(topology, endpoint)| filtering_groups(topology, endpoint))
            .unwrap_or_default();
        if groups.is_empty() {
            vec![Bucket::Endpoint(id.clone())]
        } else {
            groups.into_iter().map(Bucket::Group).collect()
        }
    };
    type Sum = (u64, u64, Vec<PortRange>, Vec<PortRange>);
    let mut sums: BTreeMap<(Bucket, Bucket, Protocol), Sum> = BTreeMap::new();
    for change in &diff.changes {
        for from in buckets(change.from) {
            for to in buckets(change.to) {
                let sum = sums.entry((from.clone(), to, change.protocol)).or_default();
                sum.0 += u64::from(!change.opened.is_empty());
                sum.1 += u64::from(!change.closed.is_empty());
                sum.2 = merged(&sum.2, change.opened);
                sum.3 = merged(&sum.3, change.closed);
            }
        }
    }
    let mut expected: Vec<GroupPairChange> = sums
        .into_iter()
        .map(
            |((from, to, protocol), (pairs_opened, pairs_closed, opened, closed))| {
                GroupPairChange {
                    from,
                    to,
                    protocol,
                    pairs_opened,
                    pairs_closed,
                    opened,
                    closed,
                }
            },
        )
        .collect();
    expected.sort_by_key(|entry| std::cmp::Reverse(entry.pairs_opened + entry.pairs_closed));
    if diff.rollup != expected {
        return Err(format!(
            "rollup differs:\n diff {:?}\n summed {expected:?}",
            diff.rollup
        ));
    }
    Ok(())
}

/// The union of two sorted lists of ranges, sorted, with touching ranges merged.
fn merged(a: &[PortRange], b: &[PortRange]) -> Vec<PortRange> {
    let mut all: Vec<(u32, u32)> = a
        .iter()
        .chain(b)
        .map(|range| (u32::from(range.start()), u32::from(range.end())))
        .collect();
    all.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::new();
    for (start, end) in all {
        match out.last_mut() {
            Some(last) if start <= last.1 + 1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out.into_iter()
        .filter_map(|(start, end)| {
            PortRange::new(u16::try_from(start).ok()?, u16::try_from(end).ok()?).ok()
        })
        .collect()
}

/// `a` less `b`, port by port.
fn minus(a: &[PortRange], b: &[PortRange]) -> Vec<PortRange> {
    let mut out: Vec<PortRange> = Vec::new();
    let mut run: Option<(u16, u16)> = None;
    for port in 1..=65535u16 {
        let inside = a.iter().any(|r| r.contains(port)) && !b.iter().any(|r| r.contains(port));
        run = match (inside, run) {
            (true, Some((start, _))) => Some((start, port)),
            (true, None) => Some((port, port)),
            (false, Some((start, end))) => {
                out.push(PortRange::new(start, end).expect("well-formed test data"));
                None
            }
            (false, None) => None,
        };
    }
    if let Some((start, end)) = run {
        out.push(PortRange::new(start, end).expect("well-formed test data"));
    }
    out
}

/// On ports 1..=64, every pair's opened and closed ports equal the brute-force reference's.
fn check_against_reference(old: &Topology, new: &Topology, diff: &Diff) -> Result<(), String> {
    check_reference_cells(old, new, diff, &owned(diff))
}

/// `changes` (those of `diff`, or altered) against the brute-force reference on ports 1 to 64.
fn check_reference_cells(
    old: &Topology,
    new: &Topology,
    diff: &Diff,
    changes: &[Owned],
) -> Result<(), String> {
    let old_full = with_external_peers(old, &diff.external_peers);
    let new_full = with_external_peers(new, &diff.external_peers);
    let universe = PortRange::new(1, 64).expect("well-formed test data");
    let ids: BTreeSet<&EndpointId> = old_full
        .endpoints
        .keys()
        .chain(new_full.endpoints.keys())
        .collect();
    let allowed = |topology: &Topology, from: &EndpointId, to: &EndpointId, protocol| {
        if !topology.endpoints.contains_key(from) || !topology.endpoints.contains_key(to) {
            return Vec::new();
        }
        let (from, to) = (Party::Endpoint(from.clone()), Party::Endpoint(to.clone()));
        reference_port_set_in(topology, &from, &to, protocol, universe)
    };
    let clip = |ranges: &[PortRange]| -> Vec<PortRange> {
        ranges
            .iter()
            .filter(|range| range.start() <= 64)
            .map(|range| {
                PortRange::new(range.start(), range.end().min(64)).expect("well-formed test data")
            })
            .collect()
    };
    for from in &ids {
        for to in &ids {
            if from == to {
                continue;
            }
            for protocol in DIFF_PROTOCOLS {
                let a = allowed(&old_full, from, to, protocol);
                let b = allowed(&new_full, from, to, protocol);
                let change = changes
                    .iter()
                    .find(|c| &&c.from == from && &&c.to == to && c.protocol == protocol);
                let (opened, closed) = change
                    .map(|c| (clip(&c.opened), clip(&c.closed)))
                    .unwrap_or_default();
                if opened != minus(&b, &a) || closed != minus(&a, &b) {
                    return Err(format!("{from} -> {to} {protocol}: diff opened {opened:?} closed {closed:?}, reference before {a:?} after {b:?}"));
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    /// A topology compared with itself is equivalent, with no change of any kind.
    #[test]
    fn a_topology_is_equivalent_to_itself(
        seed in any::<u64>(),
        shape in 0usize..Shape::ALL.len(),
        endpoints in 2usize..12,
        groups in 1usize..6,
        rules in 0usize..50,
    ) {
        let topology = generate(seed, &GenParams::of_shape(Shape::ALL[shape], endpoints, groups, rules));
        let same = diff(&topology, &topology);
        prop_assert_eq!(same.verdict, Verdict::Equivalent);
        prop_assert!(same.changes.is_empty());
        prop_assert!(same.rollup.is_empty());
        prop_assert!(same.rule_changes.is_empty());
        prop_assert!(same.object_changes.is_empty());
        prop_assert_eq!(same.counts.pairs_opened + same.counts.pairs_closed, 0);
    }

    /// After random edits, the verdict, the counts and every opened and closed set agree with
    /// the two matrices compared cell by cell.
    #[test]
    fn diff_agrees_with_the_two_matrices(
        seed in any::<u64>(),
        shape in 0usize..Shape::ALL.len(),
        endpoints in 2usize..12,
        groups in 1usize..6,
        rules in 0usize..50,
        edits in prop::collection::vec(any::<(u8, usize, usize, usize)>(), 1..4),
    ) {
        let old = generate(seed, &GenParams::of_shape(Shape::ALL[shape], endpoints, groups, rules));
        let mut new = old.clone();
        for (op, group, rule, other) in edits {
            edit(&mut new, op, group, rule, other);
        }
        let result = diff(&old, &new);
        prop_assert_eq!(check_against_matrices(&old, &new, &result), Ok(()));
    }

    /// After edits of prefix lists, addresses, memberships, group settings, VPCs, clusters,
    /// gateways, groups without members and endpoints, mixed with edits of rules, the diff
    /// still agrees with the two matrices cell by cell: the cells it skips did not change.
    #[test]
    fn diff_skips_only_unchanged_cells(
        seed in any::<u64>(),
        shape in 0usize..Shape::ALL.len(),
        endpoints in 2usize..12,
        groups in 1usize..6,
        rules in 0usize..50,
        edits in prop::collection::vec(any::<(u8, usize, usize, usize)>(), 1..4),
    ) {
        let old = generate(seed, &GenParams::of_shape(Shape::ALL[shape], endpoints, groups, rules));
        let mut new = old.clone();
        for (op, pick, rule, other) in edits {
            if op >= 128 {
                edit(&mut new, op, pick, rule, other);
            } else {
                structural_edit(&mut new, op, pick, other);
            }
        }
        let result = diff(&old, &new);
        prop_assert_eq!(check_against_matrices(&old, &new, &result), Ok(()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A TCP rule added to a group with members and an instance added elsewhere: many endpoints
    /// are dirty on TCP, one on every protocol, so each side is built in two parts (TCP on the
    /// many, the other protocols on the one); the diff still agrees with the two matrices.
    #[test]
    fn diff_in_two_parts_agrees_with_the_two_matrices(
        seed in any::<u64>(),
        shape in 0usize..Shape::ALL.len(),
        endpoints in 8usize..18,
        groups in 1usize..4,
        rules in 0usize..40,
        picks in any::<(usize, usize, usize)>(),
        more in prop::collection::vec(any::<(u8, usize, usize, usize)>(), 0..2),
    ) {
        let old = generate(seed, &GenParams::of_shape(Shape::ALL[shape], endpoints, groups, rules));
        let mut new = old.clone();
        let (group, other, instance) = picks;
        edit(&mut new, 5, group, 0, other);
        edit(&mut new, 6, instance, 0, 0);
        for (op, pick, rule, other) in more {
            structural_edit(&mut new, op, pick, other);
            edit(&mut new, op, pick, rule, other);
        }
        let result = diff(&old, &new);
        prop_assert_eq!(check_against_matrices(&old, &new, &result), Ok(()));
    }
}

/// The structural edits of [`structural_edit`] that keep every group and its settings, so that
/// the second side of a diff takes the first side's group sides for the groups whose rules did
/// not change: a prefix list's entries, a public address, a membership, a VPC's CIDR, a
/// cluster's network mode, a gateway authorized (or added), an endpoint deleted, a rule moved.
const SHARING_EDITS: [u8; 8] = [1, 2, 3, 6, 7, 8, 9, 10];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Edits that keep the groups and their settings, so that the new side shares the old
    /// side's group sides but for the groups whose rules (or the prefix lists they name)
    /// changed: rules of a group without members (on both sides), prefix lists, addresses,
    /// memberships, VPCs, clusters, gateways, instances added and removed, mixed with edits of
    /// rules. A group side shared when it should not be gives the new side the old side's
    /// answers, which the two matrices compared cell by cell catch.
    #[test]
    fn diff_sharing_group_sides_agrees_with_the_two_matrices(
        seed in any::<u64>(),
        shape in 0usize..Shape::ALL.len(),
        endpoints in 2usize..14,
        groups in 1usize..6,
        rules in 0usize..50,
        edits in prop::collection::vec(any::<(u8, usize, usize, usize)>(), 1..4),
    ) {
        let mut old = generate(seed, &GenParams::of_shape(Shape::ALL[shape], endpoints, groups, rules));
        // A group nobody is in, on both sides.
        let before: BTreeSet<_> = old.groups.keys().cloned().collect();
        if let Some(vpc) = old.vpcs.keys().next().cloned() {
            let _ = apply(&mut old, &Edit::AddGroup { vpc, group_type: GroupType::Basic });
        }
        let unused = old.groups.keys().find(|id| !before.contains(*id)).cloned();
        let mut new = old.clone();
        for (op, pick, rule, other) in edits {
            let ids: Vec<_> = new.groups.keys().cloned().collect();
            match (op % 5, &unused) {
                (0, Some(group)) => {
                    let mut added = open_rule(other);
                    if other.is_multiple_of(2) {
                        added.direction = sglab_core::model::Direction::Egress;
                    }
                    let _ = apply(&mut new, &Edit::AddRule { group: group.clone(), rule: added });
                }
                (1, _) => edit(&mut new, op, pick, rule, other),
                (2, _) if !ids.is_empty() => {
                    // An egress rule of a group, accept or drop.
                    let mut added = open_rule(other);
                    added.direction = sglab_core::model::Direction::Egress;
                    if other.is_multiple_of(3) {
                        added.policy = Policy::Drop;
                    }
                    let group = ids[pick % ids.len()].clone();
                    let _ = apply(&mut new, &Edit::AddRule { group, rule: added });
                }
                _ => structural_edit(
                    &mut new,
                    SHARING_EDITS[usize::from(op / 5) % SHARING_EDITS.len()],
                    pick,
                    other,
                ),
            }
        }
        let result = diff(&old, &new);
        prop_assert_eq!(check_against_matrices(&old, &new, &result), Ok(()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// On small varied topologies, every opened and closed set agrees with the reference.
    #[test]
    fn diff_agrees_with_the_reference(
        seed in any::<u64>(),
        endpoints in 2usize..6,
        groups in 1usize..4,
        rules in 0usize..24,
        edits in prop::collection::vec(any::<(u8, usize, usize, usize)>(), 1..3),
    ) {
        let old = generate(seed, &GenParams::small(endpoints, groups, rules));
        let mut new = old.clone();
        for (op, group, rule, other) in edits {
            edit(&mut new, op, group, rule, other);
        }
        let result = diff(&old, &new);
        prop_assert_eq!(check_against_reference(&old, &new, &result), Ok(()));
    }
}

/// An accept rule for ICMPv6 in either direction (by `pick`'s parity) from or to the private
/// IPv6 space the generator addresses its VPCs in (`fd00::/8`) or every IPv6 address, at a
/// priority drawn from `pick`.
fn icmpv6_rule(pick: usize) -> sglab_core::model::Rule {
    let peer = if (pick / 2).is_multiple_of(2) {
        "fd00::/8"
    } else {
        "::/0"
    };
    sglab_core::model::Rule {
        id: None,
        direction: if pick.is_multiple_of(2) {
            sglab_core::model::Direction::Ingress
        } else {
            sglab_core::model::Direction::Egress
        },
        policy: Policy::Accept,
        priority: Priority::new(1 + (pick % 100) as u32).expect("well-formed test data"),
        protocol: Protocol::Icmpv6,
        ports: PortSpec::All,
        peer: Peer::Cidr(peer.parse().expect("well-formed test data")),
        source_ports: None,
        local_cidr: None,
        nic_type: sglab_core::model::NicType::Intranet,
        description: String::new(),
    }
}

/// `old` with ICMPv6 rules added to the groups `picks` name, and rules of every protocol
/// deleted (which match ICMPv6 too).
fn with_icmpv6_rules(old: &Topology, picks: &[(usize, usize)]) -> Topology {
    let mut new = old.clone();
    let ids: Vec<_> = old.groups.keys().cloned().collect();
    if ids.is_empty() {
        return new;
    }
    for (group, pick) in picks {
        let id = ids[group % ids.len()].clone();
        let rule = icmpv6_rule(*pick);
        let _ = apply(
            &mut new,
            &Edit::AddRule {
                group: id.clone(),
                rule,
            },
        );
        let every = new.groups[&id]
            .rules
            .iter()
            .position(|rule| rule.protocol == Protocol::All);
        if let (Some(index), true) = (every, pick % 3 == 0) {
            let _ = apply(&mut new, &Edit::DeleteRule { group: id, index });
        }
    }
    new
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// ICMPv6 rules added and rules of every protocol deleted, on topologies of every shape,
    /// with and without IPv6 addresses: the diff leaves ICMPv6 out of a change of rules alone
    /// when no endpoint of either side has an IPv6 address (no ICMPv6 packet is then routed
    /// between an endpoint and anything), and the two matrices compared cell by cell catch a
    /// diff that leaves it out when one has.
    #[test]
    fn icmpv6_rule_changes_agree_with_the_two_matrices(
        seed in any::<u64>(),
        shape in 0usize..Shape::ALL.len(),
        endpoints in 2usize..14,
        groups in 1usize..5,
        rules in 0usize..40,
        picks in prop::collection::vec(any::<(usize, usize)>(), 1..4),
        more in prop::collection::vec(any::<(u8, usize, usize, usize)>(), 0..2),
    ) {
        let old = generate(seed, &GenParams::of_shape(Shape::ALL[shape], endpoints, groups, rules));
        let mut new = with_icmpv6_rules(&old, &picks);
        for (op, group, rule, other) in more {
            edit(&mut new, op, group, rule, other);
        }
        let result = diff(&old, &new);
        prop_assert_eq!(check_against_matrices(&old, &new, &result), Ok(()));
    }
}

/// ICMPv6 opened by rules alone on dual-stack topologies shows in the diff, as the two matrices
/// say; on topologies without an IPv6 address the same rules change no cell, as the two
/// matrices say too. A diff that left ICMPv6 out of every change of rules, or never did, would
/// fail one of the two.
#[test]
fn icmpv6_opened_by_rules_shows_only_where_there_are_ipv6_addresses() {
    let mut opened_v6 = 0;
    let mut without_v6 = 0;
    for seed in 0..16u64 {
        for shape in [Shape::DualStack, Shape::FreeCombos, Shape::Kubernetes] {
            let old = generate(seed, &GenParams::of_shape(shape, 12, 3, 30));
            let picks: Vec<(usize, usize)> =
                (0..old.groups.len()).map(|g| (g, 2 * g + 4)).collect();
            let new = with_icmpv6_rules(&old, &picks);
            let result = diff(&old, &new);
            assert_eq!(
                check_against_matrices(&old, &new, &result),
                Ok(()),
                "{shape} {seed}"
            );
            let icmpv6 = result
                .changes
                .iter()
                .filter(|change| change.protocol == Protocol::Icmpv6)
                .count();
            if old.has_ipv6() || new.has_ipv6() {
                opened_v6 += icmpv6;
            } else {
                assert_eq!(icmpv6, 0, "{shape} {seed}");
                without_v6 += 1;
            }
        }
    }
    assert!(
        opened_v6 > 0,
        "no ICMPv6 change on a topology with IPv6 addresses"
    );
    assert!(without_v6 > 0, "every topology has an IPv6 address");
}

/// Every change's deciding decisions before and after are those [`explain`] gives on each side
/// (with the external blocks as endpoints) at the change's port; none where the source or the
/// target is absent from that side.
fn check_decisions(old: &Topology, new: &Topology, diff: &Diff) -> Result<(), String> {
    let blocks: BTreeSet<EndpointId> = diff
        .external_peers
        .iter()
        .map(|block| EndpointId(block.to_string()))
        .collect();
    let sides = [
        (old, with_external_peers(old, &diff.external_peers)),
        (new, with_external_peers(new, &diff.external_peers)),
    ];
    for (change, decided) in diff.changes.iter_decided() {
        for ((topology, full), deciding) in sides.iter().zip([&decided.before, &decided.after]) {
            let present =
                |id: &EndpointId| topology.endpoints.contains_key(id) || blocks.contains(id);
            let expected = (present(change.from) && present(change.to)).then(|| {
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
            if deciding.as_deref() != expected.as_ref() {
                return Err(format!(
                    "{} -> {} {}: decided {:?}, explain gives {:?}",
                    change.from, change.to, change.protocol, deciding, expected
                ));
            }
        }
    }
    Ok(())
}

/// The checks can fail: a diff with one change's opened and closed ports swapped, or with one
/// change left out, is caught by both.
#[test]
fn a_wrong_comparison_is_caught() {
    // The first small topology where a rule opening TCP 22 to the internet opens something.
    let (old, new) = (0..50)
        .flat_map(|seed| (0..3).map(move |group| (seed, group)))
        .map(|(seed, group)| {
            let old = generate(seed, &GenParams::small(5, 3, 12));
            let mut new = old.clone();
            edit(&mut new, 5, group, 0, 1);
            (old, new)
        })
        .find(|(old, new)| diff(old, new).verdict != Verdict::Equivalent)
        .expect("some topology opens a port");
    let right = diff(&old, &new);
    assert_ne!(right.verdict, Verdict::Equivalent);
    assert_eq!(check_against_matrices(&old, &new, &right), Ok(()));
    assert_eq!(check_against_reference(&old, &new, &right), Ok(()));
    let mut swapped = owned(&right);
    let first = &mut swapped[0];
    std::mem::swap(&mut first.opened, &mut first.closed);
    assert!(check_cells(&old, &new, &right, &swapped).is_err());
    assert!(check_reference_cells(&old, &new, &right, &swapped).is_err());
    let mut missing = owned(&right);
    missing.pop();
    assert!(check_cells(&old, &new, &right, &missing).is_err());
    assert!(check_reference_cells(&old, &new, &right, &missing).is_err());
    let mut wrong_verdict = right;
    wrong_verdict.verdict = Verdict::Equivalent;
    assert!(check_against_matrices(&old, &new, &wrong_verdict).is_err());
}

/// The `expected.json` of a diff case (schema in `tests/diffs/README.md`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    fact: String,
    verdict: String,
    counts: serde_json::Value,
    changes: Vec<ExpectedChange>,
    rule_changes: Vec<ExpectedRuleChange>,
    #[serde(default)]
    object_changes: Option<serde_json::Value>,
}

/// One expected change: exactly the diff's, without the decisions.
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct ExpectedChange {
    from: String,
    to: String,
    protocol: String,
    opened: Vec<String>,
    closed: Vec<String>,
}

/// One expected rule change: its group, kind and fields.
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct ExpectedRuleChange {
    security_group: String,
    kind: String,
    fields: Vec<String>,
}

fn diff_cases() -> Vec<PathBuf> {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/diffs");
    let mut cases: Vec<PathBuf> = fs::read_dir(&directory)
        .expect("tests/diffs is readable")
        .map(|entry| entry.expect("tests/diffs is readable").path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    cases
}

fn load(path: &Path) -> Topology {
    let text = fs::read_to_string(path).expect("a case file is readable");
    let name = path.display().to_string();
    parse_sglab(&text, Some(&name))
        .unwrap_or_else(|diagnostics| panic!("{name}: {diagnostics:?}"))
        .topology
}

/// Every case of the diff corpus gives its expected verdict, counts, changes and rule changes.
#[test]
fn every_diff_case_holds() {
    let cases = diff_cases();
    assert!(
        cases.len() >= 6,
        "the diff corpus has {} cases",
        cases.len()
    );
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/web.rs");
    let web = fs::read_to_string(web).expect("tests/web.rs is readable");
    let mut failures = Vec::new();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        if !web.contains(&format!("\"{name}\",")) {
            failures.push(format!("{name}: not listed in DIFF_CASES of tests/web.rs"));
        }
        let old = load(&case.join("old.json"));
        let new = load(&case.join("new.json"));
        let expected: Expected =
            serde_json::from_str(&fs::read_to_string(case.join("expected.json")).unwrap())
                .unwrap_or_else(|error| panic!("{name}/expected.json: {error}"));
        assert!(!expected.fact.is_empty());
        let result = diff(&old, &new);
        if let Err(error) = check_against_matrices(&old, &new, &result) {
            failures.push(format!("{name}: {error}"));
        }
        let json = serde_json::to_value(&result).unwrap();
        if result.verdict.as_str() != expected.verdict {
            failures.push(format!(
                "{name}: verdict {} != {}",
                result.verdict, expected.verdict
            ));
        }
        if json["counts"] != expected.counts {
            failures.push(format!(
                "{name}: counts {} != {}",
                json["counts"], expected.counts
            ));
        }
        let changes: Vec<ExpectedChange> =
            serde_json::from_value(strip_decisions(&json["changes"])).unwrap();
        if changes != expected.changes {
            failures.push(format!(
                "{name}: changes {changes:?} != {:?}",
                expected.changes
            ));
        }
        let rule_changes: Vec<ExpectedRuleChange> = result
            .rule_changes
            .iter()
            .map(|change| ExpectedRuleChange {
                security_group: change.security_group.to_string(),
                kind: serde_json::to_value(change.kind)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned(),
                fields: change
                    .fields
                    .iter()
                    .map(|f| f.as_str().to_owned())
                    .collect(),
            })
            .collect();
        if rule_changes != expected.rule_changes {
            failures.push(format!(
                "{name}: rule changes {rule_changes:?} != {:?}",
                expected.rule_changes
            ));
        }
        if let Some(objects) = &expected.object_changes {
            if &json["object_changes"] != objects {
                failures.push(format!(
                    "{name}: object changes {} != {objects}",
                    json["object_changes"]
                ));
            }
        }
        for (change, decided) in result.changes.iter_decided() {
            let (Some(before), Some(after)) = (&decided.before, &decided.after) else {
                continue;
            };
            if before.verdict == after.verdict {
                failures.push(format!(
                    "{name}: {} -> {} keeps its verdict at the port probed",
                    change.from, change.to
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The changes of a diff's JSON without their `before` and `after` decisions.
fn strip_decisions(changes: &serde_json::Value) -> serde_json::Value {
    let mut changes = changes.clone();
    if let Some(list) = changes.as_array_mut() {
        for change in list {
            if let Some(object) = change.as_object_mut() {
                object.remove("before");
                object.remove("after");
            }
        }
    }
    changes
}

/// A change whose protocols split in two parts, the second of one protocol alone (TCP, UDP
/// and ICMP opened on the group with the most members, GRE on the one with the fewest): the
/// diff reads each protocol from its own part, as the two matrices say, and lists the GRE
/// changes.
#[test]
fn a_part_of_one_protocol_is_read_for_that_protocol() {
    let mut checked = 0;
    for seed in 0..6u64 {
        let old = generate(seed, &GenParams::of_shape(Shape::FreeCombos, 40, 8, 80));
        let members = |group: &GroupId| {
            old.endpoints
                .values()
                .filter(|endpoint| filtering_groups(&old, endpoint).contains(group))
                .count()
        };
        let writable: Vec<(usize, GroupId)> = old
            .groups
            .keys()
            .filter(|id| sglab_core::edit::writable_group(&old, id).is_ok())
            .map(|id| (members(id), id.clone()))
            .filter(|(count, _)| *count > 0)
            .collect();
        let (Some((most, large)), Some((fewest, small))) = (
            writable.iter().max_by_key(|(count, _)| *count),
            writable.iter().min_by_key(|(count, _)| *count),
        ) else {
            continue;
        };
        if fewest * 4 > *most {
            continue;
        }
        let mut new = old.clone();
        let mut add = |group: &GroupId, protocol: Protocol| {
            let mut rule = open_rule(0);
            rule.protocol = protocol;
            if !protocol.has_ports() {
                rule.ports = PortSpec::All;
            }
            let edit = Edit::AddRule {
                group: group.clone(),
                rule,
            };
            apply(&mut new, &edit).expect("the rule is added");
        };
        for protocol in [Protocol::Tcp, Protocol::Udp, Protocol::Icmp] {
            add(large, protocol);
        }
        add(small, Protocol::Gre);
        let result = diff(&old, &new);
        assert_eq!(
            check_against_matrices(&old, &new, &result),
            Ok(()),
            "seed {seed}"
        );
        let gre = result
            .changes
            .iter()
            .filter(|change| change.protocol == Protocol::Gre)
            .count();
        assert!(gre > 0, "seed {seed}: no GRE change");
        checked += 1;
    }
    assert!(
        checked > 0,
        "no seed had a group four times another's members"
    );
}

/// A pod added on a node under Flannel or Terway shared ENI has no ENI of its own to carry the
/// marks of its dirty row and column (its node's groups filter it): the diff builds those
/// sides whole, and finds every pair the pod opens, as the two matrices say.
#[test]
fn a_pod_without_an_eni_added_shows_what_it_opens() {
    let mut opened = 0;
    for seed in 0..6u64 {
        for mode in [NetworkMode::Flannel, NetworkMode::TerwayShared] {
            let mut old = generate(seed, &GenParams::of_shape(Shape::Kubernetes, 16, 4, 40));
            for cluster in old.clusters.values_mut() {
                cluster.network_mode = mode;
            }
            let Some((cluster, node)) = old.endpoints.values().find_map(|endpoint| match &endpoint
                .kind
            {
                sglab_core::model::EndpointKind::Pod { cluster, node } => {
                    Some((cluster.clone(), node.clone()))
                }
                _ => None,
            }) else {
                continue;
            };
            let mut new = old.clone();
            let pod = Edit::AddEndpoint(NewEndpoint::Pod { cluster, node });
            if apply(&mut new, &pod).is_err() {
                continue;
            }
            let result = diff(&old, &new);
            assert_eq!(
                check_against_matrices(&old, &new, &result),
                Ok(()),
                "{mode:?} seed {seed}"
            );
            opened += result.counts.pairs_opened;
        }
    }
    assert!(opened > 0, "no pod added opened anything");
}

/// A prefix list's entries changed, and nothing else: the groups whose rules name it change
/// their cells although their rules are the same, and the new side's part must not keep their
/// old sides; the diff says what the two matrices say, in each direction the list is named.
#[test]
fn a_prefix_list_changed_alone_changes_the_groups_that_name_it() {
    let mut changed = 0;
    for seed in 0..8u64 {
        let old = generate(seed, &GenParams::of_shape(Shape::PrefixLists, 30, 6, 60));
        for (id, list) in &old.prefix_lists {
            // Widened to everything, then emptied: one opens, the other closes.
            for cidrs in [vec!["0.0.0.0/0".parse().expect("a block")], Vec::new()] {
                if list.cidrs == cidrs {
                    continue;
                }
                let mut new = old.clone();
                new.prefix_lists.get_mut(id).expect("the list").cidrs = cidrs.clone();
                let result = diff(&old, &new);
                assert_eq!(
                    check_against_matrices(&old, &new, &result),
                    Ok(()),
                    "seed {seed}, {id} as {cidrs:?}"
                );
                changed += result.changes.len();
            }
        }
    }
    assert!(changed > 0, "no list changed a cell");
}

/// A group inserted before every other (by id) shifts the numbering of the groups: the new
/// side's part must not take the old side's group sides by position. Two neighbouring groups
/// are given the same rules first, so that a side taken from the wrong group would look the
/// same by its rules; and a rule is added so that the new side's part is built.
#[test]
fn a_group_inserted_first_keeps_the_sides_of_the_others() {
    let mut checked = 0;
    for seed in 0..6u64 {
        let mut old = generate(seed, &GenParams::of_shape(Shape::Roles, 24, 5, 60));
        let ids: Vec<GroupId> = old.groups.keys().cloned().collect();
        let [first, second, ..] = ids.as_slice() else {
            continue;
        };
        let rules = old.groups[second].rules.clone();
        old.groups.get_mut(first).expect("a group").rules = rules;
        let mut new = old.clone();
        let mut inserted = new.groups[first].clone();
        inserted.id = GroupId("sg-0".to_owned());
        inserted.rules.clear();
        new.groups.insert(inserted.id.clone(), inserted);
        let edit = Edit::AddRule {
            group: second.clone(),
            rule: open_rule(seed as usize),
        };
        if apply(&mut new, &edit).is_err() {
            continue;
        }
        let result = diff(&old, &new);
        assert_eq!(
            check_against_matrices(&old, &new, &result),
            Ok(()),
            "seed {seed}"
        );
        checked += 1;
    }
    assert!(checked > 0);
}

/// Rules whose peer is one endpoint's own address, private or public (a `/32` of it), added in
/// both directions to groups with members: a change reaches the parties its rules can match,
/// and an endpoint is matched at any address others see it at, so each such diff says what the
/// two matrices say, and some open or close something.
#[test]
fn rules_naming_an_endpoints_address_agree_with_the_two_matrices() {
    let mut changed = 0;
    let mut public = 0;
    for shape in Shape::ALL {
        for seed in 0..3u64 {
            let old = generate(seed, &GenParams::of_shape(shape, 24, 4, 40));
            let addresses: Vec<(std::net::IpAddr, bool)> =
                old.endpoints
                    .values()
                    .flat_map(|endpoint| {
                        let private = endpoint.enis.iter().flat_map(|eni| {
                            eni.private_ips.iter().map(|address| (*address, false))
                        });
                        private.chain(endpoint.public_ip.map(|address| (address, true)))
                    })
                    .collect();
            let groups: Vec<GroupId> = old
                .groups
                .keys()
                .filter(|group| sglab_core::edit::writable_group(&old, group).is_ok())
                .cloned()
                .collect();
            if addresses.is_empty() || groups.is_empty() {
                continue;
            }
            let mut new = old.clone();
            for (index, group) in groups.iter().enumerate().take(3) {
                // Public addresses first: they are what a peer in another VPC is seen at.
                let pick = addresses
                    .iter()
                    .filter(|(_, is_public)| *is_public)
                    .chain(addresses.iter())
                    .nth(index * 7)
                    .or(addresses.first());
                let Some((address, is_public)) = pick else {
                    continue;
                };
                for direction in [
                    sglab_core::model::Direction::Ingress,
                    sglab_core::model::Direction::Egress,
                ] {
                    let mut rule = open_rule(index);
                    rule.direction = direction;
                    rule.peer = Peer::Cidr(ipnet::IpNet::from(*address));
                    rule.priority = Priority::HIGHEST;
                    rule.policy = if index % 2 == 0 {
                        Policy::Accept
                    } else {
                        Policy::Drop
                    };
                    let edit = Edit::AddRule {
                        group: group.clone(),
                        rule,
                    };
                    if apply(&mut new, &edit).is_ok() && *is_public {
                        public += 1;
                    }
                }
            }
            let result = diff(&old, &new);
            assert_eq!(
                check_against_matrices(&old, &new, &result),
                Ok(()),
                "{shape:?} seed {seed}"
            );
            changed += result.counts.pairs_opened + result.counts.pairs_closed;
        }
    }
    assert!(changed > 0, "no rule naming an address changed anything");
    assert!(public > 0, "no rule named a public address");
}
