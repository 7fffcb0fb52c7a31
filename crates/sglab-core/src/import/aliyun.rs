//! The JSON of Alibaba Cloud ECS API responses, as the `aliyun ecs Describe...` commands print
//! it, and its conversion into facts about groups, instances and network interfaces.
//!
//! The DTOs mirror the responses loosely: every field is optional, unknown fields are ignored,
//! scalars may be strings or numbers (`Priority` is a string in current responses and a number
//! in older ones), and an empty string means absent. Values are compared case-insensitively
//! (`Accept`, `TCP`, `ingress`).

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Deserializer};

use crate::diagnostic::{Diagnostic, Location};
use crate::model::{
    Direction, GroupId, GroupType, InnerAccessPolicy, NicType, Peer, Policy, PortSpec,
    PrefixListId, Priority, Rule, RuleId,
};
use crate::validate;

// ---------------------------------------------------------------------------------------------
// DTOs

/// A scalar that may be written as a string, a number or a boolean; empty strings and `null`
/// are absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Text(pub(crate) Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Scalar {
            String(String),
            Number(serde_json::Number),
            Bool(bool),
            Null,
        }
        let text = match Scalar::deserialize(deserializer)? {
            Scalar::String(text) => text.trim().to_owned(),
            Scalar::Number(number) => number.to_string(),
            Scalar::Bool(value) => value.to_string(),
            Scalar::Null => String::new(),
        };
        Ok(Text(if text.is_empty() { None } else { Some(text) }))
    }
}

impl Text {
    fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }

    fn or_empty(&self) -> String {
        self.0.clone().unwrap_or_default()
    }
}

/// `{"SecurityGroupId": ["sg-1", ...]}` and the like: the API's wrapping of lists.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct IdList {
    #[serde(default, alias = "SecurityGroupId", alias = "IpAddress")]
    pub(crate) items: Vec<Text>,
}

/// A DescribeSecurityGroupAttribute response.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AttributeResponse {
    #[serde(default)]
    pub(crate) security_group_id: Text,
    #[serde(default)]
    pub(crate) security_group_name: Text,
    #[serde(default)]
    pub(crate) description: Text,
    #[serde(default)]
    pub(crate) vpc_id: Text,
    #[serde(default)]
    pub(crate) inner_access_policy: Text,
    #[serde(default)]
    pub(crate) permissions: Permissions,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Permissions {
    #[serde(default)]
    pub(crate) permission: Vec<Permission>,
}

/// One rule of a DescribeSecurityGroupAttribute response.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct Permission {
    pub(crate) security_group_rule_id: Text,
    pub(crate) direction: Text,
    pub(crate) policy: Text,
    pub(crate) priority: Text,
    pub(crate) ip_protocol: Text,
    pub(crate) port_range: Text,
    pub(crate) port_range_list_id: Text,
    pub(crate) source_cidr_ip: Text,
    pub(crate) ipv6_source_cidr_ip: Text,
    pub(crate) source_group_id: Text,
    pub(crate) source_group_owner_account: Text,
    pub(crate) source_prefix_list_id: Text,
    pub(crate) source_port_range: Text,
    pub(crate) dest_cidr_ip: Text,
    pub(crate) ipv6_dest_cidr_ip: Text,
    pub(crate) dest_group_id: Text,
    pub(crate) dest_group_owner_account: Text,
    pub(crate) dest_prefix_list_id: Text,
    pub(crate) nic_type: Text,
    pub(crate) description: Text,
}

/// A DescribeSecurityGroups response.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SecurityGroupsResponse {
    #[serde(default)]
    pub(crate) security_groups: SecurityGroupList,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SecurityGroupList {
    #[serde(default)]
    pub(crate) security_group: Vec<ListedGroupDto>,
}

