//! Rule tables: one per group, editable in place with the core's field checkers speaking the
//! vendor's language; managed groups are read-only. The rules that decided the open question
//! are highlighted, as is the rule of the current step of the step-through.

use std::rc::Rc;

use sglab_core::explain::{Decision, Explanation, RuleRef};
use sglab_core::model::{
    Direction, GroupId, NicType, Peer, Policy, PortRange, PortSpec, Priority, Protocol, Rule,
    Topology,
};
use yew::prelude::*;

use crate::edit::{self, Edit};
use crate::state::Action;
use crate::types::{Selection, Shared};
use crate::ui::explanation::steps;
use crate::ui::widgets::{options, SelectField, TextField};

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
    let mut groups: Vec<GroupId> = Vec::new();
    // The selected group; an endpoint's groups; a gateway's managed and authorized groups; the
    // groups with a rule naming the selected prefix list.
    match &props.selection {
        Selection::PrefixList(id) => groups.extend(
            topology
                .groups
                .values()
                .filter(|group| {
                    group
                        .rules
                        .iter()
                        .any(|rule| matches!(&rule.peer, Peer::PrefixList(peer) if peer == id))
                })
                .map(|group| group.id.clone()),
        ),
        Selection::Group(id) => groups.push(id.clone()),
        Selection::Endpoint(id) => {
            if let Some(endpoint) = topology.endpoints.get(id) {
                groups.extend(crate::layout::memberships(topology, endpoint));
            }
        }
        Selection::Gateway(id) => {
            if let Some(gateway) = topology.gateways.get(id) {
                groups.push(gateway.managed_group.clone());
                for authorization in &gateway.authorizations {
                    if !groups.contains(&authorization.backend_group) {
                        groups.push(authorization.backend_group.clone());
                    }
                }
            }
        }
        _ => {}
    }
    let mut decided: Vec<RuleRef> = Vec::new();
    let mut current_step: Option<RuleRef> = None;
    if let Some(explanation) = &props.explanation {
        for side in [&explanation.egress, &explanation.ingress] {
            if let Decision::Rule(rule) = &side.decided_by {
                decided.push(rule.clone());
            }
            for considered in &side.considered {
                if !groups.contains(&considered.rule.security_group) {
                    groups.push(considered.rule.security_group.clone());
                }
            }
        }
        current_step = steps(explanation)
            .get(props.step)
            .map(|step| step.rule.clone());
    }
    if groups.is_empty() {
        return html! {
            <section class="rules-dock empty" data-testid="rules-dock">
                <p class="hint">{ "Select a security group (in the tree or the diagram) to edit its rules, or ask a question to see the rules that decide it. A rule's source or destination is a CIDR block, a group id (sg-...) or a prefix list id (pl-...)." }</p>
            </section>
        };
    }
    html! {
        <section class="rules-dock" data-testid="rules-dock" aria-label="Rules">
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
    let group_type = match group.group_type {
        sglab_core::model::GroupType::Basic => "basic",
        sglab_core::model::GroupType::Enterprise => "enterprise",
    };
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
                <div class="table-scroll">
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
                        { for group.rules.iter().enumerate().map(|(index, rule)| {
                            let mark = props.marks.iter().find(|(i, _)| *i == index).map(|(_, m)| *m).unwrap_or(Mark::None);
                            html! {
                                <RuleRow key={format!("{gid}-{index}")} topology={PeerContext(props.topology.clone())} group={group.id.clone()}
                                    index={index} rule={Rc::new(rule.clone())} read_only={read_only.is_some()}
                                    mark={mark} current_step={props.step == Some(index)} dispatch={props.dispatch.clone()} />
                            }
                        }) }
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

/// The topology as the peer check of a row reads it (groups' ids, VPCs and types, prefix-list
/// ids): equal to another when those are, so that an edit of one rule re-renders only its row.
#[derive(Clone, Debug)]
pub struct PeerContext(pub Shared<Topology>);

impl PartialEq for PeerContext {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&*self.0, &*other.0);
        std::ptr::eq(a, b)
            || (a.prefix_lists.len() == b.prefix_lists.len()
                && a.prefix_lists.keys().eq(b.prefix_lists.keys())
                && a.groups.len() == b.groups.len()
                && a.groups
                    .values()
                    .zip(b.groups.values())
                    .all(|(x, y)| x.id == y.id && x.vpc == y.vpc && x.group_type == y.group_type))
    }
}

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

/// The text of a peer in the editor.
pub fn peer_text(peer: &Peer) -> String {
    match peer {
        Peer::Cidr(cidr) => cidr.to_string(),
        Peer::Group {
            id,
            owner_account: None,
        } => id.to_string(),
        Peer::Group {
            id,
            owner_account: Some(account),
        } => format!("{id} (account {account})"),
        Peer::PrefixList(id) => id.to_string(),
    }
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
            let direction = if value == "egress" {
                Direction::Egress
            } else {
                Direction::Ingress
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
            let policy = if value == "drop" {
                Policy::Drop
            } else {
                Policy::Accept
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
            // ICMP, ICMPv6, GRE and ALL take `-1/-1`; TCP and UDP need a range, and keep theirs.
            let ports = match (protocol.has_ports(), rule.ports) {
                (false, _) => PortSpec::All,
                (true, PortSpec::All) => PortSpec::Range(PortRange::ALL),
                (true, ports) => ports,
            };
            set(Rule {
                protocol,
                ports,
                ..(*rule).clone()
            });
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
            <td><SelectField label="Direction" compact=true value={if rule.direction == Direction::Egress { "egress" } else { "ingress" }}
                options={options(&[("ingress", "Inbound"), ("egress", "Outbound")])} testid={format!("{prefix}-direction")}
                on_change={on_direction} {disabled} /></td>
            <td><SelectField label="Policy" compact=true value={if rule.policy == Policy::Drop { "drop" } else { "accept" }}
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
