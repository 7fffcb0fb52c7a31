//! The words of the findings: rules named once per lint, lists, verbs, and the notes on
//! group peers, defaults and managed groups.

use crate::explain::RuleRef;
use crate::fix::Fix;
use crate::model::{Direction, GroupId, Peer, Rule, Topology, Verdict};

use super::space::{Facts, RuleNumber};
use super::RuleKey;

/// The texts of rules ([`RuleRef`]'s `Display`), each made once per lint: the findings name the
/// same few rules again and again.
pub(super) struct Texts<'f, 't> {
    facts: &'f Facts<'t>,
    texts: Vec<Option<String>>,
}

impl<'f, 't> Texts<'f, 't> {
    pub(super) fn new(facts: &'f Facts<'t>) -> Texts<'f, 't> {
        Texts {
            facts,
            texts: vec![None; facts.len()],
        }
    }

    /// The words of a list of rules, as [`list`] writes them.
    pub(super) fn list(&mut self, numbers: &[RuleNumber]) -> String {
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
pub(super) fn numbers_where(
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
pub(super) fn refs(facts: &Facts<'_>, numbers: &[RuleNumber]) -> Vec<RuleRef> {
    numbers
        .iter()
        .map(|&number| {
            let (group, index, rule) = facts.key(number);
            RuleRef::new(group, index, rule)
        })
        .collect()
}

/// `rule 2 of sg-a`, 1-based.
pub(super) fn short(key: &RuleKey) -> String {
    format!("rule {} of {}", key.1 + 1, key.0)
}

/// A list of rules in words: the first three in full, then how many more.
pub(super) fn list(rules: &[RuleRef]) -> String {
    let parts: Vec<String> = rules.iter().take(3).map(ToString::to_string).collect();
    list_words(parts, rules.len())
}

/// The words of a list of `count` rules, given the texts of its first three.
pub(super) fn list_words(mut parts: Vec<String>, count: usize) -> String {
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

pub(super) fn verb(rules: &[RuleRef], one: &str, many: &str) -> String {
    if rules.len() == 1 {
        one.to_owned()
    } else {
        many.to_owned()
    }
}

/// The note that group peers are compared through their current members, when a group peer
/// is involved.
pub(super) fn members_note(rule: &Rule, related: &[RuleRef]) -> &'static str {
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

pub(super) fn default_words(verdict: Verdict, direction: Direction) -> &'static str {
    match (verdict, direction) {
        (Verdict::Allow, Direction::Egress) => "the default (basic groups allow all egress)",
        (Verdict::Allow, Direction::Ingress) => "the default allow",
        (Verdict::Deny, Direction::Ingress) => "the default (ingress is denied by default)",
        (Verdict::Deny, Direction::Egress) => {
            "the default (enterprise groups deny all egress by default)"
        }
    }
}

/// A fix on a rule, unless an edit may not change its group (unknown or managed, read-only:
/// [`crate::edit::writable_group`]).
pub(super) fn writable(topology: &Topology, group: &GroupId, fix: Fix) -> Option<Fix> {
    crate::edit::writable_group(topology, group)
        .ok()
        .map(|_| fix)
}

pub(super) fn managed_note(topology: &Topology, group: &GroupId) -> String {
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