/// One group of a DescribeSecurityGroups response.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct ListedGroupDto {
    pub(crate) security_group_id: Text,
    pub(crate) security_group_name: Text,
    pub(crate) security_group_type: Text,
    pub(crate) description: Text,
    pub(crate) vpc_id: Text,
    pub(crate) service_managed: Text,
    #[serde(rename = "ServiceID")]
    pub(crate) service_id: Text,
    pub(crate) tags: Tags,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Tags {
    #[serde(default)]
    pub(crate) tag: Vec<Tag>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct Tag {
    #[serde(alias = "Key")]
    pub(crate) tag_key: Text,
    #[serde(alias = "Value")]
    pub(crate) tag_value: Text,
}

/// A DescribeInstances response.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct InstancesResponse {
    #[serde(default)]
    pub(crate) instances: InstanceList,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct InstanceList {
    #[serde(default)]
    pub(crate) instance: Vec<InstanceDto>,
}

/// One instance of a DescribeInstances response.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct InstanceDto {
    pub(crate) instance_id: Text,
    pub(crate) instance_name: Text,
    pub(crate) security_group_ids: IdList,
    pub(crate) vpc_attributes: VpcAttributes,
    pub(crate) public_ip_address: IdList,
    pub(crate) eip_address: EipAddress,
    pub(crate) network_interfaces: InstanceInterfaces,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct VpcAttributes {
    pub(crate) vpc_id: Text,
    pub(crate) private_ip_address: IdList,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct EipAddress {
    pub(crate) ip_address: Text,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct InstanceInterfaces {
    #[serde(default)]
    pub(crate) network_interface: Vec<InstanceInterface>,
}

/// An ENI as DescribeInstances lists it: no groups.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct InstanceInterface {
    pub(crate) network_interface_id: Text,
    #[serde(rename = "Type")]
    pub(crate) interface_type: Text,
    pub(crate) primary_ip_address: Text,
}

/// A DescribeNetworkInterfaces response.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct NetworkInterfacesResponse {
    #[serde(default)]
    pub(crate) network_interface_sets: NetworkInterfaceSets,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct NetworkInterfaceSets {
    #[serde(default)]
    pub(crate) network_interface_set: Vec<NetworkInterfaceDto>,
}

/// One ENI of a DescribeNetworkInterfaces response.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct NetworkInterfaceDto {
    pub(crate) network_interface_id: Text,
    pub(crate) network_interface_name: Text,
    pub(crate) instance_id: Text,
    #[serde(rename = "Type")]
    pub(crate) interface_type: Text,
    pub(crate) vpc_id: Text,
    pub(crate) private_ip_address: Text,
    pub(crate) private_ip_sets: PrivateIpSets,
    pub(crate) ipv6_sets: Ipv6Sets,
    pub(crate) security_group_ids: IdList,
    pub(crate) associated_public_ip: AssociatedPublicIp,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PrivateIpSets {
    #[serde(default)]
    pub(crate) private_ip_set: Vec<PrivateIpSet>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct PrivateIpSet {
    pub(crate) private_ip_address: Text,
    pub(crate) associated_public_ip: AssociatedPublicIp,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Ipv6Sets {
    #[serde(default)]
    pub(crate) ipv6_set: Vec<Ipv6Set>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct Ipv6Set {
    pub(crate) ipv6_address: Text,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct AssociatedPublicIp {
    pub(crate) public_ip_address: Text,
}

// ---------------------------------------------------------------------------------------------
// Facts

/// What a DescribeSecurityGroupAttribute response says about one group.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct AttributeFacts {
    pub(crate) id: GroupId,
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) vpc: Option<String>,
    pub(crate) inner_access_policy: InnerAccessPolicy,
    pub(crate) rules: Vec<Rule>,
}

/// What a DescribeSecurityGroups response says about one group.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ListedFacts {
    pub(crate) id: GroupId,
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) vpc: Option<String>,
    pub(crate) group_type: GroupType,
    pub(crate) managed_by: Option<String>,
    pub(crate) tags: std::collections::BTreeMap<String, String>,
}

/// What a DescribeInstances response says about one instance.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct InstanceFacts {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) vpc: Option<String>,
    pub(crate) private_ips: Vec<IpAddr>,
    pub(crate) public_ip: Option<IpAddr>,
    pub(crate) groups: Vec<GroupId>,
    /// The primary ENI's id, when listed.
    pub(crate) primary_eni: Option<String>,
    /// Secondary ENIs listed without their groups.
    pub(crate) secondary_enis: Vec<String>,
}

/// What a DescribeNetworkInterfaces response says about one ENI.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct InterfaceFacts {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) instance: Option<String>,
    pub(crate) primary: bool,
    pub(crate) vpc: Option<String>,
    pub(crate) private_ips: Vec<IpAddr>,
    pub(crate) public_ip: Option<IpAddr>,
    pub(crate) groups: Vec<GroupId>,
}

