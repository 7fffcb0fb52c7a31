//! The lint: shadowed, redundant, mergeable and conflicting rules found with exact,
//! priority-aware set logic, over-broad rules, unattached groups, limits, and the rules that a
//! Container Service (ACK) cluster's nodes need. `docs/lints.md` lists every code.
//!
//! [`lint`] returns plain [`Finding`]s: a stable [`LintCode`], a [`Severity`], where the
//! problem is (group, rule index, endpoint), what it means and what to do, in words, and a
//! one-click [`Fix`] where one exists. [`added_rule_effect`] answers "does the rule I just
//! added change anything?".
//!
//! Shadowing is decided exactly (see the `space` module): the rules of every ENI class are
//! pooled in the engine's evaluation order, and a rule is *shadowed* when, on every class that
//! carries its group, the rules before it decide every packet it matches. Group peers are
//! compared through the groups' current members.
//!
//! ```
//! use sglab_core::format::parse_sglab;
//! use sglab_core::lint::{lint, LintCode};
//! use sglab_core::validate::Limits;
//!
//! let topology = parse_sglab(r#"{"sglab": 1, "vpcs": [{"id": "vpc-1"}],
//!   "security_groups": [{"id": "sg-web", "rules": [
//!     {"direction": "ingress", "protocol": "tcp", "port_range": "1/1000", "cidr": "0.0.0.0/0"},
//!     {"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.0.0/8"}]}],
//!   "endpoints": [{"id": "web", "kind": "ecs", "private_ip": "10.0.0.5", "groups": ["sg-web"]}]}"#,
//!   None).expect("valid").topology;
//! let findings = lint(&topology, &Limits::default());
//! assert!(findings
//!     .iter()
//!     .any(|finding| finding.code == LintCode::ShadowedRule && finding.rule_index == Some(1)));
//! ```

#[cfg(test)]
mod reference;
mod space;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use ipnet::IpNet;
use serde::{Serialize, Serializer};

use crate::eval::route::Actor;
use crate::eval::rules;
use crate::explain::RuleRef;
use crate::fix::Fix;
use crate::model::{
    Direction, EndpointId, EndpointKind, GroupId, GroupType, NetworkMode, NicType, Peer, Policy,
    PortRange, PortSpec, Priority, Protocol, Rule, Topology, Verdict,
};
use crate::validate::Limits;

use space::{Facts, RuleFacts, RuleNumber};

/// A rule's place: its group and index.
type RuleKey = (GroupId, usize);

/// The stable code of a finding. Serializes as its kebab-case string (`shadowed-rule`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LintCode {
    /// A rule that never decides anything: earlier rules decide every packet it matches.
    ShadowedRule,
    /// A rule part of whose traffic is decided first, the other way, by earlier rules.
    PartiallyShadowedRule,
    /// A rule whose every decision later rules or the default would make the same way.
    RedundantRule,
    /// Rules of one group that differ only in touching or overlapping port ranges.
    MergeableRules,
    /// An accept rule overlapped by a drop rule of the same priority: the drop wins.
    ConflictingEqualPriority,
    /// An ingress accept rule opening a non-web port to `0.0.0.0/0` or `::/0`.
    OpenInternalRule,
    /// An ingress accept rule opening every port from a broad peer.
    AllPortsOpen,
    /// An ingress accept rule exposing a risky port (SSH, RDP, databases, ...) to the internet.
    RiskyPortExposed,
    /// A group that no ENI, pod or gateway uses.
    UnattachedGroup,
    /// More rules in a group or on an ENI than the limit.
    TooManyRules,
    /// More groups on an ENI than the limit.
    TooManyGroupsPerEni,
    /// More group-referencing rules in a basic group than the limit.
    TooManyGroupReferences,
    /// Basic and enterprise groups on one ENI.
    MixedGroupTypes,
    /// A cluster node group that does not allow TCP 22 from the VPC.
    AckSshBlocked,
    /// A cluster node group that does not allow ICMP from the VPC.
    AckIcmpMissing,
    /// A Flannel cluster's node group that does not allow the pod CIDR.
    FlannelPodCidrMissing,
}

