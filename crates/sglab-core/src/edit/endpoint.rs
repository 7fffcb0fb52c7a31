//! Edits of endpoints: ECS instances, pods (whose ENIs follow their cluster's network mode),
//! external hosts, and the services they run.

use super::address::{free_pod_address, free_private_address};
use super::network::{fresh_id, selected};
use super::{Applied, EditError, NewEndpoint, ObjectId};
use crate::model::{
    ClusterId, Endpoint, EndpointId, EndpointKind, Eni, GroupId, NetworkMode, Topology,
};

pub(super) fn add_endpoint(
    topology: &mut Topology,
    new: &NewEndpoint,
) -> Result<Applied, EditError> {
    let endpoint = match new {
        NewEndpoint::Ecs { group } => new_ecs(topology, group)?,
        NewEndpoint::Pod { cluster, node } => new_pod(topology, cluster, node)?,
        NewEndpoint::External { cidr } => new_external(topology, cidr)?,
    };
    let id = endpoint.id.clone();
    topology.endpoints.insert(id.clone(), endpoint);
    Ok(selected(ObjectId::Endpoint(id)))
}

pub(super) fn set_endpoint(
    topology: &mut Topology,
    endpoint: &Endpoint,
) -> Result<Applied, EditError> {
    let slot = topology
        .endpoints
        .get_mut(&endpoint.id)
        .ok_or_else(|| EditError::UnknownEndpoint(endpoint.id.clone()))?;
    *slot = endpoint.clone();
    Ok(Applied::default())
}

/// Deletes an endpoint that runs no pod and is no gateway's node, with its diagram position.
pub(super) fn delete_endpoint(
    topology: &mut Topology,
    id: &EndpointId,
) -> Result<Applied, EditError> {
    let pods: Vec<EndpointId> = topology
        .endpoints
        .values()
        .filter(|endpoint| matches!(&endpoint.kind, EndpointKind::Pod { node, .. } if node == id))
        .map(|endpoint| endpoint.id.clone())
        .collect();
    if !pods.is_empty() {
        return Err(EditError::RunsPods {
            owner: id.to_string(),
            pods,
        });
    }
    if let Some(Endpoint {
        kind: EndpointKind::GatewayNode { gateway },
        ..
    }) = topology.endpoints.get(id)
    {
        return Err(EditError::GatewayNode {
            endpoint: id.clone(),
            gateway: gateway.clone(),
        });
    }
    topology.endpoints.remove(id);
    topology.layout.remove(id.as_str());
    Ok(Applied::default())
}

pub(super) fn set_service_up(
    topology: &mut Topology,
    endpoint: &EndpointId,
    service_index: usize,
) -> Result<Applied, EditError> {
    let service = topology
        .endpoints
        .get_mut(endpoint)
        .and_then(|endpoint| endpoint.services.as_mut())
        .and_then(|services| services.get_mut(service_index))
        .ok_or_else(|| EditError::UnknownService {
            endpoint: endpoint.clone(),
            service_index,
        })?;
    service.up = true;
    Ok(Applied::default())
}

/// An ECS instance in `group`, at a free address of the group's VPC.
fn new_ecs(topology: &Topology, group: &GroupId) -> Result<Endpoint, EditError> {
    let vpc = topology
        .groups
        .get(group)
        .ok_or_else(|| EditError::Reference(crate::Error::UnknownGroup(group.clone())))?
        .vpc
        .clone();
    let id = EndpointId(fresh_id(
        "i-",
        topology.endpoints.keys().map(EndpointId::as_str),
    ));
    Ok(Endpoint {
        name: format!("node {}", id.as_str().trim_start_matches("i-")),
        id,
        kind: EndpointKind::Ecs,
        enis: vec![Eni {
            id: None,
            private_ips: free_private_address(topology, &vpc).into_iter().collect(),
            groups: vec![group.clone()],
        }],
        vpc: Some(vpc),
        public_ip: None,
        pod_ip: None,
        services: Some(Vec::new()),
    })
}

/// A pod on `node`: under Terway trunk it has its own ENI, at a free address of the VPC, in
/// the groups of the node's primary ENI; under Flannel and Terway shared it has no ENI (the
/// node's filters it) and a free address of the pod CIDR.
fn new_pod(
    topology: &Topology,
    cluster: &ClusterId,
    node: &EndpointId,
) -> Result<Endpoint, EditError> {
    let cluster_data = topology
        .clusters
        .get(cluster)
        .ok_or_else(|| EditError::UnknownCluster(cluster.clone()))?;
    let node_data = topology
        .endpoints
        .get(node)
        .ok_or_else(|| EditError::UnknownNode(node.clone()))?;
    let id = EndpointId(fresh_id(
        "pod-",
        topology.endpoints.keys().map(EndpointId::as_str),
    ));
    let pod_ip = free_pod_address(topology, cluster_data);
    let enis = match cluster_data.network_mode {
        NetworkMode::TerwayTrunk => vec![Eni {
            id: None,
            private_ips: free_private_address(topology, &cluster_data.vpc)
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
    Ok(Endpoint {
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
    })
}

/// An external host or network named `client`.
fn new_external(topology: &Topology, cidr: &str) -> Result<Endpoint, EditError> {
    let cidr = crate::validate::check_cidr_field(cidr)?;
    let id = EndpointId(fresh_id(
        "ext-",
        topology.endpoints.keys().map(EndpointId::as_str),
    ));
    Ok(Endpoint {
        name: "client".to_owned(),
        id,
        kind: EndpointKind::External { cidr },
        vpc: None,
        enis: Vec::new(),
        public_ip: None,
        pod_ip: None,
        services: None,
    })
}
