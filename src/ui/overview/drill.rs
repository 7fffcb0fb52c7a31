//! Drilling down: the members of one node of the graph (semantic zoom), and the endpoint
//! pairs of one heat-map cell, each pair opening its explanation.

use yew::prelude::*;

use super::focus::Focus;
use super::scroll::{spacer, use_scroll};
use crate::engine::Reach;
use crate::layout::overview::Overview;
use crate::state::Action;
use crate::types::{Query, Shared};
use sglab_core::model::Topology;

/// Most pairs of a cell listed.
pub const PAIRS_LISTED: usize = 100;
/// Most pairs of a cell read from the matrix to find them.
const PAIRS_READ: usize = 40_000;
/// The height of a member's row.
const ROW: f64 = 30.0;

/// Props of [`Members`].
#[derive(PartialEq, Properties)]
pub struct MembersProps {
    /// The overview.
    pub overview: Shared<Overview>,
    /// The node expanded.
    pub node: usize,
    /// Focuses one member.
    pub on_focus: Callback<Option<Focus>>,
    /// Closes the list.
    pub on_close: Callback<MouseEvent>,
}

/// The members of one node, each focusable.
#[component]
pub fn Members(props: &MembersProps) -> Html {
    let scroll = use_scroll();
    let Some(node) = props.overview.nodes.get(props.node) else {
        return html! {};
    };
    let window = scroll.rows(node.members.len(), ROW);
    html! {
        <aside class="ov-members" data-testid="ov-members" aria-label={format!("Members of {}", node.label)}>
            <div class="ov-members-head">
                <h3>{ format!("{} ({} members)", node.label, node.members.len()) }</h3>
                <button type="button" onclick={props.on_close.clone()} data-testid="ov-members-close">{ "Close" }</button>
            </div>
            <button type="button" class="link" data-testid="ov-members-focus"
                onclick={props.on_focus.reform({ let key = node.key.clone(); move |_: MouseEvent| Some(Focus::Node(key.clone())) })}>
                { "Focus on this group" }
            </button>
            <ul class="ov-member-list" ref={scroll.node.clone()} onscroll={scroll.onscroll.clone()}>
                { spacer(window.before) }
                { for node.members[window.start..window.end].iter().map(|member| {
                    let id = member.clone();
                    html! {
                        <li class="virtual-row" style={format!("height: {ROW}px")}>
                            <button type="button" class="link" data-testid={format!("ov-member-{member}")}
                                onclick={props.on_focus.reform(move |_: MouseEvent| Some(Focus::Endpoint(id.clone())))}>
                                { member.to_string() }
                            </button>
                        </li>
                    }
                }) }
                { spacer(window.after) }
            </ul>
        </aside>
    }
}

/// Props of [`Pairs`].
#[derive(PartialEq, Properties)]
pub struct PairsProps {
    /// The topology.
    pub topology: Shared<Topology>,
    /// The core's matrix.
    pub reach: Shared<Reach>,
    /// The overview.
    pub overview: Shared<Overview>,
    /// The source node.
    pub from: usize,
    /// The target node.
    pub to: usize,
    /// State changes.
    pub dispatch: Callback<Action>,
}

/// The endpoint pairs of one cell with something allowed, each opening its explanation.
#[component]
pub fn Pairs(props: &PairsProps) -> Html {
    let overview = &*props.overview;
    let (Some(from), Some(to)) = (overview.nodes.get(props.from), overview.nodes.get(props.to))
    else {
        return html! {};
    };
    let cells: Vec<crate::engine::Cell> = from
        .members
        .iter()
        .flat_map(|a| to.members.iter().map(move |b| (a, b)))
        .filter(|(a, b)| a != b)
        .take(PAIRS_READ)
        .filter_map(|(a, b)| props.reach.cell(a, b))
        .take(PAIRS_LISTED)
        .collect();
    let pair = |cell: &crate::engine::Cell| {
        let label = cell.label(3);
        let query = cell.first_allowed().map(|(protocol, port)| Query {
            from: cell.from.clone(),
            to: cell.to.clone(),
            protocol,
            port,
        });
        let onclick = query.map(|q| {
            props
                .dispatch
                .reform(move |_: MouseEvent| Action::Ask(q.clone()))
        });
        html! {
            <li>
                <button type="button" class="link" data-testid={format!("pair-{}-{}", cell.from, cell.to)} {onclick}
                    aria-label={format!("Explain {} to {}: {label}", cell.from, cell.to)}>
                    { format!("{} \u{2192} {}", cell.from, cell.to) }
                </button>
                <span class="pair-ports">{ label }</span>
            </li>
        }
    };
    html! {
        <section class="heat-pairs" data-testid="heat-pairs" aria-label="Endpoint pairs of the cell">
            <h3>{ format!("{} \u{2192} {}", from.label, to.label) }</h3>
            if cells.is_empty() {
                <p>{ "No pair of these groups' members allows anything." }</p>
            } else {
                <p>{ format!("{} pair{} with something allowed{}; choose one to explain it.", cells.len(),
                    if cells.len() == 1 { "" } else { "s" },
                    if cells.len() == PAIRS_LISTED { " (the first ones)" } else { "" }) }</p>
                <ul class="pair-list">{ for cells.iter().map(pair) }</ul>
            }
        </section>
    }
}