impl LintCode {
    /// Every code, in the order of `docs/lints.md`.
    pub const ALL: [LintCode; 16] = [
        LintCode::ShadowedRule,
        LintCode::PartiallyShadowedRule,
        LintCode::RedundantRule,
        LintCode::MergeableRules,
        LintCode::ConflictingEqualPriority,
        LintCode::OpenInternalRule,
        LintCode::AllPortsOpen,
        LintCode::RiskyPortExposed,
        LintCode::UnattachedGroup,
        LintCode::TooManyRules,
        LintCode::TooManyGroupsPerEni,
        LintCode::TooManyGroupReferences,
        LintCode::MixedGroupTypes,
        LintCode::AckSshBlocked,
        LintCode::AckIcmpMissing,
        LintCode::FlannelPodCidrMissing,
    ];

    /// The stable string code.
    pub fn as_str(self) -> &'static str {
        match self {
            LintCode::ShadowedRule => "shadowed-rule",
            LintCode::PartiallyShadowedRule => "partially-shadowed-rule",
            LintCode::RedundantRule => "redundant-rule",
            LintCode::MergeableRules => "mergeable-rules",
            LintCode::ConflictingEqualPriority => "conflicting-equal-priority",
            LintCode::OpenInternalRule => "open-internal-rule",
            LintCode::AllPortsOpen => "all-ports-open",
            LintCode::RiskyPortExposed => "risky-port-exposed",
            LintCode::UnattachedGroup => "unattached-group",
            LintCode::TooManyRules => "too-many-rules",
            LintCode::TooManyGroupsPerEni => "too-many-groups-per-eni",
            LintCode::TooManyGroupReferences => "too-many-group-references",
            LintCode::MixedGroupTypes => "mixed-group-types",
            LintCode::AckSshBlocked => "ack-ssh-blocked",
            LintCode::AckIcmpMissing => "ack-icmp-missing",
            LintCode::FlannelPodCidrMissing => "flannel-pod-cidr-missing",
        }
    }

    /// The code for a string, as [`LintCode::as_str`] writes it.
    pub fn parse(text: &str) -> Option<LintCode> {
        LintCode::ALL.into_iter().find(|code| code.as_str() == text)
    }
}

impl fmt::Display for LintCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for LintCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The cloud refuses it, or it exposes the network to the internet.
    Error,
    /// Probably not what was meant, or over the vendor's advice.
    Warning,
    /// Worth tidying.
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// One finding of the lint.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// The stable code.
    pub code: LintCode,
    /// Error, warning or info.
    pub severity: Severity,
    /// The group concerned, when there is one.
    pub security_group: Option<GroupId>,
    /// The rule concerned (0-based, both directions counted), when there is one.
    pub rule_index: Option<usize>,
    /// The endpoint concerned, when there is one.
    pub endpoint: Option<EndpointId>,
    /// What is wrong, in plain words.
    pub message: String,
    /// What to do, in words.
    pub fix_text: String,
    /// The one-click fix, where one exists.
    pub fix: Option<Fix>,
    /// Other rules the finding is about: the rules that shadow this one, the rules to merge
    /// with it, the rules that decide its packets without it.
    pub related: Vec<RuleRef>,
}

/// What a rule the user just added changes, from [`added_rule_effect`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum AddedRuleEffect {
    /// The rule changes the verdict of some packet.
    Effective,
    /// The rule changes no verdict: these rules already decide every packet it matches the
    /// same way (earlier rules that shadow it, or later rules that would decide the same).
    AlreadyDecidedBy {
        /// The rules.
        rules: Vec<RuleRef>,
    },
    /// The rule changes no verdict: without it the group type's default decides the same way
    /// (for example an egress accept rule in a basic group), possibly with the listed rules.
    SameAsDefault {
        /// The default's verdict.
        verdict: Verdict,
        /// Rules that decide the rest the same way.
        rules: Vec<RuleRef>,
    },
    /// No ENI carries the group yet, so the rule decides nothing for now.
    Unattached,
}

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

/// Lints a topology. Findings are sorted by group, rule index, code and endpoint.
pub fn lint(topology: &Topology, limits: &Limits) -> Vec<Finding> {
    findings_of(topology, limits, &space::analyse(topology))
}

