//! Mergeable rules (`mergeable-rules`): rules of one group that differ only in touching or
//! overlapping port ranges.

use std::collections::BTreeMap;

use crate::explain::RuleRef;
use crate::fix::Fix;
use crate::model::{GroupId, PortRange, PortSpec, Rule, Topology};

use super::findings::{Finding, LintCode, Severity};
use super::space::Facts;
use super::words::{list, managed_note, short, writable};

pub(super) fn mergeable_findings(
    topology: &Topology,
    facts: &Facts<'_>,
    settled: &[bool],
) -> Vec<Finding> {
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

pub(super) fn merge_finding(
    topology: &Topology,
    group_id: &GroupId,
    run: &[usize],
) -> Option<Finding> {
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
