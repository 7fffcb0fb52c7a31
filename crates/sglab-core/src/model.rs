//! The validated model of a network: VPCs, security groups and their rules, endpoints.
//!
//! Values of these types are only built by [`crate::validate`] (from the raw file formats)
//! or by the checked constructors below, so the evaluation code can rely on their invariants:
//! a [`PortRange`] is never `200/1`, a [`Priority`] is never 0, every group id an endpoint or a
//! rule names exists in the topology.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as the user wrote it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

typed_id!(
    /// The id of a VPC, for example `vpc-bp1...`.
    VpcId
);
typed_id!(
    /// The id of a security group, for example `sg-bp1...`.
    GroupId
);
typed_id!(
    /// The id of an endpoint: an ECS instance id, a pod name, a gateway node, an external host.
    EndpointId
);
typed_id!(
    /// The id of a rule as the cloud assigned it (`sgr-...`), when known.
    RuleId
);
typed_id!(
    /// The id of a Kubernetes cluster.
    ClusterId
);
typed_id!(
    /// The id of a gateway (AI gateway or MSE cloud-native gateway).
    GatewayId
);
typed_id!(
    /// The id of a prefix list (`pl-...`).
    PrefixListId
);

/// The most characters a description (of a rule, a group, an authorization) may hold.
pub const MAX_DESCRIPTION_CHARS: usize = 512;
/// A whole network as sglab simulates it.
///
/// Collections are `BTreeMap`s keyed by id so that every output derived from a topology is
/// deterministic.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Topology {
    /// A short title shown in the app and in reports.
    pub name: String,
    /// VPCs by id.
    pub vpcs: BTreeMap<VpcId, Vpc>,
    /// Security groups by id.
    pub groups: BTreeMap<GroupId, SecurityGroup>,
    /// Endpoints by id: ECS nodes, pods, gateway nodes, external hosts and networks.
    pub endpoints: BTreeMap<EndpointId, Endpoint>,
    /// Kubernetes clusters by id.
    pub clusters: BTreeMap<ClusterId, Cluster>,
    /// Gateways by id.
    pub gateways: BTreeMap<GatewayId, Gateway>,
    /// Prefix lists by id.
    pub prefix_lists: BTreeMap<PrefixListId, PrefixList>,
    /// Expectations checked by `sglab check` and shown in the app.
    pub expectations: Vec<Expectation>,
    /// Diagram positions by object id (endpoint or group); absent objects are auto-laid out.
    pub layout: BTreeMap<String, Position>,
}

impl Topology {
    /// Whether some endpoint has an IPv6 address: on an ENI, public, of a pod, or as its block
    /// (an external endpoint). Every address a party of an evaluation uses is one of these, its
    /// own or its node's (`eval::route`).
    pub fn has_ipv6(&self) -> bool {
        self.endpoints.values().any(Endpoint::has_ipv6)
    }
}

/// A point of the diagram, in diagram units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// Horizontal coordinate.
    pub x: f64,
    /// Vertical coordinate.
    pub y: f64,
}

/// A virtual private cloud.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vpc {
    /// The VPC id.
    pub id: VpcId,
    /// A human name.
    pub name: String,
    /// The VPC's IPv4 CIDR block, when known.
    pub cidr: Option<IpNet>,
}

/// The type of a security group (`SecurityGroupType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupType {
    /// A basic group (`normal` in the API): egress allowed by default, intra-group policy.
    Basic,
    /// An enterprise (advanced) group: egress denied by default, no intra-group access, no
    /// group references.
    Enterprise,
}

impl GroupType {
    /// The word of the sglab format (`basic`, `enterprise`).
    pub fn as_str(self) -> &'static str {
        match self {
            GroupType::Basic => "basic",
            GroupType::Enterprise => "enterprise",
        }
    }

    /// Parses the word of [`GroupType::as_str`], case-insensitively.
    pub fn parse(text: &str) -> Option<GroupType> {
        match text.trim().to_ascii_lowercase().as_str() {
            "basic" => Some(GroupType::Basic),
            "enterprise" => Some(GroupType::Enterprise),
            _ => None,
        }
    }
}

