//! "Does the rule I just added change anything?": what one rule changes, from the facts of
//! the analysis.

use serde::Serialize;

use crate::explain::RuleRef;
use crate::model::{GroupId, Topology, Verdict};

use super::space::{self, Facts, RuleNumber};
use super::words::refs;

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
pub(super) fn effect_of(
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
