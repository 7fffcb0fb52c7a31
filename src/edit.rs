//! Edits of the topology, as the sketching panel and the rule tables request them.
//!
//! An edit either applies whole or is refused with a notice, leaving the topology untouched:
//! after applying, the core validates the result and any new error refuses the edit.

use std::collections::BTreeSet;

use sglab_core::model::{
    Authorization, Cluster, ClusterId, Endpoint, EndpointId, EndpointKind, Eni, Gateway, GatewayId,
    GatewayKind, GroupId, GroupType, NetworkMode, Peer, PortRange, PrefixList, PrefixListId, Rule,
    SecurityGroup, Topology, Vpc, VpcId,
};

use sglab_core::gateway::Cascade;

use crate::types::{Level, Notice, Selection};

/// A change of the topology.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Rename the topology.
    RenameTopology(String),
    /// Append a rule to a group.
    AddRule {
        /// The group.
        group: GroupId,
        /// The rule.
        rule: Rule,
    },
    /// Replace one rule of a group.
    SetRule {
        /// The group.
        group: GroupId,
        /// The rule's index in the group's list.
        index: usize,
        /// The new rule.
        rule: Rule,
    },
    /// Delete one rule of a group.
    DeleteRule {
        /// The group.
        group: GroupId,
        /// The rule's index.
        index: usize,
    },
    /// Add a VPC.
    AddVpc,
    /// Replace a VPC's name and CIDR.
    SetVpc(Vpc),
    /// Delete an empty VPC.
    DeleteVpc(VpcId),
    /// Add a security group to a VPC.
    AddGroup {
        /// The VPC.
        vpc: VpcId,
        /// Basic or enterprise.
        group_type: GroupType,
    },
    /// Replace a group's settings (name, type, InnerAccessPolicy, description), keeping rules.
    SetGroup(SecurityGroup),
    /// Delete a group nobody uses.
    DeleteGroup(GroupId),
    /// Add an endpoint.
    AddEndpoint(NewEndpoint),
    /// Replace an endpoint (name, addresses, groups, services).
    SetEndpoint(Endpoint),
    /// Delete an endpoint nothing depends on.
    DeleteEndpoint(EndpointId),
    /// Add a Kubernetes cluster to a VPC.
    AddCluster {
        /// The VPC.
        vpc: VpcId,
        /// The pod network.
        network_mode: NetworkMode,
    },
    /// Replace a cluster's settings.
    SetCluster(Cluster),
    /// Delete a cluster without pods.
    DeleteCluster(ClusterId),
    /// Add a gateway with its managed group and one node.
    AddGateway {
        /// The VPC.
        vpc: VpcId,
        /// AI gateway or MSE cloud-native gateway.
        kind: GatewayKind,
    },
    /// Rename a gateway.
    RenameGateway {
        /// The gateway.
        gateway: GatewayId,
        /// The new name.
        name: String,
    },
    /// Delete a gateway, its node and its managed group.
    DeleteGateway(GatewayId),
    /// Authorize a backend group on a gateway with TCP port ranges.
    Authorize {
        /// The gateway.
        gateway: GatewayId,
        /// The backend group that receives the inbound rules.
        backend: GroupId,
        /// The port ranges.
        ranges: Vec<PortRange>,
        /// Free text.
        description: String,
    },
    /// Delete an authorization of a gateway.
    Revoke {
        /// The gateway.
        gateway: GatewayId,
        /// The backend group of the authorization.
        backend: GroupId,
        /// Whether the backend group's inbound rules go too.
        cascade: Cascade,
    },
    /// Add a prefix list with no entries.
    AddPrefixList,
    /// Replace a prefix list's name and entries.
    SetPrefixList(PrefixList),
    /// Delete a prefix list no rule names.
    DeletePrefixList(PrefixListId),
    /// Apply a fix proposed by the doctor or the lint.
    ApplyFix(sglab_core::fix::Fix),
    /// Forget every saved diagram position.
    AutoLayout,
}

