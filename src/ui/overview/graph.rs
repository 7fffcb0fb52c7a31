//! The graph of groups: one node per security group (or endpoint in no group), sized by its
//! members and marked in text when managed or enterprise, with the widest links between them
//! labelled with their merged ports. Clicking a node (or Enter on it) shows its members.

use yew::prelude::*;

use crate::layout::overview::{
    grid_positions, link_shapes, links_to_draw, Link, LinkShape, Mark, Overview, CELL_H, CELL_W,
};
use crate::types::Shared;

/// Most links drawn; the heat-map holds every one.
pub const LINKS_DRAWN: usize = 60;
/// Most links labelled.
pub const LINKS_LABELLED: usize = 24;
/// Nodes drawn in one task: an account's hundreds of groups are drawn over a few frames, top
/// rows first, so that no task of the page is long.
const NODES_PER_TASK: usize = 48;

/// Props of [`Graph`].
#[derive(PartialEq, Properties)]
pub struct GraphProps {
    /// The overview.
    pub overview: Shared<Overview>,
    /// The node whose members are shown.
    pub expanded: Option<usize>,
    /// Shows (or hides) a node's members.
    pub on_expand: Callback<Option<usize>>,
}

/// The graph.
#[component]
pub fn Graph(props: &GraphProps) -> Html {
    let overview = &*props.overview;
    let count = overview.nodes.len();
    let drawn = use_state(|| NODES_PER_TASK);
    {
        let drawn = drawn.clone();
        use_effect_with((*drawn, count), move |&(shown, count)| {
            let timer = (shown < count)
                .then(|| crate::browser::after(0, move || drawn.set(shown + NODES_PER_TASK)));
            move || drop(timer)
        });
    }
    let (positions, (width, height)) = grid_positions(&overview.nodes);
    // The nodes in the order of their slots on the grid (rows from the top), as many as drawn.
    let order = slot_order(&positions, width);
    let order = order.into_iter().take(*drawn);
    let total = overview.links.len();
    let links = links_to_draw(overview, LINKS_DRAWN);
    let labelled: Vec<(&Link, String)> = links.iter().map(|&link| (link, link.label())).collect();
    let shapes = link_shapes(&positions, &labelled, LINKS_LABELLED);
    let link_view = |(link, label): &(&Link, String), shape: &LinkShape| {
        let names = (
            &overview.nodes[link.from].label,
            &overview.nodes[link.to].label,
        );
        let ((sx, sy), (cx, cy), (ex, ey)) = (shape.start, shape.control, shape.end);
        html! {
            <g class={classes!("ov-link", format!("heat-{}", link.heat()))} data-testid="ov-link">
                <title>{ format!("{} to {}: {} ({} of {} pairs)", names.0, names.1, link.full_label(), link.open_pairs, link.pairs) }</title>
                <path d={format!("M {} {} Q {} {} {} {}", f(sx), f(sy), f(cx), f(cy), f(ex), f(ey))} marker-end="url(#ov-arrow)" />
                if let Some((x, y)) = shape.label_at {
                    <text class="ov-link-label" x={f(x)} y={f(y)} text-anchor="middle" data-testid="ov-link-label">{ label.clone() }</text>
                }
            </g>
        }
    };
    let node_view = |index: usize| {
        let node = &overview.nodes[index];
        let Some(&(x, y, r)) = positions.get(index) else {
            return html! {};
        };
        let (badge, words) = node.mark.badge();
        let expanded = props.expanded == Some(index);
        let toggle = if expanded { None } else { Some(index) };
        let onclick = props.on_expand.reform(move |_: MouseEvent| toggle);
        let onkeydown = {
            let on_expand = props.on_expand.clone();
            Callback::from(move |event: KeyboardEvent| {
                if event.key() == "Enter" || event.key() == " " {
                    event.prevent_default();
                    on_expand.emit(toggle);
                }
            })
        };
        let members = node.members.len();
        let product = match &node.mark {
            Mark::Managed(product) => format!(" by {product}"),
            _ => String::new(),
        };
        let aria = format!(
            "{}, {words}{product}, {members} members; Enter shows them",
            node.label
        );
        html! {
            <g class={classes!("ov-node", mark_class(&node.mark), expanded.then_some("expanded"))}
                role="button" tabindex="0" aria-pressed={expanded.to_string()}
                data-testid={format!("ov-node-{}", node.key)} {onclick} {onkeydown}>
                // The title names the control: its visible label is cut to fit.
                <title>{ aria }</title>
                <circle cx={f(x)} cy={f(y)} r={f(r)} />
                if !badge.is_empty() {
                    <text class="ov-badge" x={f(x)} y={f(y + 5.0)} text-anchor="middle">{ badge }</text>
                }
                <text class="ov-label" x={f(x)} y={f(y + r + 15.0)} text-anchor="middle">{ short(&node.label, 20) }</text>
                <text class="ov-count" x={f(x)} y={f(y + r + 30.0)} text-anchor="middle">
                    { format!("{members} member{}", if members == 1 { "" } else { "s" }) }
                </text>
            </g>
        }
    };
    html! {
        <div class="ov-graph" data-testid="ov-graph">
            if total > LINKS_DRAWN {
                <p class="ov-note" data-testid="ov-links-note">
                    { format!("{LINKS_DRAWN} of {total} links are drawn, each group's widest first; the heat-map shows them all.") }
                </p>
            }
            <svg class="ov-svg" viewBox={format!("0 0 {} {}", f(width), f(height))}
                style={format!("min-width: {}px", f(width * 0.8))}
                role="group" aria-label="Security groups and the links between them">
                <defs>
                    <marker id="ov-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" fill="#1a7f37" />
                    </marker>
                </defs>
                { for order.into_iter().map(node_view) }
                { for labelled.iter().zip(&shapes).map(|(link, shape)| link_view(link, shape)) }
            </svg>
        </div>
    }
}

/// The nodes by slot of the grid, row by row: each node's circle sits in its own slot.
fn slot_order(positions: &[(f64, f64, f64)], width: f64) -> Vec<usize> {
    let columns = (width / CELL_W).round().max(1.0) as usize;
    let mut by_slot: Vec<Option<usize>> = vec![None; positions.len()];
    for (at, &(x, y, _)) in positions.iter().enumerate() {
        let slot = (y / CELL_H).floor() as usize * columns + (x / CELL_W).floor() as usize;
        match by_slot.get_mut(slot) {
            Some(place @ None) => *place = Some(at),
            _ => by_slot.push(Some(at)),
        }
    }
    by_slot.into_iter().flatten().collect()
}

fn mark_class(mark: &Mark) -> &'static str {
    match mark {
        Mark::Basic => "basic",
        Mark::Enterprise => "enterprise",
        Mark::Managed(_) => "managed",
        Mark::Ungrouped => "ungrouped",
    }
}

/// At most `max` characters, with an ellipsis when cut.
pub fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('\u{2026}');
    cut
}

fn f(value: f64) -> String {
    format!("{value:.1}")
}
