//! The reachability matrix: sources down, targets across, the allowed ports in each cell;
//! every cell opens its explanation. Large topologies show a window of it, with a notice.

use sglab_core::model::{EndpointId, Protocol, Topology};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::engine::{Cell, Reach};
use crate::layout::overview::visible;
use crate::state::Action;
use crate::types::{Query, Shared};
use crate::ui::overview::scroll::{table_spacer, use_scroll, OVERSCAN};
use crate::ui::widgets::{options, SelectField};

/// Most rows and columns drawn whole; above, the matrix is virtualised.
pub const MATRIX_MAX: usize = 40;
/// A row's height while virtualised.
const ROW: f64 = 34.0;
/// A column's width while virtualised.
const COLUMN: f64 = 130.0;
/// The row names' width.
const HEAD: f64 = 200.0;

/// Props of [`MatrixView`].
#[derive(PartialEq, Properties)]
pub struct MatrixProps {
    /// The topology.
    pub topology: Shared<Topology>,
    /// The core's matrix.
    pub reach: Shared<Reach>,
    /// The diff against the pinned baseline, whose changes the cells mark.
    pub compare: Option<Shared<crate::engine::Compare>>,
    /// State changes.
    pub dispatch: Callback<Action>,
}

/// The matrix view.
#[component]
pub fn MatrixView(props: &MatrixProps) -> Html {
    let protocol = use_state(|| "any".to_owned());
    let scroll = use_scroll();
    let filter = use_state(String::new);
    let topology = &*props.topology;

    let needle = super::widgets::lowercase(&filter);
    let shown: Vec<EndpointId> = topology
        .endpoints
        .values()
        .filter(|e| {
            needle.is_empty()
                || super::widgets::lowercase(e.id.as_str()).contains(&needle)
                || super::widgets::lowercase(&e.name).contains(&needle)
        })
        .map(|e| e.id.clone())
        .collect();
    let total = shown.len();
    // Up to MATRIX_MAX endpoints the whole matrix is drawn; above, the rows and columns on
    // screen, read from the core's matrix as they scroll in.
    let (rows, columns) = if total > MATRIX_MAX {
        let state = scroll.state;
        (
            visible(total, ROW, state.top, state.height, OVERSCAN),
            visible(total, COLUMN, (state.left - HEAD).max(0.0), state.width, 2),
        )
    } else {
        let whole = visible(total, ROW, 0.0, ROW * total as f64, 0);
        (whole, whole)
    };
    let row_ids = &shown[rows.start..rows.end];
    let column_ids = &shown[columns.start..columns.end];
    let cell_of = |from: &EndpointId, to: &EndpointId| props.reach.cell(from, to);
    let chosen = Protocol::parse(&protocol);
    let on_protocol = {
        let protocol = protocol.clone();
        Callback::from(move |value: String| protocol.set(value))
    };
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |event: InputEvent| {
            filter.set(event.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let name = |id: &EndpointId| {
        topology
            .endpoints
            .get(id)
            .map(|e| {
                if e.name.is_empty() {
                    id.to_string()
                } else {
                    e.name.clone()
                }
            })
            .unwrap_or_default()
    };

    html! {
        <div class="matrix" data-testid="matrix">
            <div class="matrix-tools">
                <SelectField label="Protocol" value={(*protocol).clone()} testid="matrix-protocol" on_change={on_protocol}
                    options={options(&[("any", "All shown protocols"), ("tcp", "TCP"), ("udp", "UDP"), ("icmp", "ICMP")])} />
                <div class="field">
                    <label for="matrix-filter">{ "Endpoints" }</label>
                    <input id="matrix-filter" type="search" placeholder="filter by id or name" value={(*filter).clone()}
                        oninput={on_filter} data-testid="matrix-filter" />
                </div>
                <span class="legend">
                    <span class="legend-item"><span class="swatch allowed" aria-hidden="true"></span>{ "\u{2714} ports allowed" }</span>
                    <span class="legend-item"><span class="swatch none" aria-hidden="true"></span>{ "\u{2716} nothing allowed" }</span>
                </span>
            </div>
            if total > MATRIX_MAX {
                <p class="notice-inline" data-testid="matrix-capped">
                    { format!("{total} endpoints: only the rows and columns on screen are drawn; scroll, filter, or export the full matrix as CSV.") }
                </p>
            }
            <div class="matrix-scroll" ref={scroll.node.clone()} onscroll={scroll.onscroll.clone()}>
                <table class={classes!("matrix-table", (total > MATRIX_MAX).then_some("virtual-matrix"))}>
                    <caption class="visually-hidden">{ "Reachability: rows are sources, columns are targets" }</caption>
                    <thead>
                        <tr>
                            <th scope="col" class="corner">{ "from \u{2193} / to \u{2192}" }</th>
                            { gap(columns.before) }
                            { for column_ids.iter().map(|to| html! { <th scope="col" class="col-head" title={to.to_string()}><span>{ name(to) }</span></th> }) }
                            { gap(columns.after) }
                        </tr>
                    </thead>
                    <tbody>
                        { table_spacer(rows.before, 1) }
                        { for row_ids.iter().map(|from| html! {
                            <tr>
                                <th scope="row" class="row-head" title={from.to_string()}>{ name(from) }</th>
                                { gap(columns.before) }
                                { for column_ids.iter().map(|to| {
                                    if from == to {
                                        return html! { <td class="self" aria-label="same endpoint">{ "\u{00b7}" }</td> };
                                    }
                                    let cell = cell_of(from, to).map(|cell| filtered(&cell, chosen)).filter(|c| !c.allowed.is_empty());
                                    let label = cell.as_ref().map(|c| c.label(2));
                                    let query = match &cell {
                                        Some(cell) => cell.first_allowed().map(|(protocol, port)| Query { from: from.clone(), to: to.clone(), protocol, port }),
                                        None => Some(blocked_query(topology, from, to, chosen)),
                                    };
                                    let onclick = query.map(|q| props.dispatch.reform(move |_: MouseEvent| Action::Ask(q.clone())));
                                    let testid = format!("cell-{from}-{to}");
                                    let marks = props.compare.as_ref().and_then(|c| c.pair(from, to)).map(|change| change.label());
                                    let title = format!("{} to {}: {}{}", from, to, label.clone().unwrap_or_else(|| "nothing allowed".to_owned()), marks.as_ref().map(|m| format!(" ({m} against the baseline)")).unwrap_or_default());
                                    html! {
                                        <td class={classes!("cell", if label.is_some() { "allowed" } else { "none" })}>
                                            <button type="button" class="cell-button" data-testid={testid} {onclick} title={title.clone()} aria-label={title}>
                                                { match &label { Some(text) => format!("\u{2714} {text}"), None => "\u{2716}".to_owned() } }
                                                if let Some(marks) = marks { <span class="compare-mark" data-testid="compare-cell-mark">{ format!(" {marks}") }</span> }
                                            </button>
                                        </td>
                                    }
                                }) }
                                { gap(columns.after) }
                            </tr>
                        }) }
                        { table_spacer(rows.after, 1) }
                    </tbody>
                </table>
            </div>
        </div>
    }
}

/// A cell standing for the columns not drawn.
fn gap(width: f64) -> Html {
    if width <= 0.0 {
        return html! {};
    }
    html! { <td class="virtual-gap" aria-hidden="true" style={format!("min-width: {width}px; width: {width}px")}></td> }
}

fn filtered(cell: &Cell, protocol: Option<Protocol>) -> Cell {
    match protocol {
        None => cell.clone(),
        Some(protocol) => Cell {
            allowed: cell
                .allowed
                .iter()
                .filter(|(p, _)| *p == protocol)
                .cloned()
                .collect(),
            ..cell.clone()
        },
    }
}

/// The question a blocked cell opens: the target's first declared service, else TCP 80.
fn blocked_query(
    topology: &Topology,
    from: &EndpointId,
    to: &EndpointId,
    protocol: Option<Protocol>,
) -> Query {
    let service = topology
        .endpoints
        .get(to)
        .and_then(|e| e.services.as_ref())
        .and_then(|services| {
            services
                .iter()
                .find(|s| protocol.is_none_or(|p| p == s.protocol))
                .cloned()
        });
    let (protocol, port) = match (service, protocol) {
        (Some(service), _) => (service.protocol, Some(service.ports.start())),
        (None, Some(protocol)) => (protocol, protocol.has_ports().then_some(80)),
        (None, None) => (Protocol::Tcp, Some(80)),
    };
    Query {
        from: from.clone(),
        to: to.clone(),
        protocol,
        port: if protocol.has_ports() { port } else { None },
    }
}
