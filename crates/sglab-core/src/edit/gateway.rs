//! Edits of gateways: what creating one makes (a managed group and a node), what deleting one
//! keeps (the managed group, while backend rules still name it), and authorizations.

use super::address::free_private_address;
use super::network::{fresh_id, selected};
use super::{Applied, EditError, ObjectId};
use crate::gateway::Cascade;
use crate::model::{
    Endpoint, EndpointId, EndpointKind, Eni, Gateway, GatewayId, GatewayKind, GroupId, GroupType,
    Peer, PortRange, Rules, SecurityGroup, Topology, VpcId,
};

/// Adds a gateway named after its product, with a basic managed group (read-only, named after
/// the product) and one node in it at a free address of the VPC.
pub(super) fn add_gateway(topology: &mut Topology, vpc: &VpcId, kind: GatewayKind) -> Applied {
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
            inner_access_policy: crate::format::default_inner_access_policy(GroupType::Basic),
            managed_by: Some(product.to_owned()),
            rules: Rules::default(),
        },
    );
    let node = EndpointId(format!("{id}-node-1"));
    let address = free_private_address(topology, vpc);
    topology.endpoints.insert(
        node.clone(),
        Endpoint {
            id: node,
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
            kind,
            vpc: vpc.clone(),
            managed_group: group,
            authorizations: Vec::new(),
        },
    );
    selected(ObjectId::Gateway(id))
}

pub(super) fn rename_gateway(
    topology: &mut Topology,
    gateway: &GatewayId,
    name: &str,
) -> Result<Applied, EditError> {
    topology
        .gateways
        .get_mut(gateway)
        .ok_or_else(|| EditError::UnknownGateway(gateway.clone()))?
        .name = name.to_owned();
    Ok(Applied::default())
}

/// Deletes a gateway and its nodes, and its managed group unless a rule still names it (the
/// backend rules its authorizations created outlive it, as in the console).
pub(super) fn delete_gateway(
    topology: &mut Topology,
    id: &GatewayId,
) -> Result<Applied, EditError> {
    let gateway = topology
        .gateways
        .remove(id)
        .ok_or_else(|| EditError::UnknownGateway(id.clone()))?;
    topology.endpoints.retain(|_, endpoint| {
        !matches!(&endpoint.kind, EndpointKind::GatewayNode { gateway } if gateway == id)
    });
    let still_referenced = topology.groups.values().any(|group| {
        group.rules.iter().any(
            |rule| matches!(&rule.peer, Peer::Group { id, .. } if id == &gateway.managed_group),
        )
    });
    if still_referenced {
        return Ok(Applied {
            message: Some(format!(
                "{} is kept: backend rules still name it as their source",
                gateway.managed_group
            )),
            ..Applied::default()
        });
    }
    topology.groups.remove(&gateway.managed_group);
    Ok(Applied::default())
}

pub(super) fn authorize(
    topology: &mut Topology,
    gateway: &GatewayId,
    backend: &GroupId,
    ranges: &[PortRange],
    description: &str,
) -> Result<Applied, EditError> {
    crate::gateway::authorize(topology, gateway, backend, ranges, description)?;
    let rules = match ranges.len() {
        1 => "1 inbound rule".to_owned(),
        count => format!("{count} inbound rules"),
    };
    Ok(Applied {
        message: Some(format!(
            "Authorized {backend} on {gateway}: {rules} added at priority 1"
        )),
        ..Applied::default()
    })
}

pub(super) fn revoke(
    topology: &mut Topology,
    gateway: &GatewayId,
    backend: &GroupId,
    cascade: Cascade,
) -> Result<Applied, EditError> {
    crate::gateway::revoke(topology, gateway, backend, cascade)?;
    let message = match cascade {
        Cascade::RemoveBackendRules => {
            "Deleted the authorization and its inbound rules in the backend group"
        }
        Cascade::KeepBackendRules => {
            "Deleted the authorization from the gateway; the backend group's inbound rules stay and still allow traffic"
        }
    };
    Ok(Applied {
        message: Some(message.to_owned()),
        ..Applied::default()
    })
}
