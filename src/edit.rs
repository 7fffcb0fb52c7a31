//! Words for what an edit did that the core leaves to its callers. The edits themselves, their
//! semantics and their validation live in `sglab_core::edit`.

use sglab_core::model::{GroupId, Topology};

/// Why a rule just added changes nothing, when it does not: the rules that already decide what
/// it matches, or the group type's default.
pub fn added_rule_warning(topology: &Topology, group: &GroupId, index: usize) -> Option<String> {
    use sglab_core::lint::{added_rule_effect, AddedRuleEffect};
    let list = |rules: &[sglab_core::explain::RuleRef]| {
        rules
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    };
    match added_rule_effect(topology, group, index)? {
        AddedRuleEffect::Effective => None,
        AddedRuleEffect::AlreadyDecidedBy { rules } => Some(format!(
            "The new rule {} of {group} changes nothing: every packet it matches is already decided the same way by {}",
            index + 1,
            list(&rules)
        )),
        AddedRuleEffect::SameAsDefault { verdict, rules } => {
            let by_default = match verdict {
                sglab_core::model::Verdict::Allow => "allows",
                sglab_core::model::Verdict::Deny => "denies",
            };
            let also = if rules.is_empty() {
                String::new()
            } else {
                format!(" (and {})", list(&rules))
            };
            Some(format!(
                "The new rule {} of {group} changes nothing: without it the group's default already {by_default} what it matches{also}",
                index + 1
            ))
        }
        AddedRuleEffect::Unattached => Some(format!(
            "Rule {} added to {group}, which no node, pod or gateway uses yet: it decides nothing until the group is attached",
            index + 1
        )),
    }
}