/// A new endpoint to add.
#[derive(Clone, Debug, PartialEq)]
pub enum NewEndpoint {
    /// An ECS instance in a group.
    Ecs {
        /// Its group.
        group: GroupId,
    },
    /// A pod on a node of a cluster.
    Pod {
        /// The cluster.
        cluster: ClusterId,
        /// The node.
        node: EndpointId,
    },
    /// An external host or network.
    External {
        /// The address block, such as `203.0.113.7/32` or `0.0.0.0/0`.
        cidr: String,
    },
}

/// What an applied edit asks of the rest of the state.
#[derive(Debug, Default)]
pub struct Effect {
    /// Select this (usually the new object).
    pub select: Option<Selection>,
    /// Say this.
    pub message: Option<String>,
    /// The rule just added (group, index): whether it changes anything is checked after the
    /// frame, since on large topologies the check takes longer than one.
    pub added_rule: Option<(GroupId, usize)>,
}

/// Applies an edit, or refuses it with a notice and leaves `topology` as it was.
///
/// A rule edit is checked by the core's rule checks against its group; any other edit by the
/// core's validation of the whole result, refused when it brings an error the topology did not
/// already have. Moves are not checked: positions cannot make a topology invalid.
pub fn apply(topology: &mut Topology, edit: &Edit) -> Result<Effect, Notice> {
    let refuse = |details: Vec<String>| Notice {
        details,
        ..Notice::new(
            Level::Error,
            "The change was not made: it would make the topology invalid",
        )
    };
    if let Edit::AddRule { group, rule } | Edit::SetRule { group, rule, .. } = edit {
        let errors = crate::engine::rule_errors(topology, group, rule);
        if !errors.is_empty() {
            return Err(refuse(errors));
        }
        let mut effect =
            apply_unchecked(topology, edit).map_err(|reason| Notice::new(Level::Error, reason))?;
        if let Edit::AddRule { group, .. } = edit {
            let index = topology
                .groups
                .get(group)
                .map_or(0, |g| g.rules.len().saturating_sub(1));
            effect.added_rule = Some((group.clone(), index));
        }
        return Ok(effect);
    }
    let mut candidate = topology.clone();
    let effect = apply_unchecked(&mut candidate, edit)
        .map_err(|reason| Notice::new(Level::Error, reason))?;
    if !matches!(
        edit,
        Edit::AutoLayout | Edit::DeleteRule { .. } | Edit::RenameTopology(_)
    ) {
        let after = crate::engine::errors(&candidate);
        if !after.is_empty() {
            let before: BTreeSet<String> =
                sglab_core::sort::set_of(crate::engine::errors(topology));
            let new_errors: Vec<String> = after
                .into_iter()
                .filter(|error| !before.contains(error))
                .collect();
            if !new_errors.is_empty() {
                return Err(refuse(new_errors));
            }
        }
    }
    *topology = candidate;
    Ok(effect)
}

