//! A deterministic topology generator for benchmarks and property tests.
//!
//! [`generate`] builds a [`Topology`] from a `u64` seed and [`GenParams`] with a small internal
//! PRNG (SplitMix64), so the same seed always gives the same topology and the core uses no
//! source of randomness. Two shapes:
//!
//! - **varied** ([`GenParams::small`]): every endpoint picks its own groups; pods of all three
//!   network modes, gateway nodes, external hosts and networks, IPv6 addresses, prefix lists,
//!   legacy priorities, quintuple rules; most rule ports fall in `1..=max_port` so a brute-force
//!   oracle can check every port cheaply, while some rules reach up to 65535.
//! - **roles** ([`GenParams::interactive`], [`GenParams::scale`]): endpoints are instances of
//!   a few hundred roles (web tier, cache, ...), each role a set of 1 to 3 groups and a subnet,
//!   like real deployments; rules reference groups, subnets, the VPC, the internet, office
//!   networks, and a few single hosts.
//!
//! Besides these, the **shape zoo** ([`Shape`], [`GenParams::of_shape`]) draws topologies of
//! the kinds real accounts have and the role shape does not: free combinations of groups (every
//! endpoint its own combination), host-level peers (rules naming single hosts and many /24
//! blocks, so that every endpoint is its own class), prefix-list heavy rules, dual-stack IPv6,
//! and Kubernetes heavy accounts (pods on nodes, Terway trunk ENIs with their own groups).
//! Benchmarks and property tests draw from every shape, so that no figure holds for one
//! friendly generator only.
//!
//! Generated topologies follow the validation rules (ports, priorities, group types, no group
//! references in enterprise groups, ICMP peers of the right family) as far as the engine cares.
//!
//! ```
//! use sglab_core::generate::{generate, GenParams};
//!
//! let a = generate(7, &GenParams::small(6, 4, 12));
//! let b = generate(7, &GenParams::small(6, 4, 12));
//! assert_eq!(a, b);
//! assert_eq!(a.endpoints.len(), 6);
//! ```

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

mod zoo;

use crate::model::{
    Cluster, ClusterId, Direction, Endpoint, EndpointId, EndpointKind, Eni, Gateway, GatewayId,
    GatewayKind, GroupId, GroupType, InnerAccessPolicy, NetworkMode, NicType, Peer, Policy,
    PortRange, PortSpec, PrefixList, PrefixListId, Priority, Protocol, Rule, Rules, SecurityGroup,
    Service, Topology, Vpc, VpcId,
};

/// The size and shape of a generated topology.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenParams {
    /// VPCs (at least 1, at most 200).
    pub vpcs: usize,
    /// Security groups.
    pub groups: usize,
    /// Endpoints.
    pub endpoints: usize,
    /// Rules over all groups.
    pub rules: usize,
    /// Most TCP/UDP rule ports fall in `1..=max_port` (varied shape only).
    pub max_port: u16,
    /// The number of roles endpoints are instances of (role shape only).
    pub roles: usize,
    /// The kind of topology.
    pub shape: Shape,
}

/// The kinds of topology [`generate`] draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Shape {
    /// Every feature of the model on a few endpoints: pods of all three network modes, gateway
    /// nodes, external endpoints, IPv6, prefix lists, quintuple rules; ports mostly small.
    Varied,
    /// Endpoints are instances of a few hundred roles, each a set of 1 to 3 groups and a /24.
    Roles,
    /// Every instance combines 1 to 3 groups of its VPC freely; rules name the VPC, /16 and /24
    /// blocks, the internet and up to 20 other groups per group.
    FreeCombos,
    /// Rules name single hosts (/32) and many /24 blocks, so that nearly every endpoint is its
    /// own class.
    HostPeers,
    /// Most rules name prefix lists of 3 to 30 entries (vswitch /24s, hosts, offices).
    PrefixLists,
    /// Every instance has an IPv4 and an IPv6 address; half the address rules are IPv6 (with
    /// ICMPv6), the other half IPv4.
    DualStack,
    /// Kubernetes clusters: nodes in node groups, Terway-trunk pods with ENIs and groups of
    /// their own, Flannel pods in a pod CIDR, rules naming pod CIDRs and node subnets.
    Kubernetes,
}