impl fmt::Display for GroupType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `InnerAccessPolicy` of a basic group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InnerAccessPolicy {
    /// ENIs in the group reach each other over private addresses whatever the rules say.
    Accept,
    /// ENIs in the group are isolated unless a rule allows the traffic.
    Drop,
}

impl InnerAccessPolicy {
    /// The lower-case word of files and of the API (`accept`, `drop`).
    pub fn as_str(self) -> &'static str {
        match self {
            InnerAccessPolicy::Accept => "accept",
            InnerAccessPolicy::Drop => "drop",
        }
    }

    /// Parses the word of [`InnerAccessPolicy::as_str`], case-insensitively.
    pub fn parse(text: &str) -> Option<InnerAccessPolicy> {
        match text.trim().to_ascii_lowercase().as_str() {
            "accept" => Some(InnerAccessPolicy::Accept),
            "drop" => Some(InnerAccessPolicy::Drop),
            _ => None,
        }
    }
}

impl fmt::Display for InnerAccessPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A security group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecurityGroup {
    /// The group id.
    pub id: GroupId,
    /// The group name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Tags as key-value pairs.
    pub tags: BTreeMap<String, String>,
    /// The VPC the group belongs to.
    pub vpc: VpcId,
    /// Basic or enterprise.
    pub group_type: GroupType,
    /// Intra-group policy; only meaningful for basic groups (enterprise groups never accept
    /// intra-group traffic implicitly).
    pub inner_access_policy: InnerAccessPolicy,
    /// The cloud product managing this group (for example `AI Gateway`), which makes the group
    /// read-only to the user.
    pub managed_by: Option<String>,
    /// Rules in the order they were written; both directions in one list.
    pub rules: Rules,
}

/// The rules of a group, in the order they were written: a list that the copies of a
/// topology share until one of them changes it (copy on write), so that a copy of a topology
/// with thousands of rules (an undo step, each side of a diff) costs the copy of its groups'
/// other fields. It reads as a `Vec<Rule>`; a mutable borrow makes the list its own first.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rules(std::sync::Arc<Vec<Rule>>);

impl Rules {
    /// The list, made this group's own if another copy shares it.
    pub fn make_mut(&mut self) -> &mut Vec<Rule> {
        std::sync::Arc::make_mut(&mut self.0)
    }

    /// The rules as a `Vec`, copied only when another copy shares them.
    pub fn into_vec(self) -> Vec<Rule> {
        std::sync::Arc::unwrap_or_clone(self.0)
    }
}

impl PartialEq for Rules {
    fn eq(&self, other: &Rules) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl std::ops::Deref for Rules {
    type Target = Vec<Rule>;

    fn deref(&self) -> &Vec<Rule> {
        &self.0
    }
}

impl std::ops::DerefMut for Rules {
    fn deref_mut(&mut self) -> &mut Vec<Rule> {
        self.make_mut()
    }
}

impl From<Vec<Rule>> for Rules {
    fn from(rules: Vec<Rule>) -> Rules {
        Rules(std::sync::Arc::new(rules))
    }
}

impl FromIterator<Rule> for Rules {
    fn from_iter<I: IntoIterator<Item = Rule>>(rules: I) -> Rules {
        Rules::from(rules.into_iter().collect::<Vec<Rule>>())
    }
}

impl<'a> IntoIterator for &'a Rules {
    type Item = &'a Rule;
    type IntoIter = std::slice::Iter<'a, Rule>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl IntoIterator for Rules {
    type Item = Rule;
    type IntoIter = std::vec::IntoIter<Rule>;

    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

/// The direction of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Inbound traffic, matched on its source.
    Ingress,
    /// Outbound traffic, matched on its destination.
    Egress,
}

impl Direction {
    /// The lower-case word of files and of the API (`ingress`, `egress`).
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }

