//! Exposure: ingress accept rules that open a non-web port to the whole internet
//! (`open-internal-rule`), every port to a broad peer (`all-ports-open`) or a risky port
//! (`risky-port-exposed`).

use ipnet::IpNet;

use crate::explain::RuleRef;
use crate::fix::Fix;
use crate::model::{Direction, GroupId, Peer, Policy, PortRange, Protocol, Rule, Topology};

use super::findings::{Finding, LintCode, Severity};
use super::space::RuleFacts;
use super::words::{managed_note, writable};
use super::RuleKey;

/// Ports that should not be open to the internet, with what usually listens there.
pub const RISKY_PORTS: [(u16, &str); 17] = [
    (21, "FTP"),
    (22, "SSH"),
    (23, "Telnet"),
    (445, "SMB"),
    (1433, "SQL Server"),
    (2375, "Docker API"),
    (2379, "etcd"),
    (3306, "MySQL"),
    (3389, "RDP"),
    (5432, "PostgreSQL"),
    (5601, "Kibana"),
    (5900, "VNC"),
    (6379, "Redis"),
    (9200, "Elasticsearch"),
    (10250, "kubelet"),
    (11211, "Memcached"),
    (27017, "MongoDB"),
];

/// Web ports that `open-internal-rule` leaves alone.
pub const WEB_PORTS: [u16; 2] = [80, 443];

/// Whether a CIDR is the whole address space of its family.
pub(super) fn is_everywhere(block: &IpNet) -> bool {
    block.prefix_len() == 0
}

/// Whether a CIDR is broad: `/8` or wider for IPv4, `/32` or wider for IPv6.
pub(super) fn is_broad(block: &IpNet) -> bool {
    match block {
        IpNet::V4(net) => net.prefix_len() <= 8,
        IpNet::V6(net) => net.prefix_len() <= 32,
    }
}

pub(super) fn peer_blocks(topology: &Topology, peer: &Peer) -> Vec<IpNet> {
    match peer {
        Peer::Cidr(block) => vec![*block],
        Peer::PrefixList(id) => topology
            .prefix_lists
            .get(id)
            .map(|list| list.cidrs.clone())
            .unwrap_or_default(),
        Peer::Group { .. } => Vec::new(),
    }
}

/// The VPC CIDR of a group's VPC, of the family of `like`.
pub(super) fn vpc_cidr(
    topology: &Topology,
    group: &GroupId,
    like: Option<&IpNet>,
) -> Option<IpNet> {
    let group = topology.groups.get(group)?;
    let cidr = topology.vpcs.get(&group.vpc)?.cidr?;
    match like {
        Some(block) if block.addr().is_ipv4() != cidr.addr().is_ipv4() => None,
        _ => Some(cidr),
    }
}

pub(super) fn exposure_finding(
    topology: &Topology,
    key: &RuleKey,
    rule: &Rule,
    fact: Option<&RuleFacts>,
) -> Option<Finding> {
    if rule.direction != Direction::Ingress || rule.policy != Policy::Accept {
        return None;
    }
    if fact.is_some_and(|fact| fact.carried && !fact.decides) {
        return None;
    }
    let blocks = peer_blocks(topology, &rule.peer);
    let everywhere = blocks.iter().find(|block| is_everywhere(block)).copied();
    let broad = blocks.iter().find(|block| is_broad(block)).copied();
    // Built only for a finding: most rules get none.
    let this = || RuleRef::new(&key.0, key.1, rule);
    let narrowed = |peer: IpNet| Rule {
        peer: Peer::Cidr(peer),
        ..rule.clone()
    };
    let vpc = vpc_cidr(topology, &key.0, everywhere.as_ref().or(broad.as_ref()));
    let narrow_fix = || {
        vpc.and_then(|cidr| {
            writable(
                topology,
                &key.0,
                Fix::ReplaceRule {
                    security_group: key.0.clone(),
                    rule_index: key.1,
                    rule: narrowed(cidr),
                },
            )
        })
    };
    let finding = |code, severity, message: String, fix_text: String| Finding {
        code,
        severity,
        security_group: Some(key.0.clone()),
        rule_index: Some(key.1),
        endpoint: None,
        message,
        fix_text: format!("{fix_text}{}", managed_note(topology, &key.0)),
        fix: narrow_fix(),
        related: Vec::new(),
    };
    let vpc_words = || match vpc {
        Some(cidr) => format!("the VPC CIDR {cidr}"),
        None => "the VPC CIDR".to_owned(),
    };
    let all_ports = matches!(rule.protocol, Protocol::All | Protocol::Tcp | Protocol::Udp)
        && rule.ports.as_range() == PortRange::ALL;
    if all_ports {
        if let Some(block) = broad {
            let (severity, whom) = if is_everywhere(&block) {
                (Severity::Error, format!("{block}, that is every address"))
            } else {
                (Severity::Warning, format!("the broad block {block}"))
            };
            return Some(finding(
                LintCode::AllPortsOpen,
                severity,
                format!("{} accepts every port from {whom}", this()),
                format!(
                    "allow only the ports the service needs, from the addresses that need them: a group, an office CIDR or {}",
                    vpc_words()
                ),
            ));
        }
    }
    let block = everywhere?;
    if !rule.protocol.has_ports() && rule.protocol != Protocol::All {
        return None;
    }
    let decided: Vec<(u16, u16)> = match fact {
        Some(fact) if fact.carried => fact.decided_ports.clone(),
        _ => {
            let range = rule.ports.as_range();
            vec![(range.start(), range.end())]
        }
    };
    let within = |port: u16| {
        decided
            .iter()
            .any(|&(start, end)| start <= port && port <= end)
    };
    let risky: Vec<String> = RISKY_PORTS
        .iter()
        .filter(|(port, _)| within(*port))
        .map(|(port, name)| format!("{port} ({name})"))
        .collect();
    if !risky.is_empty() {
        return Some(finding(
            LintCode::RiskyPortExposed,
            Severity::Error,
            format!(
                "{} exposes {} to the internet ({block})",
                this(),
                risky.join(", ")
            ),
            format!(
                "accept these ports only from the addresses that need them: a bastion's group, an office CIDR or {}",
                vpc_words()
            ),
        ));
    }
    let range = rule.ports.as_range();
    let web_only = (range.start()..=range.end()).all(|port| WEB_PORTS.contains(&port));
    let decides_non_web = decided
        .iter()
        .any(|&(start, end)| !(start..=end).all(|port| WEB_PORTS.contains(&port)));
    if web_only || !decides_non_web {
        return None;
    }
    Some(finding(
        LintCode::OpenInternalRule,
        Severity::Warning,
        format!(
            "{} opens {} {} to every address ({block}): only web ports (80, 443) are meant for everyone, internal ports should accept a group or known CIDRs",
            this(),
            rule.protocol,
            rule.ports
        ),
        format!(
            "narrow the peer to the addresses that need the port: a group or {}",
            vpc_words()
        ),
    ))
}
