//! One editable rule: every field checked by the core as typed, highlighted when it decided
//! the open question or is the current step.

use std::rc::Rc;

use sglab_core::model::{Direction, GroupId, Policy, Rule};
use yew::prelude::*;

use super::{peer_text, Mark, PeerContext};
use crate::state::Action;
use crate::ui::widgets::{options, SelectField, TextField};
use sglab_core::edit::Edit;

/// Props of [`RuleRow`].
#[derive(PartialEq, Properties)]
pub struct RuleRowProps {
    /// The topology (for the peer check).
    pub topology: PeerContext,
    /// The group holding the rule.
    pub group: GroupId,
    /// The rule's index.
    pub index: usize,
    /// The rule.
    pub rule: Rc<Rule>,
    /// Managed group: every control disabled.
    pub read_only: bool,
    /// Highlight.
    pub mark: Mark,
    /// Whether the step-through is at this rule.
    pub current_step: bool,
    /// State changes.
    pub dispatch: Callback<Action>,
}

/// One editable rule.
#[component]
pub fn RuleRow(props: &RuleRowProps) -> Html {
    let rule = &*props.rule;
    let prefix = format!("rule-{}-{}", props.group, props.index);
    // Emits the rule with one field changed.
    let set = {
        let dispatch = props.dispatch.clone();
        let group = props.group.clone();
        let index = props.index;
        move |rule: Rule| {
            dispatch.emit(Action::Edit(Edit::SetRule {
                group: group.clone(),
                index,
                rule,
            }))
        }
    };
    let on_direction = {
        let set = set.clone();
        let rule = props.rule.clone();
        Callback::from(move |value: String| {
            let Some(direction) = Direction::parse(&value) else {
                return;
            };
            set(Rule {
                direction,
                ..(*rule).clone()
            });
        })
    };
    let on_policy = {
        let set = set.clone();
        let rule = props.rule.clone();
        Callback::from(move |value: String| {
            let Some(policy) = Policy::parse(&value) else {
                return;
            };
            set(Rule {
                policy,
                ..(*rule).clone()
            });
        })
    };
    let on_protocol = {
        let set = set.clone();
        let rule = props.rule.clone();
        Callback::from(move |value: String| {
            let Ok(protocol) = crate::engine::check_protocol(&value) else {
                return;
            };
            set(sglab_core::edit::rule_with_protocol(&rule, protocol));
        })
    };
    let on_priority = {
        let set = set.clone();
        let rule = props.rule.clone();
        Callback::from(
            move |text: String| match crate::engine::check_priority(&text) {
                Ok(priority) => {
                    set(Rule {
                        priority,
                        ..(*rule).clone()
                    });
                    None
                }
                Err(error) => Some(error.to_string()),
            },
        )
    };
    let on_ports = {
        let set = set.clone();
        let rule = props.rule.clone();
        Callback::from(
            move |text: String| match crate::engine::check_ports(rule.protocol, &text) {
                Ok(ports) => {
                    set(Rule {
                        ports,
                        ..(*rule).clone()
                    });
                    None
                }
                Err(error) => Some(error.to_string()),
            },
        )
    };
    let on_peer = {
        let set = set.clone();
        let rule = props.rule.clone();
        let topology = props.topology.0.clone();
        let group = props.group.clone();
        Callback::from(move |text: String| {
            match crate::engine::check_peer(&topology, &group, rule.protocol, &text) {
                Ok(peer) => {
                    set(Rule {
                        peer,
                        ..(*rule).clone()
                    });
                    None
                }
                Err(error) => Some(error.to_string()),
            }
        })
    };
    let on_description = {
        let set = set.clone();
        let rule = props.rule.clone();
        Callback::from(
            move |text: String| match crate::engine::check_description(&text) {
                Ok(()) => {
                    set(Rule {
                        description: text,
                        ..(*rule).clone()
                    });
                    None
                }
                Err(error) => Some(error.to_string()),
            },
        )
    };
    let on_delete = {
        let dispatch = props.dispatch.clone();
        let group = props.group.clone();
        let index = props.index;
        Callback::from(move |_: MouseEvent| {
            dispatch.emit(Action::Edit(Edit::DeleteRule {
                group: group.clone(),
                index,
            }))
        })
    };
    let (mark_class, mark_text) = match props.mark {
        Mark::None => (None, None),
        Mark::DecidedAllow => (Some("decided-allow"), Some("\u{2714} decided: allowed")),
        Mark::DecidedDeny => (Some("decided-deny"), Some("\u{2716} decided: blocked")),
    };
    let disabled = props.read_only;
    let protocols: Rc<Vec<(AttrValue, AttrValue)>> = Rc::new(
        crate::ui::query::PROTOCOLS
            .iter()
            .map(|p| {
                (
                    AttrValue::Static(p.as_str()),
                    AttrValue::from(p.as_str().to_ascii_uppercase()),
                )
            })
            .collect(),
    );
    let peer_label = match rule.direction {
        Direction::Ingress => "Source",
        Direction::Egress => "Destination",
    };
    html! {
        <tr class={classes!("rule-row", mark_class, props.current_step.then_some("current-step"))} data-testid={prefix.clone()}
            data-mark={mark_text.map(|_| if props.mark == Mark::DecidedAllow { "allow" } else { "deny" })}>
            <td class="rule-index">
                { props.index + 1 }
                if let Some(text) = mark_text {
                    <span class="mark" data-testid={format!("{prefix}-mark")}>{ text }</span>
                }
                if props.current_step {
                    <span class="mark step" aria-label="current step">{ "\u{25b6} step" }</span>
                }
            </td>
            <td><SelectField label="Direction" compact=true value={rule.direction.as_str()}
                options={options(&[("ingress", "Inbound"), ("egress", "Outbound")])} testid={format!("{prefix}-direction")}
                on_change={on_direction} {disabled} /></td>
            <td><SelectField label="Policy" compact=true value={rule.policy.as_str()}
                options={options(&[("accept", "Allow"), ("drop", "Deny")])} testid={format!("{prefix}-policy")}
                on_change={on_policy} {disabled} /></td>
            <td><TextField label="Priority (1-100)" compact=true value={rule.priority.to_string()} testid={format!("{prefix}-priority")}
                on_commit={on_priority} {disabled} class={classes!("narrow")} /></td>
            <td><SelectField label="Protocol" compact=true value={rule.protocol.as_str()} options={protocols}
                testid={format!("{prefix}-protocol")} on_change={on_protocol} {disabled} /></td>
            <td><TextField label="Port range (start/end)" compact=true value={rule.ports.to_string()} testid={format!("{prefix}-ports")}
                on_commit={on_ports} disabled={disabled || !rule.protocol.has_ports()} placeholder="8080/8080" /></td>
            <td><TextField label={format!("{peer_label}: CIDR, group id or prefix list id")} compact=true value={peer_text(&rule.peer)}
                testid={format!("{prefix}-peer")} on_commit={on_peer} {disabled} placeholder="10.0.0.0/8, sg-... or pl-..." /></td>
            <td><TextField label="Description" compact=true value={rule.description.clone()} testid={format!("{prefix}-description")}
                on_commit={on_description} {disabled} /></td>
            <td><button type="button" class="icon-button danger" aria-label={format!("Delete rule {}", props.index + 1)}
                title="Delete rule" data-testid={format!("{prefix}-delete")} onclick={on_delete} {disabled}>{ "\u{00d7}" }</button></td>
        </tr>
    }
}
