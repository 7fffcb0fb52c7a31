//! The inspector of a prefix list: name, entries, and the rules that use it.

use sglab_core::model::{PrefixList, PrefixListId, Topology};
use yew::prelude::*;

use super::{commit, delete_button};
use crate::state::Action;
use crate::ui::widgets::TextField;
use sglab_core::edit;
use sglab_core::edit::Edit;

/// The settings of a prefix list.
pub fn prefix_list_inspector(
    topology: &Topology,
    id: &PrefixListId,
    dispatch: &Callback<Action>,
) -> Html {
    let Some(list) = topology.prefix_lists.get(id) else {
        return html! {};
    };
    let on_name = {
        let list = list.clone();
        commit(dispatch, move |text| {
            Ok(Edit::SetPrefixList(PrefixList {
                name: text,
                ..list.clone()
            }))
        })
    };
    let on_cidrs = {
        let list = list.clone();
        commit(dispatch, move |text| {
            edit::prefix_list_with_entries(&list, &text).map(Edit::SetPrefixList)
        })
    };
    let entries = list
        .cidrs
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    let users = edit::prefix_list_users(topology, id);
    html! {
        <>
            <h2>{ format!("Prefix list {id}") }</h2>
            <TextField label="Name" value={list.name.clone()} testid="prefix-list-name" on_commit={on_name} />
            <TextField label="Entries (CIDR blocks, one a line or comma separated)" value={entries} rows={Some(5)}
                placeholder="192.0.2.0/24" testid="prefix-list-cidrs" on_commit={on_cidrs} />
            <p class="meta" data-testid="prefix-list-meta">{ format!("{} \u{00b7} used by: {}",
                crate::ui::tree::count(list.cidrs.len(), "entry", "entries"),
                if users.is_empty() { "no rule".to_owned() } else { users.join(", ") }) }</p>
            if list.cidrs.is_empty() {
                <p class="hint">{ "No entries yet: a rule naming this list matches nothing." }</p>
            }
            <p class="hint" data-testid="prefix-list-hint">{ format!("Use in a rule: type {id} in the Source / destination field of a rule; the rule then matches any address in the list's entries.") }</p>
            { delete_button(dispatch, Edit::DeletePrefixList(id.clone()), "Delete prefix list", "delete-prefix-list") }
        </>
    }
}