fn apply_unchecked(topology: &mut Topology, edit: &Edit) -> Result<Effect, String> {
    let mut effect = Effect::default();
    match edit {
        Edit::RenameTopology(name) => topology.name = name.clone(),
        Edit::AddRule { group, rule } => {
            writable_group(topology, group)?.rules.push(rule.clone());
        }
        Edit::SetRule { group, index, rule } => {
            let group = writable_group(topology, group)?;
            let slot = group
                .rules
                .get_mut(*index)
                .ok_or_else(|| format!("{} has no rule {}", group.id, index + 1))?;
            *slot = rule.clone();
        }
        Edit::DeleteRule { group, index } => {
            let group = writable_group(topology, group)?;
            if *index >= group.rules.len() {
                return Err(format!("{} has no rule {}", group.id, index + 1));
            }
            group.rules.remove(*index);
        }
        Edit::AddVpc => {
            let id = VpcId(fresh_id("vpc-", topology.vpcs.keys().map(VpcId::as_str)));
            let cidr = sglab_core::validate::check_cidr_field("10.0.0.0/16").ok();
            topology.vpcs.insert(
                id.clone(),
                Vpc {
                    id: id.clone(),
                    name: "new VPC".to_owned(),
                    cidr,
                },
            );
            effect.select = Some(Selection::Vpc(id));
        }
        Edit::SetVpc(vpc) => {
            let slot = topology
                .vpcs
                .get_mut(&vpc.id)
                .ok_or_else(|| format!("there is no VPC {}", vpc.id))?;
            *slot = vpc.clone();
        }
        Edit::DeleteVpc(id) => {
            let users: Vec<String> = topology
                .groups
                .values()
                .filter(|g| &g.vpc == id)
                .map(|g| g.id.to_string())
                .chain(
                    topology
                        .endpoints
                        .values()
                        .filter(|e| e.vpc.as_ref() == Some(id))
                        .map(|e| e.id.to_string()),
                )
                .chain(
                    topology
                        .clusters
                        .values()
                        .filter(|c| &c.vpc == id)
                        .map(|c| c.id.to_string()),
                )
                .chain(
                    topology
                        .gateways
                        .values()
                        .filter(|g| &g.vpc == id)
                        .map(|g| g.id.to_string()),
                )
                .collect();
            if !users.is_empty() {
                return Err(format!(
                    "{id} still holds {}: delete them first",
                    users.join(", ")
                ));
            }
            topology.vpcs.remove(id);
        }
        Edit::AddGroup { vpc, group_type } => {
            let id = GroupId(fresh_id("sg-", topology.groups.keys().map(GroupId::as_str)));
            topology.groups.insert(
                id.clone(),
                SecurityGroup {
                    id: id.clone(),
                    name: "new group".to_owned(),
                    description: String::new(),
                    tags: Default::default(),
                    vpc: vpc.clone(),
                    group_type: *group_type,
                    inner_access_policy: sglab_core::format::default_inner_access_policy(
                        *group_type,
                    ),
                    managed_by: None,
                    rules: Vec::new(),
                },
            );
            effect.select = Some(Selection::Group(id));
        }
        Edit::SetGroup(group) => {
            let slot = writable_group(topology, &group.id)?;
            *slot = group.clone();
        }
        Edit::DeleteGroup(id) => {
            writable_group(topology, id)?;
            let mut users: Vec<String> = topology
                .endpoints
                .values()
                .filter(|e| e.enis.iter().any(|eni| eni.groups.contains(id)))
                .map(|e| e.id.to_string())
                .collect();
            for group in topology.groups.values() {
                for (index, rule) in group.rules.iter().enumerate() {
                    if matches!(&rule.peer, sglab_core::model::Peer::Group { id: peer, .. } if peer == id)
                    {
                        users.push(format!("{} rule {}", group.id, index + 1));
                    }
                }
            }
            for gateway in topology.gateways.values() {
                if gateway
                    .authorizations
                    .iter()
                    .any(|a| &a.backend_group == id)
                {
                    users.push(format!("the authorization of {}", gateway.id));
                }
            }
            if !users.is_empty() {
                return Err(format!(
                    "{id} is still used by {}: remove those first",
                    users.join(", ")
                ));
            }
            topology.groups.remove(id);
        }
        Edit::AddEndpoint(new) => {
            let endpoint = new_endpoint(topology, new)?;
            let id = endpoint.id.clone();
            topology.endpoints.insert(id.clone(), endpoint);
            effect.select = Some(Selection::Endpoint(id));
        }
        Edit::SetEndpoint(endpoint) => {
            let slot = topology
                .endpoints
                .get_mut(&endpoint.id)
                .ok_or_else(|| format!("there is no endpoint {}", endpoint.id))?;
            *slot = endpoint.clone();
        }
        Edit::DeleteEndpoint(id) => {
            let pods: Vec<String> = topology
                .endpoints
                .values()
                .filter(|e| matches!(&e.kind, EndpointKind::Pod { node, .. } if node == id))
                .map(|e| e.id.to_string())
                .collect();
            if !pods.is_empty() {
                return Err(format!(
                    "{id} still runs the pods {}: delete them first",
                    pods.join(", ")
                ));
            }
            if let Some(Endpoint {
                kind: EndpointKind::GatewayNode { gateway },
                ..
            }) = topology.endpoints.get(id)
            {
                return Err(format!(
                    "{id} is a node of the gateway {gateway}: delete the gateway instead"
                ));
            }
            topology.endpoints.remove(id);
            topology.layout.remove(id.as_str());
        }
        Edit::AddCluster { vpc, network_mode } => {
            let id = ClusterId(fresh_id(
                "c-",
                topology.clusters.keys().map(ClusterId::as_str),
            ));
            let pod_cidr = sglab_core::validate::check_cidr_field("172.18.0.0/16").ok();
            topology.clusters.insert(
                id.clone(),
                Cluster {
                    id: id.clone(),
                    name: "new cluster".to_owned(),
                    vpc: vpc.clone(),
                    pod_cidr,
                    network_mode: *network_mode,
                },
            );
            effect.select = Some(Selection::Cluster(id));
        }
        Edit::SetCluster(cluster) => {
            let slot = topology
                .clusters
                .get_mut(&cluster.id)
                .ok_or_else(|| format!("there is no cluster {}", cluster.id))?;
            *slot = cluster.clone();
        }
        Edit::DeleteCluster(id) => {
            let pods: Vec<String> = topology
                .endpoints
                .values()
                .filter(|e| matches!(&e.kind, EndpointKind::Pod { cluster, .. } if cluster == id))
                .map(|e| e.id.to_string())
                .collect();
            if !pods.is_empty() {
                return Err(format!(
                    "{id} still runs the pods {}: delete them first",
                    pods.join(", ")
                ));
            }
            topology.clusters.remove(id);
        }
        Edit::AddGateway { vpc, kind } => {
            let id = GatewayId(fresh_id(
                "gw-",
                topology.gateways.keys().map(GatewayId::as_str),
            ));
            let group = GroupId(fresh_id(
                "sg-gw-",
                topology.groups.keys().map(GroupId::as_str),
            ));
            let product = match kind {
                GatewayKind::AiGateway => "AI Gateway",
                GatewayKind::MseCloudNative => "MSE Cloud-Native Gateway",
            };
            topology.groups.insert(
                group.clone(),
                SecurityGroup {
                    id: group.clone(),
                    name: format!("{product} managed group"),
                    description: String::new(),
                    tags: Default::default(),
                    vpc: vpc.clone(),
                    group_type: GroupType::Basic,
                    inner_access_policy: sglab_core::format::default_inner_access_policy(
                        GroupType::Basic,
                    ),
                    managed_by: Some(product.to_owned()),
                    rules: Vec::new(),
                },
            );
            let node = EndpointId(format!("{id}-node-1"));
            let address = free_address(topology, vpc);
            topology.endpoints.insert(
                node.clone(),
                Endpoint {
                    id: node.clone(),
                    name: format!("{product} node"),
                    kind: EndpointKind::GatewayNode {
                        gateway: id.clone(),
                    },
                    vpc: Some(vpc.clone()),
                    enis: vec![Eni {
                        id: None,
                        private_ips: address.into_iter().collect(),
                        groups: vec![group.clone()],
                    }],
                    public_ip: None,
                    pod_ip: None,
                    services: None,
                },
            );
            topology.gateways.insert(
                id.clone(),
                Gateway {
                    id: id.clone(),
                    name: format!("new {product}"),
                    kind: *kind,
                    vpc: vpc.clone(),
                    managed_group: group,
                    authorizations: Vec::new(),
                },
            );
            effect.select = Some(Selection::Gateway(id));
        }
        Edit::RenameGateway { gateway, name } => {
            topology
                .gateways
                .get_mut(gateway)
                .ok_or_else(|| format!("there is no gateway {gateway}"))?
                .name = name.clone();
        }
        Edit::DeleteGateway(id) => {
            let gateway = topology
                .gateways
                .remove(id)
                .ok_or_else(|| format!("there is no gateway {id}"))?;
            topology.endpoints.retain(
                |_, e| !matches!(&e.kind, EndpointKind::GatewayNode { gateway } if gateway == id),
            );
            let still_referenced = topology.groups.values().any(|g| {
                g.rules.iter().any(|r| matches!(&r.peer, sglab_core::model::Peer::Group { id, .. } if id == &gateway.managed_group))
            });
            if still_referenced {
                effect.message = Some(format!(
                    "{} is kept: backend rules still name it as their source",
                    gateway.managed_group
                ));
            } else {
                topology.groups.remove(&gateway.managed_group);
            }
        }
        Edit::Authorize {
            gateway,
            backend,
            ranges,
            description,
        } => {
            let authorization = Authorization {
                backend_group: backend.clone(),
                port_ranges: ranges.clone(),
                description: description.clone(),
            };
            crate::engine::authorize(topology, gateway, authorization)?;
            effect.message = Some(format!(
                "Authorized {backend} on {gateway}: {} added at priority 1",
                match ranges.len() {
                    1 => "1 inbound rule".to_owned(),
                    n => format!("{n} inbound rules"),
                }
            ));
        }
        Edit::Revoke {
            gateway,
            backend,
            cascade,
        } => {
            crate::engine::revoke(topology, gateway, backend, *cascade)?;
            effect.message = Some(match cascade {
                Cascade::RemoveBackendRules => "Deleted the authorization and its inbound rules in the backend group".to_owned(),
                Cascade::KeepBackendRules => {
                    "Deleted the authorization from the gateway; the backend group's inbound rules stay and still allow traffic"
                        .to_owned()
                }
            });
        }
        Edit::AddPrefixList => {
            let id = PrefixListId(fresh_id(
                "pl-",
                topology.prefix_lists.keys().map(PrefixListId::as_str),
            ));
            // No entries: a rule naming a new list matches nothing until the user fills it,
            // rather than silently opening a guessed block.
            topology.prefix_lists.insert(
                id.clone(),
                PrefixList {
                    id: id.clone(),
                    name: "new prefix list".to_owned(),
                    cidrs: Vec::new(),
                },
            );
            effect.select = Some(Selection::PrefixList(id));
        }
        Edit::SetPrefixList(list) => {
            let slot = topology
                .prefix_lists
                .get_mut(&list.id)
                .ok_or_else(|| format!("there is no prefix list {}", list.id))?;
            *slot = list.clone();
        }
        Edit::DeletePrefixList(id) => {
            if !topology.prefix_lists.contains_key(id) {
                return Err(format!("there is no prefix list {id}"));
            }
            let users = prefix_list_users(topology, id);
            if !users.is_empty() {
                return Err(format!(
                    "{id} is still the peer of {}: change or delete those rules first",
                    users.join(", ")
                ));
            }
            topology.prefix_lists.remove(id);
        }
        Edit::ApplyFix(fix) => {
            fix.apply(topology).map_err(|error| error.to_string())?;
            effect.message = Some(format!("Applied: {fix}"));
        }
        Edit::AutoLayout => topology.layout.clear(),
    }
    Ok(effect)
}