/// The findings of a topology given the facts of its rules.
fn findings_of(topology: &Topology, limits: &Limits, facts: &Facts<'_>) -> Vec<Finding> {
    // A rule is redundant only if the rules that take over from it are not shadowed
    // themselves: otherwise deleting both would change verdicts.
    let shadowed: Vec<bool> = (0..facts.len())
        .map(|number| {
            facts
                .get(number as RuleNumber)
                .is_some_and(|fact| !fact.decides)
        })
        .collect();
    let mut findings = Vec::new();
    let mut texts = Texts::new(facts);
    let mut settled: Vec<bool> = vec![false; facts.len()];
    for (group_id, group) in &topology.groups {
        let first = facts.first_number(group_id);
        for (index, rule) in group.rules.iter().enumerate() {
            let key = (group_id.clone(), index);
            let number = first + index as RuleNumber;
            let fact = facts.get(number);
            // A prefix list whose entries are unknown (or empty) matches nothing in the
            // simulation, but may in the cloud: such a rule is not judged.
            let unknown_list = matches!(&rule.peer, Peer::PrefixList(id)
                if topology.prefix_lists.get(id).is_none_or(|list| list.cidrs.is_empty()));
            if let Some(fact) = fact.filter(|_| !unknown_list) {
                if let Some(finding) =
                    shadow_finding(topology, facts, &mut texts, &key, rule, fact, &shadowed)
                {
                    if matches!(
                        finding.code,
                        LintCode::ShadowedRule | LintCode::RedundantRule
                    ) {
                        settled[number as usize] = true;
                    }
                    findings.push(finding);
                }
            }
            if !settled[number as usize] {
                findings.extend(exposure_finding(topology, &key, rule, fact));
            }
        }
    }
    findings.extend(mergeable_findings(topology, facts, &settled));
    findings.extend(group_findings(topology, limits));
    findings.extend(eni_findings(topology, limits));
    findings.extend(cluster_findings(topology));
    crate::sort::sort_by(&mut findings, |a, b| {
        (&a.security_group, a.rule_index, a.code, &a.endpoint).cmp(&(
            &b.security_group,
            b.rule_index,
            b.code,
            &b.endpoint,
        ))
    });
    findings
}

/// What rule `rule_index` of `group` changes: `None` when the rule does not exist.
///
/// The web app calls it after the user adds a rule, to say "this rule changes nothing: rule 2
/// of sg-x already allows it".
pub fn added_rule_effect(
    topology: &Topology,
    group: &GroupId,
    rule_index: usize,
) -> Option<AddedRuleEffect> {
    effect_of(topology, &space::analyse(topology), group, rule_index)
}

/// What rule `rule_index` of `group` changes, given the facts of the topology's rules.
fn effect_of(
    topology: &Topology,
    facts: &Facts<'_>,
    group: &GroupId,
    rule_index: usize,
) -> Option<AddedRuleEffect> {
    topology.groups.get(group)?.rules.get(rule_index)?;
    let number = facts.first_number(group) + rule_index as RuleNumber;
    let Some(fact) = facts.get(number) else {
        return Some(AddedRuleEffect::Unattached);
    };
    if !fact.decides {
        return Some(AddedRuleEffect::AlreadyDecidedBy {
            rules: refs(facts, &fact.earlier),
        });
    }
    if !fact.same_without {
        return Some(AddedRuleEffect::Effective);
    }
    let rules = refs(facts, &fact.takeover);
    Some(match fact.default_takeover {
        Some(verdict) => AddedRuleEffect::SameAsDefault { verdict, rules },
        None => AddedRuleEffect::AlreadyDecidedBy { rules },
    })
}

// ---------------------------------------------------------------------------------------------
// Words

/// The texts of rules ([`RuleRef`]'s `Display`), each made once per lint: the findings name the
/// same few rules again and again.
struct Texts<'f, 't> {
    facts: &'f Facts<'t>,
    texts: Vec<Option<String>>,
}

impl<'f, 't> Texts<'f, 't> {
    fn new(facts: &'f Facts<'t>) -> Texts<'f, 't> {
        Texts {
            facts,
            texts: vec![None; facts.len()],
        }
    }

    /// The words of a list of rules, as [`list`] writes them.
    fn list(&mut self, numbers: &[RuleNumber]) -> String {
        let facts = self.facts;
        let parts = numbers
            .iter()
            .take(3)
            .map(|&number| {
                self.texts[number as usize]
                    .get_or_insert_with(|| {
                        let (group, index, rule) = facts.key(number);
                        RuleRef::new(group, index, rule).to_string()
                    })
                    .clone()
            })
            .collect();
        list_words(parts, numbers.len())
    }
}

