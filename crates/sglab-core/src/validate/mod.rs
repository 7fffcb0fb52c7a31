//! Validation: the raw file types of [`crate::format`] become a [`Topology`] whose invariants
//! the evaluation relies on, or a list of **every** problem found, each naming the file, the
//! object, the rule and the field in the vendor's terms.
//!
//! The small `check_*_field` functions validate one field at a time, for the web app's rule
//! editor (inline validation); [`validate`] uses the same functions, so the editor and the file
//! loader always agree.
//!
//! Decisions (also listed in `docs/format.md`):
//! - Limits on rules (per group, group-referencing rules per basic group, per ENI) are
//!   **warnings** with the code `AuthorizationLimitExceed`: the topology is still evaluated,
//!   and the lint reports them too. Limits on groups (per ENI, per trunk pod) are **errors**,
//!   because the model promises at most that many groups.
//! - Legacy priority 110, host bits in a CIDR block, a rule with both a CIDR block and a group
//!   (the CIDR wins), and a prefix list beside another peer (ignored) are accepted with a
//!   warning that names the correction.
//!
//! ```
//! use sglab_core::model::{PortSpec, Protocol};
//! use sglab_core::validate::{check_port_field, check_priority_field};
//!
//! assert!(matches!(check_port_field(Protocol::Icmp, "-1/-1"), Ok(PortSpec::All)));
//! let error = check_port_field(Protocol::Tcp, "-1/-1").unwrap_err();
//! assert_eq!(
//!     error.to_string(),
//!     "protocol tcp needs a port range such as 1/65535; -1/-1 is only for icmp, icmpv6, gre and all (OperationDenied)"
//! );
//! assert!(check_priority_field("0").is_err());
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;

use crate::diagnostic::{Diagnostic, Location};
use crate::format::{default_inner_access_policy, RawEndpoint, RawFile, RawGroup, RawRule, Scalar};

pub use crate::format::fields::{
    unknown_fields, AUTHORIZATION_FIELDS, CLUSTER_FIELDS, ENDPOINT_FIELDS, ENI_FIELDS,
    EXPECTATION_FIELDS, GATEWAY_FIELDS, GROUP_FIELDS, POSITION_FIELDS, PREFIX_LIST_FIELDS,
    RULE_FIELDS, SERVICE_FIELDS, TOP_FIELDS, VPC_FIELDS,
};
use crate::model::{
    Authorization, Cluster, ClusterId, Direction, Endpoint, EndpointId, EndpointKind, Eni,
    Expectation, Gateway, GatewayId, GatewayKind, GroupId, GroupType, InnerAccessPolicy,
    NetworkMode, NicType, Peer, Policy, PortRange, PortSpec, Position, PrefixList, PrefixListId,
    Priority, Protocol, Rule, RuleId, SecurityGroup, Service, Topology, Verdict, Vpc, VpcId,
};
use crate::Error;

/// The most characters a description may hold.
pub const MAX_DESCRIPTION_CHARS: usize = 512;

/// The cloud limits validation checks (reference §5). `Default` gives the newest documented
/// values; raise them for accounts with a raised quota.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Groups per ENI (10). Exceeding it is an error.
    pub groups_per_eni: usize,
    /// Rules per ENI, all its groups, both directions (1,000). Exceeding it is a warning.
    pub rules_per_eni: usize,
    /// Rules per group (200). Exceeding it is a warning.
    pub rules_per_group: usize,
    /// Group-referencing rules per basic group (20). Exceeding it is a warning.
    pub group_references_per_group: usize,
    /// Groups per Terway trunk pod (5). Exceeding it is an error.
    pub groups_per_trunk_pod: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            groups_per_eni: 10,
            rules_per_eni: 1000,
            rules_per_group: 200,
            group_references_per_group: 20,
            groups_per_trunk_pod: 5,
        }
    }
}

/// A validated topology and the warnings found on the way.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// The topology.
    pub topology: Topology,
    /// Problems that did not prevent loading, each naming the correction made.
    pub warnings: Vec<Diagnostic>,
}

/// What a rule check needs to know about a group: its VPC and its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupInfo {
    /// The VPC, when known.
    pub vpc: Option<VpcId>,
    /// Basic or enterprise.
    pub group_type: GroupType,
}

/// Validates a raw file into a topology.
///
/// On success the warnings are returned beside the topology; on failure every diagnostic found
/// (errors and warnings) in the order of the file.
pub fn validate(
    raw: &RawFile,
    file: Option<&str>,
    limits: &Limits,
) -> Result<Parsed, Vec<Diagnostic>> {
    let mut validator = Validator {
        file: file.map(str::to_owned),
        limits: limits.clone(),
        diagnostics: Vec::new(),
        topology: Topology {
            name: raw.name.clone(),
            ..Topology::default()
        },
        group_infos: BTreeMap::new(),
        prefix_list_ids: BTreeSet::new(),
        endpoint_kinds: BTreeMap::new(),
        rule_ids: BTreeSet::new(),
    };
    validator.run(raw);
    if crate::diagnostic::has_errors(&validator.diagnostics) {
        Err(validator.diagnostics)
    } else {
        Ok(Parsed {
            topology: validator.topology,
            warnings: validator.diagnostics,
        })
    }
}

/// Checks the port field of a rule for its protocol: `start/end` for TCP and UDP, `-1/-1` for
/// ICMP, ICMPv6, GRE and ALL. An empty field is `-1/-1` for protocols without ports.
pub fn check_port_field(protocol: Protocol, text: &str) -> Result<PortSpec, Error> {
    let text = text.trim();
    let ports = if text.is_empty() {
        PortSpec::All
    } else {
        parse_ports(text)?
    };
    match (protocol.has_ports(), ports) {
        (true, PortSpec::All) => Err(Error::PortsRequired(protocol)),
        (false, PortSpec::Range(_)) => Err(Error::PortsNotAllowed {
            protocol,
            ports: text.to_owned(),
        }),
        _ => Ok(ports),
    }
}

