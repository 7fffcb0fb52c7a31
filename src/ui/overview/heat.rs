//! The heat-map matrix by group: sources down, targets across, each cell shaded by the share
//! of its pairs that allow something, with the numbers on hover and on focus. Arrow keys move
//! through the grid; a click or Enter on a cell lists its endpoint pairs.

use web_sys::{Element, HtmlElement};
use yew::prelude::*;

use super::drill::Pairs;
use super::graph::short;
use super::scroll::use_scroll;
use crate::engine::Reach;
use crate::layout::overview::{short_label, Overview};
use crate::state::Action;
use crate::types::Shared;
use sglab_core::model::Topology;

/// A cell's side in pixels.
const CELL: f64 = 30.0;
/// The width of the row names.
const HEAD: f64 = 200.0;

/// Props of [`HeatMap`].
#[derive(PartialEq, Properties)]
pub struct HeatProps {
    /// The topology.
    pub topology: Shared<Topology>,
    /// The core's matrix.
    pub reach: Shared<Reach>,
    /// The overview.
    pub overview: Shared<Overview>,
    /// State changes.
    pub dispatch: Callback<Action>,
}

/// The heat-map.
#[component]
pub fn HeatMap(props: &HeatProps) -> Html {
    let overview = &*props.overview;
    let count = overview.nodes.len();
    let scroll = use_scroll();
    let active = use_state(|| (0usize, 0usize));
    let opened = use_state(|| None::<(usize, usize)>);
    let moved = use_mut_ref(|| false);
    {
        let (moved, node) = (moved.clone(), scroll.node.clone());
        use_effect_with(*active, move |&(row, column)| {
            if std::mem::take(&mut *moved.borrow_mut()) {
                reveal(&node, row, column);
            }
        });
    }
    let rows = scroll.rows(count, CELL);
    let columns = scroll.columns(count, CELL);
    let onkeydown = {
        let (active, opened, moved) = (active.clone(), opened.clone(), moved.clone());
        Callback::from(move |event: KeyboardEvent| {
            let (row, column) = *active;
            let last = count.saturating_sub(1);
            let next = match event.key().as_str() {
                "ArrowUp" => (row.saturating_sub(1), column),
                "ArrowDown" => ((row + 1).min(last), column),
                "ArrowLeft" => (row, column.saturating_sub(1)),
                "ArrowRight" => (row, (column + 1).min(last)),
                "Home" => (row, 0),
                "End" => (row, last),
                "Enter" | " " => {
                    event.prevent_default();
                    opened.set(Some((row, column)));
                    return;
                }
                _ => return,
            };
            event.prevent_default();
            *moved.borrow_mut() = true;
            active.set(next);
        })
    };
    let detail = |(row, column): (usize, usize)| -> String {
        let (Some(from), Some(to)) = (overview.nodes.get(row), overview.nodes.get(column)) else {
            return String::new();
        };
        match overview.link(row, column) {
            _ if row == column => format!(
                "{} to itself: pairs inside one group are not aggregated",
                from.label
            ),
            Some(link) => format!(
                "{} to {}: {} of {} pairs open; {}",
                from.label,
                to.label,
                link.open_pairs,
                link.pairs,
                short_label(&link.allowed, 6)
            ),
            None => format!("{} to {}: nothing open", from.label, to.label),
        }
    };
    let cell = |row: usize, column: usize| {
        let link = overview.link(row, column);
        let heat = link.map_or(0, |l| l.heat());
        let is_active = *active == (row, column);
        let shown = row != column && heat > 0;
        // The name holds the number the cell shows, as a speech user reads it.
        let words = match detail((row, column)) {
            words if shown => format!("{words}; heat {heat} of 4"),
            words => words,
        };
        let onclick = {
            let (active, opened) = (active.clone(), opened.clone());
            Callback::from(move |_: MouseEvent| {
                active.set((row, column));
                opened.set(Some((row, column)));
            })
        };
        html! {
            <div role="gridcell" id={format!("heat-{row}-{column}")} class={classes!("heat-cell", format!("heat-{heat}"), is_active.then_some("active"))}
                aria-colindex={(column + 2).to_string()} tabindex={if is_active { "0" } else { "-1" }}
                title={words.clone()} aria-label={words} data-testid={format!("heat-{}-{}", overview.nodes[row].key, overview.nodes[column].key)}
                style={format!("left: {}px", HEAD + column as f64 * CELL)} {onclick}>
                if shown { <span aria-hidden="true">{ heat.to_string() }</span> }
            </div>
        }
    };
    let width = HEAD + count as f64 * CELL;
    html! {
        <div class="heat" data-testid="heat-map">
            <p class="heat-detail" aria-live="polite" data-testid="heat-detail">{ detail(*active) }</p>
            <p class="heat-legend">{ "Rows are sources, columns targets (numbered as the rows). Shade and figure: 1 under a quarter of the pairs open, 2 a quarter, 3 half, 4 three quarters or more." }</p>
            <div class="heat-scroll" ref={scroll.node.clone()} onscroll={scroll.onscroll.clone()}>
                <div role="grid" class="heat-grid" aria-label="Heat-map of what each group may open to each other group"
                    aria-rowcount={(count + 1).to_string()} aria-colcount={(count + 1).to_string()} {onkeydown}
                    style={format!("width: {width}px; height: {}px", (count + 1) as f64 * CELL)}>
                    <div role="row" class="heat-row heat-head" aria-rowindex="1" style={format!("top: 0px; width: {width}px")}>
                        <div role="columnheader" class="heat-corner" aria-colindex="1">{ "from \u{2193} / to \u{2192}" }</div>
                        { for (columns.start..columns.end).map(|column| html! {
                            <div role="columnheader" class="heat-col" aria-colindex={(column + 2).to_string()}
                                title={overview.nodes[column].label.clone()} style={format!("left: {}px", HEAD + column as f64 * CELL)}>
                                { (column + 1).to_string() }
                            </div>
                        }) }
                    </div>
                    { for (rows.start..rows.end).map(|row| html! {
                        <div role="row" class="heat-row" aria-rowindex={(row + 2).to_string()}
                            style={format!("top: {}px; width: {width}px", (row + 1) as f64 * CELL)}>
                            <div role="rowheader" class="heat-row-head" aria-colindex="1" title={overview.nodes[row].label.clone()}>
                                { format!("{} {}", row + 1, short(&overview.nodes[row].label, 22)) }
                            </div>
                            { for (columns.start..columns.end).map(|column| cell(row, column)) }
                        </div>
                    }) }
                </div>
            </div>
            if let Some((from, to)) = *opened {
                <Pairs topology={props.topology.clone()} reach={props.reach.clone()} overview={props.overview.clone()}
                    {from} {to} dispatch={props.dispatch.clone()} />
            }
        </div>
    }
}

/// Scrolls the grid so that a cell is on screen, then focuses it.
fn reveal(node: &NodeRef, row: usize, column: usize) {
    let Some(container) = node.cast::<Element>() else {
        return;
    };
    let (top, left) = ((row + 1) as f64 * CELL, HEAD + column as f64 * CELL);
    let (height, width) = (
        f64::from(container.client_height()),
        f64::from(container.client_width()),
    );
    let (scroll_top, scroll_left) = (
        f64::from(container.scroll_top()),
        f64::from(container.scroll_left()),
    );
    if top - CELL < scroll_top {
        container.set_scroll_top((top - CELL) as i32);
    } else if top + CELL > scroll_top + height {
        container.set_scroll_top((top + CELL - height) as i32);
    }
    if left - HEAD < scroll_left {
        container.set_scroll_left((left - HEAD) as i32);
    } else if left + CELL > scroll_left + width {
        container.set_scroll_left((left + CELL - width) as i32);
    }
    let id = format!("heat-{row}-{column}");
    let found = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&id))
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<HtmlElement>(e).ok());
    if let Some(element) = found {
        let _ = element.focus();
    }
}