    /// Parses the word of [`Direction::as_str`], case-insensitively.
    pub fn parse(text: &str) -> Option<Direction> {
        match text.trim().to_ascii_lowercase().as_str() {
            "ingress" => Some(Direction::Ingress),
            "egress" => Some(Direction::Egress),
            _ => None,
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule does with the traffic it matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// Allow the traffic.
    Accept,
    /// Drop the traffic silently.
    Drop,
}

impl Policy {
    /// The lower-case word of files and of the API (`accept`, `drop`).
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Accept => "accept",
            Policy::Drop => "drop",
        }
    }

    /// Parses the word of [`Policy::as_str`], case-insensitively.
    pub fn parse(text: &str) -> Option<Policy> {
        match text.trim().to_ascii_lowercase().as_str() {
            "accept" => Some(Policy::Accept),
            "drop" => Some(Policy::Drop),
            _ => None,
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The priority of a rule: 1 (highest) to 100, or the legacy console value 110, which is
/// ordered after 100.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Priority(u8);

impl Priority {
    /// The highest priority, 1, which is also the API default.
    pub const HIGHEST: Priority = Priority(1);
    /// The legacy priority 110 that old console rules carry.
    pub const LEGACY: Priority = Priority(110);

    /// A priority from 1 to 100, or the legacy 110.
    pub fn new(value: u32) -> Result<Priority, crate::Error> {
        match value {
            1..=100 | 110 => Ok(Priority(value as u8)),
            _ => Err(crate::Error::PriorityOutOfRange(value)),
        }
    }

    /// The number, 1..=100 or 110.
    pub fn get(self) -> u8 {
        self.0
    }

    /// Whether this is the legacy value 110.
    pub fn is_legacy(self) -> bool {
        self.0 == 110
    }
}

impl TryFrom<u32> for Priority {
    type Error = crate::Error;
    fn try_from(value: u32) -> Result<Self, Self::Error> {
        Priority::new(value)
    }
}

impl From<Priority> for u32 {
    fn from(value: Priority) -> u32 {
        u32::from(value.0)
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The IP protocol of a rule or of a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// TCP, with ports.
    Tcp,
    /// UDP, with ports.
    Udp,
    /// ICMP (IPv4 only), no ports.
    Icmp,
    /// ICMPv6 (IPv6 only), no ports.
    Icmpv6,
    /// GRE, no ports.
    Gre,
    /// Every protocol (`ALL`); as a rule protocol it matches any query protocol.
    All,
}

impl Protocol {
    /// Whether the protocol carries ports (TCP and UDP).
    pub fn has_ports(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }

    /// The lower-case name used in files and in the API (`tcp`, `all`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
            Protocol::Icmpv6 => "icmpv6",
            Protocol::Gre => "gre",
            Protocol::All => "all",
        }
    }

    /// Parses a protocol name, case-insensitively.
    pub fn parse(text: &str) -> Option<Protocol> {
        match text.trim().to_ascii_lowercase().as_str() {
            "tcp" => Some(Protocol::Tcp),
            "udp" => Some(Protocol::Udp),
            "icmp" => Some(Protocol::Icmp),
            "icmpv6" => Some(Protocol::Icmpv6),
            "gre" => Some(Protocol::Gre),
            "all" | "-1" => Some(Protocol::All),
            _ => None,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An inclusive range of ports, `start/end` with `1 <= start <= end <= 65535`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PortRange {
    start: u16,
    end: u16,
}

impl PortRange {
    /// Every port, `1/65535`.
    pub const ALL: PortRange = PortRange {
        start: 1,
        end: 65535,
    };

    /// A range; fails on `200/1` and on port 0.
    pub fn new(start: u16, end: u16) -> Result<PortRange, crate::Error> {
        if start == 0 || end == 0 {
            return Err(crate::Error::PortZero);
        }
        if start > end {
            return Err(crate::Error::ReversedPortRange { start, end });
        }
        Ok(PortRange { start, end })
    }

    /// A single port.
    pub fn single(port: u16) -> Result<PortRange, crate::Error> {
        PortRange::new(port, port)
    }

    /// The first port.
    pub fn start(self) -> u16 {
        self.start
    }

    /// The last port (inclusive).
    pub fn end(self) -> u16 {
        self.end
    }

    /// Whether the range holds `port`.
    pub fn contains(self, port: u16) -> bool {
        self.start <= port && port <= self.end
    }
}

impl fmt::Display for PortRange {
    /// The vendor's `start/end` form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.start, self.end)
    }
}

impl TryFrom<String> for PortRange {
    type Error = crate::Error;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        match PortSpec::parse(&value)? {
            PortSpec::Range(range) => Ok(range),
            PortSpec::All => Ok(PortRange::ALL),
        }
    }
}

impl From<PortRange> for String {
    fn from(value: PortRange) -> String {
        value.to_string()
    }
}

/// The port field of a rule: `-1/-1` (every port, required for ICMP, ICMPv6, GRE and ALL) or a
/// range (required for TCP and UDP).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PortSpec {
    /// `-1/-1`.
    All,
    /// `start/end`.
    Range(PortRange),
}

impl PortSpec {
    /// Parses a port field: `-1/-1`, `start/end`, or a single port such as `8080`, which is
    /// `8080/8080` (what people type; it is shown back as the vendor writes it), with the
    /// vendor's reasons for `200/1`, port 0 and ports above 65535. The crate's one port parser;
    /// the vendor's own formats, which always carry `start/end`, refuse a single port first
    /// ([`PortSpec::refuse_lone_port`]).
    pub fn parse(text: &str) -> Result<PortSpec, crate::Error> {
        use crate::Error;
        let text = text.trim();
        let malformed = || Error::MalformedPortRange(text.to_owned());
        let (start, end) = match text.split_once('/') {
            Some(both) => both,
            // A single port is its own range; a lone `-1` is not `-1/-1`.
            None if text.starts_with('-') => return Err(malformed()),
            None => (text, text),
        };
        let start: i64 = start.trim().parse().map_err(|_| malformed())?;
        let end: i64 = end.trim().parse().map_err(|_| malformed())?;
        if start == -1 && end == -1 {
            return Ok(PortSpec::All);
        }
        if start < 0 || end < 0 {
            return Err(malformed());
        }
        for port in [start, end] {
            if port > 65535 {
                return Err(Error::PortTooLarge(port.unsigned_abs()));
            }
        }
        let start = u16::try_from(start).map_err(|_| malformed())?;
        let end = u16::try_from(end).map_err(|_| malformed())?;
        PortRange::new(start, end).map(PortSpec::Range)
    }

    /// Refuses a single port such as `22` as the vendor's API does (it wants `22/22`): for the
    /// vendor's own formats (API responses, Terraform), where a single port is a mistake.
    pub fn refuse_lone_port(text: &str) -> Result<(), crate::Error> {
        let text = text.trim();
        match text.parse::<i64>() {
            Ok(_) => Err(crate::Error::LonePort(text.to_owned())),
            Err(_) => Ok(()),
        }
    }

    /// Whether a query port matches; `None` (a protocol without ports) matches `All` and any
    /// range.
    pub fn matches(self, port: Option<u16>) -> bool {
        match (self, port) {
            (PortSpec::All, _) | (_, None) => true,
            (PortSpec::Range(range), Some(port)) => range.contains(port),
        }
    }

    /// The ports as a range (`-1/-1` is `1/65535`).
    pub fn as_range(self) -> PortRange {
        match self {
            PortSpec::All => PortRange::ALL,
            PortSpec::Range(range) => range,
        }
    }
}

impl fmt::Display for PortSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortSpec::All => f.write_str("-1/-1"),
            PortSpec::Range(range) => range.fmt(f),
        }
    }
}

