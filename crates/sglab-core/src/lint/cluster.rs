//! Container Service (ACK) clusters: the rules a cluster's node groups need (TCP 22 and ICMP
//! from the VPC, and a Flannel cluster's pod CIDR).

use ipnet::IpNet;
use std::collections::{BTreeMap, BTreeSet};

use crate::eval::route::Actor;
use crate::eval::rules;
use crate::explain::RuleRef;
use crate::fix::Fix;
use crate::model::{
    Direction, EndpointId, EndpointKind, GroupId, NetworkMode, NicType, Peer, Policy, PortRange,
    PortSpec, Priority, Protocol, Rule, Topology,
};

use super::exposure::peer_blocks;
use super::findings::{Finding, LintCode, Severity};
use super::words::{managed_note, short, writable};

/// What the first rule covering some of the wanted traffic does.
pub(super) enum Coverage<'t> {
    /// An accept rule covering all of it comes first.
    Allowed,
    /// A drop rule covering some of it comes first.
    Dropped(&'t GroupId, usize),
    /// Nothing accepts all of it: the default denies.
    Missing,
}

/// Walks the ingress rules of an ENI in evaluation order for traffic from every address of
/// `block` on `protocol` and `port` (`None`: every port; a `protocol` of `all` asks for rules
/// of protocol `all`, as a query for `all` does). The first drop rule that overlaps the block
/// blocks; the first accept rule that contains the whole block allows.
pub(super) fn coverage<'t>(
    topology: &'t Topology,
    groups: &[&'t GroupId],
    protocol: Protocol,
    port: Option<u16>,
    block: &IpNet,
) -> Coverage<'t> {
    for entry in rules::pool(topology, groups, Direction::Ingress) {
        let rule = entry.rule;
        if !rules::protocol_matches(rule.protocol, protocol)
            || !rules::ports_match(rule, protocol, port)
        {
            continue;
        }
        let blocks = peer_blocks(topology, &rule.peer);
        match rule.policy {
            Policy::Drop => {
                if blocks
                    .iter()
                    .any(|peer| peer.contains(block) || block.contains(peer))
                {
                    return Coverage::Dropped(entry.group, entry.index);
                }
            }
            Policy::Accept => {
                if rules::source_ports_match(rule)
                    && rule.local_cidr.is_none()
                    && blocks.iter().any(|peer| peer.contains(block))
                {
                    return Coverage::Allowed;
                }
            }
        }
    }
    Coverage::Missing
}

pub(super) fn accept_rule(
    protocol: Protocol,
    ports: PortSpec,
    peer: IpNet,
    description: &str,
) -> Rule {
    Rule {
        id: None,
        direction: Direction::Ingress,
        policy: Policy::Accept,
        priority: Priority::HIGHEST,
        protocol,
        ports,
        peer: Peer::Cidr(peer),
        source_ports: None,
        local_cidr: None,
        nic_type: NicType::Intranet,
        description: description.to_owned(),
    }
}

