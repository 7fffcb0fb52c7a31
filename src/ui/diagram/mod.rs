//! The diagram: groups as containers holding their endpoints, reachability edges labelled with
//! the allowed ports. Declarative SVG; the geometry comes from [`crate::layout`].
//!
//! Colours are SVG attributes rather than CSS classes so that an exported SVG or PNG looks
//! the same as the screen.

use std::borrow::Cow;

use yew::prelude::*;

use crate::layout::{self, Diagram, Viewport};
use crate::state::Action;
use crate::types::{Selection, Shared};
use sglab_core::edit::Edit;

mod edges;
mod empty_hint;
mod group_box;
mod interactions;
mod node_card;
mod props;
mod text;
mod tools;
mod vpc_region;
mod zoom;

pub use props::DiagramProps;

use group_box::{group_boxes, BoxContext};
use interactions::{use_interactions, DragKind, Interactions};
use text::f;

/// Green of allowed edges.
pub const ALLOWED: &str = "#1a7f37";
/// Red of blocked edges.
pub const BLOCKED: &str = "#cf222e";

/// The diagram with its own toolbar (zoom, fit, auto-layout, edge filters).
#[component]
pub fn DiagramView(props: &DiagramProps) -> Html {
    let svg_ref = use_node_ref();
    let viewport = use_state(Viewport::default);
    let show_external = use_state(|| false);
    let show_intra = use_state(|| false);
    let presenting = props.presenting;
    // Presenting, the drawing is laid out again for the diagram's box as it is on screen, in
    // larger type (read at each render: a fit, on entering the mode or after a resize, renders
    // again, and a new box gives a new layout, which is fitted in turn).
    let area = if presenting {
        zoom::area(&svg_ref)
    } else {
        layout::present::DEFAULT_AREA
    };
    // Laid out at each render while presenting, without a memo: the drawings shown here are
    // small (large ones are the overview), and the page's module stays smaller.
    let presented =
        presenting.then(|| Shared::new(layout::present::present(&props.topology, area)));
    // Shared, never copied per render or per handler: a large diagram has thousands of nodes.
    let base: &Shared<Diagram> = presented.as_ref().unwrap_or(&props.diagram);
    let interactions = use_interactions(&svg_ref, &viewport, base, &props.dispatch);
    // During a drag the moved objects are drawn at their new place.
    let diagram = match &interactions.drag {
        Some(drag) if drag.kind == DragKind::Object && (drag.dx != 0.0 || drag.dy != 0.0) => {
            Cow::Owned(layout::shifted(base, &drag.id, drag.dx, drag.dy))
        }
        _ => Cow::Borrowed(&**base),
    };
    let topology = &*props.topology;
    let drawn = layout::drawn_edges(
        topology,
        &diagram,
        &props.edges,
        *show_external,
        *show_intra,
    );
    let placed = edges::place(&diagram, &drawn.edges, presenting);
    let labels: Vec<layout::Rect> = placed.iter().map(|p| p.label).collect();
    let query_edge = props
        .explanation
        .as_ref()
        .and_then(|explanation| edges::query_edge(&diagram, explanation, &labels, presenting));
    // Presenting, the fit shows the labels placed outside the drawing too.
    let shown = if presenting {
        let query_spot = query_edge.as_ref().map(|q| q.spot);
        layout::present::shown_bounds(base.bounds, labels.iter().copied().chain(query_spot))
    } else {
        base.bounds
    };
    let fit_on = zoom::FitOn {
        title: props.topology.name.clone(),
        nodes: base.nodes.len(),
        explaining: props.explanation.is_some(),
        fit: zoom::Fit::of(props),
        empty: base.vpcs.is_empty() && base.groups.is_empty() && base.nodes.is_empty(),
        presented: presenting
            .then(|| [shown.x, shown.y, shown.w, shown.h].map(|v| v.round() as i64)),
    };
    zoom::use_fit(&svg_ref, &viewport, shown, fit_on);
    let toggle = |handle: &UseStateHandle<bool>| {
        let handle = handle.clone();
        (
            *handle,
            Callback::from(move |_: Event| handle.set(!*handle)),
        )
    };
    let tools = tools::tools(tools::ToolsProps {
        zoom_in: zoom::zoom_button(&svg_ref, &viewport, 1.25),
        zoom_out: zoom::zoom_button(&svg_ref, &viewport, 0.8),
        fit: zoom::fit_button(&svg_ref, &viewport, shown, zoom::Fit::of(props)),
        auto_layout: props
            .dispatch
            .reform(|_: MouseEvent| Action::Edit(Edit::AutoLayout)),
        show_external: toggle(&show_external),
        show_intra: toggle(&show_intra),
        note: tools::hidden_note(
            drawn.aggregated,
            props.edges.complete,
            props.edges.cells.len(),
        ),
    });
    let selected_key = match &props.selection {
        Selection::Group(id) => Some(id.to_string()),
        Selection::Endpoint(id) => Some(id.to_string()),
        _ => None,
    };
    let context = BoxContext {
        topology,
        base,
        selected: selected_key.as_deref(),
        start_drag: &interactions.start_drag,
        dispatch: &props.dispatch,
        presenting,
    };
    let edge_paths = edges::edge_paths(&drawn.edges, &placed, &props.dispatch, presenting);
    // Presenting, edges pass under the cards, so that no line crosses a name.
    let (edges_under, edges_over) = if presenting {
        (edge_paths, Html::default())
    } else {
        (Html::default(), edge_paths)
    };
    let b = base.bounds;
    let cursor = match interactions.drag.as_ref().map(|d| d.kind) {
        Some(DragKind::Pan) => "grabbing",
        Some(DragKind::Object) => "move",
        None => "grab",
    };
    let Interactions {
        onpointerdown,
        onpointermove,
        onpointerup,
        onwheel,
        ..
    } = interactions;
    html! {
        <div class="diagram" data-testid="diagram">
            { tools }
            { empty_hint::empty_hint(topology, &props.dispatch) }
            <svg ref={svg_ref} class="diagram-svg" data-testid="diagram-svg" xmlns="http://www.w3.org/2000/svg"
                role="group" aria-label={format!("Diagram of {}", topology.name)}
                data-bounds={format!("{} {} {} {}", f(b.x), f(b.y), f(b.w), f(b.h))}
                font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
                style={format!("cursor: {cursor}")}
                {onpointerdown} {onpointermove} {onpointerup} {onwheel}>
                <defs>
                    <marker id="arrow-allowed" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" fill={ALLOWED} />
                    </marker>
                    <marker id="arrow-blocked" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" fill={BLOCKED} />
                    </marker>
                </defs>
                <g data-viewport="true" transform={viewport.transform()}>
                    <rect x={f(b.x)} y={f(b.y)} width={f(b.w)} height={f(b.h)} fill="#ffffff" />
                    { vpc_region::vpc_regions(&diagram, presenting) }
                    { group_boxes(&diagram, &context) }
                    { node_card::membership_lines(&diagram) }
                    { edges_under }
                    { node_card::node_cards(&diagram, &context) }
                    { edges_over }
                    { props.compare.as_ref().map(|c| crate::ui::compare::diagram_marks(&diagram, c)).unwrap_or_default() }
                    { query_edge.map(|q| edges::query_edge_view(&q, presenting)).unwrap_or_default() }
                </g>
            </svg>
        </div>
    }
}
