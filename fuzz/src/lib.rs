//! What the fuzz targets share: structured topologies and edits drawn from the fuzzer's bytes
//! with `arbitrary`.
//!
//! A topology starts from the deterministic generator (`sglab_core::generate`, any shape, a few
//! endpoints and groups) and its rules are then rewritten field by field from the input, so
//! that the fuzzer, not only the generator's seed, steers ports, priorities, policies,
//! protocols and peers. Edits name existing objects most of the time and unknown ones
//! sometimes.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use arbitrary::{Result, Unstructured};
use ipnet::IpNet;
use sglab_core::edit::{Edit, NewEndpoint};
use sglab_core::gateway::Cascade;
use sglab_core::generate::{generate, GenParams, Shape};
use sglab_core::model::{
    ClusterId, Direction, EndpointId, GatewayId, GatewayKind, GroupId, GroupType,
    InnerAccessPolicy, NetworkMode, Peer, Policy, PortRange, PortSpec, PrefixListId, Priority,
    Protocol, Rule, Topology, VpcId,
};

/// Every protocol of the model.
pub const PROTOCOLS: [Protocol; 6] = [
    Protocol::Tcp,
    Protocol::Udp,
    Protocol::Icmp,
    Protocol::Icmpv6,
    Protocol::Gre,
    Protocol::All,
];

/// A small topology: generated, then up to 8 rules rewritten from the input.
pub fn topology(u: &mut Unstructured) -> Result<Topology> {
    let seed = u.arbitrary::<u64>()?;
    let shape = *u.choose(&Shape::ALL)?;
    let endpoints = u.int_in_range(2..=8)?;
    let groups = u.int_in_range(1..=4)?;
    let rules = u.int_in_range(0..=24)?;
    let mut topology = generate(seed, &GenParams::of_shape(shape, endpoints, groups, rules));
    for _ in 0..u.int_in_range(0..=8)? {
        tweak_rule(u, &mut topology)?;
    }
    Ok(topology)
}

/// Rewrites, adds or removes one rule of one group.
fn tweak_rule(u: &mut Unstructured, topology: &mut Topology) -> Result<()> {
    let Some(group) = pick(u, topology.groups.keys())? else {
        return Ok(());
    };
    let new_rule = rule(u, topology)?;
    let Some(rules) = topology
        .groups
        .get_mut(&group)
        .map(|group| &mut group.rules)
    else {
        return Ok(());
    };
    if rules.is_empty() {
        rules.push(new_rule);
        return Ok(());
    }
    let index = u.choose_index(rules.len())?;
    match u.int_in_range(0..=5)? {
        0 => rules.push(new_rule),
        1 => {
            rules.remove(index);
        }
        2 => rules[index].priority = new_rule.priority,
        3 => {
            rules[index].protocol = new_rule.protocol;
            rules[index].ports = new_rule.ports;
        }
        4 => rules[index].peer = new_rule.peer,
        _ => rules[index] = new_rule,
    }
    Ok(())
}

/// A rule whose ports suit its protocol, whose peer is a block around a known address, a
/// group or a prefix list of the topology.
pub fn rule(u: &mut Unstructured, topology: &Topology) -> Result<Rule> {
    let protocol = *u.choose(&PROTOCOLS)?;
    let ports = if protocol.has_ports() && u.ratio(7, 8)? {
        PortSpec::Range(port_range(u)?)
    } else {
        PortSpec::All
    };
    let peer = match u.int_in_range(0..=3)? {
        0 | 1 => Peer::Cidr(net(u, topology)?),
        2 => match pick(u, topology.groups.keys())? {
            Some(id) => Peer::Group {
                id,
                owner_account: None,
            },
            None => Peer::Cidr(net(u, topology)?),
        },
        _ => match pick(u, topology.prefix_lists.keys())? {
            Some(id) => Peer::PrefixList(id),
            None => Peer::Cidr(net(u, topology)?),
        },
    };
    let priority = if u.ratio(1, 16)? {
        Priority::LEGACY
    } else {
        Priority::new(u.int_in_range(1..=100)?).unwrap_or(Priority::HIGHEST)
    };
    Ok(Rule {
        id: None,
        direction: *u.choose(&[Direction::Ingress, Direction::Egress])?,
        policy: *u.choose(&[Policy::Accept, Policy::Drop])?,
        priority,
        protocol,
        ports,
        peer,
        source_ports: if u.ratio(1, 8)? {
            Some(port_range(u)?)
        } else {
            None
        },
        local_cidr: if u.ratio(1, 8)? {
            Some(net(u, topology)?)
        } else {
            None
        },
        nic_type: sglab_core::model::NicType::Intranet,
        description: String::new(),
    })
}

