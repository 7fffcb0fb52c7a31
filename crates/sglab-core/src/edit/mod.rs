//! Edits of a [`Topology`]: every change the web app's panels, the rule tables and the one-click
//! fixes ([`crate::fix`]) make, with the rules of the model they follow (which ENIs a pod gets
//! under each network mode, what a gateway creates and keeps, who still uses a VPC, a group or
//! a prefix list, which addresses are free).
//!
//! [`apply`] applies an edit whole or refuses it and leaves the topology untouched. A rule
//! edit is checked by the rule checks of [`crate::validate`] against its group; any other edit
//! (but renaming the topology, deleting a rule and forgetting diagram positions, which cannot
//! make a topology invalid) by validating the result, refused when it brings an error the
//! topology did not already have.
//!
//! ```
//! use sglab_core::edit::{apply, Edit, EditError, ObjectId};
//! use sglab_core::load::parse_sglab;
//! use sglab_core::model::{GroupId, GroupType, VpcId};
//!
//! let mut topology = parse_sglab(r#"{"sglab": 1, "vpcs": [{"id": "vpc-1"}],
//!   "security_groups": [{"id": "sg-app"}],
//!   "endpoints": [{"id": "i-1", "kind": "ecs", "groups": ["sg-app"]}]}"#, None)
//!     .expect("valid").topology;
//! let vpc = VpcId::from("vpc-1");
//! let added = apply(&mut topology, &Edit::AddGroup { vpc, group_type: GroupType::Basic })
//!     .expect("added");
//! assert_eq!(added.select, Some(ObjectId::Group(GroupId::from("sg-1"))));
//!
//! let before = topology.clone();
//! let refused = apply(&mut topology, &Edit::DeleteGroup(GroupId::from("sg-app")));
//! assert!(matches!(refused, Err(EditError::GroupInUse { .. })));
//! assert_eq!(topology, before);
//! ```

mod address;
mod check;
mod endpoint;
mod gateway;
mod network;
mod rules;

use std::fmt;

use crate::gateway::{Cascade, GatewayError};
use crate::model::{
    Cluster, ClusterId, Endpoint, EndpointId, GatewayId, GatewayKind, GroupId, GroupType,
    NetworkMode, PortRange, PrefixList, PrefixListId, Rule, SecurityGroup, Topology, Vpc, VpcId,
};

pub(crate) use address::free_in;
pub use address::{free_pod_address, free_private_address};
pub use network::{fresh_id, group_with_type};
pub use rules::{prefix_list_users, prefix_list_with_entries, rule_with_protocol};

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
    /// Mark a service of an endpoint as up (its process is started again).
    SetServiceUp {
        /// The endpoint running the service.
        endpoint: EndpointId,
        /// The index of the service in the endpoint's list.
        service_index: usize,
    },
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
    /// Delete a gateway, its node and its managed group (kept while rules still name it).
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
    /// Forget every saved diagram position.
    AutoLayout,
    /// Several edits applied in order as one: all of them, or none when one is refused.
    Sequence(Vec<Edit>),
}

/// A new endpoint to add, with a fresh id and defaults the user can change.
#[derive(Clone, Debug, PartialEq)]
pub enum NewEndpoint {
    /// An ECS instance in a group, at a free address of the group's VPC.
    Ecs {
        /// Its group.
        group: GroupId,
    },
    /// A pod on a node of a cluster: with its own ENI in the node's groups under Terway trunk,
    /// with a pod address and no ENI under Flannel and Terway shared.
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

/// An object of the topology, by id: what an edit created, for the caller to select.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectId {
    /// A VPC.
    Vpc(VpcId),
    /// A security group.
    Group(GroupId),
    /// An endpoint.
    Endpoint(EndpointId),
    /// A cluster.
    Cluster(ClusterId),
    /// A gateway.
    Gateway(GatewayId),
    /// A prefix list.
    PrefixList(PrefixListId),
}

/// What an applied edit tells the caller.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// The object the edit created, to select.
    pub select: Option<ObjectId>,
    /// What happened, in words, when the edit did more or less than asked (a gateway's group
    /// kept) or than its name says (an authorization's rules).
    pub message: Option<String>,
    /// The rule just added (group, index), whose effect the caller may want to check.
    pub added_rule: Option<(GroupId, usize)>,
}

