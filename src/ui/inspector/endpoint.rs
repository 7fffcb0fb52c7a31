//! The inspector of an endpoint: name, addresses, security groups and services, and a button
//! that asks a question from it.

use std::rc::Rc;

use sglab_core::model::{Endpoint, EndpointId, EndpointKind, Protocol, Topology};
use yew::prelude::*;

use super::{commit, delete_button, endpoint_groups, services, Change};
use crate::engine;
use crate::state::Action;
use crate::types::{Query, Shared};
use crate::ui::widgets::TextField;
use sglab_core::edit::Edit;

/// Props of [`EndpointEditor`].
#[derive(PartialEq, Properties)]
pub struct EndpointEditorProps {
    /// The topology.
    pub topology: Shared<Topology>,
    /// The endpoint.
    pub endpoint: EndpointId,
    /// State changes.
    pub dispatch: Callback<Action>,
}

/// The settings of an endpoint: name, addresses, groups, services.
#[component]
pub fn EndpointEditor(props: &EndpointEditorProps) -> Html {
    let topology = &props.topology;
    let dispatch = &props.dispatch;
    let Some(endpoint) = topology.endpoints.get(&props.endpoint) else {
        return html! {};
    };
    let id = endpoint.id.clone();
    let set = |change: Change<Endpoint>| {
        let endpoint = endpoint.clone();
        commit(dispatch, move |text| {
            let mut endpoint = endpoint.clone();
            change(&mut endpoint, text)?;
            Ok(Edit::SetEndpoint(endpoint))
        })
    };
    let on_name = set(Rc::new(|e, text| {
        e.name = text;
        Ok(())
    }));
    let on_private = set(Rc::new(|e, text| {
        let ips = text
            .split([',', ' '])
            .filter(|s| !s.trim().is_empty())
            .map(engine::check_ip)
            .collect::<Result<Vec<_>, _>>()?;
        match e.enis.first_mut() {
            Some(eni) => eni.private_ips = ips,
            None => {
                return Err(
                    "this endpoint has no ENI of its own: its traffic uses its node's".to_owned(),
                )
            }
        }
        Ok(())
    }));
    let on_public = set(Rc::new(|e, text| {
        e.public_ip = if text.trim().is_empty() {
            None
        } else {
            Some(engine::check_ip(&text)?)
        };
        Ok(())
    }));
    let on_pod_ip = set(Rc::new(|e, text| {
        e.pod_ip = if text.trim().is_empty() {
            None
        } else {
            Some(engine::check_ip(&text)?)
        };
        Ok(())
    }));
    let on_cidr = set(Rc::new(|e, text| {
        e.kind = engine::external_kind(&text)?;
        Ok(())
    }));

    let has_eni = !endpoint.enis.is_empty();
    let ask_from = {
        let id = id.clone();
        let first_other = topology.endpoints.keys().find(|k| **k != id).cloned();
        first_other.map(|to| {
            let id = id.clone();
            dispatch.reform(move |_: MouseEvent| {
                Action::Ask(Query {
                    from: id.clone(),
                    to: to.clone(),
                    protocol: Protocol::Tcp,
                    port: Some(80),
                })
            })
        })
    };

    html! {
        <>
            <h2>{ format!("{} {}", engine::kind_words(&endpoint.kind), id) }</h2>
            <TextField label="Name" value={endpoint.name.clone()} testid="endpoint-name" on_commit={on_name} />
            if let EndpointKind::External { cidr } = &endpoint.kind {
                <TextField label="Address or CIDR block" value={cidr.to_string()} testid="endpoint-cidr" on_commit={on_cidr} />
            }
            if has_eni {
                <TextField label="Private addresses (comma separated)" testid="endpoint-private-ips" on_commit={on_private}
                    value={endpoint.enis.first().map(|eni| eni.private_ips.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")).unwrap_or_default()} />
            }
            if matches!(endpoint.kind, EndpointKind::Ecs) {
                <TextField label="Public IP or EIP" value={endpoint.public_ip.map(|ip| ip.to_string()).unwrap_or_default()} testid="endpoint-public-ip" on_commit={on_public} />
            }
            if let EndpointKind::Pod { cluster, node } = &endpoint.kind {
                <p class="meta">{ format!("cluster {cluster} \u{00b7} node {node}") }</p>
                if !has_eni {
                    <TextField label="Pod IP" value={endpoint.pod_ip.map(|ip| ip.to_string()).unwrap_or_default()} testid="endpoint-pod-ip" on_commit={on_pod_ip} />
                    <p class="hint">{ "This pod has no ENI of its own: its node's security groups filter its traffic." }</p>
                }
            }
            if has_eni && !matches!(endpoint.kind, EndpointKind::GatewayNode { .. }) {
                { endpoint_groups::group_toggles(topology, endpoint, dispatch) }
            }
            if !matches!(endpoint.kind, EndpointKind::External { .. } | EndpointKind::GatewayNode { .. }) {
                { services::services_section(endpoint, dispatch) }
            }
            <div class="button-row">
                if let Some(onclick) = ask_from {
                    <button type="button" {onclick} data-testid="ask-from-endpoint">{ "Ask from here" }</button>
                }
                { delete_button(dispatch, Edit::DeleteEndpoint(id.clone()), "Delete endpoint", "delete-endpoint") }
            </div>
        </>
    }
}