/// The peer of a rule: the source of an ingress rule, the destination of an egress rule.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Peer {
    /// An IPv4 or IPv6 CIDR block.
    Cidr(IpNet),
    /// A security group; matches only the private addresses of its ENIs in the same VPC.
    Group {
        /// The referenced group.
        id: GroupId,
        /// The account that owns the group, for cross-account references.
        owner_account: Option<String>,
    },
    /// A prefix list, matching any of its CIDR blocks.
    PrefixList(PrefixListId),
}

/// `NicType` of a rule. In a VPC every rule is `intranet` and governs private and public
/// traffic alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NicType {
    /// The VPC value.
    Intranet,
    /// The classic-network value; kept on import, treated like `intranet`.
    Internet,
}

impl NicType {
    /// The lower-case word of files and of the API (`intranet`, `internet`).
    pub fn as_str(self) -> &'static str {
        match self {
            NicType::Intranet => "intranet",
            NicType::Internet => "internet",
        }
    }

    /// Parses the word of [`NicType::as_str`], case-insensitively.
    pub fn parse(text: &str) -> Option<NicType> {
        match text.trim().to_ascii_lowercase().as_str() {
            "intranet" => Some(NicType::Intranet),
            "internet" => Some(NicType::Internet),
            _ => None,
        }
    }
}