/// Why an edit was refused. The topology is left untouched.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// A group named does not exist: [`crate::Error::UnknownGroup`], the one error for it.
    #[error(transparent)]
    Reference(crate::Error),
    /// The group is managed by a cloud product and read-only.
    #[error("{}", read_only_reason(group, managed_by))]
    ManagedGroup {
        /// The group.
        group: GroupId,
        /// The managing product.
        managed_by: String,
    },
    /// The group has fewer rules than the index.
    #[error("{group} has no rule {}", index + 1)]
    UnknownRule {
        /// The group.
        group: GroupId,
        /// The 0-based index asked for.
        index: usize,
    },
    /// No VPC has this id.
    #[error("there is no VPC {0}")]
    UnknownVpc(VpcId),
    /// The VPC still holds groups, endpoints, clusters or gateways.
    #[error("{vpc} still holds {}: delete them first", Words(users))]
    VpcInUse {
        /// The VPC.
        vpc: VpcId,
        /// What it holds, by id.
        users: Vec<String>,
    },
    /// The group is still attached to an ENI, named by a rule or authorized on a gateway.
    #[error("{group} is still used by {}: remove those first", Words(users))]
    GroupInUse {
        /// The group.
        group: GroupId,
        /// Who uses it, in words (`i-1`, `sg-2 rule 3`, `the authorization of gw-1`).
        users: Vec<String>,
    },
    /// No endpoint has this id.
    #[error("there is no endpoint {0}")]
    UnknownEndpoint(EndpointId),
    /// No endpoint has this id, as the node of a new pod.
    #[error("there is no node {0}")]
    UnknownNode(EndpointId),
    /// The node (or the cluster) still runs pods.
    #[error("{owner} still runs the pods {}: delete them first", Words(pods))]
    RunsPods {
        /// The node or cluster id.
        owner: String,
        /// The pods, by id.
        pods: Vec<EndpointId>,
    },
    /// The endpoint is a gateway's node, which goes with its gateway.
    #[error("{endpoint} is a node of the gateway {gateway}: delete the gateway instead")]
    GatewayNode {
        /// The endpoint.
        endpoint: EndpointId,
        /// Its gateway.
        gateway: GatewayId,
    },
    /// The endpoint has no such service (or no list of services).
    #[error("endpoint {endpoint} has no service {}", service_index + 1)]
    UnknownService {
        /// The endpoint.
        endpoint: EndpointId,
        /// The 0-based index asked for.
        service_index: usize,
    },
    /// No cluster has this id.
    #[error("there is no cluster {0}")]
    UnknownCluster(ClusterId),
    /// No gateway has this id.
    #[error("there is no gateway {0}")]
    UnknownGateway(GatewayId),
    /// The gateway refused the authorization or its deletion.
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    /// No prefix list has this id.
    #[error("there is no prefix list {0}")]
    UnknownPrefixList(PrefixListId),
    /// Rules still name the prefix list as their peer.
    #[error(
        "{list} is still the peer of {}: change or delete those rules first",
        Words(users)
    )]
    PrefixListInUse {
        /// The prefix list.
        list: PrefixListId,
        /// The rules, as `group rule n` (numbered from 1).
        users: Vec<String>,
    },
    /// A value of the edit does not parse, such as the address block of a new external host.
    #[error(transparent)]
    Value(#[from] crate::Error),
    /// The result would have errors the topology did not have.
    #[error("the change would make the topology invalid: {}", errors.join("; "))]
    Invalid {
        /// Each new error in words (with its location, for errors of the whole topology).
        errors: Vec<String>,
    },
}

/// Applies an edit, or refuses it and leaves `topology` as it was.
///
/// A rule edit is checked by the core's rule checks against its group; any other edit by the
/// validation of the whole result, refused when it brings an error the topology did not
/// already have.
pub fn apply(topology: &mut Topology, edit: &Edit) -> Result<Applied, EditError> {
    if let Edit::Sequence(edits) = edit {
        let mut candidate = topology.clone();
        let mut applied = Applied::default();
        for edit in edits {
            applied = apply(&mut candidate, edit)?;
        }
        *topology = candidate;
        return Ok(applied);
    }
    if let Edit::AddRule { group, rule } | Edit::SetRule { group, rule, .. } = edit {
        refuse_errors(check::new_errors(
            topology,
            check::Candidate::Rule { group, rule },
        ))?;
        // A rule edit is refused before it changes anything, so it applies in place.
        return apply_unchecked(topology, edit);
    }
    let mut candidate = topology.clone();
    let applied = apply_unchecked(&mut candidate, edit)?;
    if !matches!(
        edit,
        Edit::AutoLayout | Edit::DeleteRule { .. } | Edit::RenameTopology(_)
    ) {
        refuse_errors(check::new_errors(
            topology,
            check::Candidate::Topology(&candidate),
        ))?;
    }
    *topology = candidate;
    Ok(applied)
}