/// Collects diagnostics for one file.
pub(crate) struct Sink<'a> {
    pub(crate) file: &'a str,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl Sink<'_> {
    pub(crate) fn location(&self) -> Location {
        Location::in_file(Some(self.file))
    }

    fn error(&mut self, location: Location, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(location, message));
    }

    fn warning(&mut self, location: Location, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::warning(location, message));
    }

    fn report(&mut self, location: Location, error: &crate::Error) {
        self.diagnostics
            .push(Diagnostic::from_error(location, error));
    }
}

// ---------------------------------------------------------------------------------------------
// Conversion

/// The facts of a DescribeSecurityGroupAttribute response; `None` when the group id is missing.
pub(crate) fn attribute_facts(
    response: &AttributeResponse,
    sink: &mut Sink<'_>,
) -> Option<AttributeFacts> {
    let Some(id) = response.security_group_id.get() else {
        sink.error(
            sink.location().field("SecurityGroupId"),
            "SecurityGroupId is missing: give the whole DescribeSecurityGroupAttribute response",
        );
        return None;
    };
    let id = GroupId::from(id);
    let object = format!("security group {id}");
    let inner_access_policy = match response.inner_access_policy.get() {
        None => InnerAccessPolicy::Accept,
        Some(text) if text.eq_ignore_ascii_case("accept") => InnerAccessPolicy::Accept,
        Some(text) if text.eq_ignore_ascii_case("drop") => InnerAccessPolicy::Drop,
        Some(text) => {
            sink.error(
                sink.location()
                    .object(object.clone())
                    .field("InnerAccessPolicy"),
                format!("InnerAccessPolicy {text:?} is not valid: use Accept or Drop"),
            );
            InnerAccessPolicy::Accept
        }
    };
    let rules = response
        .permissions
        .permission
        .iter()
        .enumerate()
        .filter_map(|(index, permission)| {
            let location = sink.location().object(object.clone()).rule(index);
            rule(&id, permission, location, sink)
        })
        .collect();
    Some(AttributeFacts {
        name: response.security_group_name.0.clone(),
        description: response.description.0.clone(),
        vpc: response.vpc_id.0.clone(),
        inner_access_policy,
        rules,
        id,
    })
}