impl Shape {
    /// The shapes drawn at account scale (every shape but the small varied one).
    pub const ZOO: [Shape; 6] = [
        Shape::Roles,
        Shape::FreeCombos,
        Shape::HostPeers,
        Shape::PrefixLists,
        Shape::DualStack,
        Shape::Kubernetes,
    ];

    /// Every shape.
    pub const ALL: [Shape; 7] = [
        Shape::Varied,
        Shape::Roles,
        Shape::FreeCombos,
        Shape::HostPeers,
        Shape::PrefixLists,
        Shape::DualStack,
        Shape::Kubernetes,
    ];

    /// The shape's name, as the benchmarks and the documentation print it.
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Varied => "varied",
            Shape::Roles => "roles",
            Shape::FreeCombos => "free-combos",
            Shape::HostPeers => "host-peers",
            Shape::PrefixLists => "prefix-lists",
            Shape::DualStack => "dual-stack",
            Shape::Kubernetes => "kubernetes",
        }
    }

    /// The shape of a name given by [`Shape::as_str`].
    pub fn parse(name: &str) -> Option<Shape> {
        Shape::ALL.into_iter().find(|shape| shape.as_str() == name)
    }
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl GenParams {
    /// A small varied topology for property tests: 2 VPCs, ports mostly in `1..=64`.
    pub fn small(endpoints: usize, groups: usize, rules: usize) -> GenParams {
        GenParams {
            vpcs: 2,
            groups,
            endpoints,
            rules,
            max_port: 64,
            roles: 0,
            shape: Shape::Varied,
        }
    }

    /// The interactive target: 500 endpoints, 50 groups, 10,000 rules.
    pub fn interactive() -> GenParams {
        GenParams {
            vpcs: 2,
            groups: 50,
            endpoints: 500,
            rules: 10_000,
            max_port: 65535,
            roles: 40,
            shape: Shape::Roles,
        }
    }

    /// The scale target: 5,000 endpoints, 500 groups, 50,000 rules.
    pub fn scale() -> GenParams {
        GenParams {
            vpcs: 2,
            groups: 500,
            endpoints: 5_000,
            rules: 50_000,
            max_port: 65535,
            roles: 250,
            shape: Shape::Roles,
        }
    }

    /// A topology of the given shape and size: `endpoints` endpoints, `groups` groups and
    /// `rules` rules in 2 VPCs (the role shape has one role per two groups).
    pub fn of_shape(shape: Shape, endpoints: usize, groups: usize, rules: usize) -> GenParams {
        GenParams {
            vpcs: 2,
            groups,
            endpoints,
            rules,
            max_port: if shape == Shape::Varied { 64 } else { 65535 },
            roles: if shape == Shape::Roles {
                (groups / 2).max(1)
            } else {
                0
            },
            shape,
        }
    }
}

/// Puts ENIs in several groups: the ENI of the endpoint at `index` (in id order) goes into the
/// first `width(index)` groups of its first group's VPC and type, when there are that many
/// (else it keeps its groups); how many ENIs were moved. Topologies with ENIs in four and five
/// groups (the most an ENI takes) reach the matrix's memo of side answers by list.
pub fn widen_enis(topology: &mut Topology, width: impl Fn(usize) -> usize) -> usize {
    let groups = topology.groups.clone();
    let mut moved = 0;
    for (index, endpoint) in topology.endpoints.values_mut().enumerate() {
        let width = width(index);
        for eni in &mut endpoint.enis {
            let Some(first) = eni.groups.first().and_then(|id| groups.get(id)) else {
                continue;
            };
            let alike: Vec<GroupId> = groups
                .values()
                .filter(|group| group.vpc == first.vpc && group.group_type == first.group_type)
                .map(|group| group.id.clone())
                .take(width)
                .collect();
            if width > 0 && alike.len() == width {
                eni.groups = alike;
                moved += 1;
            }
        }
    }
    moved
}

/// Builds a topology from a seed. The same seed and parameters give the same topology.
pub fn generate(seed: u64, params: &GenParams) -> Topology {
    let mut generator = Generator {
        rng: Rng(seed ^ 0x5DEE_CE66_D1CE_5EED),
        params: params.clone(),
        topology: Topology {
            name: format!("generated {seed}"),
            ..Topology::default()
        },
        groups: Vec::new(),
        hosts: Vec::new(),
        zoo: zoo::Zoo::default(),
    };
    generator.vpcs();
    generator.groups();
    match params.shape {
        Shape::Varied => generator.varied_endpoints(),
        Shape::Roles if params.roles > 0 => generator.role_endpoints(),
        Shape::Roles => generator.varied_endpoints(),
        shape => generator.zoo_endpoints(shape),
    }
    generator.rules();
    generator.topology
}

