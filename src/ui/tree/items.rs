//! The tree's objects: one second-level item each, and the words they show.

use sglab_core::model::{EndpointKind, NetworkMode, Topology};
use yew::prelude::*;

use super::keys;
use crate::state::Action;
use crate::types::{Selection, Shared};

/// What every item needs: the selection, the state changes and the item in the Tab order.
#[derive(Clone)]
pub struct Items {
    /// What is selected.
    pub current: Selection,
    /// State changes.
    pub dispatch: Callback<Action>,
    /// The test id of the item in the Tab order.
    pub tab_stop: String,
}

impl Items {
    /// One object's item: selected by a click, Enter or Space.
    pub fn item(
        &self,
        selection: Selection,
        label: String,
        detail: String,
        testid: String,
    ) -> Html {
        let selected = self.current == selection;
        let onclick = self
            .dispatch
            .reform(move |_| Action::Select(selection.clone()));
        html! {
            <li role="treeitem" aria-level="2" aria-selected={selected.to_string()}
                tabindex={keys::stop(&testid, &self.tab_stop)}
                class={classes!("tree-item", selected.then_some("selected"))} data-testid={testid} {onclick}>
                <span class="tree-label">{ label }</span>
                <span class="tree-detail">{ detail }</span>
            </li>
        }
    }

    /// The security groups' items, drawn by row for a virtualised list.
    pub fn groups(&self, topology: &Shared<Topology>) -> Callback<usize, Html> {
        let (items, topology) = (self.clone(), topology.clone());
        Callback::from(move |at: usize| match topology.groups.values().nth(at) {
            Some(group) => items.item(
                Selection::Group(group.id.clone()),
                display_name(&group.name, group.id.as_str()),
                format!(
                    "{}{} \u{00b7} {}",
                    group.group_type.as_str(),
                    if group.managed_by.is_some() {
                        " \u{00b7} managed"
                    } else {
                        ""
                    },
                    count(group.rules.len(), "rule", "rules")
                ),
                format!("tree-group-{}", group.id),
            ),
            None => html! {},
        })
    }

    /// The endpoints' items, drawn by row for a virtualised list.
    pub fn endpoints(&self, topology: &Shared<Topology>) -> Callback<usize, Html> {
        let (items, topology) = (self.clone(), topology.clone());
        Callback::from(move |at: usize| match topology.endpoints.values().nth(at) {
            Some(endpoint) => items.item(
                Selection::Endpoint(endpoint.id.clone()),
                display_name(&endpoint.name, endpoint.id.as_str()),
                kind_label(&endpoint.kind).to_owned(),
                format!("tree-endpoint-{}", endpoint.id),
            ),
            None => html! {},
        })
    }
}

fn kind_label(kind: &EndpointKind) -> &'static str {
    match kind {
        EndpointKind::Ecs => "ECS",
        EndpointKind::Pod { .. } => "pod",
        EndpointKind::GatewayNode { .. } => "gateway node",
        EndpointKind::External { .. } => "external",
    }
}

/// "name (id)" or the id alone.
pub fn display_name(name: &str, id: &str) -> String {
    if name.is_empty() || name == id {
        id.to_owned()
    } else {
        format!("{name} ({id})")
    }
}

/// The words for a pod network.
pub fn network_mode_label(mode: NetworkMode) -> &'static str {
    match mode {
        NetworkMode::Flannel => "Flannel",
        NetworkMode::TerwayShared => "Terway shared ENI",
        NetworkMode::TerwayTrunk => "Terway trunk ENI",
    }
}

/// `1 rule`, `2 rules`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