/// One rule of a group, or `None` after reporting why it cannot be used.
fn rule(
    group: &GroupId,
    permission: &Permission,
    location: Location,
    sink: &mut Sink<'_>,
) -> Option<Rule> {
    let errors_before = sink.diagnostics.iter().filter(|d| d.is_error()).count();
    let at = |field: &str| location.clone().field(field);

    let direction = match permission.direction.get() {
        Some(text) if text.eq_ignore_ascii_case("ingress") => Direction::Ingress,
        Some(text) if text.eq_ignore_ascii_case("egress") => Direction::Egress,
        Some(text) => {
            sink.error(
                at("Direction"),
                format!("Direction {text:?} is not valid: use ingress or egress"),
            );
            Direction::Ingress
        }
        None => {
            // Older responses have no Direction; the peer fields tell which side it is.
            let egress = permission.dest_group_id.get().is_some()
                || permission.dest_prefix_list_id.get().is_some()
                || ((permission.dest_cidr_ip.get().is_some()
                    || permission.ipv6_dest_cidr_ip.get().is_some())
                    && permission.source_cidr_ip.get().is_none()
                    && permission.ipv6_source_cidr_ip.get().is_none()
                    && permission.source_group_id.get().is_none()
                    && permission.source_prefix_list_id.get().is_none());
            let direction = if egress {
                Direction::Egress
            } else {
                Direction::Ingress
            };
            sink.warning(
                at("Direction"),
                format!(
                    "Direction is missing: read as {} from the peer fields",
                    if egress { "egress" } else { "ingress" }
                ),
            );
            direction
        }
    };

    let policy = match permission.policy.get() {
        None => Policy::Accept,
        Some(text) if text.eq_ignore_ascii_case("accept") => Policy::Accept,
        Some(text) if text.eq_ignore_ascii_case("drop") => Policy::Drop,
        Some(text) => {
            sink.error(
                at("Policy"),
                format!("Policy {text:?} is not valid: use Accept or Drop"),
            );
            Policy::Accept
        }
    };

    let priority = match permission.priority.get() {
        None => Some(Priority::HIGHEST),
        Some(text) => match validate::check_priority_field(text) {
            Ok(priority) => {
                if priority.is_legacy() {
                    sink.warning(
                        at("Priority"),
                        "legacy priority 110 from the old console: imported as lower than 100; the API accepts 1 to 100 only",
                    );
                }
                Some(priority)
            }
            Err(error) => {
                sink.report(at("Priority"), &error);
                None
            }
        },
    };

    let protocol = match permission.ip_protocol.get() {
        None => {
            sink.error(
                at("IpProtocol"),
                "IpProtocol is missing: use TCP, UDP, ICMP, ICMPv6, GRE or ALL",
            );
            None
        }
        Some(text) => match validate::check_protocol_field(text) {
            Ok(protocol) => Some(protocol),
            Err(error) => {
                sink.report(at("IpProtocol"), &error);
                None
            }
        },
    };

    if let Some(list) = permission.port_range_list_id.get() {
        sink.warning(
            at("PortRangeListId"),
            format!("port list {list} is not modelled: the rule's PortRange is used"),
        );
    }
    let port_text = permission.port_range.get().unwrap_or_default();
    let ports = match protocol {
        Some(protocol) => validate::check_port_field(protocol, port_text),
        None => validate::parse_ports(port_text),
    };
    let ports = match ports {
        Ok(ports) => Some(ports),
        Err(error) => {
            sink.report(at("PortRange"), &error);
            None
        }
    };

    let source_ports = match permission.source_port_range.get() {
        None => None,
        Some(text) => match validate::parse_ports(text) {
            Ok(PortSpec::All) => None,
            Ok(PortSpec::Range(range)) => Some(range),
            Err(error) => {
                sink.report(at("SourcePortRange"), &error);
                None
            }
        },
    };

    let (peer_fields, local_fields) = match direction {
        Direction::Ingress => (
            PeerFields {
                cidr: ("SourceCidrIp", &permission.source_cidr_ip),
                ipv6_cidr: ("Ipv6SourceCidrIp", &permission.ipv6_source_cidr_ip),
                group: ("SourceGroupId", &permission.source_group_id),
                owner: &permission.source_group_owner_account,
                prefix_list: ("SourcePrefixListId", &permission.source_prefix_list_id),
            },
            [
                ("DestCidrIp", &permission.dest_cidr_ip),
                ("Ipv6DestCidrIp", &permission.ipv6_dest_cidr_ip),
            ],
        ),
        Direction::Egress => (
            PeerFields {
                cidr: ("DestCidrIp", &permission.dest_cidr_ip),
                ipv6_cidr: ("Ipv6DestCidrIp", &permission.ipv6_dest_cidr_ip),
                group: ("DestGroupId", &permission.dest_group_id),
                owner: &permission.dest_group_owner_account,
                prefix_list: ("DestPrefixListId", &permission.dest_prefix_list_id),
            },
            [
                ("SourceCidrIp", &permission.source_cidr_ip),
                ("Ipv6SourceCidrIp", &permission.ipv6_source_cidr_ip),
            ],
        ),
    };
    let peer = peer(group, direction, &peer_fields, &location, sink);
    if let (Some(protocol), Some(Peer::Cidr(net))) = (protocol, &peer) {
        if let Err(error) = validate::check_protocol_family(protocol, net) {
            let field = if net.addr().is_ipv4() {
                peer_fields.cidr.0
            } else {
                peer_fields.ipv6_cidr.0
            };
            sink.report(at(field), &error);
        }
    }

    let mut local_cidr = None;
    for (field, value) in local_fields {
        if let Some(text) = value.get() {
            let want_v6 = field.starts_with("Ipv6");
            if let Some(cidr) = cidr(text, want_v6, at(field), sink) {
                if local_cidr.is_none() {
                    local_cidr = Some(cidr);
                }
            }
        }
    }

    let nic_type = match permission.nic_type.get() {
        None => NicType::Intranet,
        Some(text) if text.eq_ignore_ascii_case("intranet") => NicType::Intranet,
        Some(text) if text.eq_ignore_ascii_case("internet") => NicType::Internet,
        Some(text) => {
            sink.error(
                at("NicType"),
                format!("NicType {text:?} is not valid: use intranet"),
            );
            NicType::Intranet
        }
    };

    let description = permission.description.or_empty();
    if let Err(error) = validate::check_description_field(&description) {
        sink.report(at("Description"), &error);
    }

    let errors_after = sink.diagnostics.iter().filter(|d| d.is_error()).count();
    if errors_after > errors_before {
        return None;
    }
    Some(Rule {
        id: permission.security_group_rule_id.get().map(RuleId::from),
        direction,
        policy,
        priority: priority?,
        protocol: protocol?,
        ports: ports?,
        peer: peer?,
        source_ports,
        local_cidr,
        nic_type,
        description,
    })
}

