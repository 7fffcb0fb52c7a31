//! Writing a topology back as the sglab format: the raw form with explicit values, defaults
//! left out where the format documents them.

use crate::format::{
    RawAuthorization, RawCluster, RawEndpoint, RawEni, RawExpectation, RawFile, RawGateway,
    RawGroup, RawPosition, RawPrefixList, RawRule, RawService, RawVpc, Scalar, FORMAT_VERSION,
};
use crate::model::{EndpointKind, GroupType, InnerAccessPolicy, NicType, Peer, Topology};

/// Writes a topology as a pretty, deterministic sglab file ending in a newline.
///
/// `parse_sglab(&to_sglab_json(t), None)` gives back `t` for every valid topology.
pub fn to_sglab_json(topology: &Topology) -> String {
    let raw = raw_from_topology(topology);
    // Serializing these types cannot fail: every map key is a string and every value is
    // plain data (a non-finite layout coordinate is written as null by serde_json).
    let mut text = serde_json::to_string_pretty(&raw).unwrap_or_default();
    text.push('\n');
    text
}

/// The raw form of a topology, as [`to_sglab_json`] writes it: explicit values everywhere,
/// defaults left out where the format documents them, a single ENI without id written with
/// the `private_ip`/`groups` shorthand.
pub fn raw_from_topology(topology: &Topology) -> RawFile {
    RawFile {
        sglab: FORMAT_VERSION,
        name: topology.name.clone(),
        vpcs: topology
            .vpcs
            .values()
            .map(|vpc| RawVpc {
                id: vpc.id.0.clone(),
                name: vpc.name.clone(),
                cidr: vpc.cidr.map(|cidr| cidr.to_string()),
            })
            .collect(),
        security_groups: topology
            .groups
            .values()
            .map(|group| RawGroup {
                id: group.id.0.clone(),
                name: group.name.clone(),
                vpc: Some(group.vpc.0.clone()),
                group_type: Some(group.group_type.as_str().to_owned()),
                inner_access_policy: (group.inner_access_policy
                    != default_inner_access_policy(group.group_type))
                .then(|| group.inner_access_policy.as_str().to_owned()),
                managed_by: group.managed_by.clone(),
                description: group.description.clone(),
                tags: group.tags.clone(),
                rules: group.rules.iter().map(raw_rule).collect(),
            })
            .collect(),
        endpoints: topology.endpoints.values().map(raw_endpoint).collect(),
        clusters: topology
            .clusters
            .values()
            .map(|cluster| RawCluster {
                id: cluster.id.0.clone(),
                name: cluster.name.clone(),
                vpc: Some(cluster.vpc.0.clone()),
                pod_cidr: cluster.pod_cidr.map(|cidr| cidr.to_string()),
                network_mode: cluster.network_mode.as_str().to_owned(),
            })
            .collect(),
        gateways: topology
            .gateways
            .values()
            .map(|gateway| RawGateway {
                id: gateway.id.0.clone(),
                name: gateway.name.clone(),
                kind: gateway.kind.as_str().to_owned(),
                vpc: Some(gateway.vpc.0.clone()),
                managed_group: gateway.managed_group.0.clone(),
                authorizations: gateway
                    .authorizations
                    .iter()
                    .map(|authorization| RawAuthorization {
                        backend_group: authorization.backend_group.0.clone(),
                        port_ranges: authorization
                            .port_ranges
                            .iter()
                            .map(|range| Scalar::Text(range.to_string()))
                            .collect(),
                        description: authorization.description.clone(),
                    })
                    .collect(),
            })
            .collect(),
        prefix_lists: topology
            .prefix_lists
            .values()
            .map(|list| RawPrefixList {
                id: list.id.0.clone(),
                name: list.name.clone(),
                cidrs: list.cidrs.iter().map(ToString::to_string).collect(),
            })
            .collect(),
        expectations: topology
            .expectations
            .iter()
            .map(|expectation| RawExpectation {
                from: expectation.from.clone(),
                to: expectation.to.clone(),
                protocol: expectation.protocol.as_str().to_owned(),
                port: expectation.port.map(|port| Scalar::from(u64::from(port))),
                verdict: expectation.verdict.as_str().to_owned(),
            })
            .collect(),
        layout: crate::sort::map_of(topology.layout.iter().map(|(id, position)| {
            (
                id.clone(),
                RawPosition {
                    x: position.x,
                    y: position.y,
                },
            )
        })),
        corpus: None,
    }
}

