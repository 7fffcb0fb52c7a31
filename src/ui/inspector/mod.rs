//! The inspector: the settings of the selected object, editable, and the gateway's
//! authorization workflow.

use std::rc::Rc;

use sglab_core::model::Topology;
use yew::prelude::*;

use crate::state::Action;
use crate::types::{Selection, Shared};
use crate::ui::widgets::TextField;
use sglab_core::edit::Edit;

mod authorize;
mod cluster;
mod endpoint;
mod endpoint_groups;
mod gateway;
mod group;
mod prefix_list;
mod services;
mod vpc;

pub use authorize::AuthorizeForm;
pub use endpoint::{EndpointEditor, EndpointEditorProps};
pub use gateway::{GatewayEditor, GatewayEditorProps};

/// A change of a field of `T` from typed text, refused with a message.
type Change<T> = Rc<dyn Fn(&mut T, String) -> Result<(), String>>;

/// Props of [`Inspector`].
#[derive(PartialEq, Properties)]
pub struct InspectorProps {
    /// The topology.
    pub topology: Shared<Topology>,
    /// What is selected.
    pub selection: Selection,
    /// State changes.
    pub dispatch: Callback<Action>,
}

/// A field's commit callback: the edit `make` builds from the typed text, or its message.
fn commit(
    dispatch: &Callback<Action>,
    make: impl Fn(String) -> Result<Edit, String> + 'static,
) -> Callback<String, Option<String>> {
    let dispatch = dispatch.clone();
    Callback::from(move |text: String| match make(text) {
        Ok(edit) => {
            dispatch.emit(Action::Edit(edit));
            None
        }
        Err(message) => Some(message),
    })
}

/// A red button making one edit (a deletion).
fn delete_button(dispatch: &Callback<Action>, edit: Edit, label: &str, testid: &str) -> Html {
    let onclick = dispatch.reform(move |_: MouseEvent| Action::Edit(edit.clone()));
    html! { <button type="button" class="danger" data-testid={testid.to_owned()} {onclick}>{ label.to_owned() }</button> }
}

/// The inspector.
#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let topology = &*props.topology;
    let dispatch = &props.dispatch;
    let body = match &props.selection {
        Selection::None => return html! {},
        Selection::Topology => {
            let on_name = commit(dispatch, |text| Ok(Edit::RenameTopology(text)));
            html! {
                <>
                    <h2>{ "Topology" }</h2>
                    <TextField label="Title" value={topology.name.clone()} testid="topology-name" on_commit={on_name} />
                </>
            }
        }
        Selection::Vpc(id) => vpc::vpc_inspector(topology, id, dispatch),
        Selection::Group(id) => group::group_inspector(topology, id, dispatch),
        Selection::Endpoint(id) => {
            let Some(endpoint) = topology.endpoints.get(id) else {
                return html! {};
            };
            return html! {
                <section class="inspector" data-testid="inspector">
                    <EndpointEditor topology={props.topology.clone()} endpoint={id.clone()} dispatch={dispatch.clone()} key={endpoint.id.to_string()} />
                </section>
            };
        }
        Selection::Cluster(id) => cluster::cluster_inspector(topology, id, dispatch),
        Selection::PrefixList(id) => prefix_list::prefix_list_inspector(topology, id, dispatch),
        Selection::Gateway(id) => {
            return html! {
                <section class="inspector" data-testid="inspector">
                    <GatewayEditor topology={props.topology.clone()} gateway={id.clone()} dispatch={dispatch.clone()} />
                </section>
            };
        }
    };
    html! { <section class="inspector" data-testid="inspector">{ body }</section> }
}
