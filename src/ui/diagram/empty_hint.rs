//! The hint an empty canvas shows: what to do next, with buttons that do it (the next thing to
//! add, open files, open an example), until the topology has an endpoint.

use sglab_core::edit::{Edit, NewEndpoint};
use sglab_core::model::{GroupType, Topology};
use yew::prelude::*;

use crate::engine;
use crate::state::Action;
use crate::types::{Origin, Shared};

/// The example the hint opens.
const EXAMPLE: &str = "ai-gateway";

/// The hint over an empty canvas, or nothing once the topology has an endpoint.
pub fn empty_hint(topology: &Topology, dispatch: &Callback<Action>) -> Html {
    if !topology.endpoints.is_empty() {
        return html! {};
    }
    let first_vpc = topology.vpcs.keys().next().cloned();
    let first_group = topology.groups.keys().next().cloned();
    let (advice, label, testid, edit) = match (first_vpc, first_group) {
        (None, _) => (
            "This topology is empty. Add a VPC, then a security group and an instance from the left panel, or open a file or an example.",
            "Add a VPC",
            "hint-add-vpc",
            Edit::AddVpc,
        ),
        (Some(vpc), None) => (
            "Add a security group and an instance from the left panel, or open a file or an example.",
            "Add a security group",
            "hint-add-group",
            Edit::AddGroup { vpc, group_type: GroupType::Basic },
        ),
        (Some(_), Some(group)) => (
            "Add an instance to a security group from the left panel, or open a file or an example.",
            "Add an ECS instance",
            "hint-add-node",
            Edit::AddEndpoint(NewEndpoint::Ecs { group }),
        ),
    };
    let add = dispatch.reform(move |_: MouseEvent| Action::Edit(edit.clone()));
    let open_files = Callback::from(|_: MouseEvent| open_file_picker());
    let example = dispatch.reform(|_: MouseEvent| match engine::example(EXAMPLE) {
        Ok(topology) => Action::Load {
            topology: Shared::new(topology),
            origin: Origin::Example(EXAMPLE.to_owned()),
            warnings: Vec::new(),
        },
        Err(diagnostics) => Action::Notify(crate::types::Notice::with_diagnostics(
            crate::types::Level::Error,
            format!("The example {EXAMPLE} could not be opened"),
            &diagnostics,
        )),
    });
    let example_title = engine::example_list()
        .into_iter()
        .find(|(id, _)| *id == EXAMPLE)
        .map(|(_, title)| title)
        .unwrap_or(EXAMPLE);
    html! {
        <div class="empty-hint" data-testid="empty-hint">
            <p class="empty-hint-text">{ advice }</p>
            <div class="empty-hint-actions">
                <button type="button" class="primary" data-testid={testid} onclick={add}>{ label }</button>
                <button type="button" data-testid="hint-open-file" onclick={open_files}>{ "Open files\u{2026}" }</button>
                <button type="button" data-testid="hint-example" onclick={example}>
                    { format!("Open the example \u{201c}{example_title}\u{201d}") }
                </button>
            </div>
        </div>
    }
}

/// Opens the toolbar's file picker, so that the files chosen are read as any opened file.
fn open_file_picker() {
    let input = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| {
            document
                .query_selector("[data-testid=\"file-input\"]")
                .ok()
                .flatten()
        })
        .and_then(|element| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(element).ok());
    if let Some(input) = input {
        input.click();
    }
}
