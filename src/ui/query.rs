//! The query bar: can this endpoint reach that one on this protocol and port?

use std::rc::Rc;

use sglab_core::model::{EndpointId, Protocol, Topology};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::state::Action;
use crate::types::{Query, Shared};
use crate::ui::tree::display_name;

/// Props of [`QueryBar`].
#[derive(PartialEq, Properties)]
pub struct QueryBarProps {
    /// The topology.
    pub topology: Shared<Topology>,
    /// The open query, which the bar shows.
    pub query: Option<Query>,
    /// State changes.
    pub dispatch: Callback<Action>,
}

/// The protocols a query can ask about.
pub const PROTOCOLS: [Protocol; 6] = [
    Protocol::Tcp,
    Protocol::Udp,
    Protocol::Icmp,
    Protocol::Icmpv6,
    Protocol::Gre,
    Protocol::All,
];

/// The query bar.
#[component]
pub fn QueryBar(props: &QueryBarProps) -> Html {
    let from = use_node_ref();
    let to = use_node_ref();
    let protocol = use_node_ref();
    let port = use_node_ref();
    let error = use_state(|| None::<String>);
    let topology = &props.topology;
    let ids: Rc<Vec<(EndpointId, String)>> = Rc::new(
        topology
            .endpoints
            .values()
            .map(|e| (e.id.clone(), display_name(&e.name, e.id.as_str())))
            .collect(),
    );
    let default_from = props
        .query
        .as_ref()
        .map(|q| q.from.clone())
        .or_else(|| {
            topology
                .endpoints
                .values()
                .find(|e| matches!(e.kind, sglab_core::model::EndpointKind::External { .. }))
                .map(|e| e.id.clone())
        })
        .or_else(|| ids.first().map(|(id, _)| id.clone()));
    let default_to = props
        .query
        .as_ref()
        .map(|q| q.to.clone())
        .or_else(|| ids.last().map(|(id, _)| id.clone()));
    let current_protocol = props
        .query
        .as_ref()
        .map(|q| q.protocol)
        .unwrap_or(Protocol::Tcp);
    let current_port = props
        .query
        .as_ref()
        .and_then(|q| q.port)
        .map(|p| p.to_string())
        .unwrap_or_else(|| "80".to_owned());

    let onsubmit = {
        let (from, to, protocol, port) = (from.clone(), to.clone(), protocol.clone(), port.clone());
        let dispatch = props.dispatch.clone();
        let error = error.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (Some(from), Some(to), Some(protocol), Some(port)) = (
                from.cast::<HtmlSelectElement>(),
                to.cast::<HtmlSelectElement>(),
                protocol.cast::<HtmlSelectElement>(),
                port.cast::<HtmlInputElement>(),
            ) else {
                return;
            };
            let Some(protocol) = Protocol::parse(&protocol.value()) else {
                return;
            };
            let port = if protocol.has_ports() {
                match crate::engine::check_single_port(&port.value()) {
                    Ok(port) => Some(port),
                    Err(message) => {
                        error.set(Some(message.to_string()));
                        return;
                    }
                }
            } else {
                None
            };
            error.set(None);
            dispatch.emit(Action::Ask(Query {
                from: EndpointId(from.value()),
                to: EndpointId(to.value()),
                protocol,
                port,
            }));
        })
    };

    let endpoint_options = |selected: &Option<EndpointId>| {
        ids.iter()
            .map(|(id, label)| {
                html! { <option value={id.to_string()} selected={Some(id) == selected.as_ref()}>{ label }</option> }
            })
            .collect::<Html>()
    };
    let invalid = error.is_some();
    html! {
        <form class="query-bar" {onsubmit} data-testid="query-bar" aria-label="Ask why">
            <span class="query-title">{ "Can" }</span>
            <label for="query-from" class="visually-hidden">{ "From" }</label>
            <select id="query-from" ref={from} data-testid="query-from" key={format!("from-{:?}", default_from)}>{ endpoint_options(&default_from) }</select>
            <span class="query-title">{ "reach" }</span>
            <label for="query-to" class="visually-hidden">{ "To" }</label>
            <select id="query-to" ref={to} data-testid="query-to" key={format!("to-{:?}", default_to)}>{ endpoint_options(&default_to) }</select>
            <label for="query-protocol" class="visually-hidden">{ "Protocol" }</label>
            <select id="query-protocol" ref={protocol} data-testid="query-protocol">
                { for PROTOCOLS.iter().map(|p| html! { <option value={p.as_str()} selected={*p == current_protocol}>{ p.as_str().to_ascii_uppercase() }</option> }) }
            </select>
            <label for="query-port" class="visually-hidden">{ "Port" }</label>
            <input id="query-port" ref={port} type="text" inputmode="numeric" class="port-input" value={current_port}
                data-testid="query-port" aria-invalid={invalid.to_string()} placeholder="port" />
            <button type="submit" class="primary" data-testid="query-submit">{ "Why?" }</button>
            if let Some(message) = &*error {
                <span class="field-error" role="alert" data-testid="query-error">{ "\u{2716} " }{ message }</span>
            }
        </form>
    }
}
