//! The reachability matrix: sources down, targets across, the allowed ports in each cell;
//! every cell opens its explanation. Large topologies show a window of it, with a notice.

use std::collections::BTreeMap;
use std::rc::Rc;

use sglab_core::model::{EndpointId, Protocol, Topology};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::engine::{Cell, Reach};
use crate::state::Action;
use crate::types::{Query, Shared};
use crate::ui::widgets::{options, SelectField};

/// Most rows and columns drawn at once.
pub const MATRIX_MAX: usize = 40;

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
    let shown: Vec<EndpointId> = shown.into_iter().take(MATRIX_MAX).collect();

    // Cells of the window, read from the core's matrix.
    let cells: Rc<BTreeMap<(EndpointId, EndpointId), Cell>> =
        use_memo((props.reach.clone(), shown.clone()), |(reach, shown)| {
            reach.cells_among(shown)
        });

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
                    { format!("Showing {MATRIX_MAX} of {total} endpoints: filter to see others, or export the full matrix as CSV.") }
                </p>
            }
            <div class="matrix-scroll">
                <table class="matrix-table">
                    <caption class="visually-hidden">{ "Reachability: rows are sources, columns are targets" }</caption>
                    <thead>
                        <tr>
                            <th scope="col" class="corner">{ "from \u{2193} / to \u{2192}" }</th>
                            { for shown.iter().map(|to| html! { <th scope="col" class="col-head" title={to.to_string()}><span>{ name(to) }</span></th> }) }
                        </tr>
                    </thead>
                    <tbody>
                        { for shown.iter().map(|from| html! {
                            <tr>
                                <th scope="row" class="row-head" title={from.to_string()}>{ name(from) }</th>
                                { for shown.iter().map(|to| {
                                    if from == to {
                                        return html! { <td class="self" aria-label="same endpoint">{ "\u{00b7}" }</td> };
                                    }
                                    let cell = cells.get(&(from.clone(), to.clone())).map(|cell| filtered(cell, chosen)).filter(|c| !c.allowed.is_empty());
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
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        </div>
    }
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