/// A port range, its ends mostly small or at the edges of 1..=65535 and port 25.
pub fn port_range(u: &mut Unstructured) -> Result<PortRange> {
    let mut end = || -> Result<u16> {
        Ok(match u.int_in_range(0..=7)? {
            0 => 1,
            1 => 65535,
            2 => 25,
            3 => u.arbitrary::<u16>()?.max(1),
            _ => u.int_in_range(1..=64)?,
        })
    };
    let (a, b) = (end()?, end()?);
    Ok(PortRange::new(a.min(b), a.max(b)).unwrap_or(PortRange::ALL))
}

/// An address block: around an address of the topology, or any, of any prefix length.
pub fn net(u: &mut Unstructured, topology: &Topology) -> Result<IpNet> {
    let known: Vec<IpAddr> = topology
        .endpoints
        .values()
        .flat_map(|endpoint| endpoint.enis.iter().flat_map(|eni| eni.private_ips.iter()))
        .copied()
        .collect();
    let address = match u.int_in_range(0..=3)? {
        0 => IpAddr::V4(Ipv4Addr::from(u.arbitrary::<u32>()?)),
        1 => IpAddr::V6(Ipv6Addr::from(u.arbitrary::<u128>()?)),
        _ if !known.is_empty() => *u.choose(&known)?,
        _ => IpAddr::V4(Ipv4Addr::new(10, 0, 0, u.arbitrary()?)),
    };
    let max = if address.is_ipv4() { 32 } else { 128 };
    let prefix = match u.int_in_range(0..=3)? {
        0 => u.int_in_range(0..=max)?,
        _ => max - u.int_in_range(0..=8)?,
    };
    Ok(IpNet::new(address, prefix)
        .map(|net| net.trunc())
        .unwrap_or_else(|_| IpNet::from(address)))
}

/// One of the keys, mostly; `None` when there are none, and sometimes anyway.
fn pick<'a, K: Clone + 'a>(
    u: &mut Unstructured,
    keys: impl Iterator<Item = &'a K>,
) -> Result<Option<K>> {
    let keys: Vec<&K> = keys.collect();
    if keys.is_empty() || u.ratio(1, 16)? {
        return Ok(None);
    }
    Ok(Some((*u.choose(&keys)?).clone()))
}

/// An id of the keys, or an unknown one.
fn id<'a, K: Clone + From<&'a str> + 'a>(
    u: &mut Unstructured,
    keys: impl Iterator<Item = &'a K>,
) -> Result<K> {
    Ok(pick(u, keys)?.unwrap_or_else(|| K::from("x-unknown")))
}

/// A short name, sometimes empty or long.
fn name(u: &mut Unstructured) -> Result<String> {
    let text: String = u.arbitrary()?;
    Ok(text
        .chars()
        .take(if u.ratio(1, 8)? { 600 } else { 40 })
        .collect())
}