/// SplitMix64: tiny, fast, and good enough to spread test cases; public so that benchmarks
/// and tools draw their changes of a generated topology the same deterministic way.
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with the given chance in percent.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// One of `items`, none when it is empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.below(items.len()))
        }
    }
}

/// What the generator remembers about a group while it builds.
struct GroupInfo {
    id: GroupId,
    vpc: usize,
    group_type: GroupType,
}

struct Generator {
    rng: Rng,
    params: GenParams,
    topology: Topology,
    groups: Vec<GroupInfo>,
    /// Addresses of endpoints, for host rules.
    hosts: Vec<IpAddr>,
    /// What the shapes of the zoo remember while they build.
    zoo: zoo::Zoo,
}

/// Ports that services use, for the rules of the role shape and the zoo.
const PORTS: [(u16, u16); 16] = [
    (22, 22),
    (80, 80),
    (443, 443),
    (3306, 3306),
    (5432, 5432),
    (6379, 6379),
    (8080, 8080),
    (8443, 8443),
    (9000, 9000),
    (9090, 9100),
    (27017, 27017),
    (30000, 32767),
    (8000, 9000),
    (1, 65535),
    (1024, 65535),
    (53, 53),
];

fn net4(a: u8, b: u8, c: u8, d: u8, len: u8) -> IpNet {
    Ipv4Net::new(Ipv4Addr::new(a, b, c, d), len)
        .map(|net| IpNet::V4(net.trunc()))
        .unwrap_or_default()
}

fn net6(address: Ipv6Addr, len: u8) -> IpNet {
    Ipv6Net::new(address, len)
        .map(|net| IpNet::V6(net.trunc()))
        .unwrap_or_default()
}

fn vpc_v6(vpc: usize, host: u16) -> Ipv6Addr {
    Ipv6Addr::new(0xfd00, vpc as u16, 0, 0, 0, 0, 0, host)
}

fn priority(value: u32) -> Priority {
    Priority::new(value).unwrap_or(Priority::HIGHEST)
}

fn range(start: u16, end: u16) -> PortRange {
    PortRange::new(start.max(1), end.max(start.max(1))).unwrap_or(PortRange::ALL)
}

impl Generator {
    fn vpc_id(vpc: usize) -> VpcId {
        VpcId(format!("vpc-{vpc}"))
    }

    fn vpcs(&mut self) {
        let count = self.params.vpcs.clamp(1, 200);
        self.params.vpcs = count;
        for vpc in 0..count {
            let id = Generator::vpc_id(vpc);
            self.topology.vpcs.insert(
                id.clone(),
                Vpc {
                    id,
                    name: format!("vpc {vpc}"),
                    cidr: Some(net4(10, vpc as u8, 0, 0, 16)),
                },
            );
        }
    }

    fn groups(&mut self) {
        let width = self.params.groups.to_string().len();
        for index in 0..self.params.groups {
            // The first group of each VPC is basic so that every VPC has one.
            let vpc = index % self.params.vpcs;
            let group_type = if index < self.params.vpcs || self.rng.chance(75) {
                GroupType::Basic
            } else {
                GroupType::Enterprise
            };
            let id = GroupId(format!("sg-{index:0width$}"));
            let accept_percent = if self.params.shape == Shape::Varied {
                50
            } else {
                70
            };
            let inner_access_policy = if self.rng.chance(accept_percent) {
                InnerAccessPolicy::Accept
            } else {
                InnerAccessPolicy::Drop
            };
            self.topology.groups.insert(
                id.clone(),
                SecurityGroup {
                    id: id.clone(),
                    name: format!("group {index}"),
                    description: String::new(),
                    tags: BTreeMap::new(),
                    vpc: Generator::vpc_id(vpc),
                    group_type,
                    inner_access_policy,
                    managed_by: None,
                    rules: Rules::default(),
                },
            );
            self.groups.push(GroupInfo {
                id,
                vpc,
                group_type,
            });
        }
    }

