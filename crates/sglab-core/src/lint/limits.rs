//! Groups and limits: unattached groups, the quotas of rules, groups per ENI and group
//! references, and basic and enterprise groups on one ENI.

use std::collections::BTreeSet;

use crate::model::{EndpointKind, GroupId, GroupType, Peer, Topology};
use crate::validate::Limits;

use super::findings::{Finding, LintCode, Severity};

pub(super) fn group_findings(topology: &Topology, limits: &Limits) -> Vec<Finding> {
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

pub(super) fn eni_findings(topology: &Topology, limits: &Limits) -> Vec<Finding> {
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
