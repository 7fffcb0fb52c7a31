//! The inspector: the settings of the selected object, editable, and the gateway's
//! authorization workflow.

use std::rc::Rc;

use sglab_core::gateway::Cascade;
use sglab_core::model::{
    EndpointKind, GroupId, GroupType, InnerAccessPolicy, NetworkMode, PortRange, PortSpec,
    Protocol, Service, Topology,
};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::edit::{self, Edit};
use crate::engine;
use crate::state::Action;
use crate::types::{Selection, Shared};
use crate::ui::tree::display_name;
use crate::ui::widgets::{options, SelectField, TextField};

/// A change of a field of `T` from typed text, refused with a message.
type Change<T> = Rc<dyn Fn(&mut T, String) -> Result<(), String>>;
/// A change of a group's field from typed text.
type GroupChange = Rc<dyn Fn(&mut sglab_core::model::SecurityGroup, String)>;

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

fn delete_button(dispatch: &Callback<Action>, edit: Edit, label: &str, testid: &str) -> Html {
    let onclick = dispatch.reform(move |_: MouseEvent| Action::Edit(edit.clone()));
    html! { <button type="button" class="danger" data-testid={testid.to_owned()} {onclick}>{ label.to_owned() }</button> }
}

/// The inspector.
#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let topology = &props.topology;
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
        Selection::Vpc(id) => {
            let Some(vpc) = topology.vpcs.get(id) else {
                return html! {};
            };
            let on_name = {
                let vpc = vpc.clone();
                commit(dispatch, move |text| {
                    Ok(Edit::SetVpc(sglab_core::model::Vpc {
                        name: text,
                        ..vpc.clone()
                    }))
                })
            };
            let on_cidr = {
                let vpc = vpc.clone();
                commit(dispatch, move |text| {
                    engine::vpc_with_cidr(&vpc, &text).map(Edit::SetVpc)
                })
            };
            html! {
                <>
                    <h2>{ format!("VPC {id}") }</h2>
                    <TextField label="Name" value={vpc.name.clone()} testid="vpc-name" on_commit={on_name} />
                    <TextField label="IPv4 CIDR block" value={vpc.cidr.map(|c| c.to_string()).unwrap_or_default()} testid="vpc-cidr" on_commit={on_cidr} />
                    { delete_button(dispatch, Edit::DeleteVpc(id.clone()), "Delete VPC", "delete-vpc") }
                </>
            }
        }
        Selection::Group(id) => {
            let Some(group) = topology.groups.get(id) else {
                return html! {};
            };
            let disabled = group.managed_by.is_some();
            let set = |change: GroupChange| {
                let group = group.clone();
                commit(dispatch, move |text| {
                    let mut group = group.clone();
                    change(&mut group, text);
                    Ok(Edit::SetGroup(group))
                })
            };
            let on_name = set(Rc::new(|g, text| g.name = text));
            let on_description = set(Rc::new(|g, text| g.description = text));
            let on_type = {
                let set = set(Rc::new(|g, text| {
                    g.group_type = if text == "enterprise" {
                        GroupType::Enterprise
                    } else {
                        GroupType::Basic
                    };
                    g.inner_access_policy = engine::default_inner_access_policy(g.group_type);
                }));
                Callback::from(move |value: String| {
                    set.emit(value);
                })
            };
            let on_inner = {
                let set = set(Rc::new(|g, text| {
                    g.inner_access_policy = if text == "drop" {
                        InnerAccessPolicy::Drop
                    } else {
                        InnerAccessPolicy::Accept
                    };
                }));
                Callback::from(move |value: String| {
                    set.emit(value);
                })
            };
            let members: Vec<String> = topology
                .endpoints
                .values()
                .filter(|e| crate::layout::memberships(topology, e).contains(id))
                .map(|e| display_name(&e.name, e.id.as_str()))
                .collect();
            html! {
                <>
                    <h2>{ format!("Security group {id}") }</h2>
                    if let Some(product) = &group.managed_by {
                        <p class="read-only" data-testid="group-read-only"><span class="lock">{ "Read-only: " }</span>{ edit::read_only_reason(id, product) }</p>
                    }
                    <TextField label="Name" value={group.name.clone()} testid="group-name" on_commit={on_name} {disabled} />
                    <SelectField label="Type" value={if group.group_type == GroupType::Enterprise { "enterprise" } else { "basic" }}
                        options={options(&[("basic", "Basic"), ("enterprise", "Enterprise")])} testid="group-type" on_change={on_type} {disabled} />
                    <SelectField label="InnerAccessPolicy (members of the group)" value={if group.inner_access_policy == InnerAccessPolicy::Drop { "drop" } else { "accept" }}
                        options={options(&[("accept", "Accept: members reach each other"), ("drop", "Drop: members isolated")])}
                        testid="group-inner" on_change={on_inner} disabled={disabled || group.group_type == GroupType::Enterprise} />
                    <TextField label="Description" value={group.description.clone()} testid="group-description" on_commit={on_description} {disabled} />
                    <p class="meta">{ format!("VPC {} \u{00b7} {} \u{00b7} members: {}", group.vpc, crate::ui::tree::count(group.rules.len(), "rule", "rules"), if members.is_empty() { "none".to_owned() } else { members.join(", ") }) }</p>
                    if !disabled {
                        { delete_button(dispatch, Edit::DeleteGroup(id.clone()), "Delete group", "delete-group") }
                    }
                </>
            }
        }
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
        Selection::Cluster(id) => {
            let Some(cluster) = topology.clusters.get(id) else {
                return html! {};
            };
            let set = |change: Change<sglab_core::model::Cluster>| {
                let cluster = cluster.clone();
                commit(dispatch, move |text| {
                    let mut cluster = cluster.clone();
                    change(&mut cluster, text)?;
                    Ok(Edit::SetCluster(cluster))
                })
            };
            let on_name = set(Rc::new(|c, text| {
                c.name = text;
                Ok(())
            }));
            let on_cidr = set(Rc::new(|c, text| engine::set_pod_cidr(c, &text)));
            let on_mode = {
                let set = set(Rc::new(|c, text| {
                    c.network_mode = match text.as_str() {
                        "terway_shared" => NetworkMode::TerwayShared,
                        "terway_trunk" => NetworkMode::TerwayTrunk,
                        _ => NetworkMode::Flannel,
                    };
                    Ok(())
                }));
                Callback::from(move |value: String| {
                    set.emit(value);
                })
            };
            let mode = match cluster.network_mode {
                NetworkMode::Flannel => "flannel",
                NetworkMode::TerwayShared => "terway_shared",
                NetworkMode::TerwayTrunk => "terway_trunk",
            };
            html! {
                <>
                    <h2>{ format!("Cluster {id}") }</h2>
                    <TextField label="Name" value={cluster.name.clone()} testid="cluster-name" on_commit={on_name} />
                    <TextField label="Pod CIDR" value={cluster.pod_cidr.map(|c| c.to_string()).unwrap_or_default()} testid="cluster-pod-cidr" on_commit={on_cidr} />
                    <SelectField label="Network plug-in" value={mode} testid="cluster-mode" on_change={on_mode}
                        options={options(&[("flannel", "Flannel"), ("terway_shared", "Terway shared ENI"), ("terway_trunk", "Terway trunk ENI")])} />
                    { delete_button(dispatch, Edit::DeleteCluster(id.clone()), "Delete cluster", "delete-cluster") }
                </>
            }
        }
        Selection::PrefixList(id) => {
            let Some(list) = topology.prefix_lists.get(id) else {
                return html! {};
            };
            let on_name = {
                let list = list.clone();
                commit(dispatch, move |text| {
                    Ok(Edit::SetPrefixList(sglab_core::model::PrefixList {
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

/// Props of [`EndpointEditor`].
#[derive(PartialEq, Properties)]
pub struct EndpointEditorProps {
    /// The topology.
    pub topology: Shared<Topology>,
    /// The endpoint.
    pub endpoint: sglab_core::model::EndpointId,
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
    let set = |change: Change<sglab_core::model::Endpoint>| {
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
    let current_groups: Vec<GroupId> = endpoint
        .enis
        .first()
        .map(|eni| eni.groups.clone())
        .unwrap_or_default();
    let candidate_groups: Vec<&sglab_core::model::SecurityGroup> = topology
        .groups
        .values()
        .filter(|g| Some(&g.vpc) == endpoint.vpc.as_ref())
        .collect();
    let group_toggles: Html = candidate_groups
        .iter()
        .map(|group| {
            let checked = current_groups.contains(&group.id);
            let onchange = {
                let endpoint = endpoint.clone();
                let group_id = group.id.clone();
                dispatch.reform(move |_: Event| {
                    let mut endpoint = endpoint.clone();
                    if let Some(eni) = endpoint.enis.first_mut() {
                        if eni.groups.contains(&group_id) {
                            eni.groups.retain(|g| g != &group_id);
                        } else {
                            eni.groups.push(group_id.clone());
                        }
                    }
                    Action::Edit(Edit::SetEndpoint(endpoint))
                })
            };
            let testid = format!("member-{}", group.id);
            html! {
                <label class="check">
                    <input type="checkbox" {checked} {onchange} data-testid={testid} />
                    { format!(" {}", display_name(&group.name, group.id.as_str())) }
                </label>
            }
        })
        .collect();

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
            let on_ports = set(Rc::new(move |e, text| {
                let ports = match engine::parse_ports(&text)? {
                    PortSpec::Range(range) => range,
                    PortSpec::All => PortRange::ALL,
                };
                if let Some(service) = e.services.as_mut().and_then(|s| s.get_mut(index)) {
                    service.ports = ports;
                }
                Ok(())
            }));
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
    let ask_from = {
        let id = id.clone();
        let first_other = topology.endpoints.keys().find(|k| **k != id).cloned();
        first_other.map(|to| {
            let id = id.clone();
            dispatch.reform(move |_: MouseEvent| {
                Action::Ask(crate::types::Query {
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
            <h2>{ format!("{} {}", crate::engine::kind_words(&endpoint.kind), id) }</h2>
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
                <fieldset class="groups" data-testid="endpoint-groups">
                    <legend>{ format!("Security groups ({} of at most 10)", current_groups.len()) }</legend>
                    { group_toggles }
                </fieldset>
            }
            if !matches!(endpoint.kind, EndpointKind::External { .. } | EndpointKind::GatewayNode { .. }) {
                <section class="services">
                    <h3>{ "Services listening" }</h3>
                    if endpoint.services.is_none() {
                        <p class="hint">{ "Unknown (imported endpoints declare none)." }</p>
                    }
                    <ul>{ services_html }</ul>
                    <button type="button" onclick={add_service} data-testid="add-service">{ "+ service" }</button>
                </section>
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

/// Props of [`GatewayEditor`].
#[derive(PartialEq, Properties)]
pub struct GatewayEditorProps {
    /// The topology.
    pub topology: Shared<Topology>,
    /// The gateway.
    pub gateway: sglab_core::model::GatewayId,
    /// State changes.
    pub dispatch: Callback<Action>,
}

/// A gateway: name, managed group, and its Security Group Authorizations.
#[component]
pub fn GatewayEditor(props: &GatewayEditorProps) -> Html {
    let ranges = use_state(Vec::<PortRange>::new);
    let range_error = use_state(|| None::<String>);
    let cascade = use_state(|| false);
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
    let on_name = {
        let id = id.clone();
        commit(dispatch, move |name| {
            Ok(Edit::RenameGateway {
                gateway: id.clone(),
                name,
            })
        })
    };
    let backends: Vec<&sglab_core::model::SecurityGroup> = topology
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
    let toggle_cascade = {
        let cascade = cascade.clone();
        Callback::from(move |_: Event| cascade.set(!*cascade))
    };
    let remove_chip = |range: PortRange| {
        let ranges = ranges.clone();
        Callback::from(move |_: MouseEvent| {
            ranges.set(ranges.iter().copied().filter(|r| *r != range).collect())
        })
    };
    let kind = match gateway.kind {
        sglab_core::model::GatewayKind::AiGateway => "AI gateway",
        sglab_core::model::GatewayKind::MseCloudNative => "MSE cloud-native gateway",
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
                <button type="button" class="primary" onclick={on_save} data-testid="authorize-save" disabled={backends.is_empty()}>{ "Save" }</button>
            </section>
            { delete_button(dispatch, Edit::DeleteGateway(id.clone()), "Delete gateway", "delete-gateway") }
        </>
    }
}

/// Whether a group matches the search text: a case-insensitive substring of its id or name.
fn matches_filter(filter: &str, id: &str, name: &str) -> bool {
    let filter = super::widgets::lowercase(filter.trim());
    filter.is_empty()
        || super::widgets::lowercase(id).contains(&filter)
        || super::widgets::lowercase(name).contains(&filter)
}