/// The rules that name a prefix list as their peer, as `group rule n` (numbered from 1).
pub fn prefix_list_users(topology: &Topology, id: &PrefixListId) -> Vec<String> {
    topology
        .groups
        .values()
        .flat_map(|group| {
            group
                .rules
                .iter()
                .enumerate()
                .filter(|(_, rule)| matches!(&rule.peer, Peer::PrefixList(peer) if peer == id))
                .map(move |(index, _)| format!("{} rule {}", group.id, index + 1))
        })
        .collect()
}

/// `list` with the entries typed in `text`: CIDR blocks (or single addresses) separated by
/// commas, spaces or line breaks, each checked by the core. A bad entry refuses the whole text
/// with the core's message, naming the entry by its place.
pub fn prefix_list_with_entries(list: &PrefixList, text: &str) -> Result<PrefixList, String> {
    let cidrs = text
        .split([',', ' ', '\n', '\r', '\t'])
        .filter(|entry| !entry.trim().is_empty())
        .enumerate()
        .map(|(index, entry)| {
            sglab_core::validate::check_cidr_field(entry)
                .map_err(|error| format!("entry {}: {error}", index + 1))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PrefixList {
        cidrs,
        ..list.clone()
    })
}

/// Why a rule just added changes nothing, when it does not: the rules that already decide what
/// it matches, or the group type's default.
pub fn added_rule_warning(topology: &Topology, group: &GroupId, index: usize) -> Option<String> {
    use sglab_core::lint::{added_rule_effect, AddedRuleEffect};
    let list = |rules: &[sglab_core::explain::RuleRef]| {
        rules
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    };
    match added_rule_effect(topology, group, index)? {
        AddedRuleEffect::Effective => None,
        AddedRuleEffect::AlreadyDecidedBy { rules } => Some(format!(
            "The new rule {} of {group} changes nothing: every packet it matches is already decided the same way by {}",
            index + 1,
            list(&rules)
        )),
        AddedRuleEffect::SameAsDefault { verdict, rules } => {
            let by_default = match verdict {
                sglab_core::model::Verdict::Allow => "allows",
                sglab_core::model::Verdict::Deny => "denies",
            };
            let also = if rules.is_empty() {
                String::new()
            } else {
                format!(" (and {})", list(&rules))
            };
            Some(format!(
                "The new rule {} of {group} changes nothing: without it the group's default already {by_default} what it matches{also}",
                index + 1
            ))
        }
        AddedRuleEffect::Unattached => Some(format!(
            "Rule {} added to {group}, which no node, pod or gateway uses yet: it decides nothing until the group is attached",
            index + 1
        )),
    }
}

fn writable_group<'a>(
    topology: &'a mut Topology,
    id: &GroupId,
) -> Result<&'a mut SecurityGroup, String> {
    let group = topology
        .groups
        .get_mut(id)
        .ok_or_else(|| format!("there is no security group {id}"))?;
    match &group.managed_by {
        Some(product) => Err(read_only_reason(id, product)),
        None => Ok(group),
    }
}

