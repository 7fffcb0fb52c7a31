//! The lint: shadowed, redundant, mergeable and conflicting rules found with exact,
//! priority-aware set logic, over-broad rules, unattached groups, limits, and the rules that a
//! Container Service (ACK) cluster's nodes need. `docs/lints.md` lists every code.
//!
//! [`lint`] returns plain [`Finding`]s: a stable [`LintCode`], a [`Severity`], where the
//! problem is (group, rule index, endpoint), what it means and what to do, in words, and a
//! one-click [`Fix`](crate::fix::Fix) where one exists. [`added_rule_effect`] answers "does the
//! rule I just added change anything?".
//!
//! Shadowing is decided exactly (see the `space` module): the rules of every ENI class are
//! pooled in the engine's evaluation order, and a rule is *shadowed* when, on every class that
//! carries its group, the rules before it decide every packet it matches. Group peers are
//! compared through the groups' current members.
//!
//! ```
//! use sglab_core::load::parse_sglab;
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

mod cluster;
mod effect;
mod exposure;
mod findings;
mod limits;
mod mergeable;
#[cfg(test)]
mod reference;
mod shadow;
mod space;
mod words;

use crate::model::{GroupId, Peer, Topology};
use crate::validate::Limits;

pub use effect::{added_rule_effect, AddedRuleEffect};
pub use exposure::{RISKY_PORTS, WEB_PORTS};
pub use findings::{Finding, LintCode, Severity};

use cluster::cluster_findings;
use exposure::exposure_finding;
use limits::{eni_findings, group_findings};
use mergeable::mergeable_findings;
use shadow::shadow_finding;
use space::{Facts, RuleNumber};
use words::Texts;

/// A rule's place: its group and index.
type RuleKey = (GroupId, usize);

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
