//! The reachability edges with their port labels, and the open question's edge, green when
//! allowed and red and dashed when blocked.

use sglab_core::explain::Explanation;
use yew::prelude::*;

use super::text::f;
use super::{ALLOWED, BLOCKED};
use crate::layout::{self, Diagram, DrawnEdge, PlacedEdge};
use crate::state::Action;

/// The drawn edges, spread into lanes with their labels clear of the boxes, each asking its
/// question on click or Enter.
pub fn edge_paths(diagram: &Diagram, edges: &[DrawnEdge], dispatch: &Callback<Action>) -> Html {
    let placed = layout::place_edges(diagram, edges);
    edges
        .iter()
        .zip(placed)
        .map(|(edge, placed)| edge_path(edge, &placed, dispatch))
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
    let spot = layout::clear_label(diagram, &g, (width, 24.0));
    let (x, y) = spot.center();
    Some(html! {
        <g class="query-edge" data-testid="query-edge" data-verdict={if allowed { "allow" } else { "deny" }}>
            <path d={g.path()} fill="none" stroke={color} stroke-width="4" stroke-dasharray={if allowed { "none" } else { "9 6" }}
                marker-end={if allowed { "url(#arrow-allowed)" } else { "url(#arrow-blocked)" }} />
            <rect x={f(spot.x)} y={f(spot.y)} width={f(width)} height="24" rx="12" fill={color} />
            <text x={f(x)} y={f(y + 5.0)} font-size="13" font-weight="700" fill="#ffffff" text-anchor="middle">{ label }</text>
        </g>
    })
}

fn edge_path(edge: &DrawnEdge, placed: &PlacedEdge, dispatch: &Callback<Action>) -> Html {
    let g = placed.geometry;
    let label = placed.label;
    let (x, y) = label.center();
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
    html! {
        <g class="edge" data-testid={edge.testid.clone()} tabindex="0" role="button" aria-label={edge.title.clone()} {onclick} {onkeydown}>
            <title>{ &edge.title }</title>
            <path d={g.path()} fill="none" stroke="transparent" stroke-width="12" />
            <path d={g.path()} fill="none" stroke={ALLOWED} stroke-width="2.2" marker-end="url(#arrow-allowed)" />
            <rect x={f(label.x)} y={f(label.y)} width={f(label.w)} height={f(label.h)} rx="10"
                fill="#dafbe1" stroke={ALLOWED} stroke-width="1" />
            <text x={f(x)} y={f(y + 4.0)} font-size="12" font-weight="600" fill="#116329" text-anchor="middle"
                data-testid="edge-label">{ &edge.label }</text>
        </g>
    }
}
