//! The reachability edges with their port labels, and the open question's edge, green when
//! allowed and red and dashed when blocked; in presentation mode in its larger type.

use sglab_core::explain::Explanation;
use yew::prelude::*;

use super::text::f;
use super::{ALLOWED, BLOCKED};
use crate::layout::{self, present, Diagram, DrawnEdge, EdgeGeometry, PlacedEdge, Rect};
use crate::state::Action;

/// The drawn edges spread into lanes, with their labels clear of the boxes (and, presenting,
/// inside the drawing where there is room).
pub fn place(diagram: &Diagram, edges: &[DrawnEdge], presenting: bool) -> Vec<PlacedEdge> {
    if presenting {
        present::place_edges(diagram, edges)
    } else {
        layout::place_edges(diagram, edges)
    }
}

/// The placed edges, each asking its question on click or Enter.
pub fn edge_paths(
    edges: &[DrawnEdge],
    placed: &[PlacedEdge],
    dispatch: &Callback<Action>,
    presenting: bool,
) -> Html {
    edges
        .iter()
        .zip(placed)
        .map(|(edge, placed)| edge_path(edge, placed, dispatch, presenting))
        .collect()
}

/// The open question's edge: its curve, its label and where the label goes.
pub struct QueryEdge {
    geometry: EdgeGeometry,
    allowed: bool,
    label: String,
    /// The label's rectangle.
    pub spot: Rect,
}

/// The edge of the open question, its label clear of the boxes (and, presenting, of the
/// edges' `labels`).
pub fn query_edge(
    diagram: &Diagram,
    explanation: &Explanation,
    labels: &[Rect],
    presenting: bool,
) -> Option<QueryEdge> {
    let from = diagram.node(&explanation.from)?;
    let to = diagram.node(&explanation.to)?;
    let geometry = layout::edge(from.rect, to.rect, 0);
    let allowed = crate::engine::allowed(explanation);
    let port = explanation
        .port
        .map(|p| format!(" {p}"))
        .unwrap_or_default();
    let mark = if allowed { "\u{2714}" } else { "\u{2716}" };
    let label = format!("{mark} {}{port}", explanation.protocol);
    let spot = if presenting {
        present::query_label(diagram, &geometry, &label, labels)
    } else {
        let width = label.chars().count() as f64 * 8.0 + 18.0;
        layout::clear_label(diagram, &geometry, (width, 24.0))
    };
    Some(QueryEdge {
        geometry,
        allowed,
        label,
        spot,
    })
}

/// The open question's edge drawn.
pub fn query_edge_view(edge: &QueryEdge, presenting: bool) -> Html {
    let QueryEdge {
        geometry: g,
        allowed,
        label,
        spot,
    } = edge;
    let color = if *allowed { ALLOWED } else { BLOCKED };
    let (x, _) = spot.center();
    let (size, baseline) = if presenting {
        (present::TEXT_ATTR, present::centred_baseline(*spot))
    } else {
        ("13", spot.y + 17.0)
    };
    html! {
        <g class="query-edge" data-testid="query-edge" data-verdict={if *allowed { "allow" } else { "deny" }}>
            <path d={g.path()} fill="none" stroke={color} stroke-width="4" stroke-dasharray={if *allowed { "none" } else { "9 6" }}
                marker-end={if *allowed { "url(#arrow-allowed)" } else { "url(#arrow-blocked)" }} />
            <rect x={f(spot.x)} y={f(spot.y)} width={f(spot.w)} height={f(spot.h)} rx="12" fill={color} />
            <text x={f(x)} y={f(baseline)} font-size={size} font-weight="700" fill="#ffffff" text-anchor="middle">{ label }</text>
        </g>
    }
}

fn edge_path(
    edge: &DrawnEdge,
    placed: &PlacedEdge,
    dispatch: &Callback<Action>,
    presenting: bool,
) -> Html {
    let g = placed.geometry;
    let label = placed.label;
    let (x, y) = label.center();
    let (size, baseline) = if presenting {
        (present::TEXT_ATTR, present::centred_baseline(label))
    } else {
        ("12", y + 4.0)
    };
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
            <text x={f(x)} y={f(baseline)} font-size={size} font-weight="600" fill="#116329" text-anchor="middle"
                data-testid="edge-label">{ &edge.label }</text>
        </g>
    }
}
