//! Edits of VPCs, security groups and clusters, and the fresh ids of new objects.

use std::collections::BTreeSet;

use super::{writable_group, writable_group_mut, Applied, EditError, ObjectId};
use crate::model::{
    Cluster, ClusterId, EndpointKind, GroupId, GroupType, NetworkMode, Peer, Rules, SecurityGroup,
    Topology, Vpc, VpcId,
};

/// `group` as a group of another type, with that type's default InnerAccessPolicy (accept for
/// basic groups, drop for enterprise groups), as the console sets it.
pub fn group_with_type(group: &SecurityGroup, group_type: GroupType) -> SecurityGroup {
    SecurityGroup {
        group_type,
        inner_access_policy: crate::format::default_inner_access_policy(group_type),
        ..group.clone()
    }
}

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
            rules: Rules::default(),
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
    use super::{fresh_id, group_with_type};
    use crate::model::{GroupId, GroupType, InnerAccessPolicy, Protocol};

    const FIXTURE: &str = r#"{"sglab": 1, "vpcs": [{"id": "vpc-1"}],
      "security_groups": [{"id": "sg-app", "rules": [
        {"direction": "ingress", "policy": "accept", "priority": 1, "protocol": "tcp",
         "port_range": "22/22", "cidr": "10.0.0.0/8"}]}],
      "endpoints": []}"#;

    #[test]
    fn a_group_takes_the_default_inner_access_policy_of_its_new_type() {
        let topology = crate::load::parse_sglab(FIXTURE, None)
            .expect("valid")
            .topology;
        let basic = &topology.groups[&GroupId::from("sg-app")];
        assert_eq!(basic.inner_access_policy, InnerAccessPolicy::Accept);
        let enterprise = group_with_type(basic, GroupType::Enterprise);
        assert_eq!(enterprise.inner_access_policy, InnerAccessPolicy::Drop);
        assert_eq!(enterprise.rules, basic.rules);
        let again = group_with_type(&enterprise, GroupType::Basic);
        assert_eq!(again.inner_access_policy, InnerAccessPolicy::Accept);
    }

    #[test]
    fn a_protocol_without_ports_takes_every_port_and_tcp_takes_a_range() {
        use crate::model::{PortRange, PortSpec};
        let topology = crate::load::parse_sglab(FIXTURE, None)
            .expect("valid")
            .topology;
        let ssh = &topology.groups[&GroupId::from("sg-app")].rules[0];
        let icmp = super::super::rule_with_protocol(ssh, Protocol::Icmp);
        assert_eq!(icmp.ports, PortSpec::All);
        let tcp = super::super::rule_with_protocol(&icmp, Protocol::Tcp);
        assert_eq!(tcp.ports, PortSpec::Range(PortRange::ALL));
        let udp = super::super::rule_with_protocol(ssh, Protocol::Udp);
        assert_eq!(udp.ports, ssh.ports);
    }

    #[test]
    fn fresh_ids_skip_taken_ones() {
        assert_eq!(fresh_id("sg-", ["sg-1", "sg-3"].into_iter()), "sg-2");
        assert_eq!(fresh_id("i-", std::iter::empty()), "i-1");
    }
}
