//! The services an endpoint listens on: protocol, ports, up or down; added and removed here.

use sglab_core::model::{Endpoint, PortRange, PortSpec, Protocol, Service};
use yew::prelude::*;

use super::commit;
use crate::engine;
use crate::state::Action;
use crate::ui::widgets::{options, SelectField, TextField};
use sglab_core::edit::Edit;

/// The services section of an endpoint's inspector.
pub fn services_section(endpoint: &Endpoint, dispatch: &Callback<Action>) -> Html {
    let services = endpoint.services.clone().unwrap_or_default();
    let services_html: Html = services
        .iter()
        .enumerate()
        .map(|(index, service)| {
            let toggle = {
                let endpoint = endpoint.clone();
                dispatch.reform(move |_: Event| {
                    let mut endpoint = endpoint.clone();
                    if let Some(service) = endpoint.services.as_mut().and_then(|s| s.get_mut(index)) {
                        service.up = !service.up;
                    }
                    Action::Edit(Edit::SetEndpoint(endpoint))
                })
            };
            let on_ports = {
                let endpoint = endpoint.clone();
                commit(dispatch, move |text| {
                    let ports = match engine::parse_ports(&text)? {
                        PortSpec::Range(range) => range,
                        PortSpec::All => PortRange::ALL,
                    };
                    let mut endpoint = endpoint.clone();
                    if let Some(service) = endpoint.services.as_mut().and_then(|s| s.get_mut(index)) {
                        service.ports = ports;
                    }
                    Ok(Edit::SetEndpoint(endpoint))
                })
            };
            let on_service_protocol = {
                let endpoint = endpoint.clone();
                dispatch.reform(move |value: String| {
                    let mut endpoint = endpoint.clone();
                    if let Some(service) = endpoint.services.as_mut().and_then(|s| s.get_mut(index)) {
                        service.protocol = if value == "udp" { Protocol::Udp } else { Protocol::Tcp };
                    }
                    Action::Edit(Edit::SetEndpoint(endpoint))
                })
            };
            let remove = {
                let endpoint = endpoint.clone();
                dispatch.reform(move |_: MouseEvent| {
                    let mut endpoint = endpoint.clone();
                    if let Some(services) = endpoint.services.as_mut() {
                        services.remove(index);
                    }
                    Action::Edit(Edit::SetEndpoint(endpoint))
                })
            };
            html! {
                <li class="service-row" data-testid={format!("service-{index}")}>
                    <span class="service-name">{ service.name.clone() }</span>
                    <SelectField label={format!("Protocol of {}", service.name)} compact=true value={service.protocol.as_str()}
                        options={options(&[("tcp", "TCP"), ("udp", "UDP")])} testid={format!("service-{index}-protocol")}
                        on_change={on_service_protocol} />
                    <TextField label={format!("Ports of {}", service.name)} compact=true value={service.ports.to_string()}
                        testid={format!("service-{index}-ports")} on_commit={on_ports} />
                    <label class="check"><input type="checkbox" checked={service.up} onchange={toggle} data-testid={format!("service-{index}-up")} />{ " up" }</label>
                    <button type="button" class="icon-button danger" aria-label={format!("Remove service {}", service.name)} onclick={remove}>{ "\u{00d7}" }</button>
                </li>
            }
        })
        .collect();
    let add_service = {
        let endpoint = endpoint.clone();
        dispatch.reform(move |_: MouseEvent| {
            let mut endpoint = endpoint.clone();
            endpoint
                .services
                .get_or_insert_with(Vec::new)
                .push(Service {
                    name: "web".to_owned(),
                    protocol: Protocol::Tcp,
                    ports: PortRange::single(8080).unwrap_or(PortRange::ALL),
                    up: true,
                });
            Action::Edit(Edit::SetEndpoint(endpoint))
        })
    };
    html! {
        <section class="services">
            <h3>{ "Services listening" }</h3>
            if endpoint.services.is_none() {
                <p class="hint">{ "Unknown (imported endpoints declare none)." }</p>
            }
            <ul>{ services_html }</ul>
            <button type="button" onclick={add_service} data-testid="add-service">{ "+ service" }</button>
        </section>
    }
}