/// The group `id` when the user may edit it: it exists and no cloud product manages it.
pub fn writable_group<'a>(
    topology: &'a Topology,
    id: &GroupId,
) -> Result<&'a SecurityGroup, EditError> {
    let group = topology
        .groups
        .get(id)
        .ok_or_else(|| EditError::Reference(crate::Error::UnknownGroup(id.clone())))?;
    match &group.managed_by {
        Some(managed_by) => Err(EditError::ManagedGroup {
            group: id.clone(),
            managed_by: managed_by.clone(),
        }),
        None => Ok(group),
    }
}

/// Why a group managed by `product` cannot be edited, in words.
pub fn read_only_reason(id: &GroupId, product: &str) -> String {
    format!("{id} is managed by {product} and is read-only: change it through the product (for a gateway, its Security Group Authorizations)")
}

/// [`writable_group`], for changing it.
fn writable_group_mut<'a>(
    topology: &'a mut Topology,
    id: &GroupId,
) -> Result<&'a mut SecurityGroup, EditError> {
    writable_group(topology, id)?;
    topology
        .groups
        .get_mut(id)
        .ok_or_else(|| EditError::Reference(crate::Error::UnknownGroup(id.clone())))
}

fn refuse_errors(errors: Vec<String>) -> Result<(), EditError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(EditError::Invalid { errors })
    }
}

fn apply_unchecked(topology: &mut Topology, edit: &Edit) -> Result<Applied, EditError> {
    match edit {
        Edit::RenameTopology(name) => {
            topology.name = name.clone();
            Ok(Applied::default())
        }
        Edit::AddRule { group, rule } => rules::add_rule(topology, group, rule),
        Edit::SetRule { group, index, rule } => rules::set_rule(topology, group, *index, rule),
        Edit::DeleteRule { group, index } => rules::delete_rule(topology, group, *index),
        Edit::AddVpc => Ok(network::add_vpc(topology)),
        Edit::SetVpc(vpc) => network::set_vpc(topology, vpc),
        Edit::DeleteVpc(id) => network::delete_vpc(topology, id),
        Edit::AddGroup { vpc, group_type } => Ok(network::add_group(topology, vpc, *group_type)),
        Edit::SetGroup(group) => network::set_group(topology, group),
        Edit::DeleteGroup(id) => network::delete_group(topology, id),
        Edit::AddEndpoint(new) => endpoint::add_endpoint(topology, new),
        Edit::SetEndpoint(endpoint) => endpoint::set_endpoint(topology, endpoint),
        Edit::DeleteEndpoint(id) => endpoint::delete_endpoint(topology, id),
        Edit::SetServiceUp {
            endpoint,
            service_index,
        } => endpoint::set_service_up(topology, endpoint, *service_index),
        Edit::AddCluster { vpc, network_mode } => {
            Ok(network::add_cluster(topology, vpc, *network_mode))
        }
        Edit::SetCluster(cluster) => network::set_cluster(topology, cluster),
        Edit::DeleteCluster(id) => network::delete_cluster(topology, id),
        Edit::AddGateway { vpc, kind } => Ok(gateway::add_gateway(topology, vpc, *kind)),
        Edit::RenameGateway { gateway, name } => gateway::rename_gateway(topology, gateway, name),
        Edit::DeleteGateway(id) => gateway::delete_gateway(topology, id),
        Edit::Authorize {
            gateway,
            backend,
            ranges,
            description,
        } => gateway::authorize(topology, gateway, backend, ranges, description),
        Edit::Revoke {
            gateway,
            backend,
            cascade,
        } => gateway::revoke(topology, gateway, backend, *cascade),
        Edit::AddPrefixList => Ok(rules::add_prefix_list(topology)),
        Edit::SetPrefixList(list) => rules::set_prefix_list(topology, list),
        Edit::DeletePrefixList(id) => rules::delete_prefix_list(topology, id),
        Edit::Sequence(edits) => {
            let mut applied = Applied::default();
            for edit in edits {
                applied = apply_unchecked(topology, edit)?;
            }
            Ok(applied)
        }
        Edit::AutoLayout => {
            topology.layout.clear();
            Ok(Applied::default())
        }
    }
}

/// A list of names joined with commas, as the refusals name what is still in the way.
struct Words<'a, T>(&'a [T]);

impl<T: fmt::Display> fmt::Display for Words<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, word) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            word.fmt(f)?;
        }
        Ok(())
    }
}