/// Parses a port field without regard to a protocol: `-1/-1` or `start/end`, with the
/// vendor's reasons for `200/1`, a lone `22`, port 0 and ports above 65535.
pub fn parse_ports(text: &str) -> Result<PortSpec, Error> {
    let text = text.trim();
    let malformed = || Error::MalformedPortRange(text.to_owned());
    let Some((start, end)) = text.split_once('/') else {
        return match text.parse::<i64>() {
            Ok(_) => Err(Error::LonePort(text.to_owned())),
            Err(_) => Err(malformed()),
        };
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

/// Checks a priority field: 1 (highest) to 100, or the legacy 110 (which the caller should
/// flag: [`Priority::is_legacy`]).
pub fn check_priority_field(text: &str) -> Result<Priority, Error> {
    let text = text.trim();
    let value: u32 = text
        .parse()
        .map_err(|_| Error::MalformedPriority(text.to_owned()))?;
    Priority::new(value)
}

/// Checks a single port, such as the port of a query or an expectation: 1 to 65535.
pub fn check_single_port_field(text: &str) -> Result<u16, Error> {
    let text = text.trim();
    let value: i64 = text
        .parse()
        .map_err(|_| Error::MalformedPortRange(text.to_owned()))?;
    match value {
        0 => Err(Error::PortZero),
        1..=65535 => u16::try_from(value).map_err(|_| Error::PortTooLarge(value.unsigned_abs())),
        _ if value < 0 => Err(Error::MalformedPortRange(text.to_owned())),
        _ => Err(Error::PortTooLarge(value.unsigned_abs())),
    }
}

/// Checks a protocol field, case-insensitively.
pub fn check_protocol_field(text: &str) -> Result<Protocol, Error> {
    Protocol::parse(text).ok_or_else(|| {
        unknown_value(
            "protocol",
            text.to_owned(),
            "tcp, udp, icmp, icmpv6, gre or all",
        )
    })
}

/// Checks a CIDR field: a block such as `10.0.0.0/8`, or an address alone for a single host.
/// A block with host bits set (`10.0.0.1/8`) is normalised (`10.0.0.0/8`); use
/// [`parse_cidr`] to learn whether that happened.
pub fn check_cidr_field(text: &str) -> Result<IpNet, Error> {
    parse_cidr(text).map(|(cidr, _)| cidr)
}

/// Parses a CIDR block and says whether host bits had to be cleared.
pub fn parse_cidr(text: &str) -> Result<(IpNet, bool), Error> {
    let text = text.trim();
    let malformed = |reason: String| Error::MalformedCidr {
        text: text.to_owned(),
        reason,
    };
    let Some((address, prefix)) = text.split_once('/') else {
        let address: IpAddr = text.parse().map_err(|_| {
            malformed("write a block such as 10.0.0.0/8 or an address such as 10.0.0.1".to_owned())
        })?;
        return Ok((IpNet::from(address), false));
    };
    let address: IpAddr = address.trim().parse().map_err(|_| {
        malformed(format!(
            "{:?} is not an IP address: write a block such as 10.0.0.0/8",
            address.trim()
        ))
    })?;
    let prefix: u8 = prefix.trim().parse().map_err(|_| {
        malformed(format!(
            "the prefix length {:?} is not a number",
            prefix.trim()
        ))
    })?;
    let cidr = IpNet::new(address, prefix).map_err(|_| {
        let (family, max) = match address {
            IpAddr::V4(_) => ("IPv4", 32),
            IpAddr::V6(_) => ("IPv6", 128),
        };
        malformed(format!(
            "the prefix length /{prefix} is too long for {family}: use /0 to /{max}"
        ))
    })?;
    let normalised = cidr.trunc();
    Ok((normalised, normalised != cidr))
}

/// Checks an IP address field.
pub fn check_ip_field(text: &str) -> Result<IpAddr, Error> {
    text.trim()
        .parse()
        .map_err(|_| Error::MalformedIp(text.trim().to_owned()))
}

/// Checks a description: at most 512 characters.
pub fn check_description_field(text: &str) -> Result<(), Error> {
    let length = text.chars().count();
    if length > MAX_DESCRIPTION_CHARS {
        Err(Error::DescriptionTooLong(length))
    } else {
        Ok(())
    }
}

/// Checks that a protocol fits the address family of a CIDR peer: ICMP is IPv4 only, ICMPv6
/// is IPv6 only.
pub fn check_protocol_family(protocol: Protocol, cidr: &IpNet) -> Result<(), Error> {
    match (protocol, cidr) {
        (Protocol::Icmp, IpNet::V6(_)) => Err(Error::ProtocolFamilyMismatch {
            protocol,
            family: "IPv6",
            peer: cidr.to_string(),
            suggestion: Protocol::Icmpv6,
        }),
        (Protocol::Icmpv6, IpNet::V4(_)) => Err(Error::ProtocolFamilyMismatch {
            protocol,
            family: "IPv4",
            peer: cidr.to_string(),
            suggestion: Protocol::Icmp,
        }),
        _ => Ok(()),
    }
}

/// Checks that a rule of group `holder` may reference group `target`: not itself, same VPC,
/// neither of them an enterprise group. `target` is `None` when the group does not exist.
pub fn check_group_reference(
    holder_id: &GroupId,
    holder: &GroupInfo,
    target_id: &GroupId,
    target: Option<&GroupInfo>,
) -> Result<(), Error> {
    if holder_id == target_id {
        return Err(Error::GroupSelfReference(target_id.clone()));
    }
    if holder.group_type == GroupType::Enterprise {
        return Err(Error::EnterpriseCannotReference(holder_id.clone()));
    }
    let target = target.ok_or_else(|| Error::UnknownGroup(target_id.clone()))?;
    if target.group_type == GroupType::Enterprise {
        return Err(Error::EnterpriseReferenced(target_id.clone()));
    }
    if let (Some(holder_vpc), Some(target_vpc)) = (&holder.vpc, &target.vpc) {
        if holder_vpc != target_vpc {
            return Err(Error::GroupVpcMismatch {
                group: target_id.clone(),
                group_vpc: target_vpc.clone(),
                vpc: holder_vpc.clone(),
            });
        }
    }
    Ok(())
}

/// Checks the peer field of a rule in the rule editor, where one text box takes a CIDR block,
/// a group id or a prefix list id. `group` is the group holding the rule.
///
/// A text that parses as an address or block is a CIDR peer (host bits are cleared); a known
/// prefix list id or one starting with `pl-` is a prefix list; anything else is a group id.
pub fn check_peer_field(
    topology: &Topology,
    group: &GroupId,
    protocol: Protocol,
    text: &str,
) -> Result<Peer, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::EmptyPeer);
    }
    if looks_like_address(text) {
        let cidr = check_cidr_field(text)?;
        check_protocol_family(protocol, &cidr)?;
        return Ok(Peer::Cidr(cidr));
    }
    let prefix_list = PrefixListId::from(text);
    if topology.prefix_lists.contains_key(&prefix_list) {
        return Ok(Peer::PrefixList(prefix_list));
    }
    if text.starts_with("pl-") {
        return Err(Error::UnknownPrefixList(prefix_list));
    }
    let target_id = GroupId::from(text);
    let info = |id: &GroupId| {
        topology.groups.get(id).map(|group| GroupInfo {
            vpc: Some(group.vpc.clone()),
            group_type: group.group_type,
        })
    };
    let holder = info(group).ok_or_else(|| Error::UnknownGroup(group.clone()))?;
    check_group_reference(group, &holder, &target_id, info(&target_id).as_ref())?;
    Ok(Peer::Group {
        id: target_id,
        owner_account: None,
    })
}

struct Validator {
    file: Option<String>,
    limits: Limits,
    diagnostics: Vec<Diagnostic>,
    topology: Topology,
    /// Every declared group, even one whose other fields are wrong, so that a broken group
    /// does not also make every reference to it "unknown".
    group_infos: BTreeMap<GroupId, GroupInfo>,
    prefix_list_ids: BTreeSet<PrefixListId>,
    /// The declared kind word of every endpoint id.
    endpoint_kinds: BTreeMap<EndpointId, String>,
    rule_ids: BTreeSet<RuleId>,
}

impl Validator {
    fn location(&self) -> Location {
        Location::in_file(self.file.as_deref())
    }