/// The intra-group policy a group of this type gets when the file names none: `accept` for
/// basic groups (the API default), `drop` for enterprise groups (which never accept intra-group
/// traffic implicitly).
pub fn default_inner_access_policy(group_type: GroupType) -> InnerAccessPolicy {
    match group_type {
        GroupType::Basic => InnerAccessPolicy::Accept,
        GroupType::Enterprise => InnerAccessPolicy::Drop,
    }
}

fn raw_rule(rule: &crate::model::Rule) -> RawRule {
    let mut raw = RawRule {
        id: rule.id.as_ref().map(|id| id.0.clone()),
        direction: rule.direction.as_str().to_owned(),
        policy: Some(rule.policy.as_str().to_owned()),
        priority: Some(Scalar::from(u64::from(rule.priority.get()))),
        protocol: rule.protocol.as_str().to_owned(),
        port_range: Some(Scalar::Text(rule.ports.to_string())),
        source_port_range: rule
            .source_ports
            .map(|range| Scalar::Text(range.to_string())),
        local_cidr: rule.local_cidr.map(|cidr| cidr.to_string()),
        nic_type: (rule.nic_type != NicType::Intranet).then(|| rule.nic_type.as_str().to_owned()),
        description: rule.description.clone(),
        ..RawRule::default()
    };
    match &rule.peer {
        Peer::Cidr(cidr @ ipnet::IpNet::V4(_)) => raw.cidr = Some(cidr.to_string()),
        Peer::Cidr(cidr @ ipnet::IpNet::V6(_)) => raw.ipv6_cidr = Some(cidr.to_string()),
        Peer::Group { id, owner_account } => {
            raw.group = Some(id.0.clone());
            raw.group_owner_account = owner_account.clone();
        }
        Peer::PrefixList(id) => raw.prefix_list = Some(id.0.clone()),
    }
    raw
}

fn raw_endpoint(endpoint: &crate::model::Endpoint) -> RawEndpoint {
    let mut raw = RawEndpoint {
        id: endpoint.id.0.clone(),
        name: endpoint.name.clone(),
        vpc: endpoint.vpc.as_ref().map(|vpc| vpc.0.clone()),
        public_ip: endpoint.public_ip.map(|ip| ip.to_string()),
        pod_ip: endpoint.pod_ip.map(|ip| ip.to_string()),
        services: endpoint.services.as_ref().map(|services| {
            services
                .iter()
                .map(|service| {
                    let (port_range, port) = if !service.protocol.has_ports() {
                        (None, None)
                    } else if service.ports.start() == service.ports.end() {
                        (None, Some(Scalar::from(u64::from(service.ports.start()))))
                    } else {
                        (Some(Scalar::Text(service.ports.to_string())), None)
                    };
                    RawService {
                        name: service.name.clone(),
                        protocol: Some(service.protocol.as_str().to_owned()),
                        port_range,
                        port,
                        up: (!service.up).then_some(false),
                    }
                })
                .collect()
        }),
        ..RawEndpoint::default()
    };
    raw.kind = endpoint.kind.as_str().to_owned();
    match &endpoint.kind {
        EndpointKind::Ecs => {}
        EndpointKind::Pod { cluster, node } => {
            raw.cluster = Some(cluster.0.clone());
            raw.node = Some(node.0.clone());
        }
        EndpointKind::GatewayNode { gateway } => {
            raw.gateway = Some(gateway.0.clone());
        }
        EndpointKind::External { cidr } => {
            raw.cidr = Some(cidr.to_string());
        }
    }
    match endpoint.enis.as_slice() {
        [] => {}
        [eni] if eni.id.is_none() && eni.private_ips.len() <= 1 && !eni.groups.is_empty() => {
            raw.private_ip = eni.private_ips.first().map(ToString::to_string);
            raw.groups = Some(eni.groups.iter().map(|group| group.0.clone()).collect());
        }
        enis => {
            raw.enis = Some(
                enis.iter()
                    .map(|eni| RawEni {
                        id: eni.id.clone(),
                        private_ips: eni.private_ips.iter().map(ToString::to_string).collect(),
                        groups: eni.groups.iter().map(|group| group.0.clone()).collect(),
                    })
                    .collect(),
            )
        }
    }
    raw
}
