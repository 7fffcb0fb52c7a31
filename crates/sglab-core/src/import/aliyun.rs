//! The JSON of Alibaba Cloud ECS API responses, as the `aliyun ecs Describe...` commands print
//! it, and its conversion into facts about groups, instances and network interfaces.
//!
//! The DTOs mirror the responses loosely: every field is optional, unknown fields are ignored,
//! scalars may be strings or numbers (`Priority` is a string in current responses and a number
//! in older ones), and an empty string means absent. Values are compared case-insensitively
//! (`Accept`, `TCP`, `ingress`).

use std::net::IpAddr;

use serde::{Deserialize, Deserializer};

use crate::diagnostic::{Location, Sink};
use crate::model::{Direction, GroupId, GroupType, InnerAccessPolicy, Rule, Topology};
use crate::validate::rule::{Dialect, Field, PeerFields, RuleFields};
use crate::validate::{self, Checker, Known, Limits};

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

// ---------------------------------------------------------------------------------------------
// Conversion

/// The facts of a DescribeSecurityGroupAttribute response; `None` when the group id is missing.
pub(crate) fn attribute_facts(
    response: &AttributeResponse,
    sink: &mut Sink,
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
        None => Some(InnerAccessPolicy::Accept),
        Some(text) => InnerAccessPolicy::parse(text),
    };
    let inner_access_policy = match inner_access_policy {
        Some(policy) => policy,
        None => {
            let text = response.inner_access_policy.or_empty();
            sink.error(
                sink.location()
                    .object(object.clone())
                    .field("InnerAccessPolicy"),
                format!("InnerAccessPolicy {text:?} is not valid: use Accept or Drop"),
            );
            InnerAccessPolicy::Accept
        }
    };
    // The rule ids of one group must be unique; its references are checked on the merged model.
    let mut known = Known::default();
    let (topology, limits) = (Topology::default(), Limits::default());
    let mut checker = Checker {
        sink,
        known: &mut known,
        topology: &topology,
        limits: &limits,
    };
    let rules = response
        .permissions
        .permission
        .iter()
        .enumerate()
        .filter_map(|(index, permission)| {
            let location = checker.sink.location().object(object.clone()).rule(index);
            rule(&id, permission, &location, &mut checker)
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

/// One rule of a group, or `None` after reporting why it cannot be used. The rule reader of
/// [`crate::validate`] makes every decision; this function only names the API's fields.
fn rule(
    group: &GroupId,
    permission: &Permission,
    location: &Location,
    checker: &mut Checker<'_>,
) -> Option<Rule> {
    let at = |field: &str| location.clone().field(field);
    let direction = match permission.direction.get() {
        Some(text) => {
            let field = Field::new("Direction", Some(text));
            // An unknown word is reported; the source fields are still read for their errors.
            checker
                .read_direction(location, Dialect::Aliyun, field)
                .unwrap_or(Direction::Ingress)
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
            checker.sink.warning(
                at("Direction"),
                format!(
                    "Direction is missing: read as {} from the peer fields",
                    direction.as_str()
                ),
            );
            direction
        }
    };
    if let Some(list) = permission.port_range_list_id.get() {
        checker.sink.warning(
            at("PortRangeListId"),
            format!("port list {list} is not modelled: the rule's PortRange is used"),
        );
    }
    fn field<'a>(name: &'static str, text: &'a Text) -> Field<'a> {
        Field::new(name, text.get())
    }
    let (peer, local_cidr) = match direction {
        Direction::Ingress => (
            PeerFields {
                cidr: field("SourceCidrIp", &permission.source_cidr_ip),
                ipv6_cidr: field("Ipv6SourceCidrIp", &permission.ipv6_source_cidr_ip),
                group: field("SourceGroupId", &permission.source_group_id),
                owner: field(
                    "SourceGroupOwnerAccount",
                    &permission.source_group_owner_account,
                ),
                prefix_list: field("SourcePrefixListId", &permission.source_prefix_list_id),
            },
            vec![
                (field("DestCidrIp", &permission.dest_cidr_ip), Some(false)),
                (
                    field("Ipv6DestCidrIp", &permission.ipv6_dest_cidr_ip),
                    Some(true),
                ),
            ],
        ),
        Direction::Egress => (
            PeerFields {
                cidr: field("DestCidrIp", &permission.dest_cidr_ip),
                ipv6_cidr: field("Ipv6DestCidrIp", &permission.ipv6_dest_cidr_ip),
                group: field("DestGroupId", &permission.dest_group_id),
                owner: field(
                    "DestGroupOwnerAccount",
                    &permission.dest_group_owner_account,
                ),
                prefix_list: field("DestPrefixListId", &permission.dest_prefix_list_id),
            },
            vec![
                (
                    field("SourceCidrIp", &permission.source_cidr_ip),
                    Some(false),
                ),
                (
                    field("Ipv6SourceCidrIp", &permission.ipv6_source_cidr_ip),
                    Some(true),
                ),
            ],
        ),
    };
    let description = permission.description.or_empty();
    let fields = RuleFields {
        id: field("SecurityGroupRuleId", &permission.security_group_rule_id),
        policy: field("Policy", &permission.policy),
        priority: field("Priority", &permission.priority),
        protocol: field("IpProtocol", &permission.ip_protocol),
        port_range: field("PortRange", &permission.port_range),
        peer,
        source_port_range: field("SourcePortRange", &permission.source_port_range),
        local_cidr,
        nic_type: field("NicType", &permission.nic_type),
        description: Field::new("Description", Some(&description)),
    };
    checker.read_rule(
        location,
        Dialect::Aliyun,
        Some(direction),
        group,
        None,
        &fields,
    )
}

/// The facts of a DescribeSecurityGroups response.
pub(crate) fn listed_facts(response: &SecurityGroupsResponse, sink: &mut Sink) -> Vec<ListedFacts> {
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
            // The API says `normal` for a basic group.
            Some(text) if text.eq_ignore_ascii_case("normal") => GroupType::Basic,
            Some(text) if GroupType::parse(text) == Some(GroupType::Enterprise) => {
                GroupType::Enterprise
            }
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
pub(crate) fn instance_facts(response: &InstancesResponse, sink: &mut Sink) -> Vec<InstanceFacts> {
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
    sink: &mut Sink,
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

fn addresses(texts: &[Text], object: &str, field: &str, sink: &mut Sink) -> Vec<IpAddr> {
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