/// The peer fields of one direction, with their API names.
struct PeerFields<'a> {
    cidr: (&'static str, &'a Text),
    ipv6_cidr: (&'static str, &'a Text),
    group: (&'static str, &'a Text),
    owner: &'a Text,
    prefix_list: (&'static str, &'a Text),
}

/// The peer of a rule. A CIDR wins over a group, and a prefix list counts only when nothing
/// else is set (API documentation of AuthorizeSecurityGroup).
fn peer(
    own_group: &GroupId,
    direction: Direction,
    fields: &PeerFields<'_>,
    location: &Location,
    sink: &mut Sink<'_>,
) -> Option<Peer> {
    let at = |field: &str| location.clone().field(field);
    let ipv4 = fields
        .cidr
        .1
        .get()
        .map(|text| cidr(text, false, at(fields.cidr.0), sink));
    let ipv6 = fields
        .ipv6_cidr
        .1
        .get()
        .map(|text| cidr(text, true, at(fields.ipv6_cidr.0), sink));
    let group = fields.group.1.get();
    let prefix_list = fields.prefix_list.1.get();
    if let Some(parsed) = ipv4.or(ipv6) {
        let cidr_field = if fields.cidr.1.get().is_some() {
            fields.cidr.0
        } else {
            fields.ipv6_cidr.0
        };
        for (field, value) in [(fields.group.0, group), (fields.prefix_list.0, prefix_list)] {
            if let Some(value) = value {
                sink.warning(
                    at(field),
                    format!("{field} {value} is ignored: the rule also sets {cidr_field}, and the CIDR block wins"),
                );
            }
        }
        return parsed.map(Peer::Cidr);
    }
    if let (Some(group), Some(list)) = (group, prefix_list) {
        sink.warning(
            at(fields.prefix_list.0),
            format!(
                "{} {list} is ignored: the rule also sets {} {group}, which wins",
                fields.prefix_list.0, fields.group.0
            ),
        );
    }
    if let Some(id) = group {
        if id == own_group.as_str() {
            sink.report(
                at(fields.group.0),
                &crate::Error::GroupSelfReference(own_group.clone()),
            );
            return None;
        }
        return Some(Peer::Group {
            id: GroupId::from(id),
            owner_account: fields.owner.0.clone(),
        });
    }
    if let Some(id) = prefix_list {
        return Some(Peer::PrefixList(PrefixListId::from(id)));
    }
    let side = match direction {
        Direction::Ingress => "source",
        Direction::Egress => "destination",
    };
    sink.error(
        at(fields.cidr.0),
        format!(
            "the rule has no {side}: set one of {}, {}, {} or {}",
            fields.cidr.0, fields.ipv6_cidr.0, fields.group.0, fields.prefix_list.0
        ),
    );
    None
}