/// Why a managed group cannot be edited, in words.
pub fn read_only_reason(id: &GroupId, product: &str) -> String {
    format!("{id} is managed by {product} and is read-only: change it through the product (for a gateway, its Security Group Authorizations)")
}

fn new_endpoint(topology: &Topology, new: &NewEndpoint) -> Result<Endpoint, String> {
    let endpoint = match new {
        NewEndpoint::Ecs { group } => {
            let vpc = topology
                .groups
                .get(group)
                .ok_or_else(|| format!("there is no security group {group}"))?
                .vpc
                .clone();
            let id = EndpointId(fresh_id(
                "i-",
                topology.endpoints.keys().map(EndpointId::as_str),
            ));
            Endpoint {
                name: format!("node {}", id.as_str().trim_start_matches("i-")),
                id,
                kind: EndpointKind::Ecs,
                enis: vec![Eni {
                    id: None,
                    private_ips: free_address(topology, &vpc).into_iter().collect(),
                    groups: vec![group.clone()],
                }],
                vpc: Some(vpc),
                public_ip: None,
                pod_ip: None,
                services: Some(Vec::new()),
            }
        }
        NewEndpoint::Pod { cluster, node } => {
            let cluster_data = topology
                .clusters
                .get(cluster)
                .ok_or_else(|| format!("there is no cluster {cluster}"))?;
            let node_data = topology
                .endpoints
                .get(node)
                .ok_or_else(|| format!("there is no node {node}"))?;
            let id = EndpointId(fresh_id(
                "pod-",
                topology.endpoints.keys().map(EndpointId::as_str),
            ));
            let pod_ip = crate::engine::free_pod_address(topology, cluster_data);
            let enis = match cluster_data.network_mode {
                NetworkMode::TerwayTrunk => vec![Eni {
                    id: None,
                    private_ips: free_address(topology, &cluster_data.vpc)
                        .into_iter()
                        .collect(),
                    groups: node_data
                        .enis
                        .first()
                        .map(|eni| eni.groups.clone())
                        .unwrap_or_default(),
                }],
                NetworkMode::Flannel | NetworkMode::TerwayShared => Vec::new(),
            };
            Endpoint {
                name: id.as_str().to_owned(),
                id,
                kind: EndpointKind::Pod {
                    cluster: cluster.clone(),
                    node: node.clone(),
                },
                vpc: Some(cluster_data.vpc.clone()),
                pod_ip: if enis.is_empty() { pod_ip } else { None },
                enis,
                public_ip: None,
                services: Some(Vec::new()),
            }
        }
        NewEndpoint::External { cidr } => {
            let cidr = sglab_core::validate::check_cidr_field(cidr).map_err(|e| e.to_string())?;
            let id = EndpointId(fresh_id(
                "ext-",
                topology.endpoints.keys().map(EndpointId::as_str),
            ));
            Endpoint {
                name: "client".to_owned(),
                id,
                kind: EndpointKind::External { cidr },
                vpc: None,
                enis: Vec::new(),
                public_ip: None,
                pod_ip: None,
                services: None,
            }
        }
    };
    Ok(endpoint)
}

