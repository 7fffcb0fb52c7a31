//! Rule tables: one per group, editable in place with the core's field checkers speaking the
//! vendor's language; managed groups are read-only. The rules that decided the open question
//! are highlighted, as is the rule of the current step of the step-through.

use std::rc::Rc;

use sglab_core::explain::Explanation;
use sglab_core::model::{Policy, Topology};
use yew::prelude::*;

use crate::state::Action;
use crate::types::{Selection, Shared};

mod peer;
mod row;
mod shown;
mod table;

pub use peer::{peer_text, PeerContext};
pub use row::{RuleRow, RuleRowProps};
pub use shown::{dock_groups, DockGroups};
pub use table::{RuleTable, RuleTableProps};

/// Props of [`RulesDock`].
#[derive(PartialEq, Properties)]
pub struct RulesDockProps {
    /// The topology.
    pub topology: Shared<Topology>,
    /// What is selected.
    pub selection: Selection,
    /// The open explanation.
    pub explanation: Option<Shared<Explanation>>,
    /// The current step of the step-through.
    pub step: usize,
    /// State changes.
    pub dispatch: Callback<Action>,
}

/// How a row is highlighted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Not involved.
    None,
    /// The rule that decided a side, and allowed.
    DecidedAllow,
    /// The rule that decided a side, and denied (a blocker).
    DecidedDeny,
}

/// The rule tables of the selected group and of the groups in the open explanation.
#[component]
pub fn RulesDock(props: &RulesDockProps) -> Html {
    let topology = &*props.topology;
    let DockGroups {
        groups,
        decided,
        current_step,
    } = dock_groups(
        topology,
        &props.selection,
        props.explanation.as_deref(),
        props.step,
    );
    if groups.is_empty() {
        return html! {
            <section class="rules-dock empty" data-testid="rules-dock">
                <p class="hint">{ "Select a security group (in the tree or the diagram) to edit its rules, or ask a question to see the rules that decide it. A rule's source or destination is a CIDR block, a group id (sg-...) or a prefix list id (pl-...)." }</p>
            </section>
        };
    }
    html! {
        <section class="rules-dock" data-testid="rules-dock" aria-labelledby="rules-dock-title">
            <h2 id="rules-dock-title" class="visually-hidden">{ "Rules" }</h2>
            { for groups.iter().filter_map(|id| topology.groups.get(id).map(|_| id)).map(|id| {
                let marks: Rc<Vec<(usize, Mark)>> = Rc::new(decided.iter().filter(|r| &r.security_group == id).map(|r| {
                    (r.rule_index, if r.policy == Policy::Accept { Mark::DecidedAllow } else { Mark::DecidedDeny })
                }).collect());
                let step = current_step.as_ref().filter(|r| &r.security_group == id).map(|r| r.rule_index);
                html! {
                    <RuleTable key={id.to_string()} topology={props.topology.clone()} group={id.clone()}
                        marks={marks} step={step} dispatch={props.dispatch.clone()} />
                }
            }) }
        </section>
    }
}
