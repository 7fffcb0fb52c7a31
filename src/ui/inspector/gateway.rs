//! The inspector of a gateway: its name, managed group and Security Group Authorizations, which
//! are deleted here (keeping or removing the backend rules) and added with [`AuthorizeForm`].

use sglab_core::gateway::Cascade;
use sglab_core::model::{GatewayId, GatewayKind, Topology};
use yew::prelude::*;

use super::{commit, delete_button, AuthorizeForm};
use crate::state::Action;
use crate::types::Shared;
use crate::ui::widgets::TextField;
use sglab_core::edit::Edit;

/// Props of [`GatewayEditor`].
#[derive(PartialEq, Properties)]
pub struct GatewayEditorProps {
    /// The topology.
    pub topology: Shared<Topology>,
    /// The gateway.
    pub gateway: GatewayId,
    /// State changes.
    pub dispatch: Callback<Action>,
}

/// A gateway: name, managed group, and its Security Group Authorizations.
#[component]
pub fn GatewayEditor(props: &GatewayEditorProps) -> Html {
    let cascade = use_state(|| false);
    let topology = &props.topology;
    let dispatch = &props.dispatch;
    let Some(gateway) = topology.gateways.get(&props.gateway) else {
        return html! {};
    };
    let id = gateway.id.clone();
    let on_name = {
        let id = id.clone();
        commit(dispatch, move |name| {
            Ok(Edit::RenameGateway {
                gateway: id.clone(),
                name,
            })
        })
    };
    let toggle_cascade = {
        let cascade = cascade.clone();
        Callback::from(move |_: Event| cascade.set(!*cascade))
    };
    let kind = match gateway.kind {
        GatewayKind::AiGateway => "AI gateway",
        GatewayKind::MseCloudNative => "MSE cloud-native gateway",
    };

    html! {
        <>
            <h2>{ format!("{kind} {id}") }</h2>
            <TextField label="Name" value={gateway.name.clone()} testid="gateway-name" on_commit={on_name} />
            <p class="meta">{ format!("VPC {} \u{00b7} managed group {}", gateway.vpc, gateway.managed_group) }</p>
            <section class="authorizations" data-testid="authorizations">
                <h3>{ "Security Group Authorizations" }</h3>
                if gateway.authorizations.is_empty() {
                    <p class="hint">{ "None yet: the gateway cannot reach backends in other groups." }</p>
                }
                <ul>
                    { for gateway.authorizations.iter().map(|authorization| {
                        let backend = authorization.backend_group.clone();
                        let chosen = if *cascade { Cascade::RemoveBackendRules } else { Cascade::KeepBackendRules };
                        let onclick = {
                            let id = id.clone();
                            let backend = backend.clone();
                            dispatch.reform(move |_: MouseEvent| Action::Edit(Edit::Revoke { gateway: id.clone(), backend: backend.clone(), cascade: chosen }))
                        };
                        html! {
                            <li class="authorization" data-testid={format!("authorization-{backend}")}>
                                <span>{ format!("{backend}: TCP {}", authorization.port_ranges.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) }</span>
                                <button type="button" class="danger" {onclick} data-testid={format!("revoke-{backend}")}>{ "Delete" }</button>
                            </li>
                        }
                    }) }
                </ul>
                if !gateway.authorizations.is_empty() {
                    <label class="check">
                        <input type="checkbox" checked={*cascade} onchange={toggle_cascade} data-testid="revoke-cascade" />
                        { " The preceding inbound rules in the security group are also deleted" }
                    </label>
                }
            </section>
            <AuthorizeForm topology={props.topology.clone()} gateway={id.clone()} dispatch={dispatch.clone()} />
            { delete_button(dispatch, Edit::DeleteGateway(id.clone()), "Delete gateway", "delete-gateway") }
        </>
    }
}