    /// 1 to `most` distinct groups of one VPC and one type.
    fn pick_groups(&mut self, vpc: usize, most: usize) -> Vec<GroupId> {
        let group_type = if self.rng.chance(75) {
            GroupType::Basic
        } else {
            GroupType::Enterprise
        };
        let mut candidates: Vec<&GroupInfo> = self
            .groups
            .iter()
            .filter(|group| group.vpc == vpc && group.group_type == group_type)
            .collect();
        if candidates.is_empty() {
            candidates = self
                .groups
                .iter()
                .filter(|group| group.vpc == vpc)
                .collect();
        }
        let count = 1 + self.rng.below(most);
        let mut picked: Vec<GroupId> = Vec::new();
        for _ in 0..count {
            if let Some(group) = self.rng.pick(&candidates) {
                if !picked.contains(&group.id) {
                    picked.push(group.id.clone());
                }
            }
        }
        picked
    }

    fn endpoint_id(&self, prefix: &str, index: usize) -> EndpointId {
        let width = self.params.endpoints.to_string().len();
        EndpointId(format!("{prefix}-{index:0width$}"))
    }

    fn services(&mut self) -> Option<Vec<Service>> {
        if !self.rng.chance(50) {
            return None;
        }
        let mut services = Vec::new();
        for index in 0..1 + self.rng.below(2) {
            let start = 1 + self.rng.below(usize::from(self.params.max_port)) as u16;
            services.push(Service {
                name: format!("svc{index}"),
                protocol: if self.rng.chance(80) {
                    Protocol::Tcp
                } else {
                    Protocol::Udp
                },
                ports: range(start, start.saturating_add(self.rng.below(4) as u16)),
                up: self.rng.chance(70),
            });
        }
        Some(services)
    }