/// A CIDR block or a single address (read as a /32 or /128) of the expected family; host bits
/// are cleared with a warning.
fn cidr(text: &str, want_v6: bool, location: Location, sink: &mut Sink<'_>) -> Option<IpNet> {
    match validate::parse_cidr(text) {
        Ok((net, _)) if net.addr().is_ipv6() != want_v6 => {
            let (family, other) = if want_v6 {
                ("IPv6", "IPv4")
            } else {
                ("IPv4", "IPv6")
            };
            sink.error(
                location,
                format!("{text:?} is not an {family} CIDR block: write {other} blocks in the {other} field"),
            );
            None
        }
        Ok((net, normalised)) => {
            if normalised {
                sink.warning(
                    location,
                    format!("CIDR block {text} has host bits set: read as {net}"),
                );
            }
            Some(net)
        }
        Err(error) => {
            sink.report(location, &error);
            None
        }
    }
}

/// The facts of a DescribeSecurityGroups response.
pub(crate) fn listed_facts(
    response: &SecurityGroupsResponse,
    sink: &mut Sink<'_>,
) -> Vec<ListedFacts> {
    let mut out = Vec::new();
    for (index, dto) in response.security_groups.security_group.iter().enumerate() {
        let Some(id) = dto.security_group_id.get() else {
            sink.error(
                sink.location()
                    .object(format!("security group {}", index + 1))
                    .field("SecurityGroupId"),
                "SecurityGroupId is missing",
            );
            continue;
        };
        let object = format!("security group {id}");
        let group_type = match dto.security_group_type.get() {
            None => GroupType::Basic,
            Some(text) if text.eq_ignore_ascii_case("normal") => GroupType::Basic,
            Some(text) if text.eq_ignore_ascii_case("enterprise") => GroupType::Enterprise,
            Some(text) => {
                sink.error(
                    sink.location().object(object).field("SecurityGroupType"),
                    format!("SecurityGroupType {text:?} is not valid: use normal or enterprise"),
                );
                continue;
            }
        };
        let managed = dto
            .service_managed
            .get()
            .is_some_and(|text| text.eq_ignore_ascii_case("true"));
        let managed_by = managed.then(|| match dto.service_id.get() {
            Some(service) => format!("cloud service {service}"),
            None => "a cloud service".to_owned(),
        });
        let tags = crate::sort::map_of(
            dto.tags
                .tag
                .iter()
                .filter_map(|tag| Some((tag.tag_key.0.clone()?, tag.tag_value.or_empty()))),
        );
        out.push(ListedFacts {
            id: GroupId::from(id),
            name: dto.security_group_name.0.clone(),
            description: dto.description.0.clone(),
            vpc: dto.vpc_id.0.clone(),
            group_type,
            managed_by,
            tags,
        });
    }
    out
}

