//! The reachability edges with their port labels, and the open question's edge, green when
//! allowed and red and dashed when blocked.

use sglab_core::explain::Explanation;
use yew::prelude::*;

use super::text::f;
use super::{ALLOWED, BLOCKED};
use crate::layout::{self, Diagram, DrawnEdge};
use crate::state::Action;

/// The drawn edges, spread into lanes, each asking its question on click or Enter.
pub fn edge_paths(edges: &[DrawnEdge], dispatch: &Callback<Action>) -> Html {
    let pairs: Vec<(String, String)> = edges
        .iter()
        .map(|e| (e.from_key.clone(), e.to_key.clone()))
        .collect();
    let lanes = layout::lanes(&pairs);
    edges
        .iter()
        .zip(lanes)
        .map(|(edge, lane)| edge_path(edge, lane, dispatch))
        .collect()
}

/// The edge of the open question.
pub fn query_edge(diagram: &Diagram, explanation: &Explanation) -> Option<Html> {
    let from = diagram.node(&explanation.from)?;
    let to = diagram.node(&explanation.to)?;
    let g = layout::edge(from.rect, to.rect, 0);
    let allowed = crate::engine::allowed(explanation);
    let color = if allowed { ALLOWED } else { BLOCKED };
    let port = explanation
        .port
        .map(|p| format!(" {p}"))
        .unwrap_or_default();
    let mark = if allowed { "\u{2714}" } else { "\u{2716}" };
    let label = format!("{mark} {}{port}", explanation.protocol);
    let width = label.chars().count() as f64 * 8.0 + 18.0;
    Some(html! {
        <g class="query-edge" data-testid="query-edge" data-verdict={if allowed { "allow" } else { "deny" }}>
            <path d={g.path()} fill="none" stroke={color} stroke-width="4" stroke-dasharray={if allowed { "none" } else { "9 6" }}
                marker-end={if allowed { "url(#arrow-allowed)" } else { "url(#arrow-blocked)" }} />
            <rect x={f(g.label.0 - width / 2.0)} y={f(g.label.1 - 13.0)} width={f(width)} height="24" rx="12" fill={color} />
            <text x={f(g.label.0)} y={f(g.label.1 + 4.0)} font-size="13" font-weight="700" fill="#ffffff" text-anchor="middle">{ label }</text>
        </g>
    })
}

fn edge_path(edge: &DrawnEdge, lane: usize, dispatch: &Callback<Action>) -> Html {
    let g = layout::edge(edge.from_rect, edge.to_rect, lane);
    let onclick = edge
        .query
        .clone()
        .map(|query| dispatch.reform(move |_: MouseEvent| Action::Ask(query.clone())));
    let onkeydown = edge.query.clone().map(|query| {
        let dispatch = dispatch.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Enter" || event.key() == " " {
                event.prevent_default();
                dispatch.emit(Action::Ask(query.clone()));
            }
        })
    });
    let width = (edge.label.chars().count() as f64 * 7.0 + 16.0).max(40.0);
    html! {
        <g class="edge" data-testid={edge.testid.clone()} tabindex="0" role="button" aria-label={edge.title.clone()} {onclick} {onkeydown}>
            <title>{ &edge.title }</title>
            <path d={g.path()} fill="none" stroke="transparent" stroke-width="12" />
            <path d={g.path()} fill="none" stroke={ALLOWED} stroke-width="2.2" marker-end="url(#arrow-allowed)" />
            <rect x={f(g.label.0 - width / 2.0)} y={f(g.label.1 - 11.0)} width={f(width)} height="20" rx="10"
                fill="#dafbe1" stroke={ALLOWED} stroke-width="1" />
            <text x={f(g.label.0)} y={f(g.label.1 + 4.0)} font-size="12" font-weight="600" fill="#116329" text-anchor="middle"
                data-testid="edge-label">{ &edge.label }</text>
        </g>
    }
}