    fn public_ip(&mut self, index: usize) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(
            47,
            96,
            (index / 250) as u8,
            (index % 250) as u8 + 1,
        ))
    }

    fn varied_endpoints(&mut self) {
        // Clusters, one per VPC, and a gateway in VPC 0.
        for vpc in 0..self.params.vpcs {
            let network_mode = match self.rng.below(3) {
                0 => NetworkMode::Flannel,
                1 => NetworkMode::TerwayShared,
                _ => NetworkMode::TerwayTrunk,
            };
            let id = ClusterId(format!("cluster-{vpc}"));
            self.topology.clusters.insert(
                id.clone(),
                Cluster {
                    id,
                    name: format!("cluster {vpc}"),
                    vpc: Generator::vpc_id(vpc),
                    pod_cidr: Some(net4(172, 16 + vpc as u8, 0, 0, 16)),
                    network_mode,
                },
            );
        }
        let managed = self
            .groups
            .iter()
            .find(|group| group.vpc == 0 && group.group_type == GroupType::Basic)
            .map(|group| group.id.clone());
        if let Some(managed) = &managed {
            if let Some(group) = self.topology.groups.get_mut(managed) {
                group.managed_by = Some("AI Gateway".to_owned());
            }
            let id = GatewayId("gw-0".to_owned());
            self.topology.gateways.insert(
                id.clone(),
                Gateway {
                    id,
                    name: "gateway".to_owned(),
                    kind: GatewayKind::AiGateway,
                    vpc: Generator::vpc_id(0),
                    managed_group: managed.clone(),
                    authorizations: Vec::new(),
                },
            );
        }
        for index in 0..2 {
            let id = PrefixListId(format!("pl-{index}"));
            let cidrs = if index == 0 {
                vec![net4(10, 0, 1, 0, 24), net4(203, 0, 113, 0, 24)]
            } else {
                vec![net4(172, 16, 0, 0, 12), net6(vpc_v6(0, 0), 64)]
            };
            self.topology.prefix_lists.insert(
                id.clone(),
                PrefixList {
                    id,
                    name: format!("list {index}"),
                    cidrs,
                },
            );
        }
        let mut nodes: Vec<(EndpointId, usize)> = Vec::new();
        for index in 0..self.params.endpoints {
            let vpc = self.rng.below(self.params.vpcs);
            let subnet = self.rng.below(3) as u8;
            let host = (index % 250) as u8 + 2;
            let private = IpAddr::V4(Ipv4Addr::new(10, vpc as u8, subnet, host));
            let roll = self.rng.below(100);
            let node = nodes
                .iter()
                .filter(|(_, node_vpc)| *node_vpc == vpc)
                .count();
            let (prefix, kind) = if roll < 55 || (roll < 75 && node == 0) {
                ("ecs", 0)
            } else if roll < 75 {
                ("pod", 1)
            } else if roll < 84 && managed.is_some() {
                ("gwnode", 2)
            } else {
                ("ext", 3)
            };
            let id = self.endpoint_id(prefix, index);
            let mut endpoint = Endpoint {
                id: id.clone(),
                name: id.0.clone(),
                kind: EndpointKind::Ecs,
                vpc: Some(Generator::vpc_id(vpc)),
                enis: Vec::new(),
                public_ip: None,
                pod_ip: None,
                services: self.services(),
            };
            match kind {
                0 => {
                    let mut private_ips = vec![private];
                    if self.rng.chance(20) {
                        private_ips.push(IpAddr::V6(vpc_v6(vpc, u16::from(host))));
                    }
                    endpoint.enis.push(Eni {
                        id: None,
                        private_ips,
                        groups: self.pick_groups(vpc, 3),
                    });
                    if self.rng.chance(60) {
                        endpoint.public_ip = Some(self.public_ip(index));
                    }
                    nodes.push((id.clone(), vpc));
                }
                1 => {
                    let candidates: Vec<EndpointId> = nodes
                        .iter()
                        .filter(|(_, node_vpc)| *node_vpc == vpc)
                        .map(|(node, _)| node.clone())
                        .collect();
                    let node = self
                        .rng
                        .pick(&candidates)
                        .cloned()
                        .unwrap_or_else(|| id.clone());
                    let cluster = ClusterId(format!("cluster-{vpc}"));
                    let mode = self
                        .topology
                        .clusters
                        .get(&cluster)
                        .map(|cluster| cluster.network_mode)
                        .unwrap_or(NetworkMode::Flannel);
                    endpoint.kind = EndpointKind::Pod { cluster, node };
                    match mode {
                        NetworkMode::Flannel => {
                            endpoint.pod_ip =
                                Some(IpAddr::V4(Ipv4Addr::new(172, 16 + vpc as u8, 0, host)));
                        }
                        NetworkMode::TerwayShared => endpoint.pod_ip = Some(private),
                        NetworkMode::TerwayTrunk => endpoint.enis.push(Eni {
                            id: None,
                            private_ips: vec![private],
                            groups: self.pick_groups(vpc, 2),
                        }),
                    }
                }
                2 => {
                    endpoint.kind = EndpointKind::GatewayNode {
                        gateway: GatewayId("gw-0".to_owned()),
                    };
                    endpoint.vpc = Some(Generator::vpc_id(0));
                    let private = IpAddr::V4(Ipv4Addr::new(10, 0, 9, host));
                    endpoint.enis.push(Eni {
                        id: None,
                        private_ips: vec![private],
                        groups: managed.iter().cloned().collect(),
                    });
                    self.hosts.push(private);
                }
                _ => {
                    let cidr = match self.rng.below(6) {
                        0 => net4(203, 0, 113, 0, 24),
                        1 => net4(198, 51, 100, 0, 25),
                        2 => net6(
                            Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, host.into()),
                            128,
                        ),
                        _ => net4(198, 51, 100, host, 32),
                    };
                    endpoint.kind = EndpointKind::External { cidr };
                    endpoint.vpc = None;
                    endpoint.services = None;
                    self.hosts.push(cidr.addr());
                }
            }
            if kind < 2 {
                self.hosts.push(private);
            }
            if let Some(public) = endpoint.public_ip {
                self.hosts.push(public);
            }
            self.topology.endpoints.insert(id, endpoint);
        }
    }

    fn role_endpoints(&mut self) {
        struct Role {
            vpc: usize,
            groups: Vec<GroupId>,
        }
        let mut roles = Vec::new();
        for index in 0..self.params.roles {
            let vpc = index % self.params.vpcs;
            let groups = self.pick_groups(vpc, 3);
            roles.push(Role { vpc, groups });
        }
        for index in 0..self.params.endpoints {
            if self.rng.chance(2) {
                let id = self.endpoint_id("ext", index);
                let cidr = if self.rng.chance(50) {
                    net4(203, 0, 113, (index % 256) as u8, 32)
                } else {
                    net4(198, 51, (index % 200) as u8, 0, 24)
                };
                self.hosts.push(cidr.addr());
                self.topology.endpoints.insert(
                    id.clone(),
                    Endpoint {
                        name: id.0.clone(),
                        id,
                        kind: EndpointKind::External { cidr },
                        vpc: None,
                        enis: Vec::new(),
                        public_ip: None,
                        pod_ip: None,
                        services: None,
                    },
                );
                continue;
            }
            let role_index = self.rng.below(roles.len());
            let Some(role) = roles.get(role_index) else {
                continue;
            };
            let subnet = (role_index / self.params.vpcs % 250) as u8;
            let host = index / roles.len().max(1);
            let private = IpAddr::V4(Ipv4Addr::new(
                10,
                role.vpc as u8,
                subnet,
                (host % 250) as u8 + 2,
            ));
            let id = self.endpoint_id("ecs", index);
            let public_ip = self.rng.chance(10).then(|| self.public_ip(index));
            self.hosts.push(private);
            self.topology.endpoints.insert(
                id.clone(),
                Endpoint {
                    name: id.0.clone(),
                    id,
                    kind: EndpointKind::Ecs,
                    vpc: Some(Generator::vpc_id(role.vpc)),
                    enis: vec![Eni {
                        id: None,
                        private_ips: vec![private],
                        groups: role.groups.clone(),
                    }],
                    public_ip,
                    pod_ip: None,
                    services: None,
                },
            );
        }
    }

    fn rules(&mut self) {
        if self.groups.is_empty() {
            return;
        }
        for _ in 0..self.params.rules {
            let group_index = self.rng.below(self.groups.len());
            let rule = match self.params.shape {
                Shape::Roles if self.params.roles > 0 => self.role_rule(group_index),
                Shape::Varied | Shape::Roles => self.varied_rule(group_index),
                shape => self.zoo_rule(group_index, shape),
            };
            let Some(info) = self.groups.get(group_index) else {
                continue;
            };
            if let Some(group) = self.topology.groups.get_mut(&info.id) {
                group.rules.push(rule);
            }
        }
    }

    /// A group peer: another basic group of the same VPC, when the group is basic.
    fn group_peer(&mut self, group_index: usize) -> Option<Peer> {
        let info = self.groups.get(group_index)?;
        if info.group_type != GroupType::Basic {
            return None;
        }
        let candidates: Vec<GroupId> = self
            .groups
            .iter()
            .filter(|other| {
                other.vpc == info.vpc && other.group_type == GroupType::Basic && other.id != info.id
            })
            .map(|other| other.id.clone())
            .collect();
        let id = self.rng.pick(&candidates)?.clone();
        Some(Peer::Group {
            id,
            owner_account: None,
        })
    }

    fn varied_rule(&mut self, group_index: usize) -> Rule {
        let vpc = self.groups.get(group_index).map_or(0, |group| group.vpc) as u8;
        let protocol = match self.rng.below(20) {
            0..=8 => Protocol::Tcp,
            9..=11 => Protocol::Udp,
            12..=13 => Protocol::Icmp,
            14..=15 => Protocol::All,
            16 => Protocol::Icmpv6,
            17 => Protocol::Gre,
            _ => Protocol::Tcp,
        };
        let ports = if protocol.has_ports() {
            let max = self.params.max_port.max(1);
            PortSpec::Range(match self.rng.below(10) {
                0 => PortRange::ALL,
                1 => {
                    let start = 1 + self.rng.below(usize::from(max)) as u16;
                    range(start, 65535)
                }
                2 => {
                    let start = 60000 + self.rng.below(5000) as u16;
                    range(start, start + self.rng.below(500) as u16)
                }
                _ => {
                    let start = 1 + self.rng.below(usize::from(max)) as u16;
                    let width = self.rng.below(12) as u16;
                    range(start, start.saturating_add(width).min(max))
                }
            })
        } else {
            PortSpec::All
        };
        let peer = match self.rng.below(20) {
            0..=5 => self.group_peer(group_index),
            6..=7 => Some(Peer::PrefixList(PrefixListId(format!(
                "pl-{}",
                self.rng.below(2)
            )))),
            _ => None,
        };
        let peer = match peer {
            Some(peer) => peer,
            None => Peer::Cidr(match self.rng.below(12) {
                0 => net4(0, 0, 0, 0, 0),
                1 => net4(10, vpc, 0, 0, 16),
                2 => net4(10, vpc, self.rng.below(3) as u8, 0, 24),
                3 => net4(172, 16, 0, 0, 12),
                4 => net4(203, 0, 113, 0, 24),
                5 => net4(198, 51, 100, 0, 24),
                6 => net4(47, 96, 0, 0, 16),
                7 => net6(Ipv6Addr::UNSPECIFIED, 0),
                8 => net6(vpc_v6(usize::from(vpc), 0), 64),
                _ => match self.rng.pick(&self.hosts) {
                    Some(host) => IpNet::from(*host),
                    None => net4(0, 0, 0, 0, 0),
                },
            }),
        };
        // Keep ICMP with IPv4 peers and ICMPv6 with IPv6 peers, as validation demands.
        let peer = match (&peer, protocol) {
            (Peer::Cidr(block), Protocol::Icmp) if block.addr().is_ipv6() => {
                Peer::Cidr(net4(0, 0, 0, 0, 0))
            }
            (Peer::Cidr(block), Protocol::Icmpv6) if block.addr().is_ipv4() => {
                Peer::Cidr(net6(Ipv6Addr::UNSPECIFIED, 0))
            }
            (Peer::Group { .. } | Peer::PrefixList(_), Protocol::Icmpv6) => {
                Peer::Cidr(net6(Ipv6Addr::UNSPECIFIED, 0))
            }
            _ => peer,
        };
        let priority = match self.rng.below(20) {
            0 => Priority::LEGACY,
            1 => priority(100),
            value => priority(1 + (value as u32 % 4)),
        };
        let (source_ports, local_cidr) = if self.rng.chance(8) {
            (
                self.rng.chance(50).then(|| {
                    if self.rng.chance(50) {
                        PortRange::ALL
                    } else {
                        range(1024, 65535)
                    }
                }),
                self.rng
                    .chance(50)
                    .then(|| net4(10, vpc, self.rng.below(3) as u8, 0, 24)),
            )
        } else {
            (None, None)
        };
        Rule {
            id: None,
            direction: if self.rng.chance(50) {
                Direction::Ingress
            } else {
                Direction::Egress
            },
            policy: if self.rng.chance(65) {
                Policy::Accept
            } else {
                Policy::Drop
            },
            priority,
            protocol,
            ports,
            peer,
            source_ports,
            local_cidr,
            nic_type: NicType::Intranet,
            description: String::new(),
        }
    }

    fn role_rule(&mut self, group_index: usize) -> Rule {
        let vpc = self.groups.get(group_index).map_or(0, |group| group.vpc) as u8;
        let protocol = match self.rng.below(20) {
            0..=14 => Protocol::Tcp,
            15..=16 => Protocol::Udp,
            17..=18 => Protocol::Icmp,
            _ => Protocol::All,
        };
        let ports = if protocol.has_ports() {
            let (start, end) = PORTS[self.rng.below(PORTS.len())];
            PortSpec::Range(range(start, end))
        } else {
            PortSpec::All
        };
        let peer = if self.rng.chance(40) {
            self.group_peer(group_index)
        } else {
            None
        };
        let roles_per_vpc = (self.params.roles / self.params.vpcs).clamp(1, 250);
        let peer = match peer {
            Some(peer) => peer,
            None => Peer::Cidr(match self.rng.below(1000) {
                0..=99 => net4(0, 0, 0, 0, 0),
                100..=249 => net4(10, vpc, 0, 0, 16),
                250..=649 => net4(10, vpc, self.rng.below(roles_per_vpc) as u8, 0, 24),
                650..=849 => net4(203, 0, 113, 0, 24),
                850..=989 => net4(198, 51, self.rng.below(200) as u8, 0, 24),
                _ => match self.rng.pick(&self.hosts) {
                    Some(host) => IpNet::from(*host),
                    None => net4(0, 0, 0, 0, 0),
                },
            }),
        };
        self.plain_rule(protocol, ports, peer)
    }

    /// A rule as real groups have them: 60% ingress, 80% accept, priority 1 to 100, no
    /// quintuple fields.
    fn plain_rule(&mut self, protocol: Protocol, ports: PortSpec, peer: Peer) -> Rule {
        Rule {
            id: None,
            direction: if self.rng.chance(60) {
                Direction::Ingress
            } else {
                Direction::Egress
            },
            policy: if self.rng.chance(80) {
                Policy::Accept
            } else {
                Policy::Drop
            },
            priority: priority(1 + self.rng.below(100) as u32),
            protocol,
            ports,
            peer,
            source_ports: None,
            local_cidr: None,
            nic_type: NicType::Intranet,
            description: String::new(),
        }
    }
}