    fn error(&mut self, location: Location, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(location, message));
    }

    fn warning(&mut self, location: Location, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::warning(location, message));
    }

    fn report(&mut self, location: Location, error: &Error) {
        self.diagnostics
            .push(Diagnostic::from_error(location, error));
    }

    /// Runs a check and reports its error; `None` when it failed.
    fn check<T>(&mut self, location: Location, result: Result<T, Error>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.report(location, &error);
                None
            }
        }
    }

    fn run(&mut self, raw: &RawFile) {
        self.vpcs(raw);
        self.prefix_lists(raw);
        self.declare_groups(raw);
        for (index, group) in raw.security_groups.iter().enumerate() {
            self.group(index, group);
        }
        self.clusters(raw);
        self.gateways(raw);
        for endpoint in &raw.endpoints {
            self.endpoint_kinds
                .entry(EndpointId(endpoint.id.trim().to_owned()))
                .or_insert_with(|| endpoint.kind.trim().to_ascii_lowercase());
        }
        let mut seen = BTreeSet::new();
        for (index, endpoint) in raw.endpoints.iter().enumerate() {
            self.endpoint(index, endpoint, &mut seen);
        }
        self.authorization_rules();
        self.limits();
        self.expectations(raw);
        self.layout(raw);
    }

    fn id(&mut self, location: &Location, text: &str, what: &str) -> Option<String> {
        let id = text.trim();
        if id.is_empty() {
            self.error(
                location.clone().field("id"),
                format!("the {what} has no id: give it a unique id"),
            );
            None
        } else {
            Some(id.to_owned())
        }
    }

    fn duplicate(&mut self, location: &Location, what: &str, id: &str) {
        self.error(
            location.clone().field("id"),
            format!("{what} id {id} is used twice: ids must be unique"),
        );
    }

    fn vpcs(&mut self, raw: &RawFile) {
        for (index, vpc) in raw.vpcs.iter().enumerate() {
            let location = self.location().object(object_name("VPC", &vpc.id, index));
            let Some(id) = self.id(&location, &vpc.id, "VPC") else {
                continue;
            };
            let cidr = vpc
                .cidr
                .as_deref()
                .and_then(|text| self.cidr(&location.clone().field("cidr"), text));
            let id = VpcId(id);
            if self.topology.vpcs.contains_key(&id) {
                self.duplicate(&location, "VPC", id.as_str());
                continue;
            }
            self.topology.vpcs.insert(
                id.clone(),
                Vpc {
                    id,
                    name: vpc.name.clone(),
                    cidr,
                },
            );
        }
    }

    fn prefix_lists(&mut self, raw: &RawFile) {
        for (index, list) in raw.prefix_lists.iter().enumerate() {
            let location = self
                .location()
                .object(object_name("prefix list", &list.id, index));
            let Some(id) = self.id(&location, &list.id, "prefix list") else {
                continue;
            };
            let mut cidrs = Vec::new();
            for (cidr_index, text) in list.cidrs.iter().enumerate() {
                let field = format!("cidrs[{cidr_index}]");
                if let Some(cidr) = self.cidr(&location.clone().field(field), text) {
                    cidrs.push(cidr);
                }
            }
            let id = PrefixListId(id);
            if !self.prefix_list_ids.insert(id.clone()) {
                self.duplicate(&location, "prefix list", id.as_str());
                continue;
            }
            self.topology.prefix_lists.insert(
                id.clone(),
                PrefixList {
                    id,
                    name: list.name.clone(),
                    cidrs,
                },
            );
        }
    }

    /// Records every group's VPC and type before any rule is checked, so that rules may
    /// reference groups declared later in the file.
    fn declare_groups(&mut self, raw: &RawFile) {
        for group in &raw.security_groups {
            let id = GroupId(group.id.trim().to_owned());
            if id.0.is_empty() || self.group_infos.contains_key(&id) {
                continue;
            }
            let vpc = match group.vpc.as_deref().map(str::trim) {
                Some(vpc) => {
                    Some(VpcId::from(vpc)).filter(|vpc| self.topology.vpcs.contains_key(vpc))
                }
                None => self.only_vpc(),
            };
            let group_type =
                parse_group_type(group.group_type.as_deref()).unwrap_or(GroupType::Basic);
            self.group_infos.insert(id, GroupInfo { vpc, group_type });
        }
    }

    fn only_vpc(&self) -> Option<VpcId> {
        let mut ids = self.topology.vpcs.keys();
        match (ids.next(), ids.next()) {
            (Some(id), None) => Some(id.clone()),
            _ => None,
        }
    }

    /// The VPC of an object: the one written (which must exist), else `fallback`, else the only
    /// VPC of the file.
    fn vpc(
        &mut self,
        location: &Location,
        written: Option<&str>,
        fallback: Option<VpcId>,
    ) -> Option<VpcId> {
        match written.map(str::trim) {
            Some(text) => {
                let id = VpcId::from(text);
                if self.topology.vpcs.contains_key(&id) {
                    Some(id)
                } else {
                    self.diagnostics.push(
                        Diagnostic::error(
                            location.clone().field("vpc"),
                            format!(
                                "VPC {text:?} does not exist: add it to vpcs or correct the id"
                            ),
                        )
                        .with_code("InvalidVpcId.NotFound"),
                    );
                    None
                }
            }
            None => {
                if let Some(vpc) = fallback.or_else(|| self.only_vpc()) {
                    return Some(vpc);
                }
                let count = self.topology.vpcs.len();
                self.error(
                    location.clone().field("vpc"),
                    format!("the VPC is missing: name one of the file's {count} VPCs in vpc"),
                );
                None
            }
        }
    }

    fn cidr(&mut self, location: &Location, text: &str) -> Option<IpNet> {
        match parse_cidr(text) {
            Ok((cidr, normalised)) => {
                if normalised {
                    self.warning(
                        location.clone(),
                        format!(
                            "CIDR block {} has host bits set: read as {cidr}",
                            text.trim()
                        ),
                    );
                }
                Some(cidr)
            }
            Err(error) => {
                self.report(location.clone(), &error);
                None
            }
        }
    }

    fn ip(&mut self, location: Location, text: &str) -> Option<IpAddr> {
        self.check(location, check_ip_field(text))
    }

    fn description(&mut self, location: Location, text: &str) {
        self.check(location, check_description_field(text));
    }

    fn group(&mut self, index: usize, raw: &RawGroup) {
        let location = self
            .location()
            .object(object_name("security group", &raw.id, index));
        let Some(id) = self.id(&location, &raw.id, "security group") else {
            return;
        };
        let id = GroupId(id);
        if self.topology.groups.contains_key(&id) {
            self.duplicate(&location, "security group", id.as_str());
            return;
        }
        let vpc = self.vpc(&location, raw.vpc.as_deref(), None);
        let group_type = match parse_group_type(raw.group_type.as_deref()) {
            Some(group_type) => group_type,
            None => {
                self.report(
                    location.clone().field("type"),
                    &unknown_value(
                        "type",
                        raw.group_type.clone().unwrap_or_default(),
                        "basic (also normal) or enterprise",
                    ),
                );
                GroupType::Basic
            }
        };
        let inner_access_policy = match raw.inner_access_policy.as_deref() {
            None => default_inner_access_policy(group_type),
            Some(text) => match text.trim().to_ascii_lowercase().as_str() {
                "accept" => {
                    if group_type == GroupType::Enterprise {
                        self.warning(
                            location.clone().field("inner_access_policy"),
                            "enterprise groups never accept intra-group traffic implicitly: inner_access_policy accept has no effect",
                        );
                    }
                    InnerAccessPolicy::Accept
                }
                "drop" => InnerAccessPolicy::Drop,
                _ => {
                    self.report(
                        location.clone().field("inner_access_policy"),
                        &unknown_value("inner_access_policy", text.to_owned(), "accept or drop"),
                    );
                    InnerAccessPolicy::Accept
                }
            },
        };
        self.description(location.clone().field("description"), &raw.description);
        let info = GroupInfo {
            vpc: vpc.clone(),
            group_type,
        };
        let mut rules = Vec::new();
        for (rule_index, rule) in raw.rules.iter().enumerate() {
            let rule_location = location.clone().rule(rule_index);
            if let Some(rule) = self.rule(&rule_location, &id, &info, rule) {
                rules.push(rule);
            }
        }
        let Some(vpc) = vpc else {
            return;
        };
        self.topology.groups.insert(
            id.clone(),
            SecurityGroup {
                id,
                name: raw.name.clone(),
                description: raw.description.clone(),
                tags: raw.tags.clone(),
                vpc,
                group_type,
                inner_access_policy,
                managed_by: raw
                    .managed_by
                    .as_deref()
                    .map(str::trim)
                    .filter(|text| !text.is_empty())
                    .map(str::to_owned),
                rules,
            },
        );
    }

    fn rule(
        &mut self,
        location: &Location,
        group_id: &GroupId,
        group: &GroupInfo,
        raw: &RawRule,
    ) -> Option<Rule> {
        let field = |name: &str| location.clone().field(name);
        let direction = match raw.direction.trim().to_ascii_lowercase().as_str() {
            "ingress" | "inbound" | "in" => Some(Direction::Ingress),
            "egress" | "outbound" | "out" => Some(Direction::Egress),
            _ => {
                self.report(
                    field("direction"),
                    &unknown_value("direction", raw.direction.clone(), "ingress or egress"),
                );
                None
            }
        };
        let policy = match raw
            .policy
            .as_deref()
            .map(|text| text.trim().to_ascii_lowercase())
        {
            None => Some(Policy::Accept),
            Some(text) if text == "accept" || text == "allow" => Some(Policy::Accept),
            Some(text) if text == "drop" || text == "deny" => Some(Policy::Drop),
            Some(_) => {
                self.report(
                    field("policy"),
                    &unknown_value(
                        "policy",
                        raw.policy.clone().unwrap_or_default(),
                        "accept or drop",
                    ),
                );
                None
            }
        };
        let priority = match &raw.priority {
            None => Some(Priority::HIGHEST),
            Some(scalar) => {
                let priority =
                    self.check(field("priority"), check_priority_field(&scalar.to_text()));
                if priority.is_some_and(Priority::is_legacy) {
                    self.warning(
                        field("priority"),
                        "legacy priority 110, ordered after 100: set a priority from 1 to 100",
                    );
                }
                priority
            }
        };
        let protocol = self.check(field("protocol"), check_protocol_field(&raw.protocol));
        let port_text = raw.port_range.as_ref().map(Scalar::to_text);
        let ports = match (protocol, port_text.as_deref()) {
            (Some(protocol), None) if protocol.has_ports() => {
                self.report(field("port_range"), &Error::PortsRequired(protocol));
                None
            }
            (Some(protocol), text) => self.check(
                field("port_range"),
                check_port_field(protocol, text.unwrap_or("")),
            ),
            (None, Some(text)) => self.check(field("port_range"), parse_ports(text)),
            (None, None) => None,
        };
        let peer = self.peer(location, group_id, group, protocol, raw);
        let source_ports = match raw.source_port_range.as_ref().map(Scalar::to_text) {
            None => Some(None),
            Some(text) => self
                .check(field("source_port_range"), parse_ports(&text))
                .map(|ports| match ports {
                    PortSpec::All => None,
                    PortSpec::Range(range) => Some(range),
                }),
        };
        let local_cidr = match raw.local_cidr.as_deref() {
            None => Some(None),
            Some(text) => self.cidr(&field("local_cidr"), text).map(Some),
        };
        let nic_type = match raw
            .nic_type
            .as_deref()
            .map(|text| text.trim().to_ascii_lowercase())
        {
            None => Some(NicType::Intranet),
            Some(text) if text == "intranet" => Some(NicType::Intranet),
            Some(text) if text == "internet" => {
                self.warning(
                    field("nic_type"),
                    "nic_type internet only meant something on the retired classic network: in a VPC the rule governs private and public traffic alike",
                );
                Some(NicType::Internet)
            }
            Some(_) => {
                self.report(
                    field("nic_type"),
                    &unknown_value(
                        "nic_type",
                        raw.nic_type.clone().unwrap_or_default(),
                        "intranet or internet",
                    ),
                );
                None
            }
        };
        self.description(field("description"), &raw.description);
        let id = raw
            .id
            .as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(RuleId::from);
        if let Some(id) = &id {
            if !self.rule_ids.insert(id.clone()) {
                self.error(
                    field("id"),
                    format!("rule id {id} is used twice: ids must be unique"),
                );
            }
        }
        Some(Rule {
            id,
            direction: direction?,
            policy: policy?,
            priority: priority?,
            protocol: protocol?,
            ports: ports?,
            peer: peer?,
            source_ports: source_ports?,
            local_cidr: local_cidr?,
            nic_type: nic_type?,
            description: raw.description.clone(),
        })
    }

    fn peer(
        &mut self,
        location: &Location,
        group_id: &GroupId,
        group: &GroupInfo,
        protocol: Option<Protocol>,
        raw: &RawRule,
    ) -> Option<Peer> {
        let present = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
        };
        let cidr = present(&raw.cidr);
        let ipv6_cidr = present(&raw.ipv6_cidr);
        let group_peer = present(&raw.group);
        let prefix_list = present(&raw.prefix_list);
        if cidr.is_some() && ipv6_cidr.is_some() {
            self.error(
                location.clone().field("ipv6_cidr"),
                "both cidr and ipv6_cidr are given: a rule has one peer, write a second rule for the other family",
            );
            return None;
        }
        let cidr_field = if cidr.is_some() { "cidr" } else { "ipv6_cidr" };
        let cidr = cidr.or(ipv6_cidr);
        if let (Some(cidr), Some(group_peer)) = (&cidr, &group_peer) {
            self.warning(
                location.clone().field("group"),
                format!(
                    "both {cidr_field} {cidr} and group {group_peer} are given: the CIDR block wins and the group is ignored, as the API does"
                ),
            );
        }
        if let Some(prefix_list) = &prefix_list {
            if cidr.is_some() || group_peer.is_some() {
                self.warning(
                    location.clone().field("prefix_list"),
                    format!(
                        "prefix_list {prefix_list} is ignored because another peer is given, as the API does"
                    ),
                );
            }
        }
        if raw.group_owner_account.is_some() && (group_peer.is_none() || cidr.is_some()) {
            self.warning(
                location.clone().field("group_owner_account"),
                "group_owner_account is ignored: it only qualifies a group peer",
            );
        }
        if let Some(text) = cidr {
            let field = location.clone().field(cidr_field);
            let cidr = self.cidr(&field, &text)?;
            match (cidr_field, cidr) {
                ("cidr", IpNet::V6(_)) => self.warning(
                    field.clone(),
                    format!("cidr holds the IPv6 block {cidr}: write IPv6 blocks in ipv6_cidr"),
                ),
                ("ipv6_cidr", IpNet::V4(_)) => self.warning(
                    field.clone(),
                    format!("ipv6_cidr holds the IPv4 block {cidr}: write IPv4 blocks in cidr"),
                ),
                _ => {}
            }
            if let Some(protocol) = protocol {
                self.check(field, check_protocol_family(protocol, &cidr))?;
            }
            return Some(Peer::Cidr(cidr));
        }
        if let Some(text) = group_peer {
            let target = GroupId(text);
            let info = self.group_infos.get(&target).cloned();
            self.check(
                location.clone().field("group"),
                check_group_reference(group_id, group, &target, info.as_ref()),
            )?;
            return Some(Peer::Group {
                id: target,
                owner_account: present(&raw.group_owner_account),
            });
        }
        if let Some(text) = prefix_list {
            let id = PrefixListId(text);
            if !self.prefix_list_ids.contains(&id) {
                self.report(
                    location.clone().field("prefix_list"),
                    &Error::UnknownPrefixList(id),
                );
                return None;
            }
            return Some(Peer::PrefixList(id));
        }
        self.error(
            location.clone().field("cidr"),
            "the rule has no peer: give one of cidr, ipv6_cidr, group or prefix_list",
        );
        None
    }

    fn clusters(&mut self, raw: &RawFile) {
        for (index, cluster) in raw.clusters.iter().enumerate() {
            let location = self
                .location()
                .object(object_name("cluster", &cluster.id, index));
            let Some(id) = self.id(&location, &cluster.id, "cluster") else {
                continue;
            };
            let vpc = self.vpc(&location, cluster.vpc.as_deref(), None);
            let pod_cidr = match cluster.pod_cidr.as_deref() {
                None => Some(None),
                Some(text) => self
                    .cidr(&location.clone().field("pod_cidr"), text)
                    .map(Some),
            };
            let network_mode = match cluster
                .network_mode
                .trim()
                .to_ascii_lowercase()
                .replace('-', "_")
                .as_str()
            {
                "flannel" => Some(NetworkMode::Flannel),
                "terway_shared" | "terway" => Some(NetworkMode::TerwayShared),
                "terway_trunk" | "terway_exclusive" => Some(NetworkMode::TerwayTrunk),
                _ => {
                    self.report(
                        location.clone().field("network_mode"),
                        &unknown_value(
                            "network_mode",
                            cluster.network_mode.clone(),
                            "flannel, terway_shared or terway_trunk",
                        ),
                    );
                    None
                }
            };
            let id = ClusterId(id);
            if self.topology.clusters.contains_key(&id) {
                self.duplicate(&location, "cluster", id.as_str());
                continue;
            }
            let (Some(vpc), Some(pod_cidr), Some(network_mode)) = (vpc, pod_cidr, network_mode)
            else {
                continue;
            };
            self.topology.clusters.insert(
                id.clone(),
                Cluster {
                    id,
                    name: cluster.name.clone(),
                    vpc,
                    pod_cidr,
                    network_mode,
                },
            );
        }
    }

    fn gateways(&mut self, raw: &RawFile) {
        for (index, gateway) in raw.gateways.iter().enumerate() {
            let location = self
                .location()
                .object(object_name("gateway", &gateway.id, index));
            let Some(id) = self.id(&location, &gateway.id, "gateway") else {
                continue;
            };
            let kind = match gateway
                .kind
                .trim()
                .to_ascii_lowercase()
                .replace('-', "_")
                .as_str()
            {
                "ai_gateway" | "ai" => Some(GatewayKind::AiGateway),
                "mse_cloud_native" | "mse" | "cloud_native" => Some(GatewayKind::MseCloudNative),
                _ => {
                    self.report(
                        location.clone().field("kind"),
                        &unknown_value(
                            "kind",
                            gateway.kind.clone(),
                            "ai_gateway or mse_cloud_native",
                        ),
                    );
                    None
                }
            };
            let vpc = self.vpc(&location, gateway.vpc.as_deref(), None);
            let managed_group = GroupId(gateway.managed_group.trim().to_owned());
            let managed_ok = self.managed_group(&location, &managed_group, vpc.as_ref(), kind);
            let mut authorizations = Vec::new();
            for (auth_index, authorization) in gateway.authorizations.iter().enumerate() {
                let prefix = format!("authorizations[{auth_index}]");
                if let Some(authorization) = self.authorization(
                    &location,
                    &prefix,
                    &managed_group,
                    vpc.as_ref(),
                    authorization,
                ) {
                    authorizations.push(authorization);
                }
            }
            let id = GatewayId(id);
            if self.topology.gateways.contains_key(&id) {
                self.duplicate(&location, "gateway", id.as_str());
                continue;
            }
            let (Some(kind), Some(vpc), true) = (kind, vpc, managed_ok) else {
                continue;
            };
            self.topology.gateways.insert(
                id.clone(),
                Gateway {
                    id,
                    name: gateway.name.clone(),
                    kind,
                    vpc,
                    managed_group,
                    authorizations,
                },
            );
        }
    }

    fn managed_group(
        &mut self,
        location: &Location,
        managed_group: &GroupId,
        vpc: Option<&VpcId>,
        kind: Option<GatewayKind>,
    ) -> bool {
        let field = location.clone().field("managed_group");
        if managed_group.0.is_empty() {
            self.error(
                field,
                "managed_group is missing: name the security group of the gateway's nodes",
            );
            return false;
        }
        let Some(info) = self.group_infos.get(managed_group).cloned() else {
            self.report(field, &Error::UnknownGroup(managed_group.clone()));
            return false;
        };
        if let (Some(group_vpc), Some(vpc)) = (&info.vpc, vpc) {
            if group_vpc != vpc {
                self.diagnostics.push(
                    Diagnostic::error(
                        field,
                        format!(
                            "managed group {managed_group} is in VPC {group_vpc}, but the gateway is in VPC {vpc}: a gateway's nodes sit in its own VPC"
                        ),
                    )
                    .with_code("InvalidSourceGroupId.Mismatch"),
                );
                return false;
            }
        }
        if let Some(group) = self.topology.groups.get_mut(managed_group) {
            if group.managed_by.is_none() {
                let product = match kind {
                    Some(GatewayKind::MseCloudNative) => "MSE Cloud-Native Gateway",
                    _ => "AI Gateway",
                };
                group.managed_by = Some(product.to_owned());
                self.warning(
                    field,
                    format!(
                        "security group {managed_group} is a gateway's managed group but has no managed_by: marked as managed by {product}, read-only"
                    ),
                );
            }
        }
        true
    }

    fn authorization(
        &mut self,
        location: &Location,
        prefix: &str,
        managed_group: &GroupId,
        vpc: Option<&VpcId>,
        raw: &crate::format::RawAuthorization,
    ) -> Option<Authorization> {
        let field = |name: &str| location.clone().field(format!("{prefix}.{name}"));
        let backend = GroupId(raw.backend_group.trim().to_owned());
        let mut ok = true;
        match self.group_infos.get(&backend).cloned() {
            None if backend.0.is_empty() => {
                self.error(
                    field("backend_group"),
                    "backend_group is missing: name the security group of the backend's nodes",
                );
                ok = false;
            }
            None => {
                self.report(
                    field("backend_group"),
                    &Error::UnknownGroup(backend.clone()),
                );
                ok = false;
            }
            Some(info) => {
                if &backend == managed_group {
                    self.error(
                        field("backend_group"),
                        format!("security group {backend} is the gateway's own managed group: authorize the backend's group instead"),
                    );
                    ok = false;
                } else if info.group_type == GroupType::Enterprise {
                    self.report(
                        field("backend_group"),
                        &Error::EnterpriseCannotReference(backend.clone()),
                    );
                    ok = false;
                }
                if let (Some(group_vpc), Some(vpc)) = (&info.vpc, vpc) {
                    if group_vpc != vpc {
                        self.report(
                            field("backend_group"),
                            &Error::GroupVpcMismatch {
                                group: backend.clone(),
                                group_vpc: group_vpc.clone(),
                                vpc: vpc.clone(),
                            },
                        );
                        ok = false;
                    }
                }
            }
        }
        if raw.port_ranges.is_empty() {
            self.error(
                field("port_ranges"),
                "the authorization has no port range: give one or more, such as 8080/8080 or 1/65535",
            );
            ok = false;
        }
        let mut port_ranges = Vec::new();
        for (range_index, scalar) in raw.port_ranges.iter().enumerate() {
            let location = field(&format!("port_ranges[{range_index}]"));
            match self.check(location, check_port_field(Protocol::Tcp, &scalar.to_text())) {
                Some(ports) => port_ranges.push(ports.as_range()),
                None => ok = false,
            }
        }
        self.description(field("description"), &raw.description);
        ok.then(|| Authorization {
            backend_group: backend,
            port_ranges,
            description: raw.description.clone(),
        })
    }

    fn endpoint(&mut self, index: usize, raw: &RawEndpoint, seen: &mut BTreeSet<EndpointId>) {
        let location = self
            .location()
            .object(object_name("endpoint", &raw.id, index));
        let Some(id) = self.id(&location, &raw.id, "endpoint") else {
            return;
        };
        let id = EndpointId(id);
        if !seen.insert(id.clone()) {
            self.duplicate(&location, "endpoint", id.as_str());
            return;
        }
        let field = |name: &str| location.clone().field(name);
        let services = raw.services.as_ref().map(|services| {
            services
                .iter()
                .enumerate()
                .filter_map(|(service_index, service)| {
                    self.service(&location, service_index, service)
                })
                .collect::<Vec<_>>()
        });
        let public_ip = raw
            .public_ip
            .as_deref()
            .and_then(|text| self.ip(field("public_ip"), text));
        let pod_ip = raw
            .pod_ip
            .as_deref()
            .and_then(|text| self.ip(field("pod_ip"), text));
        let kind_word = raw.kind.trim().to_ascii_lowercase().replace('-', "_");
        let forbid = |validator: &mut Validator, name: &str, present: bool, why: &str| {
            if present {
                validator.error(field(name), format!("{name} is not allowed here: {why}"));
            }
        };
        // Instances and gateway nodes have neither a pod's address nor an external block.
        let forbid_pod_ip_and_cidr = |validator: &mut Validator| {
            forbid(
                validator,
                "pod_ip",
                raw.pod_ip.is_some(),
                "only Flannel and Terway-shared pods have a pod_ip",
            );
            forbid(
                validator,
                "cidr",
                raw.cidr.is_some(),
                "only external endpoints have a cidr",
            );
        };
        let (kind, vpc, enis) = match kind_word.as_str() {
            "external" => {
                let why = "external endpoints sit outside every VPC and have no groups";
                forbid(self, "vpc", raw.vpc.is_some(), why);
                forbid(self, "private_ip", raw.private_ip.is_some(), why);
                forbid(self, "groups", raw.groups.is_some(), why);
                forbid(self, "enis", raw.enis.is_some(), why);
                forbid(self, "pod_ip", raw.pod_ip.is_some(), why);
                forbid(
                    self,
                    "public_ip",
                    raw.public_ip.is_some(),
                    "an external endpoint's address is its cidr",
                );
                self.forbid_pod_and_gateway_fields(&location, raw);
                let cidr = match raw.cidr.as_deref() {
                    Some(text) => self.cidr(&field("cidr"), text),
                    None => {
                        self.error(
                            field("cidr"),
                            "an external endpoint needs its address in cidr, such as 203.0.113.10 or 198.51.100.0/24",
                        );
                        None
                    }
                };
                (
                    cidr.map(|cidr| EndpointKind::External { cidr }),
                    None,
                    Some(Vec::new()),
                )
            }
            "ecs" => {
                self.forbid_pod_and_gateway_fields(&location, raw);
                forbid_pod_ip_and_cidr(self);
                let vpc = self.vpc(&location, raw.vpc.as_deref(), None);
                let enis = self.enis(
                    &location,
                    raw,
                    Vec::new(),
                    vpc.as_ref(),
                    self.limits.groups_per_eni,
                );
                if enis.as_ref().is_some_and(Vec::is_empty) {
                    self.error(
                        field("groups"),
                        "an ECS instance belongs to at least one security group: add groups",
                    );
                }
                (Some(EndpointKind::Ecs), vpc, enis)
            }
            "pod" => self.pod(&location, raw, pod_ip),
            "gateway_node" | "gateway" => {
                forbid_pod_ip_and_cidr(self);
                forbid(
                    self,
                    "cluster",
                    raw.cluster.is_some(),
                    "only pods belong to a cluster",
                );
                forbid(self, "node", raw.node.is_some(), "only pods run on a node");
                self.gateway_node(&location, raw)
            }
            _ => {
                self.report(
                    field("kind"),
                    &unknown_value(
                        "kind",
                        raw.kind.clone(),
                        "ecs, pod, gateway_node or external",
                    ),
                );
                (None, None, None)
            }
        };
        if kind_word == "ecs" || kind_word == "gateway_node" {
            if let Some(enis) = &enis {
                if !enis.is_empty() && enis.iter().all(|eni| eni.private_ips.is_empty()) {
                    self.warning(
                        field("private_ip"),
                        "the endpoint has no private IP: other endpoints of its VPC cannot reach it and group rules cannot match it",
                    );
                }
            }
        }
        let pod_ip = if matches!(kind, Some(EndpointKind::Pod { .. })) {
            pod_ip
        } else {
            None
        };
        let (Some(kind), Some(enis)) = (kind, enis) else {
            return;
        };
        if !matches!(kind, EndpointKind::External { .. }) && vpc.is_none() {
            return;
        }
        self.topology.endpoints.insert(
            id.clone(),
            Endpoint {
                id,
                name: raw.name.clone(),
                kind,
                vpc,
                enis,
                public_ip,
                pod_ip,
                services,
            },
        );
    }

    fn forbid_pod_and_gateway_fields(&mut self, location: &Location, raw: &RawEndpoint) {
        for (name, present, why) in [
            (
                "cluster",
                raw.cluster.is_some(),
                "only pods belong to a cluster",
            ),
            ("node", raw.node.is_some(), "only pods run on a node"),
            (
                "gateway",
                raw.gateway.is_some(),
                "only gateway nodes belong to a gateway",
            ),
        ] {
            if present {
                self.error(
                    location.clone().field(name),
                    format!("{name} is not allowed here: {why}"),
                );
            }
        }
    }

    fn pod(
        &mut self,
        location: &Location,
        raw: &RawEndpoint,
        pod_ip: Option<IpAddr>,
    ) -> (Option<EndpointKind>, Option<VpcId>, Option<Vec<Eni>>) {
        let field = |name: &str| location.clone().field(name);
        if raw.gateway.is_some() {
            self.error(
                field("gateway"),
                "gateway is not allowed here: only gateway nodes belong to a gateway",
            );
        }
        if raw.cidr.is_some() {
            self.error(
                field("cidr"),
                "cidr is not allowed here: only external endpoints have a cidr",
            );
        }
        if raw.public_ip.is_some() {
            self.error(
                field("public_ip"),
                "public_ip is not allowed here: pods are reached through their node or a gateway",
            );
        }
        let cluster = match raw.cluster.as_deref().map(str::trim) {
            None => {
                self.error(
                    field("cluster"),
                    "a pod needs its cluster: name it in cluster",
                );
                None
            }
            Some(text) => {
                let id = ClusterId::from(text);
                match self.topology.clusters.get(&id).cloned() {
                    Some(cluster) => Some(cluster),
                    None => {
                        self.error(field("cluster"), format!("cluster {text:?} does not exist: add it to clusters or correct the id"));
                        None
                    }
                }
            }
        };
        let node = match raw.node.as_deref().map(str::trim) {
            None => {
                self.error(
                    field("node"),
                    "a pod needs its node: name the ECS endpoint it runs on in node",
                );
                None
            }
            Some(text) => {
                let id = EndpointId::from(text);
                match self.endpoint_kinds.get(&id).map(String::as_str) {
                    Some("ecs") => Some(id),
                    Some(_) => {
                        self.error(
                            field("node"),
                            format!("node {text} is not an ECS endpoint: pods run on ECS nodes"),
                        );
                        None
                    }
                    None => {
                        self.error(
                            field("node"),
                            format!(
                                "node {text:?} does not exist: add an ECS endpoint with this id"
                            ),
                        );
                        None
                    }
                }
            }
        };
        let Some(cluster) = cluster else {
            return (None, None, None);
        };
        let vpc = match raw.vpc.as_deref().map(str::trim) {
            Some(text) if text != cluster.vpc.as_str() => {
                self.error(
                    field("vpc"),
                    format!(
                        "the pod is in VPC {text}, but its cluster {} is in VPC {}: leave vpc out",
                        cluster.id, cluster.vpc
                    ),
                );
                None
            }
            _ => Some(cluster.vpc.clone()),
        };
        let enis = match cluster.network_mode {
            NetworkMode::Flannel | NetworkMode::TerwayShared => {
                let mode = match cluster.network_mode {
                    NetworkMode::Flannel => "flannel",
                    _ => "terway_shared",
                };
                if raw.groups.is_some() || raw.enis.is_some() || raw.private_ip.is_some() {
                    self.error(
                        field(if raw.enis.is_some() { "enis" } else if raw.groups.is_some() { "groups" } else { "private_ip" }),
                        format!("pods of a {mode} cluster have no ENI of their own: they use their node's groups, so remove groups, enis and private_ip and give pod_ip"),
                    );
                }
                match pod_ip {
                    None if raw.pod_ip.is_none() => self.error(
                        field("pod_ip"),
                        format!("pods of a {mode} cluster need a pod_ip"),
                    ),
                    Some(ip) if cluster.network_mode == NetworkMode::Flannel => {
                        if let Some(pod_cidr) = cluster.pod_cidr {
                            if !pod_cidr.contains(&ip) {
                                self.warning(
                                    field("pod_ip"),
                                    format!(
                                        "pod_ip {ip} is outside the cluster's pod_cidr {pod_cidr}"
                                    ),
                                );
                            }
                        }
                    }
                    _ => {}
                }
                Some(Vec::new())
            }
            NetworkMode::TerwayTrunk => {
                if raw.pod_ip.is_some() {
                    self.warning(
                        field("pod_ip"),
                        "pod_ip is ignored: a terway_trunk pod's address is on its own ENI, write it in private_ip",
                    );
                }
                let enis = self.enis(
                    location,
                    raw,
                    Vec::new(),
                    vpc.as_ref(),
                    self.limits.groups_per_trunk_pod,
                );
                if enis.as_ref().is_some_and(Vec::is_empty) {
                    self.error(
                        field("groups"),
                        "pods of a terway_trunk cluster need their own ENI: give private_ip and groups",
                    );
                }
                enis
            }
        };
        let kind = node.map(|node| EndpointKind::Pod {
            cluster: cluster.id.clone(),
            node,
        });
        (kind, vpc, enis)
    }

    fn gateway_node(
        &mut self,
        location: &Location,
        raw: &RawEndpoint,
    ) -> (Option<EndpointKind>, Option<VpcId>, Option<Vec<Eni>>) {
        let field = |name: &str| location.clone().field(name);
        let Some(text) = raw.gateway.as_deref().map(str::trim) else {
            self.error(
                field("gateway"),
                "a gateway node needs its gateway: name it in gateway",
            );
            return (None, None, None);
        };
        let id = GatewayId::from(text);
        let Some(gateway) = self.topology.gateways.get(&id).cloned() else {
            self.error(
                field("gateway"),
                format!("gateway {text:?} does not exist: add it to gateways or correct the id"),
            );
            return (None, None, None);
        };
        let vpc = self.vpc(location, raw.vpc.as_deref(), Some(gateway.vpc.clone()));
        if vpc.as_ref().is_some_and(|vpc| vpc != &gateway.vpc) {
            self.error(
                field("vpc"),
                format!(
                    "the gateway node is in another VPC than its gateway {id} ({}): leave vpc out",
                    gateway.vpc
                ),
            );
        }
        let enis = self.enis(
            location,
            raw,
            vec![gateway.managed_group.clone()],
            vpc.as_ref(),
            self.limits.groups_per_eni,
        );
        if let Some(enis) = &enis {
            if !enis
                .iter()
                .any(|eni| eni.groups.contains(&gateway.managed_group))
            {
                self.warning(
                    field("groups"),
                    format!("the gateway node is not in its gateway's managed group {}: authorizations of the gateway do not cover it", gateway.managed_group),
                );
            }
        }
        (Some(EndpointKind::GatewayNode { gateway: id }), vpc, enis)
    }

    /// The ENIs of an endpoint, from `enis` or from the `private_ip`/`groups` shorthand;
    /// `default_groups` fill a shorthand ENI that names no group.
    fn enis(
        &mut self,
        location: &Location,
        raw: &RawEndpoint,
        default_groups: Vec<GroupId>,
        vpc: Option<&VpcId>,
        max_groups: usize,
    ) -> Option<Vec<Eni>> {
        let field = |name: &str| location.clone().field(name);
        if raw.enis.is_some() && (raw.groups.is_some() || raw.private_ip.is_some()) {
            self.error(
                field("enis"),
                "give either enis or the private_ip/groups shorthand for a single ENI, not both",
            );
            return None;
        }
        let mut ok = true;
        let mut enis = Vec::new();
        match &raw.enis {
            Some(raw_enis) => {
                for (eni_index, raw_eni) in raw_enis.iter().enumerate() {
                    let prefix = format!("enis[{eni_index}]");
                    let mut private_ips = Vec::new();
                    for (ip_index, text) in raw_eni.private_ips.iter().enumerate() {
                        match self.ip(field(&format!("{prefix}.private_ips[{ip_index}]")), text) {
                            Some(ip) => private_ips.push(ip),
                            None => ok = false,
                        }
                    }
                    let groups = self.eni_groups(
                        &field(&format!("{prefix}.groups")),
                        &raw_eni.groups,
                        vpc,
                        max_groups,
                    );
                    match groups {
                        Some(groups) => enis.push(Eni {
                            id: raw_eni
                                .id
                                .as_deref()
                                .map(str::trim)
                                .filter(|id| !id.is_empty())
                                .map(str::to_owned),
                            private_ips,
                            groups,
                        }),
                        None => ok = false,
                    }
                }
            }
            None => {
                let private_ips = match raw.private_ip.as_deref() {
                    Some(text) => match self.ip(field("private_ip"), text) {
                        Some(ip) => vec![ip],
                        None => {
                            ok = false;
                            Vec::new()
                        }
                    },
                    None => Vec::new(),
                };
                let written = raw.groups.clone().unwrap_or_default();
                if raw.groups.is_none() && default_groups.is_empty() {
                    if raw.private_ip.is_some() {
                        self.error(
                            field("groups"),
                            "the endpoint has a private_ip but no groups: an ENI belongs to 1 to 10 security groups",
                        );
                        return None;
                    }
                    return Some(Vec::new());
                }
                let groups = if raw.groups.is_none() {
                    Some(default_groups)
                } else {
                    self.eni_groups(&field("groups"), &written, vpc, max_groups)
                };
                match groups {
                    Some(groups) => enis.push(Eni {
                        id: None,
                        private_ips,
                        groups,
                    }),
                    None => ok = false,
                }
            }
        }
        ok.then_some(enis)
    }

    fn eni_groups(
        &mut self,
        location: &Location,
        written: &[String],
        vpc: Option<&VpcId>,
        max_groups: usize,
    ) -> Option<Vec<GroupId>> {
        if written.is_empty() {
            self.error(
                location.clone(),
                format!("an ENI belongs to 1 to {max_groups} security groups: add one"),
            );
            return None;
        }
        if written.len() > max_groups {
            self.error(
                location.clone(),
                format!(
                    "{} security groups on one ENI, more than the limit of {max_groups}: remove some",
                    written.len()
                ),
            );
            return None;
        }
        let mut ok = true;
        let mut groups: Vec<GroupId> = Vec::new();
        let mut types: BTreeMap<GroupType, GroupId> = BTreeMap::new();
        for text in written {
            let id = GroupId(text.trim().to_owned());
            if groups.contains(&id) {
                self.error(
                    location.clone(),
                    format!("security group {id} is listed twice on one ENI"),
                );
                ok = false;
                continue;
            }
            match self.group_infos.get(&id).cloned() {
                None => {
                    self.report(location.clone(), &Error::UnknownGroup(id.clone()));
                    ok = false;
                }
                Some(info) => {
                    if let (Some(group_vpc), Some(vpc)) = (&info.vpc, vpc) {
                        if group_vpc != vpc {
                            self.error(
                                location.clone(),
                                format!("security group {id} is in VPC {group_vpc}, but the endpoint is in VPC {vpc}: an ENI joins only groups of its own VPC"),
                            );
                            ok = false;
                        }
                    }
                    types.entry(info.group_type).or_insert_with(|| id.clone());
                }
            }
            groups.push(id);
        }
        if let (Some(basic), Some(enterprise)) = (
            types.get(&GroupType::Basic),
            types.get(&GroupType::Enterprise),
        ) {
            self.error(
                location.clone(),
                format!("the ENI mixes basic group {basic} and enterprise group {enterprise}: an ENI's groups are all of one type"),
            );
            ok = false;
        }
        ok.then_some(groups)
    }

    fn service(
        &mut self,
        location: &Location,
        index: usize,
        raw: &crate::format::RawService,
    ) -> Option<Service> {
        let field = |name: &str| location.clone().field(format!("services[{index}].{name}"));
        let protocol = match raw.protocol.as_deref() {
            None => Protocol::Tcp,
            Some(text) => self.check(field("protocol"), check_protocol_field(text))?,
        };
        let ports = match (&raw.port, &raw.port_range) {
            (Some(_), Some(_)) => {
                self.error(field("port"), "give either port or port_range, not both");
                return None;
            }
            (Some(port), None) => {
                if !protocol.has_ports() {
                    self.report(
                        field("port"),
                        &Error::PortsNotAllowed {
                            protocol,
                            ports: port.to_text(),
                        },
                    );
                    return None;
                }
                let port = self.check(field("port"), check_single_port_field(&port.to_text()))?;
                PortRange::single(port).ok()?
            }
            (None, Some(range)) => {
                let ports = self.check(
                    field("port_range"),
                    check_port_field(protocol, &range.to_text()),
                )?;
                ports.as_range()
            }
            (None, None) if protocol.has_ports() => {
                self.error(
                    field("port"),
                    format!("a {protocol} service needs a port (8080) or a port_range (80/9000)"),
                );
                return None;
            }
            (None, None) => PortRange::ALL,
        };
        Some(Service {
            name: raw.name.clone(),
            protocol,
            ports,
            up: raw.up.unwrap_or(true),
        })
    }

    /// Warns about gateway authorizations whose generated rule is missing from the backend
    /// group: the gateway lists it, but nothing allows the traffic.
    fn authorization_rules(&mut self) {
        let mut missing = Vec::new();
        for gateway in self.topology.gateways.values() {
            for authorization in &gateway.authorizations {
                let Some(group) = self.topology.groups.get(&authorization.backend_group) else {
                    continue;
                };
                for range in &authorization.port_ranges {
                    let expected = crate::gateway::authorization_rule(
                        &gateway.managed_group,
                        *range,
                        &authorization.description,
                    );
                    if !group
                        .rules
                        .iter()
                        .any(|rule| crate::gateway::is_same_authorization_rule(rule, &expected))
                    {
                        missing.push((
                            gateway.id.clone(),
                            group.id.clone(),
                            *range,
                            gateway.managed_group.clone(),
                        ));
                    }
                }
            }
        }
        for (gateway, group, range, managed) in missing {
            self.warning(
                self.location()
                    .object(format!("gateway {gateway}"))
                    .field("authorizations"),
                format!("the authorization of {range} on {group} has no matching rule in {group} (ingress, accept, priority 1, tcp {range}, group {managed}): the gateway lists it but the group does not allow the traffic"),
            );
        }
    }

    fn limits(&mut self) {
        let mut warnings = Vec::new();
        for group in self.topology.groups.values() {
            let location = self
                .location()
                .object(format!("security group {}", group.id))
                .field("rules");
            if group.rules.len() > self.limits.rules_per_group {
                warnings.push((
                    location.clone(),
                    format!(
                        "the group holds {} rules, more than the limit of {} per group",
                        group.rules.len(),
                        self.limits.rules_per_group
                    ),
                ));
            }
            let references = group
                .rules
                .iter()
                .filter(|rule| matches!(rule.peer, Peer::Group { .. }))
                .count();
            if group.group_type == GroupType::Basic
                && references > self.limits.group_references_per_group
            {
                warnings.push((
                    location,
                    format!(
                        "the group holds {references} rules that reference a group, more than the limit of {} per basic group",
                        self.limits.group_references_per_group
                    ),
                ));
            }
        }
        for endpoint in self.topology.endpoints.values() {
            for (eni_index, eni) in endpoint.enis.iter().enumerate() {
                let rules: usize = eni
                    .groups
                    .iter()
                    .filter_map(|group| self.topology.groups.get(group))
                    .map(|group| group.rules.len())
                    .sum();
                if rules > self.limits.rules_per_eni {
                    warnings.push((
                        self.location()
                            .object(format!("endpoint {}", endpoint.id))
                            .field(format!("enis[{eni_index}].groups")),
                        format!(
                            "the ENI's groups hold {rules} rules together, more than the limit of {} per ENI",
                            self.limits.rules_per_eni
                        ),
                    ));
                }
            }
        }
        for (location, message) in warnings {
            self.diagnostics
                .push(Diagnostic::warning(location, message).with_code("AuthorizationLimitExceed"));
        }
    }

    fn expectations(&mut self, raw: &RawFile) {
        for (index, expectation) in raw.expectations.iter().enumerate() {
            let location = self.location().object(format!("expectation {}", index + 1));
            let field = |name: &str| location.clone().field(name);
            let from = self.expectation_endpoint(field("from"), &expectation.from);
            let to = self.expectation_endpoint(field("to"), &expectation.to);
            let protocol = self.check(
                field("protocol"),
                check_protocol_field(&expectation.protocol),
            );
            let port = match (protocol, &expectation.port) {
                (Some(protocol), None) if protocol.has_ports() => {
                    self.error(
                        field("port"),
                        format!("a {protocol} expectation needs a port"),
                    );
                    None
                }
                (Some(protocol), Some(port)) if !protocol.has_ports() => {
                    self.error(
                        field("port"),
                        format!("protocol {protocol} has no ports: leave port out (it was {port})"),
                    );
                    None
                }
                (_, Some(port)) => self
                    .check(field("port"), check_single_port_field(&port.to_text()))
                    .map(Some),
                (_, None) => Some(None),
            };
            let verdict = match expectation.verdict.trim().to_ascii_lowercase().as_str() {
                "allow" | "allowed" | "accept" => Some(Verdict::Allow),
                "deny" | "denied" | "drop" => Some(Verdict::Deny),
                _ => {
                    self.report(
                        field("verdict"),
                        &unknown_value("verdict", expectation.verdict.clone(), "allow or deny"),
                    );
                    None
                }
            };
            if let (Some(from), Some(to), Some(protocol), Some(port), Some(verdict)) =
                (from, to, protocol, port, verdict)
            {
                self.topology.expectations.push(Expectation {
                    from,
                    to,
                    protocol,
                    port,
                    verdict,
                });
            }
        }
    }

    fn expectation_endpoint(&mut self, location: Location, text: &str) -> Option<String> {
        let text = text.trim();
        if text.is_empty() {
            self.error(
                location,
                "the endpoint is missing: give an endpoint id, an endpoint name or an IP address",
            );
            return None;
        }
        let known = self
            .topology
            .endpoints
            .contains_key(&EndpointId::from(text))
            || self
                .topology
                .endpoints
                .values()
                .any(|endpoint| endpoint.name == text)
            || text.parse::<IpAddr>().is_ok();
        if known {
            Some(text.to_owned())
        } else {
            self.error(
                location,
                format!("{text:?} is neither an endpoint id, an endpoint name nor an IP address"),
            );
            None
        }
    }

    fn layout(&mut self, raw: &RawFile) {
        for (id, position) in &raw.layout {
            let known = self
                .topology
                .endpoints
                .contains_key(&EndpointId::from(id.as_str()))
                || self.group_infos.contains_key(&GroupId::from(id.as_str()))
                || self.topology.vpcs.contains_key(&VpcId::from(id.as_str()))
                || self
                    .topology
                    .clusters
                    .contains_key(&ClusterId::from(id.as_str()))
                || self
                    .topology
                    .gateways
                    .contains_key(&GatewayId::from(id.as_str()));
            if known {
                self.topology.layout.insert(
                    id.clone(),
                    Position {
                        x: position.x,
                        y: position.y,
                    },
                );
            } else {
                self.warning(
                    self.location().object("layout").field(id.clone()),
                    format!("layout names {id:?}, which is no object of the file: the position is ignored"),
                );
            }
        }
    }
}