fn free_address(topology: &Topology, vpc: &VpcId) -> Option<std::net::IpAddr> {
    crate::engine::free_private_address(topology, vpc)
}

/// The first id `prefix1`, `prefix2`, ... that is not taken.
pub fn fresh_id<'a>(prefix: &str, taken: impl Iterator<Item = &'a str>) -> String {
    let taken: BTreeSet<&str> = sglab_core::sort::set_of(taken);
    (1..)
        .map(|n| format!("{prefix}{n}"))
        .find(|id| !taken.contains(id.as_str()))
        .unwrap_or_else(|| prefix.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_ids_skip_taken_ones() {
        assert_eq!(fresh_id("sg-", ["sg-1", "sg-3"].into_iter()), "sg-2");
        assert_eq!(fresh_id("i-", std::iter::empty()), "i-1");
    }

    fn ai_gateway() -> Topology {
        crate::engine::example("ai-gateway").expect("the built-in example loads")
    }

    fn entries(list: &PrefixList) -> Vec<String> {
        list.cidrs.iter().map(ToString::to_string).collect()
    }

    /// Adds a prefix list holding `text` and returns its id.
    fn add_list(topology: &mut Topology, text: &str) -> PrefixListId {
        let effect = apply(topology, &Edit::AddPrefixList).expect("a prefix list is added");
        let Some(Selection::PrefixList(id)) = effect.select else {
            panic!("the new prefix list is selected, got {:?}", effect.select);
        };
        let list = prefix_list_with_entries(&topology.prefix_lists[&id], text)
            .expect("the entries are valid");
        apply(topology, &Edit::SetPrefixList(list)).expect("the entries are set");
        id
    }

    /// Accept TCP 8080 inbound from the prefix list.
    fn prefix_list_rule(id: &PrefixListId) -> Rule {
        use sglab_core::model::{Direction, NicType, Policy, Priority, Protocol};
        Rule {
            id: None,
            direction: Direction::Ingress,
            policy: Policy::Accept,
            priority: Priority::HIGHEST,
            protocol: Protocol::Tcp,
            ports: sglab_core::validate::check_port_field(Protocol::Tcp, "8080/8080")
                .expect("8080/8080 is a port range"),
            peer: Peer::PrefixList(id.clone()),
            source_ports: None,
            local_cidr: None,
            nic_type: NicType::Intranet,
            description: String::new(),
        }
    }

    #[test]
    fn add_prefix_list_takes_the_next_free_id_and_starts_empty() {
        let mut topology = ai_gateway();
        let effect = apply(&mut topology, &Edit::AddPrefixList).expect("added");
        assert_eq!(
            effect.select,
            Some(Selection::PrefixList(PrefixListId::from("pl-1")))
        );
        let list = &topology.prefix_lists[&PrefixListId::from("pl-1")];
        assert_eq!(list.name, "new prefix list");
        assert!(list.cidrs.is_empty());
        apply(&mut topology, &Edit::AddPrefixList).expect("added");
        assert_eq!(
            topology
                .prefix_lists
                .keys()
                .map(PrefixListId::as_str)
                .collect::<Vec<_>>(),
            ["pl-1", "pl-2"]
        );
    }

    #[test]
    fn entries_are_read_from_commas_spaces_and_lines() {
        let mut topology = ai_gateway();
        let id = add_list(
            &mut topology,
            "203.0.113.0/28,\n192.168.2.0/24  10.0.0.1/8\n\n",
        );
        assert_eq!(
            entries(&topology.prefix_lists[&id]),
            ["203.0.113.0/28", "192.168.2.0/24", "10.0.0.0/8"]
        );
        let empty = prefix_list_with_entries(&topology.prefix_lists[&id], "  ").expect("empty");
        assert!(empty.cidrs.is_empty());
    }

    #[test]
    fn a_bad_entry_is_named_with_the_core_message() {
        let mut topology = ai_gateway();
        let id = add_list(&mut topology, "");
        let error =
            prefix_list_with_entries(&topology.prefix_lists[&id], "203.0.113.0/28, 10.0.0.0/33")
                .expect_err("/33 is refused");
        assert_eq!(
            error,
            "entry 2: CIDR block \"10.0.0.0/33\" is malformed: the prefix length /33 is too long for IPv4: use /0 to /32"
        );
        let error = prefix_list_with_entries(&topology.prefix_lists[&id], "office")
            .expect_err("a word is refused");
        assert!(
            error.starts_with("entry 1: CIDR block \"office\" is malformed"),
            "{error}"
        );
    }

    #[test]
    fn set_prefix_list_renames_and_refuses_an_unknown_list() {
        let mut topology = ai_gateway();
        let id = add_list(&mut topology, "203.0.113.0/28");
        let renamed = PrefixList {
            name: "office".to_owned(),
            ..topology.prefix_lists[&id].clone()
        };
        apply(&mut topology, &Edit::SetPrefixList(renamed)).expect("renamed");
        assert_eq!(topology.prefix_lists[&id].name, "office");
        assert_eq!(entries(&topology.prefix_lists[&id]), ["203.0.113.0/28"]);

        let before = topology.clone();
        let ghost = PrefixList {
            id: PrefixListId::from("pl-ghost"),
            name: String::new(),
            cidrs: Vec::new(),
        };
        let refusal = apply(&mut topology, &Edit::SetPrefixList(ghost)).expect_err("refused");
        assert_eq!(refusal.title, "there is no prefix list pl-ghost");
        assert_eq!(topology, before);
    }

    #[test]
    fn a_rule_may_name_a_new_prefix_list() {
        let mut topology = ai_gateway();
        let id = add_list(&mut topology, "203.0.113.0/28");
        let group = GroupId::from("service-sg2");
        apply(
            &mut topology,
            &Edit::AddRule {
                group: group.clone(),
                rule: prefix_list_rule(&id),
            },
        )
        .expect("the rule is added");
        assert_eq!(
            topology.groups[&group].rules.last().map(|rule| &rule.peer),
            Some(&Peer::PrefixList(id.clone()))
        );
        assert_eq!(prefix_list_users(&topology, &id), ["service-sg2 rule 2"]);
    }

    #[test]
    fn delete_prefix_list_is_refused_while_a_rule_names_it() {
        let mut topology = ai_gateway();
        let id = add_list(&mut topology, "203.0.113.0/28");
        for group in ["service-sg1", "service-sg2"] {
            apply(
                &mut topology,
                &Edit::AddRule {
                    group: GroupId::from(group),
                    rule: prefix_list_rule(&id),
                },
            )
            .expect("the rule is added");
        }
        let before = topology.clone();
        let refusal =
            apply(&mut topology, &Edit::DeletePrefixList(id.clone())).expect_err("refused");
        assert_eq!(
            refusal.title,
            "pl-1 is still the peer of service-sg1 rule 2, service-sg2 rule 2: change or delete those rules first"
        );
        assert_eq!(topology, before);

        for group in ["service-sg1", "service-sg2"] {
            apply(
                &mut topology,
                &Edit::DeleteRule {
                    group: GroupId::from(group),
                    index: 1,
                },
            )
            .expect("the rule is deleted");
        }
        apply(&mut topology, &Edit::DeletePrefixList(id.clone())).expect("deleted");
        assert!(!topology.prefix_lists.contains_key(&id));
        let refusal = apply(&mut topology, &Edit::DeletePrefixList(id)).expect_err("gone");
        assert_eq!(refusal.title, "there is no prefix list pl-1");
    }
}