/// An edit of the topology, naming its objects most of the time.
pub fn edit(u: &mut Unstructured, topology: &Topology) -> Result<Edit> {
    let t = topology;
    Ok(match u.int_in_range(0..=26)? {
        0 => Edit::RenameTopology(name(u)?),
        1 => Edit::AddRule {
            group: id::<GroupId>(u, t.groups.keys())?,
            rule: rule(u, t)?,
        },
        2 => Edit::SetRule {
            group: id::<GroupId>(u, t.groups.keys())?,
            index: u.int_in_range(0..=8)?,
            rule: rule(u, t)?,
        },
        3 => Edit::DeleteRule {
            group: id::<GroupId>(u, t.groups.keys())?,
            index: u.int_in_range(0..=8)?,
        },
        4 => Edit::AddVpc,
        5 => match pick::<VpcId>(u, t.vpcs.keys())?.and_then(|id| t.vpcs.get(&id)) {
            Some(vpc) => {
                let mut vpc = vpc.clone();
                vpc.name = name(u)?;
                vpc.cidr = if u.ratio(1, 4)? {
                    None
                } else {
                    Some(net(u, t)?)
                };
                Edit::SetVpc(vpc)
            }
            None => Edit::AddVpc,
        },
        6 => Edit::DeleteVpc(id::<VpcId>(u, t.vpcs.keys())?),
        7 => Edit::AddGroup {
            vpc: id::<VpcId>(u, t.vpcs.keys())?,
            group_type: *u.choose(&[GroupType::Basic, GroupType::Enterprise])?,
        },
        8 => match pick::<GroupId>(u, t.groups.keys())?.and_then(|id| t.groups.get(&id)) {
            Some(group) => {
                let mut group = group.clone();
                group.name = name(u)?;
                group.group_type = *u.choose(&[GroupType::Basic, GroupType::Enterprise])?;
                group.inner_access_policy =
                    *u.choose(&[InnerAccessPolicy::Accept, InnerAccessPolicy::Drop])?;
                group.description = name(u)?;
                Edit::SetGroup(group)
            }
            None => Edit::AutoLayout,
        },
        9 => Edit::DeleteGroup(id::<GroupId>(u, t.groups.keys())?),
        10 => Edit::AddEndpoint(match u.int_in_range(0..=2)? {
            0 => NewEndpoint::Ecs {
                group: id::<GroupId>(u, t.groups.keys())?,
            },
            1 => NewEndpoint::Pod {
                cluster: id::<ClusterId>(u, t.clusters.keys())?,
                node: id::<EndpointId>(u, t.endpoints.keys())?,
            },
            _ => NewEndpoint::External {
                cidr: if u.ratio(1, 2)? {
                    net(u, t)?.to_string()
                } else {
                    name(u)?
                },
            },
        }),
        11 => {
            match pick::<EndpointId>(u, t.endpoints.keys())?.and_then(|id| t.endpoints.get(&id)) {
                Some(endpoint) => {
                    let mut endpoint = endpoint.clone();
                    endpoint.name = name(u)?;
                    let groups: Vec<GroupId> = t.groups.keys().cloned().collect();
                    if let Some(eni) = endpoint.enis.first_mut() {
                        if u.ratio(1, 2)? && !groups.is_empty() {
                            eni.groups = vec![u.choose(&groups)?.clone()];
                        }
                        if u.ratio(1, 3)? {
                            if let Some(first) = eni.private_ips.first_mut() {
                                *first = net(u, t)?.addr();
                            }
                        }
                    }
                    if u.ratio(1, 3)? {
                        endpoint.public_ip = if u.ratio(1, 2)? {
                            Some(net(u, t)?.addr())
                        } else {
                            None
                        };
                    }
                    if u.ratio(1, 3)? {
                        if let Some(service) =
                            endpoint.services.as_mut().and_then(|s| s.first_mut())
                        {
                            service.up = !service.up;
                            service.ports = port_range(u)?;
                        }
                    }
                    Edit::SetEndpoint(endpoint)
                }
                None => Edit::AutoLayout,
            }
        }
        12 => Edit::DeleteEndpoint(id::<EndpointId>(u, t.endpoints.keys())?),
        13 => Edit::SetServiceUp {
            endpoint: id::<EndpointId>(u, t.endpoints.keys())?,
            service_index: u.int_in_range(0..=3)?,
        },
        14 => Edit::AddCluster {
            vpc: id::<VpcId>(u, t.vpcs.keys())?,
            network_mode: *u.choose(&[
                NetworkMode::Flannel,
                NetworkMode::TerwayShared,
                NetworkMode::TerwayTrunk,
            ])?,
        },
        15 => match pick::<ClusterId>(u, t.clusters.keys())?.and_then(|id| t.clusters.get(&id)) {
            Some(cluster) => {
                let mut cluster = cluster.clone();
                cluster.name = name(u)?;
                cluster.pod_cidr = if u.ratio(1, 4)? {
                    None
                } else {
                    Some(net(u, t)?)
                };
                cluster.network_mode = *u.choose(&[
                    NetworkMode::Flannel,
                    NetworkMode::TerwayShared,
                    NetworkMode::TerwayTrunk,
                ])?;
                Edit::SetCluster(cluster)
            }
            None => Edit::AutoLayout,
        },
        16 => Edit::DeleteCluster(id::<ClusterId>(u, t.clusters.keys())?),
        17 => Edit::AddGateway {
            vpc: id::<VpcId>(u, t.vpcs.keys())?,
            kind: *u.choose(&[GatewayKind::AiGateway, GatewayKind::MseCloudNative])?,
        },
        18 => Edit::RenameGateway {
            gateway: id::<GatewayId>(u, t.gateways.keys())?,
            name: name(u)?,
        },
        19 => Edit::DeleteGateway(id::<GatewayId>(u, t.gateways.keys())?),
        20 => Edit::Authorize {
            gateway: id::<GatewayId>(u, t.gateways.keys())?,
            backend: id::<GroupId>(u, t.groups.keys())?,
            ranges: (0..u.int_in_range(0..=3)?)
                .map(|_| port_range(u))
                .collect::<Result<Vec<_>>>()?,
            description: name(u)?,
        },
        21 => Edit::Revoke {
            gateway: id::<GatewayId>(u, t.gateways.keys())?,
            backend: id::<GroupId>(u, t.groups.keys())?,
            cascade: *u.choose(&[Cascade::RemoveBackendRules, Cascade::KeepBackendRules])?,
        },
        22 => Edit::AddPrefixList,
        23 => match pick::<PrefixListId>(u, t.prefix_lists.keys())?
            .and_then(|id| t.prefix_lists.get(&id))
        {
            Some(list) => {
                let mut list = list.clone();
                list.name = name(u)?;
                list.cidrs = (0..u.int_in_range(0..=4)?)
                    .map(|_| net(u, t))
                    .collect::<Result<Vec<_>>>()?;
                Edit::SetPrefixList(list)
            }
            None => Edit::AddPrefixList,
        },
        24 => Edit::DeletePrefixList(id::<PrefixListId>(u, t.prefix_lists.keys())?),
        25 => Edit::AutoLayout,
        _ => Edit::DeleteRule {
            group: id::<GroupId>(u, t.groups.keys())?,
            index: 0,
        },
    })
}