impl fmt::Display for NicType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One security-group rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// The cloud's rule id (`SecurityGroupRuleId`), when known.
    pub id: Option<RuleId>,
    /// Ingress or egress.
    pub direction: Direction,
    /// Accept or drop.
    pub policy: Policy,
    /// 1 (highest) to 100, or legacy 110.
    pub priority: Priority,
    /// The protocol.
    pub protocol: Protocol,
    /// The destination ports (`-1/-1` or a range).
    pub ports: PortSpec,
    /// The source of an ingress rule, the destination of an egress rule.
    pub peer: Peer,
    /// Optional source port range (quintuple rules).
    pub source_ports: Option<PortRange>,
    /// Optional local CIDR (quintuple rules): the destination CIDR of an ingress rule, the
    /// source CIDR of an egress rule.
    pub local_cidr: Option<IpNet>,
    /// `intranet` in a VPC.
    pub nic_type: NicType,
    /// Free text, at most 512 characters.
    pub description: String,
}

#[cfg(test)]
impl Rule {
    /// An ingress accept of TCP `port` from the whole IPv4 internet at the highest priority,
    /// the change the tests of partial and shared builds make.
    pub(crate) fn tcp_from_internet(port: u16) -> Rule {
        Rule {
            id: None,
            direction: Direction::Ingress,
            policy: Policy::Accept,
            priority: Priority::HIGHEST,
            protocol: Protocol::Tcp,
            ports: PortSpec::Range(PortRange::new(port, port).expect("a valid range")),
            peer: Peer::Cidr("0.0.0.0/0".parse().expect("a valid block")),
            source_ports: None,
            local_cidr: None,
            nic_type: NicType::Intranet,
            description: String::new(),
        }
    }
}

/// Where an endpoint sits and what it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum EndpointKind {
    /// An ECS instance (also a Kubernetes node).
    Ecs,
    /// A Kubernetes pod on a node of a cluster.
    Pod {
        /// The cluster.
        cluster: ClusterId,
        /// The node (an `Ecs` endpoint) the pod runs on.
        node: EndpointId,
    },
    /// A node of a gateway, in the gateway's managed group.
    GatewayNode {
        /// The gateway.
        gateway: GatewayId,
    },
    /// A host or network outside every VPC: a client on the internet, an office CIDR.
    External {
        /// The address block; a single host is a /32 (or /128).
        cidr: IpNet,
    },
}

impl EndpointKind {
    /// The word of the sglab format's `kind` field (`ecs`, `pod`, `gateway_node`, `external`).
    pub fn as_str(&self) -> &'static str {
        match self {
            EndpointKind::Ecs => "ecs",
            EndpointKind::Pod { .. } => "pod",
            EndpointKind::GatewayNode { .. } => "gateway_node",
            EndpointKind::External { .. } => "external",
        }
    }
}