pub(super) fn cluster_findings(topology: &Topology) -> Vec<Finding> {
    // The nodes of each cluster: the instances its pods run on.
    let mut nodes: BTreeMap<&crate::model::ClusterId, BTreeSet<&EndpointId>> = BTreeMap::new();
    for endpoint in topology.endpoints.values() {
        if let EndpointKind::Pod { cluster, node } = &endpoint.kind {
            if topology
                .endpoints
                .get(node)
                .is_some_and(|node| matches!(node.kind, EndpointKind::Ecs))
            {
                nodes.entry(cluster).or_default().insert(node);
            }
        }
    }
    let mut findings: BTreeMap<(LintCode, GroupId), Finding> = BTreeMap::new();
    for (cluster_id, cluster_nodes) in nodes {
        let Some(cluster) = topology.clusters.get(cluster_id) else {
            continue;
        };
        let vpc = topology.vpcs.get(&cluster.vpc).and_then(|vpc| vpc.cidr);
        for node_id in cluster_nodes {
            let Some(node) = topology.endpoints.get(node_id) else {
                continue;
            };
            let actor = Actor::of_endpoint(topology, node);
            let Some(&group) = actor.groups.first() else {
                continue;
            };
            let mut add = |code: LintCode, finding: Finding| {
                findings.entry((code, group.clone())).or_insert(finding);
            };
            let base =
                |code, severity, rule_index, message: String, fix_text: String, fix| Finding {
                    code,
                    severity,
                    security_group: Some(group.clone()),
                    rule_index,
                    endpoint: Some(node_id.clone()),
                    message,
                    fix_text: format!("{fix_text}{}", managed_note(topology, group)),
                    fix,
                    related: Vec::new(),
                };
            let blocked_by = |group: &GroupId, index: usize| {
                topology
                    .groups
                    .get(group)
                    .and_then(|holder| holder.rules.get(index))
                    .map(|rule| RuleRef::new(group, index, rule).to_string())
                    .unwrap_or_default()
            };
            if let Some(vpc) = vpc {
                let ssh = PortSpec::Range(PortRange::single(22).unwrap_or(PortRange::ALL));
                match coverage(topology, &actor.groups, Protocol::Tcp, Some(22), &vpc) {
                    Coverage::Allowed => {}
                    Coverage::Dropped(holder, index) => add(
                        LintCode::AckSshBlocked,
                        Finding {
                            rule_index: (holder == group).then_some(index),
                            ..base(
                                LintCode::AckSshBlocked,
                                Severity::Warning,
                                None,
                                format!(
                                    "node {node_id} of cluster {cluster_id}: {} drops TCP 22 from the VPC {vpc}, which Container Service needs to initialise nodes",
                                    blocked_by(holder, index)
                                ),
                                format!(
                                    "narrow or delete {} so that TCP 22 from {vpc} reaches the nodes",
                                    short(&(holder.clone(), index))
                                ),
                                None,
                            )
                        },
                    ),
                    Coverage::Missing => add(
                        LintCode::AckSshBlocked,
                        base(
                            LintCode::AckSshBlocked,
                            Severity::Warning,
                            None,
                            format!(
                                "node {node_id} of cluster {cluster_id}: no rule of its groups accepts TCP 22 from the VPC {vpc}, which Container Service needs to initialise nodes"
                            ),
                            format!("add to {group}: ingress accept priority 1 tcp 22/22 from {vpc}"),
                            writable(
                                topology,
                                group,
                                Fix::AddRule {
                                    security_group: group.clone(),
                                    rule: accept_rule(Protocol::Tcp, ssh, vpc, "SSH for Container Service"),
                                },
                            ),
                        ),
                    ),
                }
                let icmp = coverage(topology, &actor.groups, Protocol::Icmp, None, &vpc);
                if !matches!(icmp, Coverage::Allowed) {
                    let (rule_index, why, fix) = match icmp {
                        Coverage::Dropped(holder, index) => (
                            (holder == group).then_some(index),
                            format!(
                                "{} drops ICMP from the VPC {vpc}",
                                blocked_by(holder, index)
                            ),
                            None,
                        ),
                        _ => (
                            None,
                            format!("no rule of its groups accepts ICMP from the VPC {vpc}"),
                            writable(
                                topology,
                                group,
                                Fix::AddRule {
                                    security_group: group.clone(),
                                    rule: accept_rule(
                                        Protocol::Icmp,
                                        PortSpec::All,
                                        vpc,
                                        "ICMP for node troubleshooting",
                                    ),
                                },
                            ),
                        ),
                    };
                    add(
                        LintCode::AckIcmpMissing,
                        base(
                            LintCode::AckIcmpMissing,
                            Severity::Info,
                            rule_index,
                            format!(
                                "node {node_id} of cluster {cluster_id}: {why}; Container Service keeps ICMP open for node-to-node troubleshooting"
                            ),
                            format!("add to {group}: ingress accept priority 1 icmp -1/-1 from {vpc}"),
                            fix,
                        ),
                    );
                }
            }
            if cluster.network_mode == NetworkMode::Flannel {
                if let Some(pods) = cluster.pod_cidr {
                    let pod = coverage(topology, &actor.groups, Protocol::All, None, &pods);
                    if !matches!(pod, Coverage::Allowed) {
                        let (rule_index, why, fix) = match pod {
                            Coverage::Dropped(holder, index) => (
                                (holder == group).then_some(index),
                                format!("{} drops traffic from the pod CIDR {pods}", blocked_by(holder, index)),
                                None,
                            ),
                            _ => (
                                None,
                                format!("no rule of its groups accepts protocol all from the pod CIDR {pods}"),
                                writable(
                                    topology,
                                    group,
                                    Fix::AddRule {
                                        security_group: group.clone(),
                                        rule: accept_rule(Protocol::All, PortSpec::All, pods, "Flannel pod CIDR"),
                                    },
                                ),
                            ),
                        };
                        add(
                            LintCode::FlannelPodCidrMissing,
                            base(
                                LintCode::FlannelPodCidrMissing,
                                Severity::Warning,
                                rule_index,
                                format!(
                                    "node {node_id} of Flannel cluster {cluster_id}: {why}; pods on different nodes cannot reach each other, because the node's groups filter pod traffic"
                                ),
                                format!("add to {group}: ingress accept priority 1 all -1/-1 from {pods}"),
                                fix,
                            ),
                        );
                    }
                }
            }
        }
    }
    findings.into_values().collect()
}
