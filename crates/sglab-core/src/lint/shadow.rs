//! Shadowing, redundancy and conflicts, from the facts of the analysis: a rule that never
//! decides (`shadowed-rule`), part of whose traffic earlier rules decide the other way
//! (`partially-shadowed-rule`), whose decisions later rules or the default would make the
//! same way (`redundant-rule`), or an accept beaten by a drop of the same priority
//! (`conflicting-equal-priority`).

use crate::explain::RuleRef;
use crate::fix::Fix;
use crate::model::{Policy, Rule, Topology};

use super::findings::{Finding, LintCode, Severity};
use super::space::{Facts, RuleFacts};
use super::words::{
    default_words, managed_note, members_note, numbers_where, refs, short, verb, writable, Texts,
};
use super::RuleKey;

pub(super) fn shadow_finding(
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