/// An elastic network interface with its addresses and groups.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Eni {
    /// The ENI id (`eni-...`), when known.
    pub id: Option<String>,
    /// Private addresses (IPv4 and IPv6).
    pub private_ips: Vec<IpAddr>,
    /// 1 to 10 groups, all of one type and of the endpoint's VPC.
    pub groups: Vec<GroupId>,
}

/// Something that sends or receives traffic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    /// The id.
    pub id: EndpointId,
    /// A human name (instance name, pod name).
    pub name: String,
    /// ECS, pod, gateway node or external.
    pub kind: EndpointKind,
    /// The VPC, for everything but external endpoints.
    pub vpc: Option<VpcId>,
    /// The ENIs; the first is the primary one. Flannel and Terway-shared pods have none
    /// (they use the node's), Terway-trunk pods have their own, external endpoints have none.
    pub enis: Vec<Eni>,
    /// The public IP or EIP, when the endpoint has one.
    pub public_ip: Option<IpAddr>,
    /// The pod IP of a Flannel or Terway-shared pod.
    pub pod_ip: Option<IpAddr>,
    /// What listens on the endpoint; `None` means unknown (as for every imported endpoint).
    pub services: Option<Vec<Service>>,
}

impl Endpoint {
    /// Whether the endpoint has an IPv6 address of its own: on an ENI, public, of a pod, or as
    /// its block (an external endpoint).
    pub fn has_ipv6(&self) -> bool {
        matches!(self.kind, EndpointKind::External { cidr: IpNet::V6(_) })
            || self.public_ip.is_some_and(|address| address.is_ipv6())
            || self.pod_ip.is_some_and(|address| address.is_ipv6())
            || self
                .enis
                .iter()
                .any(|eni| eni.private_ips.iter().any(|address| address.is_ipv6()))
    }
}

/// Something listening on an endpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Service {
    /// A label such as `web` or `redis`.
    pub name: String,
    /// The protocol.
    pub protocol: Protocol,
    /// The ports it listens on.
    pub ports: PortRange,
    /// Whether it is running.
    pub up: bool,
}

/// The pod network of a cluster, which decides which groups filter pod traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkMode {
    /// Pods use addresses of the pod CIDR, filtered by the node's groups; the node's group
    /// needs a rule for the pod CIDR.
    Flannel,
    /// Pods take secondary addresses of the node's ENI and share the node's groups.
    TerwayShared,
    /// Pods have their own (trunk member) ENI with up to 5 groups; traffic between pods on the
    /// same node is not filtered.
    TerwayTrunk,
}

impl NetworkMode {
    /// The word of the sglab format (`flannel`, `terway_shared`, `terway_trunk`).
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkMode::Flannel => "flannel",
            NetworkMode::TerwayShared => "terway_shared",
            NetworkMode::TerwayTrunk => "terway_trunk",
        }
    }

    /// Parses the word of [`NetworkMode::as_str`], case-insensitively, with `-` read as `_`.
    pub fn parse(text: &str) -> Option<NetworkMode> {
        match text.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "flannel" => Some(NetworkMode::Flannel),
            "terway_shared" => Some(NetworkMode::TerwayShared),
            "terway_trunk" => Some(NetworkMode::TerwayTrunk),
            _ => None,
        }
    }
}

impl fmt::Display for NetworkMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Kubernetes (ACK) cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    /// The cluster id.
    pub id: ClusterId,
    /// A human name.
    pub name: String,
    /// The VPC.
    pub vpc: VpcId,
    /// The pod (container) CIDR, for example `172.18.0.0/16`.
    pub pod_cidr: Option<IpNet>,
    /// The network plug-in.
    pub network_mode: NetworkMode,
}

