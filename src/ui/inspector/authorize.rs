//! The form that authorizes a backend group on a gateway, as the console's: search the groups,
//! add TCP port ranges as chips (Enter adds the typed one), describe, save.

use sglab_core::model::{
    GatewayId, GroupId, PortRange, PortSpec, Protocol, SecurityGroup, Topology,
};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::engine;
use crate::state::Action;
use crate::types::Shared;
use crate::ui::tree::display_name;
use sglab_core::edit::Edit;

/// Props of [`AuthorizeForm`].
#[derive(PartialEq, Properties)]
pub struct AuthorizeFormProps {
    /// The topology.
    pub topology: Shared<Topology>,
    /// The gateway.
    pub gateway: GatewayId,
    /// State changes.
    pub dispatch: Callback<Action>,
}

/// Authorize a backend group on the gateway.
#[component]
pub fn AuthorizeForm(props: &AuthorizeFormProps) -> Html {
    let ranges = use_state(Vec::<PortRange>::new);
    let range_error = use_state(|| None::<String>);
    let backend_filter = use_state(String::new);
    let backend_ref = use_node_ref();
    let range_ref = use_node_ref();
    let description_ref = use_node_ref();
    let topology = &props.topology;
    let dispatch = &props.dispatch;
    let Some(gateway) = topology.gateways.get(&props.gateway) else {
        return html! {};
    };
    let id = gateway.id.clone();
    let backends: Vec<&SecurityGroup> = topology
        .groups
        .values()
        .filter(|g| g.vpc == gateway.vpc && g.managed_by.is_none())
        .filter(|g| matches_filter(&backend_filter, g.id.as_str(), &g.name))
        .collect();
    let on_backend_filter = {
        let backend_filter = backend_filter.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                backend_filter.set(input.value());
            }
        })
    };

    // Enter (or the Add button) adds the typed range as a chip, as the console does.
    let add_range = {
        let ranges = ranges.clone();
        let range_error = range_error.clone();
        let range_ref = range_ref.clone();
        move || {
            let Some(input) = range_ref.cast::<HtmlInputElement>() else {
                return;
            };
            let text = input.value();
            if text.trim().is_empty() {
                return;
            }
            match engine::check_ports(Protocol::Tcp, &text) {
                Ok(PortSpec::Range(range)) => {
                    let mut list = (*ranges).clone();
                    if !list.contains(&range) {
                        list.push(range);
                    }
                    ranges.set(list);
                    range_error.set(None);
                    input.set_value("");
                }
                Ok(PortSpec::All) => range_error.set(Some(
                    "write the range as start/end, such as 1/65535".to_owned(),
                )),
                Err(error) => range_error.set(Some(error.to_string())),
            }
        }
    };
    let on_range_key = {
        let add_range = add_range.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Enter" {
                event.prevent_default();
                add_range();
            }
        })
    };
    let on_range_add = Callback::from(move |_: MouseEvent| add_range());
    let on_save = {
        let ranges = ranges.clone();
        let range_error = range_error.clone();
        let backend_ref = backend_ref.clone();
        let description_ref = description_ref.clone();
        let range_ref = range_ref.clone();
        let dispatch = dispatch.clone();
        let id = id.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(backend) = backend_ref.cast::<HtmlSelectElement>().map(|s| s.value()) else {
                return;
            };
            let mut list = (*ranges).clone();
            // A range typed but not yet added with Enter counts too.
            if let Some(input) = range_ref.cast::<HtmlInputElement>() {
                let text = input.value();
                if !text.trim().is_empty() {
                    match engine::check_ports(Protocol::Tcp, &text) {
                        Ok(PortSpec::Range(range)) => {
                            list.push(range);
                            input.set_value("");
                        }
                        Ok(PortSpec::All) => {}
                        Err(error) => {
                            range_error.set(Some(error.to_string()));
                            return;
                        }
                    }
                }
            }
            if list.is_empty() {
                range_error.set(Some(
                    "add at least one port range, such as 8080/8080 or 1/65535".to_owned(),
                ));
                return;
            }
            let description = description_ref
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            dispatch.emit(Action::Edit(Edit::Authorize {
                gateway: id.clone(),
                backend: GroupId(backend),
                ranges: list,
                description,
            }));
            ranges.set(Vec::new());
            range_error.set(None);
        })
    };
    let remove_chip = |range: PortRange| {
        let ranges = ranges.clone();
        Callback::from(move |_: MouseEvent| {
            ranges.set(ranges.iter().copied().filter(|r| *r != range).collect())
        })
    };

    html! {
        <section class="authorize" data-testid="authorize-form">
            <h3>{ "Authorize a backend group" }</h3>
            <div class="field">
                <label for="authorize-backend-search">{ "Search security groups by id or name" }</label>
                <input id="authorize-backend-search" type="search" value={(*backend_filter).clone()} oninput={on_backend_filter}
                    placeholder="sg-\u{2026} or a name" data-testid="authorize-backend-search" />
            </div>
            <div class="field">
                <label for="authorize-backend">{ "Security group of the backend's nodes" }</label>
                <select id="authorize-backend" ref={backend_ref} data-testid="authorize-backend">
                    { for backends.iter().map(|g| html! { <option value={g.id.to_string()}>{ display_name(&g.name, g.id.as_str()) }</option> }) }
                </select>
                if backends.is_empty() {
                    <div class="field-error" role="status" data-testid="authorize-backend-none">{ "No security group of this VPC matches: clear the search, or add a group first" }</div>
                }
            </div>
            <div class="field">
                <label for="authorize-range">{ "Port range (TCP, start/end; Enter adds it)" }</label>
                <div class="range-row">
                    <input id="authorize-range" ref={range_ref} type="text" placeholder="8080/8080" onkeydown={on_range_key}
                        data-testid="authorize-range" aria-invalid={range_error.is_some().to_string()} />
                    <button type="button" onclick={on_range_add} data-testid="authorize-range-add">{ "Add" }</button>
                </div>
                if let Some(message) = &*range_error {
                    <div class="field-error" role="alert" data-testid="authorize-range-error">{ "\u{2716} " }{ message }</div>
                }
                <div class="chips" data-testid="authorize-chips">
                    { for ranges.iter().map(|range| html! {
                        <span class="chip">{ range.to_string() }
                            <button type="button" class="chip-remove" aria-label={format!("Remove {range}")} onclick={remove_chip(*range)}>{ "\u{00d7}" }</button>
                        </span>
                    }) }
                </div>
            </div>
            <div class="field">
                <label for="authorize-description">{ "Description" }</label>
                <input id="authorize-description" ref={description_ref} type="text" data-testid="authorize-description" />
            </div>
            <p class="hint">{ "Creates in the backend group one inbound rule per range: Allow, priority 1, TCP, source = the gateway's managed group." }</p>
            <button type="button" class="primary" onclick={on_save} data-testid="authorize-save" disabled={backends.is_empty()}
                aria-describedby={backends.is_empty().then(|| crate::ui::needs::hint_id("authorize-save"))}>{ "Save" }</button>
            { crate::ui::needs::hint("authorize-save", backends.is_empty(), "Choose a backend security group first") }
        </section>
    }
}

/// Whether a group matches the search text: a case-insensitive substring of its id or name.
fn matches_filter(filter: &str, id: &str, name: &str) -> bool {
    let filter = crate::ui::widgets::lowercase(filter.trim());
    filter.is_empty()
        || crate::ui::widgets::lowercase(id).contains(&filter)
        || crate::ui::widgets::lowercase(name).contains(&filter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_matches_id_or_name_in_any_case() {
        assert!(matches_filter("", "sg-1", "web"));
        assert!(matches_filter("  WEB ", "sg-1", "Web servers"));
        assert!(matches_filter("sg-1", "sg-1", ""));
        assert!(!matches_filter("db", "sg-1", "web"));
    }
}