/// The numbers of the rules that pass a test, in their order.
fn numbers_where(
    facts: &Facts<'_>,
    numbers: &[RuleNumber],
    test: impl Fn(&Rule) -> bool,
) -> Vec<RuleNumber> {
    numbers
        .iter()
        .copied()
        .filter(|&number| test(facts.key(number).2))
        .collect()
}

/// The rules with these numbers, in their order.
fn refs(facts: &Facts<'_>, numbers: &[RuleNumber]) -> Vec<RuleRef> {
    numbers
        .iter()
        .map(|&number| {
            let (group, index, rule) = facts.key(number);
            RuleRef::new(group, index, rule)
        })
        .collect()
}

/// `rule 2 of sg-a`, 1-based.
fn short(key: &RuleKey) -> String {
    format!("rule {} of {}", key.1 + 1, key.0)
}

/// A list of rules in words: the first three in full, then how many more.
fn list(rules: &[RuleRef]) -> String {
    let parts: Vec<String> = rules.iter().take(3).map(ToString::to_string).collect();
    list_words(parts, rules.len())
}

/// The words of a list of `count` rules, given the texts of its first three.
fn list_words(mut parts: Vec<String>, count: usize) -> String {
    if count > 3 {
        parts.push(format!("{} more", count - 3));
    }
    match parts.len() {
        0 => String::new(),
        1 => parts.remove(0),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("{} and {last}", parts.join(", "))
        }
    }
}

fn verb(rules: &[RuleRef], one: &str, many: &str) -> String {
    if rules.len() == 1 {
        one.to_owned()
    } else {
        many.to_owned()
    }
}

/// The note that group peers are compared through their current members, when a group peer
/// is involved.
fn members_note(rule: &Rule, related: &[RuleRef]) -> &'static str {
    let grouped = matches!(rule.peer, Peer::Group { .. })
        || related
            .iter()
            .any(|other| matches!(other.peer, Peer::Group { .. }));
    if grouped {
        " (group peers compared with their current members)"
    } else {
        ""
    }
}

fn default_words(verdict: Verdict, direction: Direction) -> &'static str {
    match (verdict, direction) {
        (Verdict::Allow, Direction::Egress) => "the default (basic groups allow all egress)",
        (Verdict::Allow, Direction::Ingress) => "the default allow",
        (Verdict::Deny, Direction::Ingress) => "the default (ingress is denied by default)",
        (Verdict::Deny, Direction::Egress) => {
            "the default (enterprise groups deny all egress by default)"
        }
    }
}

/// A fix on a rule, unless its group is managed (read-only).
fn writable(topology: &Topology, group: &GroupId, fix: Fix) -> Option<Fix> {
    topology
        .groups
        .get(group)
        .filter(|group| group.managed_by.is_none())
        .map(|_| fix)
}

