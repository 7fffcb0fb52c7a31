//! One group's rule table: a row per rule, buttons that add an inbound or outbound rule, and
//! the read-only note of a managed group.

use std::rc::Rc;

use sglab_core::model::{
    Direction, GroupId, NicType, Policy, PortRange, PortSpec, Priority, Protocol, Rule, Topology,
};
use yew::prelude::*;

use super::{Mark, PeerContext, RuleRow};
use crate::state::Action;
use crate::types::Shared;
use crate::ui::overview::scroll::{table_spacer, use_scroll};

/// The height of a rule's row while a long table is virtualised.
const ROW: f64 = 38.0;
use sglab_core::edit::{self, Edit};

/// Props of [`RuleTable`].
#[derive(PartialEq, Properties)]
pub struct RuleTableProps {
    /// The topology.
    pub topology: Shared<Topology>,
    /// The group whose rules are shown.
    pub group: GroupId,
    /// Highlighted rows by rule index.
    pub marks: Rc<Vec<(usize, Mark)>>,
    /// The row of the current step, if in this group.
    pub step: Option<usize>,
    /// State changes.
    pub dispatch: Callback<Action>,
}

/// One group's rules.
#[component]
pub fn RuleTable(props: &RuleTableProps) -> Html {
    let scroll = use_scroll();
    let topology = &*props.topology;
    let Some(group) = topology.groups.get(&props.group) else {
        return html! {};
    };
    let read_only = group
        .managed_by
        .as_ref()
        .map(|product| edit::read_only_reason(&group.id, product));
    let add = |direction: Direction| {
        let group = group.id.clone();
        props.dispatch.reform(move |_: MouseEvent| {
            Action::Edit(Edit::AddRule {
                group: group.clone(),
                rule: new_rule(direction),
            })
        })
    };
    let gid = group.id.to_string();
    let window = scroll.rows(group.rules.len(), ROW);
    let virtual_rows = window.end - window.start < group.rules.len();
    let group_type = group.group_type.as_str();
    html! {
        <div class="rule-table" data-testid={format!("rules-{gid}")}>
            <div class="rule-table-head">
                <h3>
                    { crate::ui::tree::display_name(&group.name, &gid) }
                    <span class="badge">{ group_type }</span>
                    if group.managed_by.is_some() { <span class="badge managed">{ "managed" }</span> }
                </h3>
                <div class="rule-table-actions">
                    <button type="button" data-testid={format!("add-ingress-{gid}")} onclick={add(Direction::Ingress)} disabled={read_only.is_some()}>{ "+ Inbound rule" }</button>
                    <button type="button" data-testid={format!("add-egress-{gid}")} onclick={add(Direction::Egress)} disabled={read_only.is_some()}>{ "+ Outbound rule" }</button>
                </div>
            </div>
            if let Some(reason) = &read_only {
                <p class="read-only" data-testid={format!("read-only-{gid}")}><span class="lock">{ "Read-only: " }</span>{ reason }</p>
            }
            if group.rules.is_empty() {
                <p class="hint">{ "No rules: the defaults apply (inbound denied; outbound allowed in basic groups, denied in enterprise groups)." }</p>
            } else {
                <div class={classes!("table-scroll", virtual_rows.then_some("virtual-table"))} ref={scroll.node.clone()} onscroll={scroll.onscroll.clone()}>
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{ "#" }</th>
                            <th scope="col">{ "Direction" }</th>
                            <th scope="col">{ "Policy" }</th>
                            <th scope="col">{ "Priority" }</th>
                            <th scope="col">{ "Protocol" }</th>
                            <th scope="col">{ "Port range" }</th>
                            <th scope="col">{ "Source / destination" }</th>
                            <th scope="col">{ "Description" }</th>
                            <th scope="col"><span class="visually-hidden">{ "Actions" }</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        { table_spacer(window.before, 9) }
                        { for group.rules.iter().enumerate().skip(window.start).take(window.end - window.start).map(|(index, rule)| {
                            let mark = props.marks.iter().find(|(i, _)| *i == index).map(|(_, m)| *m).unwrap_or(Mark::None);
                            html! {
                                <RuleRow key={format!("{gid}-{index}")} topology={PeerContext(props.topology.clone())} group={group.id.clone()}
                                    index={index} rule={Rc::new(rule.clone())} read_only={read_only.is_some()}
                                    mark={mark} current_step={props.step == Some(index)} dispatch={props.dispatch.clone()} />
                            }
                        }) }
                        { table_spacer(window.after, 9) }
                    </tbody>
                </table>
                </div>
            }
        </div>
    }
}

/// The rule a "+ rule" button adds: accept TCP 80/80 from 10.0.0.0/8 at priority 1, which the
/// user then edits.
fn new_rule(direction: Direction) -> Rule {
    Rule {
        id: None,
        direction,
        policy: Policy::Accept,
        priority: Priority::HIGHEST,
        protocol: Protocol::Tcp,
        ports: PortSpec::Range(PortRange::single(80).unwrap_or(PortRange::ALL)),
        peer: crate::engine::new_rule_peer(),
        source_ports: None,
        local_cidr: None,
        nic_type: NicType::Intranet,
        description: String::new(),
    }
}