/// The kind of a gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GatewayKind {
    /// An AI gateway.
    AiGateway,
    /// An MSE cloud-native gateway.
    MseCloudNative,
}

impl GatewayKind {
    /// The word of the sglab format (`ai_gateway`, `mse_cloud_native`).
    pub fn as_str(self) -> &'static str {
        match self {
            GatewayKind::AiGateway => "ai_gateway",
            GatewayKind::MseCloudNative => "mse_cloud_native",
        }
    }

    /// Parses the word of [`GatewayKind::as_str`], case-insensitively, with `-` read as `_`.
    pub fn parse(text: &str) -> Option<GatewayKind> {
        match text.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "ai_gateway" => Some(GatewayKind::AiGateway),
            "mse_cloud_native" => Some(GatewayKind::MseCloudNative),
            _ => None,
        }
    }
}

impl fmt::Display for GatewayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A gateway whose nodes sit in a managed group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gateway {
    /// The gateway id.
    pub id: GatewayId,
    /// A human name.
    pub name: String,
    /// AI gateway or MSE cloud-native gateway.
    pub kind: GatewayKind,
    /// The VPC.
    pub vpc: VpcId,
    /// The managed group of the gateway's nodes.
    pub managed_group: GroupId,
    /// The authorizations listed on the gateway's "Security Group Authorizations" tab.
    pub authorizations: Vec<Authorization>,
}

/// One authorization of a gateway: a backend group and the port ranges opened in it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Authorization {
    /// The backend group that received the inbound rules.
    pub backend_group: GroupId,
    /// The TCP port ranges.
    pub port_ranges: Vec<PortRange>,
    /// Free text.
    pub description: String,
}

/// A named list of CIDR blocks that rules can reference.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrefixList {
    /// The id.
    pub id: PrefixListId,
    /// A human name.
    pub name: String,
    /// The entries.
    pub cidrs: Vec<IpNet>,
}

/// The verdict an expectation asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The connection is allowed.
    Allow,
    /// The connection is denied.
    Deny,
}

impl Verdict {
    /// The lower-case word of files and reports (`allow`, `deny`).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Deny => "deny",
        }
    }

    /// Parses the word of [`Verdict::as_str`], case-insensitively.
    pub fn parse(text: &str) -> Option<Verdict> {
        match text.trim().to_ascii_lowercase().as_str() {
            "allow" => Some(Verdict::Allow),
            "deny" => Some(Verdict::Deny),
            _ => None,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stated expectation about one connection, checked by `sglab check`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Expectation {
    /// The source: an endpoint id or name, or an IP address.
    pub from: String,
    /// The target: an endpoint id or name, or an IP address.
    pub to: String,
    /// The protocol.
    pub protocol: Protocol,
    /// The port, for TCP and UDP.
    pub port: Option<u16>,
    /// The expected verdict.
    pub verdict: Verdict,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy of a list of rules shares it until one of the two changes: the change is that
    /// copy's own, the other keeps its rules; the list writes and reads as a plain JSON list.
    #[test]
    fn rules_are_shared_until_one_copy_changes() {
        let original: Rules = vec![Rule::tcp_from_internet(22)].into();
        let mut copy = original.clone();
        assert!(std::sync::Arc::ptr_eq(&original.0, &copy.0));
        assert_eq!(copy, original);
        copy.push(Rule::tcp_from_internet(443));
        assert!(!std::sync::Arc::ptr_eq(&original.0, &copy.0));
        assert_eq!(original.len(), 1);
        assert_eq!(copy.len(), 2);
        assert_ne!(copy, original);
        let text = serde_json::to_string(&copy).expect("rules write");
        assert!(text.starts_with("[{"), "{text}");
        let read: Rules = serde_json::from_str(&text).expect("rules read");
        assert_eq!(read, copy);
        assert_eq!(copy.clone().into_vec(), *copy);
        let collected: Rules = copy.iter().cloned().collect();
        assert_eq!(collected, copy);
    }
}