fn managed_note(topology: &Topology, group: &GroupId) -> String {
    match topology
        .groups
        .get(group)
        .and_then(|group| group.managed_by.as_deref())
    {
        Some(product) => {
            format!(" (the group is managed by {product} and read-only: change it there)")
        }
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Shadowing, redundancy, conflicts

fn shadow_finding(
    topology: &Topology,
    facts: &Facts<'_>,
    texts: &mut Texts<'_, '_>,
    key: &RuleKey,
    rule: &Rule,
    fact: &RuleFacts,
    shadowed: &[bool],
) -> Option<Finding> {
    // Built only for a finding: most rules get none.
    let this = || RuleRef::new(&key.0, key.1, rule);
    let base = |code, severity, message: String, fix_text: String, fix, related| Finding {
        code,
        severity,
        security_group: Some(key.0.clone()),
        rule_index: Some(key.1),
        endpoint: None,
        message,
        fix_text: format!("{fix_text}{}", managed_note(topology, &key.0)),
        fix,
        related,
    };
    let delete = || Fix::DeleteRule {
        security_group: key.0.clone(),
        rule_index: key.1,
    };
    if !fact.decides {
        let related = refs(facts, &fact.earlier);
        let tie = rule.policy == Policy::Accept
            && related
                .iter()
                .any(|other| other.policy == Policy::Drop && other.priority == rule.priority.get());
        let who = if related.is_empty() {
            "it matches no packet on the ENIs that carry its group".to_owned()
        } else {
            format!(
                "{} {} every packet it matches first",
                texts.list(&fact.earlier),
                verb(&related, "decides", "decide")
            )
        };
        let this = this();
        let message = format!(
            "{this} never decides anything: {who}{}{}",
            if tie {
                "; at equal priority drop rules are evaluated before accept rules"
            } else {
                ""
            },
            members_note(rule, &related),
        );
        return Some(base(
            LintCode::ShadowedRule,
            Severity::Warning,
            message,
            format!("delete {}: it changes no verdict", short(key)),
            writable(topology, &key.0, delete()),
            related,
        ));
    }
    if fact.same_without
        && fact
            .takeover
            .iter()
            .all(|&number| !shadowed[number as usize])
    {
        let related = refs(facts, &fact.takeover);
        let mut without: Vec<String> = Vec::new();
        if !related.is_empty() {
            without.push(texts.list(&fact.takeover));
        }
        if let Some(verdict) = fact.default_takeover {
            without.push(default_words(verdict, rule.direction).to_owned());
        }
        let this = this();
        let message = format!(
            "{this} is redundant: without it, {} would decide every packet it decides the same way{}",
            without.join(" and "),
            members_note(rule, &related),
        );
        return Some(base(
            LintCode::RedundantRule,
            Severity::Info,
            message,
            format!("delete {}: it changes no verdict", short(key)),
            writable(topology, &key.0, delete()),
            related,
        ));
    }
    if rule.policy == Policy::Accept {
        let ties = numbers_where(facts, &fact.earlier, |other| {
            other.policy == Policy::Drop && other.priority == rule.priority
        });
        if !ties.is_empty() {
            let listed = texts.list(&ties);
            let ties = refs(facts, &ties);
            let this = this();
            let message = format!(
                "{this} overlaps {} of the same priority {}: at equal priority drop rules are evaluated first, so the drop wins where they overlap{}",
                listed,
                rule.priority,
                members_note(rule, &ties),
            );
            return Some(base(
                LintCode::ConflictingEqualPriority,
                Severity::Warning,
                message,
                format!(
                    "if the accept rule should win, give {} a higher priority (a smaller number) than the drop; otherwise narrow one of the rules so they no longer overlap",
                    short(key)
                ),
                None,
                ties,
            ));
        }
    }
    let opposite = numbers_where(facts, &fact.earlier, |other| other.policy != rule.policy);
    if !opposite.is_empty() {
        let listed = texts.list(&opposite);
        let opposite = refs(facts, &opposite);
        let this = this();
        let message = format!(
            "{this} is partly shadowed: {} {} part of the traffic it matches first, the other way{}",
            listed,
            verb(&opposite, "decides", "decide"),
            members_note(rule, &opposite),
        );
        return Some(base(
            LintCode::PartiallyShadowedRule,
            Severity::Info,
            message,
            format!(
                "check that {} should not apply where the earlier rules decide; narrow it to the traffic it decides, or change priorities",
                short(key)
            ),
            None,
            opposite,
        ));
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Exposure

/// Whether a CIDR is the whole address space of its family.
fn is_everywhere(block: &IpNet) -> bool {
    block.prefix_len() == 0
}

/// Whether a CIDR is broad: `/8` or wider for IPv4, `/32` or wider for IPv6.
fn is_broad(block: &IpNet) -> bool {
    match block {
        IpNet::V4(net) => net.prefix_len() <= 8,
        IpNet::V6(net) => net.prefix_len() <= 32,
    }
}

fn peer_blocks(topology: &Topology, peer: &Peer) -> Vec<IpNet> {
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
fn vpc_cidr(topology: &Topology, group: &GroupId, like: Option<&IpNet>) -> Option<IpNet> {
    let group = topology.groups.get(group)?;
    let cidr = topology.vpcs.get(&group.vpc)?.cidr?;
    match like {
        Some(block) if block.addr().is_ipv4() != cidr.addr().is_ipv4() => None,
        _ => Some(cidr),
    }
}

fn exposure_finding(
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

// ---------------------------------------------------------------------------------------------
// Mergeable rules

fn mergeable_findings(topology: &Topology, facts: &Facts<'_>, settled: &[bool]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (group_id, group) in &topology.groups {
        let first = facts.first_number(group_id);
        // Rules that differ only in their ports, by everything else.
        let mut buckets: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (index, rule) in group.rules.iter().enumerate() {
            if !rule.protocol.has_ports() || settled[(first as usize) + index] {
                continue;
            }
            let shape = Rule {
                id: None,
                ports: PortSpec::All,
                description: String::new(),
                ..rule.clone()
            };
            buckets.entry(format!("{shape:?}")).or_default().push(index);
        }
        for indexes in buckets.values() {
            let mut sorted = indexes.clone();
            crate::sort::sort_by_key(&mut sorted, |&index| {
                let range = group.rules[index].ports.as_range();
                (range.start(), range.end(), index)
            });
            let mut run: Vec<usize> = Vec::new();
            let mut run_end = 0u32;
            for index in sorted {
                let range = group.rules[index].ports.as_range();
                if !run.is_empty() && u32::from(range.start()) <= run_end + 1 {
                    run.push(index);
                    run_end = run_end.max(u32::from(range.end()));
                    continue;
                }
                findings.extend(merge_finding(topology, group_id, &run));
                run = vec![index];
                run_end = u32::from(range.end());
            }
            findings.extend(merge_finding(topology, group_id, &run));
        }
    }
    findings
}

fn merge_finding(topology: &Topology, group_id: &GroupId, run: &[usize]) -> Option<Finding> {
    if run.len() < 2 {
        return None;
    }
    let group = topology.groups.get(group_id)?;
    let keep = *run.iter().min()?;
    let start = run
        .iter()
        .map(|&index| group.rules[index].ports.as_range().start())
        .min()?;
    let end = run
        .iter()
        .map(|&index| group.rules[index].ports.as_range().end())
        .max()?;
    let ports = PortRange::new(start, end).ok()?;
    let mut others: Vec<usize> = run.iter().copied().filter(|&index| index != keep).collect();
    crate::sort::sort(&mut others);
    let related: Vec<RuleRef> = others
        .iter()
        .map(|&index| RuleRef::new(group_id, index, &group.rules[index]))
        .collect();
    let this = RuleRef::new(group_id, keep, &group.rules[keep]);
    let merged = Rule {
        ports: PortSpec::Range(ports),
        ..group.rules[keep].clone()
    };
    let deletions: Vec<String> = others
        .iter()
        .map(|&index| short(&(group_id.clone(), index)))
        .collect();
    Some(Finding {
        code: LintCode::MergeableRules,
        severity: Severity::Info,
        security_group: Some(group_id.clone()),
        rule_index: Some(keep),
        endpoint: None,
        message: format!(
            "{this} and {} differ only in port ranges that touch or overlap: one rule for {ports} does the same",
            list(&related)
        ),
        fix_text: format!(
            "change {} to ports {ports}, then delete {}{}",
            short(&(group_id.clone(), keep)),
            deletions.join(", "),
            managed_note(topology, group_id)
        ),
        fix: writable(
            topology,
            group_id,
            Fix::ReplaceRule {
                security_group: group_id.clone(),
                rule_index: keep,
                rule: merged,
            },
        ),
        related,
    })
}

// ---------------------------------------------------------------------------------------------
// Groups and limits

fn group_findings(topology: &Topology, limits: &Limits) -> Vec<Finding> {
    let mut used: BTreeSet<&GroupId> = BTreeSet::new();
    for endpoint in topology.endpoints.values() {
        for eni in &endpoint.enis {
            used.extend(eni.groups.iter());
        }
    }
    for gateway in topology.gateways.values() {
        used.insert(&gateway.managed_group);
    }
    let mut findings = Vec::new();
    for (id, group) in &topology.groups {
        let finding = |code, severity, message: String, fix_text: String| Finding {
            code,
            severity,
            security_group: Some(id.clone()),
            rule_index: None,
            endpoint: None,
            message,
            fix_text,
            fix: None,
            related: Vec::new(),
        };
        if !used.contains(id) {
            findings.push(finding(
                LintCode::UnattachedGroup,
                Severity::Info,
                format!("security group {id} is attached to no ENI, pod or gateway: its rules protect nothing"),
                format!("attach {id} to the instances it should protect, or delete it"),
            ));
        }
        if group.rules.len() > limits.rules_per_group {
            findings.push(finding(
                LintCode::TooManyRules,
                Severity::Warning,
                format!(
                    "security group {id} holds {} rules, more than the limit of {} per group: the cloud refuses the extra rules (AuthorizationLimitExceed)",
                    group.rules.len(),
                    limits.rules_per_group
                ),
                format!("merge or delete rules (see the other findings), or split {id} into several groups"),
            ));
        }
        let references = group
            .rules
            .iter()
            .filter(|rule| matches!(rule.peer, Peer::Group { .. }))
            .count();
        if group.group_type == GroupType::Basic && references > limits.group_references_per_group {
            findings.push(finding(
                LintCode::TooManyGroupReferences,
                Severity::Warning,
                format!(
                    "security group {id} holds {references} rules that reference a group, more than the limit of {} per basic group (AuthorizationLimitExceed)",
                    limits.group_references_per_group
                ),
                "reference fewer groups: put the peers in one group, or use their CIDR blocks or a prefix list".to_owned(),
            ));
        }
    }
    findings
}

fn eni_findings(topology: &Topology, limits: &Limits) -> Vec<Finding> {
    let mut findings = Vec::new();
    for endpoint in topology.endpoints.values() {
        let trunk_pod = matches!(endpoint.kind, EndpointKind::Pod { .. });
        for (eni_index, eni) in endpoint.enis.iter().enumerate() {
            let eni_words = if endpoint.enis.len() > 1 {
                format!("ENI {} of {}", eni_index + 1, endpoint.id)
            } else {
                format!("the ENI of {}", endpoint.id)
            };
            let finding = |code, severity, message: String, fix_text: String| Finding {
                code,
                severity,
                security_group: None,
                rule_index: None,
                endpoint: Some(endpoint.id.clone()),
                message,
                fix_text,
                fix: None,
                related: Vec::new(),
            };
            let mut groups: Vec<&GroupId> = eni.groups.iter().collect();
            crate::sort::sort(&mut groups);
            groups.dedup();
            let limit = if trunk_pod {
                limits.groups_per_trunk_pod
            } else {
                limits.groups_per_eni
            };
            if groups.len() > limit {
                findings.push(finding(
                    LintCode::TooManyGroupsPerEni,
                    Severity::Error,
                    format!(
                        "{eni_words} is in {} groups, more than the limit of {limit}{}",
                        groups.len(),
                        if trunk_pod {
                            " per Terway trunk pod"
                        } else {
                            " per ENI"
                        }
                    ),
                    "merge the groups' rules into fewer groups".to_owned(),
                ));
            }
            let rules: usize = groups
                .iter()
                .filter_map(|group| topology.groups.get(*group))
                .map(|group| group.rules.len())
                .sum();
            if rules > limits.rules_per_eni {
                findings.push(finding(
                    LintCode::TooManyRules,
                    Severity::Warning,
                    format!(
                        "the groups of {eni_words} hold {rules} rules together, more than the limit of {} per ENI (AuthorizationLimitExceed)",
                        limits.rules_per_eni
                    ),
                    "merge or delete rules, or move the ENI to fewer groups".to_owned(),
                ));
            }
            let basic = groups.iter().find(|group| {
                topology
                    .groups
                    .get(**group)
                    .is_some_and(|group| group.group_type == GroupType::Basic)
            });
            let enterprise = groups.iter().find(|group| {
                topology
                    .groups
                    .get(**group)
                    .is_some_and(|group| group.group_type == GroupType::Enterprise)
            });
            if let (Some(basic), Some(enterprise)) = (basic, enterprise) {
                findings.push(finding(
                    LintCode::MixedGroupTypes,
                    Severity::Error,
                    format!(
                        "{eni_words} mixes basic group {basic} and enterprise group {enterprise}: an ENI's groups must all be of one type, and sglab applies the stricter enterprise defaults"
                    ),
                    "keep the ENI in groups of one type".to_owned(),
                ));
            }
        }
    }
    findings
}

// ---------------------------------------------------------------------------------------------
// Container Service (ACK) clusters

/// What the first rule covering some of the wanted traffic does.
enum Coverage<'t> {
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
fn coverage<'t>(
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

fn accept_rule(protocol: Protocol, ports: PortSpec, peer: IpNet, description: &str) -> Rule {
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

fn cluster_findings(topology: &Topology) -> Vec<Finding> {
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
