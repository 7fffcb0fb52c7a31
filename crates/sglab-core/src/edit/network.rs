//! Edits of VPCs, security groups and clusters, and the fresh ids of new objects.

use std::collections::BTreeSet;

use super::{writable_group, writable_group_mut, Applied, EditError, ObjectId};
use crate::model::{
    Cluster, ClusterId, EndpointKind, GroupId, GroupType, NetworkMode, Peer, SecurityGroup,
    Topology, Vpc, VpcId,
};

/// The first id `prefix1`, `prefix2`, ... that is not taken.
pub fn fresh_id<'a>(prefix: &str, taken: impl Iterator<Item = &'a str>) -> String {
    let taken: BTreeSet<&str> = crate::sort::set_of(taken);
    (1..)
        .map(|n| format!("{prefix}{n}"))
        .find(|id| !taken.contains(id.as_str()))
        .unwrap_or_else(|| prefix.to_owned())
}

/// Adds a VPC `10.0.0.0/16` named `new VPC`.
pub(super) fn add_vpc(topology: &mut Topology) -> Applied {
    let id = VpcId(fresh_id("vpc-", topology.vpcs.keys().map(VpcId::as_str)));
    let cidr = crate::validate::check_cidr_field("10.0.0.0/16").ok();
    topology.vpcs.insert(
        id.clone(),
        Vpc {
            id: id.clone(),
            name: "new VPC".to_owned(),
            cidr,
        },
    );
    selected(ObjectId::Vpc(id))
}

pub(super) fn set_vpc(topology: &mut Topology, vpc: &Vpc) -> Result<Applied, EditError> {
    let slot = topology
        .vpcs
        .get_mut(&vpc.id)
        .ok_or_else(|| EditError::UnknownVpc(vpc.id.clone()))?;
    *slot = vpc.clone();
    Ok(Applied::default())
}

/// Deletes a VPC that holds no group, endpoint, cluster or gateway.
pub(super) fn delete_vpc(topology: &mut Topology, id: &VpcId) -> Result<Applied, EditError> {
    let users: Vec<String> = topology
        .groups
        .values()
        .filter(|group| &group.vpc == id)
        .map(|group| group.id.to_string())
        .chain(
            topology
                .endpoints
                .values()
                .filter(|endpoint| endpoint.vpc.as_ref() == Some(id))
                .map(|endpoint| endpoint.id.to_string()),
        )
        .chain(
            topology
                .clusters
                .values()
                .filter(|cluster| &cluster.vpc == id)
                .map(|cluster| cluster.id.to_string()),
        )
        .chain(
            topology
                .gateways
                .values()
                .filter(|gateway| &gateway.vpc == id)
                .map(|gateway| gateway.id.to_string()),
        )
        .collect();
    if !users.is_empty() {
        return Err(EditError::VpcInUse {
            vpc: id.clone(),
            users,
        });
    }
    topology.vpcs.remove(id);
    Ok(Applied::default())
}

/// Adds an empty group named `new group` with its type's default intra-group policy.
pub(super) fn add_group(topology: &mut Topology, vpc: &VpcId, group_type: GroupType) -> Applied {
    let id = GroupId(fresh_id("sg-", topology.groups.keys().map(GroupId::as_str)));
    topology.groups.insert(
        id.clone(),
        SecurityGroup {
            id: id.clone(),
            name: "new group".to_owned(),
            description: String::new(),
            tags: Default::default(),
            vpc: vpc.clone(),
            group_type,
            inner_access_policy: crate::format::default_inner_access_policy(group_type),
            managed_by: None,
            rules: Vec::new(),
        },
    );
    selected(ObjectId::Group(id))
}

pub(super) fn set_group(
    topology: &mut Topology,
    group: &SecurityGroup,
) -> Result<Applied, EditError> {
    let slot = writable_group_mut(topology, &group.id)?;
    *slot = group.clone();
    Ok(Applied::default())
}

/// Deletes a writable group that no ENI holds, no rule names and no gateway authorizes.
pub(super) fn delete_group(topology: &mut Topology, id: &GroupId) -> Result<Applied, EditError> {
    writable_group(topology, id)?;
    let mut users: Vec<String> = topology
        .endpoints
        .values()
        .filter(|endpoint| endpoint.enis.iter().any(|eni| eni.groups.contains(id)))
        .map(|endpoint| endpoint.id.to_string())
        .collect();
    for group in topology.groups.values() {
        for (index, rule) in group.rules.iter().enumerate() {
            if matches!(&rule.peer, Peer::Group { id: peer, .. } if peer == id) {
                users.push(format!("{} rule {}", group.id, index + 1));
            }
        }
    }
    for gateway in topology.gateways.values() {
        if gateway
            .authorizations
            .iter()
            .any(|authorization| &authorization.backend_group == id)
        {
            users.push(format!("the authorization of {}", gateway.id));
        }
    }
    if !users.is_empty() {
        return Err(EditError::GroupInUse {
            group: id.clone(),
            users,
        });
    }
    topology.groups.remove(id);
    Ok(Applied::default())
}

/// Adds a cluster named `new cluster` with the pod CIDR `172.18.0.0/16`.
pub(super) fn add_cluster(
    topology: &mut Topology,
    vpc: &VpcId,
    network_mode: NetworkMode,
) -> Applied {
    let id = ClusterId(fresh_id(
        "c-",
        topology.clusters.keys().map(ClusterId::as_str),
    ));
    let pod_cidr = crate::validate::check_cidr_field("172.18.0.0/16").ok();
    topology.clusters.insert(
        id.clone(),
        Cluster {
            id: id.clone(),
            name: "new cluster".to_owned(),
            vpc: vpc.clone(),
            pod_cidr,
            network_mode,
        },
    );
    selected(ObjectId::Cluster(id))
}

pub(super) fn set_cluster(
    topology: &mut Topology,
    cluster: &Cluster,
) -> Result<Applied, EditError> {
    let slot = topology
        .clusters
        .get_mut(&cluster.id)
        .ok_or_else(|| EditError::UnknownCluster(cluster.id.clone()))?;
    *slot = cluster.clone();
    Ok(Applied::default())
}

/// Deletes a cluster that runs no pod.
pub(super) fn delete_cluster(
    topology: &mut Topology,
    id: &ClusterId,
) -> Result<Applied, EditError> {
    let pods: Vec<_> = topology
        .endpoints
        .values()
        .filter(
            |endpoint| matches!(&endpoint.kind, EndpointKind::Pod { cluster, .. } if cluster == id),
        )
        .map(|endpoint| endpoint.id.clone())
        .collect();
    if !pods.is_empty() {
        return Err(EditError::RunsPods {
            owner: id.to_string(),
            pods,
        });
    }
    topology.clusters.remove(id);
    Ok(Applied::default())
}

/// What an edit that created `object` tells the caller: select it.
pub(super) fn selected(object: ObjectId) -> Applied {
    Applied {
        select: Some(object),
        ..Applied::default()
    }
}

#[cfg(test)]
mod tests {
    use super::fresh_id;

    #[test]
    fn fresh_ids_skip_taken_ones() {
        assert_eq!(fresh_id("sg-", ["sg-1", "sg-3"].into_iter()), "sg-2");
        assert_eq!(fresh_id("i-", std::iter::empty()), "i-1");
    }
}
