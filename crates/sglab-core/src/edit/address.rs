//! Free addresses for new endpoints: defaults the user can change, never in use elsewhere in
//! the topology and never one of the addresses a VPC reserves.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;

use crate::model::{Cluster, Topology, VpcId};

/// A free private address for a new endpoint of a VPC, when the VPC has an IPv4 CIDR block
/// with one left.
pub fn free_private_address(topology: &Topology, vpc: &VpcId) -> Option<IpAddr> {
    free_in(topology.vpcs.get(vpc)?.cidr?, &used_addresses(topology))
}

/// A free pod address in a cluster's pod CIDR block, when it has an IPv4 one with one left.
pub fn free_pod_address(topology: &Topology, cluster: &Cluster) -> Option<IpAddr> {
    free_in(cluster.pod_cidr?, &used_addresses(topology))
}

/// Every address in use in the topology: private, pod and public addresses.
fn used_addresses(topology: &Topology) -> BTreeSet<IpAddr> {
    topology
        .endpoints
        .values()
        .flat_map(|endpoint| {
            endpoint
                .enis
                .iter()
                .flat_map(|eni| eni.private_ips.iter().copied())
                .chain(endpoint.pod_ip)
                .chain(endpoint.public_ip)
        })
        .collect()
}

/// The first free IPv4 address of `cidr`, skipping the block's first three addresses, which
/// the VPC reserves, and its last; the search stops after 70,000 addresses. The one rule for
/// new addresses: the editor's and the Terraform importer's planned ones.
pub(crate) fn free_in(cidr: IpNet, used: &BTreeSet<IpAddr>) -> Option<IpAddr> {
    let IpNet::V4(cidr) = cidr else {
        return None;
    };
    let size = 1u64 << (32 - u32::from(cidr.prefix_len()).min(32));
    let base = u64::from(u32::from(cidr.network()));
    (3..size.saturating_sub(1).min(70_000))
        .map(|offset| IpAddr::V4(Ipv4Addr::from((base + offset) as u32)))
        .find(|candidate| !used.contains(candidate))
}