/// The error for a word that is not one of `expected`: missing when empty, unknown otherwise.
fn unknown_value(field: &'static str, value: String, expected: &'static str) -> Error {
    if value.trim().is_empty() {
        Error::MissingValue { field, expected }
    } else {
        Error::UnknownValue {
            field,
            value,
            expected,
        }
    }
}

fn object_name(what: &str, id: &str, index: usize) -> String {
    let id = id.trim();
    if id.is_empty() {
        format!("{what} {}", index + 1)
    } else {
        format!("{what} {id}")
    }
}

fn parse_group_type(text: Option<&str>) -> Option<GroupType> {
    match text.map(|text| text.trim().to_ascii_lowercase()) {
        None => Some(GroupType::Basic),
        Some(text) => match text.as_str() {
            "basic" | "normal" => Some(GroupType::Basic),
            "enterprise" | "advanced" => Some(GroupType::Enterprise),
            _ => None,
        },
    }
}

fn looks_like_address(text: &str) -> bool {
    text.contains(':')
        || text
            .chars()
            .next()
            .is_some_and(|first| first.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports() {
        assert!(matches!(parse_ports("-1/-1"), Ok(PortSpec::All)));
        assert_eq!(
            parse_ports("200/1"),
            Err(Error::ReversedPortRange { start: 200, end: 1 })
        );
        assert_eq!(parse_ports("22"), Err(Error::LonePort("22".into())));
        assert_eq!(parse_ports("0/22"), Err(Error::PortZero));
        assert_eq!(parse_ports("1/70000"), Err(Error::PortTooLarge(70000)));
        assert_eq!(
            parse_ports("-1/22"),
            Err(Error::MalformedPortRange("-1/22".into()))
        );
        assert_eq!(
            check_port_field(Protocol::Gre, "1/65535"),
            Err(Error::PortsNotAllowed {
                protocol: Protocol::Gre,
                ports: "1/65535".into()
            })
        );
        assert_eq!(
            check_port_field(Protocol::Udp, ""),
            Err(Error::PortsRequired(Protocol::Udp))
        );
    }

    #[test]
    fn priorities() {
        assert_eq!(check_priority_field(" 1 ").map(Priority::get), Ok(1));
        assert_eq!(
            check_priority_field("110").map(Priority::is_legacy),
            Ok(true)
        );
        assert_eq!(check_priority_field("0"), Err(Error::PriorityOutOfRange(0)));
        assert_eq!(
            check_priority_field("101"),
            Err(Error::PriorityOutOfRange(101))
        );
        assert_eq!(
            check_priority_field("-3"),
            Err(Error::MalformedPriority("-3".into()))
        );
    }

    #[test]
    fn cidrs() {
        assert_eq!(
            parse_cidr("10.0.0.1/8").map(|(cidr, fixed)| (cidr.to_string(), fixed)),
            Ok(("10.0.0.0/8".to_owned(), true))
        );
        assert_eq!(
            parse_cidr("203.0.113.10").map(|(cidr, fixed)| (cidr.to_string(), fixed)),
            Ok(("203.0.113.10/32".to_owned(), false))
        );
        let error = parse_cidr("10.0.0.0/33").unwrap_err();
        assert_eq!(
            error.to_string(),
            "CIDR block \"10.0.0.0/33\" is malformed: the prefix length /33 is too long for IPv4: use /0 to /32"
        );
    }

    #[test]
    fn peer_field() {
        let topology = crate::format::parse_sglab(
            r#"{"sglab": 1, "vpcs": [{"id": "v"}, {"id": "w"}],
              "security_groups": [{"id": "sg-a", "vpc": "v"}, {"id": "sg-b", "vpc": "v"},
                {"id": "sg-w", "vpc": "w"}, {"id": "sg-e", "vpc": "v", "type": "enterprise"}],
              "prefix_lists": [{"id": "office", "cidrs": ["192.0.2.0/24"]}]}"#,
            None,
        )
        .unwrap()
        .topology;
        let a = GroupId::from("sg-a");
        let check = |protocol, text: &str| check_peer_field(&topology, &a, protocol, text);
        assert_eq!(
            check(Protocol::Tcp, "10.0.0.1/8"),
            Ok(Peer::Cidr("10.0.0.0/8".parse().unwrap()))
        );
        assert_eq!(
            check(Protocol::Tcp, "sg-b"),
            Ok(Peer::Group {
                id: GroupId::from("sg-b"),
                owner_account: None
            })
        );
        assert_eq!(
            check(Protocol::Tcp, "office"),
            Ok(Peer::PrefixList(PrefixListId::from("office")))
        );
        assert_eq!(
            check(Protocol::Tcp, "pl-nope"),
            Err(Error::UnknownPrefixList(PrefixListId::from("pl-nope")))
        );
        assert_eq!(check(Protocol::Tcp, " "), Err(Error::EmptyPeer));
        assert_eq!(
            check(Protocol::Tcp, "sg-a"),
            Err(Error::GroupSelfReference(a.clone()))
        );
        assert_eq!(
            check(Protocol::Tcp, "sg-e"),
            Err(Error::EnterpriseReferenced(GroupId::from("sg-e")))
        );
        assert!(matches!(
            check(Protocol::Tcp, "sg-w"),
            Err(Error::GroupVpcMismatch { .. })
        ));
        assert_eq!(
            check(Protocol::Tcp, "sg-zzz"),
            Err(Error::UnknownGroup(GroupId::from("sg-zzz")))
        );
        assert!(matches!(
            check(Protocol::Icmp, "::/0"),
            Err(Error::ProtocolFamilyMismatch { .. })
        ));
        assert!(matches!(
            check(Protocol::Tcp, "10.0.0.0/40"),
            Err(Error::MalformedCidr { .. })
        ));
    }
}
