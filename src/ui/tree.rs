//! The topology tree: every object, grouped by kind, with buttons to add more.

use sglab_core::model::{EndpointKind, GatewayKind, GroupType, NetworkMode, Topology};
use yew::prelude::*;

use crate::state::Action;
use crate::types::{Selection, Shared};
use crate::ui::overview::scroll::VirtualList;
use sglab_core::edit::{Edit, NewEndpoint};

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
    let item = |selection: Selection, label: String, detail: String, testid: String| {
        tree_item(
            &props.selection,
            &props.dispatch,
            selection,
            label,
            detail,
            testid,
        )
    };
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

    html! {
        <nav class="tree" aria-label="Topology objects" data-testid="tree">
            <div class="tree-head">
                <h2>{ "Topology" }</h2>
                <button type="button" class="link" data-testid="select-topology"
                    onclick={props.dispatch.reform(|_| Action::Select(Selection::Topology))}>{ "rename" }</button>
            </div>
            <section>
                <h3>{ "VPCs" }</h3>
                <ul>{ for topology.vpcs.values().map(|vpc| item(
                    Selection::Vpc(vpc.id.clone()),
                    display_name(&vpc.name, vpc.id.as_str()),
                    vpc.cidr.map(|c| c.to_string()).unwrap_or_default(),
                    format!("tree-vpc-{}", vpc.id),
                )) }</ul>
                { add("VPC", "add-vpc", Some(Edit::AddVpc), "") }
            </section>
            <section>
                <h3>{ "Security groups" }</h3>
                <VirtualList count={topology.groups.len()} row_height={ROW} render={{
                    let (topology, current, dispatch) = (props.topology.clone(), props.selection.clone(), props.dispatch.clone());
                    Callback::from(move |at: usize| match topology.groups.values().nth(at) {
                        Some(group) => tree_item(&current, &dispatch, Selection::Group(group.id.clone()),
                            display_name(&group.name, group.id.as_str()),
                            format!("{}{} \u{00b7} {}",
                                group.group_type.as_str(),
                                if group.managed_by.is_some() { " \u{00b7} managed" } else { "" },
                                count(group.rules.len(), "rule", "rules")),
                            format!("tree-group-{}", group.id)),
                        None => html! {},
                    })
                }} />
                { add("basic group", "add-group", selected_vpc.clone().map(|vpc| Edit::AddGroup { vpc, group_type: GroupType::Basic }), "Add a VPC first") }
                { add("enterprise group", "add-enterprise-group", selected_vpc.clone().map(|vpc| Edit::AddGroup { vpc, group_type: GroupType::Enterprise }), "Add a VPC first") }
            </section>
            <section>
                <h3>{ "Endpoints" }</h3>
                <VirtualList count={topology.endpoints.len()} row_height={ROW} render={{
                    let (topology, current, dispatch) = (props.topology.clone(), props.selection.clone(), props.dispatch.clone());
                    Callback::from(move |at: usize| match topology.endpoints.values().nth(at) {
                        Some(endpoint) => tree_item(&current, &dispatch, Selection::Endpoint(endpoint.id.clone()),
                            display_name(&endpoint.name, endpoint.id.as_str()),
                            kind_label(&endpoint.kind).to_owned(),
                            format!("tree-endpoint-{}", endpoint.id)),
                        None => html! {},
                    })
                }} />
                { add("ECS node", "add-node", target_group.map(|group| Edit::AddEndpoint(NewEndpoint::Ecs { group })), "Add a security group first") }
                { add("pod", "add-pod", pod_target.map(|(cluster, node)| Edit::AddEndpoint(NewEndpoint::Pod { cluster, node })), if topology.clusters.is_empty() { "Add a Kubernetes cluster first" } else { "Add an ECS node in the cluster's VPC first" }) }
                { add("external host", "add-external", Some(Edit::AddEndpoint(NewEndpoint::External { cidr: "203.0.113.10/32".to_owned() })), "") }
            </section>
            <section>
                <h3>{ "Clusters" }</h3>
                <ul>{ for topology.clusters.values().map(|cluster| item(
                    Selection::Cluster(cluster.id.clone()),
                    display_name(&cluster.name, cluster.id.as_str()),
                    network_mode_label(cluster.network_mode).to_owned(),
                    format!("tree-cluster-{}", cluster.id),
                )) }</ul>
                { add("cluster", "add-cluster", selected_vpc.clone().map(|vpc| Edit::AddCluster { vpc, network_mode: NetworkMode::Flannel }), "Add a VPC first") }
            </section>
            <section>
                <h3>{ "Gateways" }</h3>
                <ul>{ for topology.gateways.values().map(|gateway| item(
                    Selection::Gateway(gateway.id.clone()),
                    display_name(&gateway.name, gateway.id.as_str()),
                    count(gateway.authorizations.len(), "authorization", "authorizations"),
                    format!("tree-gateway-{}", gateway.id),
                )) }</ul>
                { add("AI gateway", "add-ai-gateway", selected_vpc.clone().map(|vpc| Edit::AddGateway { vpc, kind: GatewayKind::AiGateway }), "Add a VPC first") }
                { add("MSE gateway", "add-mse-gateway", selected_vpc.map(|vpc| Edit::AddGateway { vpc, kind: GatewayKind::MseCloudNative }), "Add a VPC first") }
            </section>
            <section>
                <h3>{ "Prefix lists" }</h3>
                <ul>{ for topology.prefix_lists.values().map(|list| item(
                    Selection::PrefixList(list.id.clone()),
                    display_name(&list.name, list.id.as_str()),
                    count(list.cidrs.len(), "entry", "entries"),
                    format!("tree-prefix-list-{}", list.id),
                )) }</ul>
                { add("prefix list", "add-prefix-list", Some(Edit::AddPrefixList), "") }
            </section>
        </nav>
    }
}

/// The height of a row of a long list, drawn virtualised.
const ROW: f64 = 44.0;

fn tree_item(
    current: &Selection,
    dispatch: &Callback<Action>,
    selection: Selection,
    label: String,
    detail: String,
    testid: String,
) -> Html {
    let selected = *current == selection;
    let onclick = dispatch.reform(move |_| Action::Select(selection.clone()));
    html! {
        <li>
            <button type="button" class={classes!("tree-item", selected.then_some("selected"))}
                aria-current={selected.then_some("true")} data-testid={testid} {onclick}>
                <span class="tree-label">{ label }</span>
                <span class="tree-detail">{ detail }</span>
            </button>
        </li>
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
