//! The topology tree: every object, grouped by kind (an ARIA tree, whose keyboard is in
//! [`keys`]), with buttons to add more.

use sglab_core::model::{EndpointKind, GatewayKind, GroupType, NetworkMode, Topology};
use yew::prelude::*;

use crate::state::Action;
use crate::types::{Selection, Shared};
use crate::ui::overview::scroll::VirtualList;
use sglab_core::edit::{Edit, NewEndpoint};

mod items;
mod keys;

pub use items::{count, display_name, network_mode_label};

/// Props of [`Tree`].
#[derive(PartialEq, Properties)]
pub struct TreeProps {
    /// The topology.
    pub topology: Shared<Topology>,
    /// What is selected.
    pub selection: Selection,
    /// State changes.
    pub dispatch: Callback<Action>,
}

/// The tree.
#[component]
pub fn Tree(props: &TreeProps) -> Html {
    let topology = &*props.topology;
    let add = |label: &'static str, testid: &'static str, edit: Option<Edit>, needs: &str| {
        let onclick = edit.map(|edit| props.dispatch.reform(move |_| Action::Edit(edit.clone())));
        crate::ui::needs::add_button(label, testid, onclick, needs)
    };

    let first_vpc = topology.vpcs.keys().next().cloned();
    let selected_vpc = match &props.selection {
        Selection::Vpc(id) => Some(id.clone()),
        Selection::Group(id) => topology.groups.get(id).map(|g| g.vpc.clone()),
        _ => None,
    }
    .or(first_vpc);
    let target_group = match &props.selection {
        Selection::Group(id)
            if topology
                .groups
                .get(id)
                .is_some_and(|g| g.managed_by.is_none()) =>
        {
            Some(id.clone())
        }
        _ => topology
            .groups
            .values()
            .find(|g| g.managed_by.is_none())
            .map(|g| g.id.clone()),
    };
    let pod_target = topology.clusters.values().find_map(|cluster| {
        topology
            .endpoints
            .values()
            .find(|e| matches!(e.kind, EndpointKind::Ecs) && e.vpc.as_ref() == Some(&cluster.vpc))
            .map(|node| (cluster.id.clone(), node.id.clone()))
    });
    let pod_target = match &props.selection {
        Selection::Cluster(id) => topology
            .endpoints
            .values()
            .find(|e| {
                matches!(e.kind, EndpointKind::Ecs)
                    && topology
                        .clusters
                        .get(id)
                        .is_some_and(|c| e.vpc.as_ref() == Some(&c.vpc))
            })
            .map(|node| (id.clone(), node.id.clone()))
            .or(pod_target),
        Selection::Endpoint(node)
            if matches!(
                topology.endpoints.get(node).map(|e| &e.kind),
                Some(EndpointKind::Ecs)
            ) =>
        {
            topology
                .clusters
                .values()
                .find(|c| topology.endpoints.get(node).and_then(|e| e.vpc.as_ref()) == Some(&c.vpc))
                .map(|c| (c.id.clone(), node.clone()))
                .or(pod_target)
        }
        _ => pod_target,
    };

    // Sections closed with Left (or a click on their title), one bit each.
    let closed = use_state(|| 0u8);
    let stop = keys::tab_stop(&props.selection);
    let items = items::Items {
        current: props.selection.clone(),
        dispatch: props.dispatch.clone(),
        tab_stop: stop.clone(),
    };
    let item = |selection, label, detail, testid| items.item(selection, label, detail, testid);
    let on_open = {
        let closed = closed.clone();
        Callback::from(move |(index, open): (usize, bool)| {
            let bit = 1u8 << index;
            closed.set(if open { *closed & !bit } else { *closed | bit });
        })
    };
    let section = |index: usize, children: Html| {
        keys::section(
            index,
            *closed & (1 << index) == 0,
            &stop,
            &on_open,
            children,
        )
    };
    let list = |count: usize, render: Callback<usize, Html>| {
        html! {
            <VirtualList {count} row_height={ROW} {render} class={classes!("tree-group")} role="group" />
        }
    };
    html! {
        <nav class="tree" aria-label="Topology objects" data-testid="tree">
            <div class="tree-head">
                <h2 id="tree-title">{ "Topology" }</h2>
                <button type="button" class="link" data-testid="select-topology"
                    onclick={props.dispatch.reform(|_| Action::Select(Selection::Topology))}>{ "rename" }</button>
            </div>
            <ul role="tree" class="tree-root" aria-labelledby="tree-title" data-testid="tree-root"
                onkeydown={keys::on_keydown(on_open.clone())}>
                { section(0, html! { <ul role="group">{ for topology.vpcs.values().map(|vpc| item(
                    Selection::Vpc(vpc.id.clone()),
                    display_name(&vpc.name, vpc.id.as_str()),
                    vpc.cidr.map(|c| c.to_string()).unwrap_or_default(),
                    format!("tree-vpc-{}", vpc.id),
                )) }</ul> }) }
                { section(1, list(topology.groups.len(), items.groups(&props.topology))) }
                { section(2, list(topology.endpoints.len(), items.endpoints(&props.topology))) }
                { section(3, html! { <ul role="group">{ for topology.clusters.values().map(|cluster| item(
                    Selection::Cluster(cluster.id.clone()),
                    display_name(&cluster.name, cluster.id.as_str()),
                    network_mode_label(cluster.network_mode).to_owned(),
                    format!("tree-cluster-{}", cluster.id),
                )) }</ul> }) }
                { section(4, html! { <ul role="group">{ for topology.gateways.values().map(|gateway| item(
                    Selection::Gateway(gateway.id.clone()),
                    display_name(&gateway.name, gateway.id.as_str()),
                    count(gateway.authorizations.len(), "authorization", "authorizations"),
                    format!("tree-gateway-{}", gateway.id),
                )) }</ul> }) }
                { section(5, html! { <ul role="group">{ for topology.prefix_lists.values().map(|list| item(
                    Selection::PrefixList(list.id.clone()),
                    display_name(&list.name, list.id.as_str()),
                    count(list.cidrs.len(), "entry", "entries"),
                    format!("tree-prefix-list-{}", list.id),
                )) }</ul> }) }
            </ul>
            { crate::ui::focus::skip_link(2, "skip-link tree-skip", "tree-skip-rules") }
            <div class="tree-add" role="group" aria-label="Add to the topology">
                { add("VPC", "add-vpc", Some(Edit::AddVpc), "") }
                { add("basic group", "add-group", selected_vpc.clone().map(|vpc| Edit::AddGroup { vpc, group_type: GroupType::Basic }), "Add a VPC first") }
                { add("enterprise group", "add-enterprise-group", selected_vpc.clone().map(|vpc| Edit::AddGroup { vpc, group_type: GroupType::Enterprise }), "Add a VPC first") }
                { add("ECS node", "add-node", target_group.map(|group| Edit::AddEndpoint(NewEndpoint::Ecs { group })), "Add a security group first") }
                { add("pod", "add-pod", pod_target.map(|(cluster, node)| Edit::AddEndpoint(NewEndpoint::Pod { cluster, node })), if topology.clusters.is_empty() { "Add a Kubernetes cluster first" } else { "Add an ECS node in the cluster's VPC first" }) }
                { add("external host", "add-external", Some(Edit::AddEndpoint(NewEndpoint::External { cidr: "203.0.113.10/32".to_owned() })), "") }
                { add("cluster", "add-cluster", selected_vpc.clone().map(|vpc| Edit::AddCluster { vpc, network_mode: NetworkMode::Flannel }), "Add a VPC first") }
                { add("AI gateway", "add-ai-gateway", selected_vpc.clone().map(|vpc| Edit::AddGateway { vpc, kind: GatewayKind::AiGateway }), "Add a VPC first") }
                { add("MSE gateway", "add-mse-gateway", selected_vpc.map(|vpc| Edit::AddGateway { vpc, kind: GatewayKind::MseCloudNative }), "Add a VPC first") }
                { add("prefix list", "add-prefix-list", Some(Edit::AddPrefixList), "") }
            </div>
        </nav>
    }
}

/// The height of a row of a long list, drawn virtualised.
const ROW: f64 = 44.0;