/// The facts of a DescribeInstances response.
pub(crate) fn instance_facts(
    response: &InstancesResponse,
    sink: &mut Sink<'_>,
) -> Vec<InstanceFacts> {
    let mut out = Vec::new();
    for (index, dto) in response.instances.instance.iter().enumerate() {
        let Some(id) = dto.instance_id.get() else {
            sink.error(
                sink.location()
                    .object(format!("instance {}", index + 1))
                    .field("InstanceId"),
                "InstanceId is missing",
            );
            continue;
        };
        let object = format!("instance {id}");
        let private_ips = addresses(
            &dto.vpc_attributes.private_ip_address.items,
            &object,
            "VpcAttributes.PrivateIpAddress.IpAddress",
            sink,
        );
        let eip = addresses(
            std::slice::from_ref(&dto.eip_address.ip_address),
            &object,
            "EipAddress.IpAddress",
            sink,
        );
        let public = addresses(
            &dto.public_ip_address.items,
            &object,
            "PublicIpAddress.IpAddress",
            sink,
        );
        let mut primary_eni = None;
        let mut secondary_enis = Vec::new();
        for interface in &dto.network_interfaces.network_interface {
            let Some(eni) = interface.network_interface_id.0.clone() else {
                continue;
            };
            let is_primary = interface
                .interface_type
                .get()
                .is_none_or(|text| text.eq_ignore_ascii_case("primary"));
            if is_primary && primary_eni.is_none() {
                primary_eni = Some(eni);
            } else {
                secondary_enis.push(eni);
            }
        }
        out.push(InstanceFacts {
            id: id.to_owned(),
            name: dto.instance_name.0.clone(),
            vpc: dto.vpc_attributes.vpc_id.0.clone(),
            private_ips,
            public_ip: eip.into_iter().chain(public).next(),
            groups: group_ids(&dto.security_group_ids),
            primary_eni,
            secondary_enis,
        });
    }
    out
}

/// The facts of a DescribeNetworkInterfaces response.
pub(crate) fn interface_facts(
    response: &NetworkInterfacesResponse,
    sink: &mut Sink<'_>,
) -> Vec<InterfaceFacts> {
    let mut out = Vec::new();
    for (index, dto) in response
        .network_interface_sets
        .network_interface_set
        .iter()
        .enumerate()
    {
        let Some(id) = dto.network_interface_id.get() else {
            sink.error(
                sink.location()
                    .object(format!("network interface {}", index + 1))
                    .field("NetworkInterfaceId"),
                "NetworkInterfaceId is missing",
            );
            continue;
        };
        let object = format!("network interface {id}");
        let mut texts: Vec<Text> = vec![dto.private_ip_address.clone()];
        texts.extend(
            dto.private_ip_sets
                .private_ip_set
                .iter()
                .map(|set| set.private_ip_address.clone()),
        );
        texts.extend(
            dto.ipv6_sets
                .ipv6_set
                .iter()
                .map(|set| set.ipv6_address.clone()),
        );
        let mut private_ips = addresses(&texts, &object, "PrivateIpAddress", sink);
        let mut seen = std::collections::BTreeSet::new();
        private_ips.retain(|ip| seen.insert(*ip));
        let mut public_texts = vec![dto.associated_public_ip.public_ip_address.clone()];
        public_texts.extend(
            dto.private_ip_sets
                .private_ip_set
                .iter()
                .map(|set| set.associated_public_ip.public_ip_address.clone()),
        );
        let public_ip = addresses(
            &public_texts,
            &object,
            "AssociatedPublicIp.PublicIpAddress",
            sink,
        )
        .into_iter()
        .next();
        out.push(InterfaceFacts {
            id: id.to_owned(),
            name: dto.network_interface_name.0.clone(),
            instance: dto.instance_id.0.clone(),
            primary: dto
                .interface_type
                .get()
                .is_some_and(|text| text.eq_ignore_ascii_case("primary")),
            vpc: dto.vpc_id.0.clone(),
            private_ips,
            public_ip,
            groups: group_ids(&dto.security_group_ids),
        });
    }
    out
}

fn group_ids(list: &IdList) -> Vec<GroupId> {
    list.items
        .iter()
        .filter_map(|text| text.get().map(GroupId::from))
        .collect()
}

fn addresses(texts: &[Text], object: &str, field: &str, sink: &mut Sink<'_>) -> Vec<IpAddr> {
    let mut out = Vec::new();
    for text in texts {
        let Some(text) = text.get() else { continue };
        match validate::check_ip_field(text) {
            Ok(ip) => out.push(ip),
            Err(error) => sink.report(
                sink.location().object(object.to_owned()).field(field),
                &error,
            ),
        }
    }
    out
}
