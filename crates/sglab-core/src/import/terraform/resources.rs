//! The resources of the `aliyun/alicloud` provider, as plan JSON and .tf files both give them
//! (each resource instance with its address and its argument values), and their mapping into a
//! [`Topology`].
//!
//! An object's id is its `id` attribute when Terraform knows it (a state, or a plan of
//! resources that exist) and its address otherwise; endpoints and clusters are always named by
//! their address, with `instance_name` (or the resource's name argument) as their name.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;
use serde_json::Value;

use super::addresses::{placement, PlannedAddresses};
use crate::diagnostic::{Location, Sink};
use crate::model::{
    Cluster, ClusterId, Direction, Endpoint, EndpointId, EndpointKind, Eni, GroupId, GroupType,
    InnerAccessPolicy, NetworkMode, PrefixList, PrefixListId, Rules, SecurityGroup, Topology, Vpc,
    VpcId,
};
use crate::validate::rule::{Dialect, Field, PeerFields, RuleFields};
use crate::validate::{Checker, Known, Limits};

/// One resource instance: its address, type, where it is written and its argument values.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Resource {
    /// The full address, `module.web.alicloud_instance.app["a"]`.
    pub(crate) address: String,
    /// The resource type, `alicloud_instance`.
    pub(crate) resource_type: String,
    /// The file the resource comes from.
    pub(crate) file: String,
    /// The line of its block in a .tf file.
    pub(crate) line: Option<usize>,
    /// The argument values that are known (plain JSON values, nested blocks as arrays).
    pub(crate) values: serde_json::Map<String, Value>,
}

/// The resource types read; every other type is counted in one summary line.
pub(crate) const READ_TYPES: [&str; 12] = [
    "alicloud_vpc",
    "alicloud_vswitch",
    "alicloud_security_group",
    "alicloud_security_group_rule",
    "alicloud_ecs_prefix_list",
    "alicloud_instance",
    "alicloud_eip_address",
    "alicloud_eip_association",
    "alicloud_network_interface",
    "alicloud_network_interface_attachment",
    "alicloud_ecs_network_interface",
    "alicloud_cs_managed_kubernetes",
];

impl Resource {
    /// The id other resources name this one by.
    pub(crate) fn id(&self) -> String {
        self.text("id").unwrap_or_else(|| self.address.clone())
    }

    /// An argument as text: strings trimmed, numbers and booleans written out; empty is absent.
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        self.values.get(name).and_then(text)
    }

    fn list(&self, name: &str) -> Vec<String> {
        match self.values.get(name) {
            Some(Value::Array(items)) => items.iter().filter_map(text).collect(),
            Some(value) => text(value).into_iter().collect(),
            None => Vec::new(),
        }
    }

    pub(super) fn location(&self) -> Location {
        let mut location = Location::in_file(Some(&self.file)).object(self.address.clone());
        location.line = self.line;
        location
    }
}

/// A scalar JSON value as text; `None` for null, empty strings, arrays and objects.
pub(crate) fn text(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(text) => text.trim().to_owned(),
        Value::Number(number) => number.to_string(),
        Value::Bool(value) => value.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// The topology of a set of resources, and which file each object came from (keyed as the
/// merge names objects: `security group sg-1`).
pub(crate) fn topology(
    resources: &[Resource],
    sink: &mut Sink,
) -> (Topology, BTreeMap<String, String>) {
    let mut out = Topology::default();
    let mut origins = BTreeMap::new();
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    let of_type = |wanted: &'static str| {
        resources
            .iter()
            .filter(move |resource| resource.resource_type == wanted)
    };
    for resource in resources {
        if !READ_TYPES.contains(&resource.resource_type.as_str()) {
            *skipped.entry(&resource.resource_type).or_default() += 1;
        }
    }
    if !skipped.is_empty() {
        let count: usize = skipped.values().sum();
        let list: Vec<String> = skipped
            .iter()
            .map(|(kind, count)| format!("{kind} ({count})"))
            .collect();
        let what = if count == 1 {
            "1 resource of a type".to_owned()
        } else {
            format!("{count} resources of types")
        };
        sink.warning(
            sink.location(),
            format!("{what} sglab does not model left out: {}", list.join(", ")),
        );
    }

    for vpc in of_type("alicloud_vpc") {
        let id = VpcId::from(vpc.id().as_str());
        let cidr = vpc
            .text("cidr_block")
            .and_then(|text| cidr(vpc, "cidr_block", &text, sink));
        let name = vpc
            .text("vpc_name")
            .or_else(|| vpc.text("name"))
            .unwrap_or_else(|| vpc.address.clone());
        origins.insert(format!("VPC {id}"), vpc.file.clone());
        out.vpcs.insert(id.clone(), Vpc { id, name, cidr });
    }
    let mut vswitches: BTreeMap<String, (Option<String>, Option<IpNet>)> = BTreeMap::new();
    for vswitch in of_type("alicloud_vswitch") {
        let block = vswitch
            .text("cidr_block")
            .and_then(|text| cidr(vswitch, "cidr_block", &text, sink));
        vswitches.insert(vswitch.id(), (vswitch.text("vpc_id"), block));
    }
    for list in of_type("alicloud_ecs_prefix_list") {
        let id = PrefixListId::from(list.id().as_str());
        let mut cidrs = Vec::new();
        if let Some(Value::Array(entries)) = list.values.get("entry") {
            for entry in entries {
                if let Some(text) = entry.get("cidr").and_then(text) {
                    cidrs.extend(cidr(list, "entry.cidr", &text, sink));
                }
            }
        }
        let name = list
            .text("prefix_list_name")
            .unwrap_or_else(|| list.address.clone());
        origins.insert(format!("prefix list {id}"), list.file.clone());
        out.prefix_lists
            .insert(id.clone(), PrefixList { id, name, cidrs });
    }
    for group in of_type("alicloud_security_group") {
        if let Some(security_group) = security_group(group, sink) {
            origins.insert(
                format!("security group {}", security_group.id),
                group.file.clone(),
            );
            out.groups.insert(security_group.id.clone(), security_group);
        }
    }
    rules(resources, &mut out, sink);

    // A planned address never takes one that another resource names.
    let mut planned = PlannedAddresses::default();
    for resource in resources {
        for field in ["private_ip", "primary_ip_address"] {
            if let Some(Ok(ip)) = resource.text(field).map(|text| text.parse::<IpAddr>()) {
                planned.taken.insert(ip);
            }
        }
    }
    let mut endpoints_by_id: BTreeMap<String, EndpointId> = BTreeMap::new();
    for instance in of_type("alicloud_instance") {
        let id = EndpointId::from(instance.address.as_str());
        let (vpc, private_ip) = placement(instance, &vswitches, &out, &mut planned, sink);
        let public_ip = instance
            .text("public_ip")
            .and_then(|text| address(instance, "public_ip", &text, sink))
            .or_else(|| {
                let bandwidth = instance.text("internet_max_bandwidth_out")?;
                let bandwidth: f64 = bandwidth.parse().ok()?;
                (bandwidth > 0.0).then(|| planned.public(instance, sink))
            });
        let endpoint = Endpoint {
            id: id.clone(),
            name: instance
                .text("instance_name")
                .unwrap_or_else(|| instance.address.clone()),
            kind: EndpointKind::Ecs,
            vpc,
            enis: vec![Eni {
                id: None,
                private_ips: private_ip.into_iter().collect(),
                groups: group_list(instance),
            }],
            public_ip,
            pod_ip: None,
            services: None,
        };
        endpoints_by_id.insert(instance.id(), id.clone());
        endpoints_by_id.insert(instance.address.clone(), id.clone());
        origins.insert(format!("endpoint {id}"), instance.file.clone());
        out.endpoints.insert(id, endpoint);
    }
    interfaces(
        resources,
        &vswitches,
        &endpoints_by_id,
        &mut out,
        &mut origins,
        &mut planned,
        sink,
    );
    eips(resources, &endpoints_by_id, &mut out, &mut planned, sink);
    for cluster in of_type("alicloud_cs_managed_kubernetes") {
        let switches = cluster.list("worker_vswitch_ids");
        let switches = if switches.is_empty() {
            cluster.list("vswitch_ids")
        } else {
            switches
        };
        let vpc = switches
            .iter()
            .find_map(|switch| vswitches.get(switch).and_then(|(vpc, _)| vpc.clone()))
            .or_else(|| {
                let group = cluster.text("security_group_id")?;
                out.groups
                    .get(&GroupId::from(group.as_str()))
                    .map(|group| group.vpc.to_string())
            });
        let Some(vpc) = vpc else {
            sink.warning(
                cluster.location().field("worker_vswitch_ids"),
                "the cluster's VPC is unknown (no vswitch or security group of the files): it is left out",
            );
            continue;
        };
        let pod_cidr = cluster
            .text("pod_cidr")
            .and_then(|text| cidr(cluster, "pod_cidr", &text, sink));
        let id = ClusterId::from(cluster.address.as_str());
        origins.insert(format!("cluster {id}"), cluster.file.clone());
        out.clusters.insert(
            id.clone(),
            Cluster {
                id,
                name: cluster
                    .text("name")
                    .unwrap_or_else(|| cluster.address.clone()),
                vpc: VpcId::from(vpc.as_str()),
                pod_cidr,
                network_mode: if pod_cidr.is_some() {
                    NetworkMode::Flannel
                } else {
                    NetworkMode::TerwayShared
                },
            },
        );
    }
    (out, origins)
}

fn security_group(group: &Resource, sink: &mut Sink) -> Option<SecurityGroup> {
    let id = GroupId::from(group.id().as_str());
    let Some(vpc) = group.text("vpc_id") else {
        sink.error(
            group.location().field("vpc_id"),
            "vpc_id is missing: the group would be in the classic network, which sglab does not simulate",
        );
        return None;
    };
    let group_type = match group.text("security_group_type").as_deref() {
        None | Some("normal") => GroupType::Basic,
        Some("enterprise") => GroupType::Enterprise,
        Some(other) => {
            sink.error(
                group.location().field("security_group_type"),
                format!("security_group_type {other:?} is not valid: use normal or enterprise"),
            );
            return None;
        }
    };
    let inner_access_policy = match group.text("inner_access_policy").as_deref() {
        None => crate::format::default_inner_access_policy(group_type),
        Some("Accept") => InnerAccessPolicy::Accept,
        Some("Drop") => InnerAccessPolicy::Drop,
        Some(other) => {
            sink.error(
                group.location().field("inner_access_policy"),
                format!("inner_access_policy {other:?} is not valid: use Accept or Drop"),
            );
            return None;
        }
    };
    let tags = match group.values.get("tags") {
        Some(Value::Object(tags)) => crate::sort::map_of(
            tags.iter()
                .map(|(key, value)| (key.clone(), text(value).unwrap_or_default())),
        ),
        _ => BTreeMap::new(),
    };
    Some(SecurityGroup {
        name: group
            .text("security_group_name")
            .or_else(|| group.text("name"))
            .unwrap_or_else(|| id.to_string()),
        id,
        description: group.text("description").unwrap_or_default(),
        tags,
        vpc: VpcId::from(vpc.as_str()),
        group_type,
        inner_access_policy,
        managed_by: None,
        rules: Rules::default(),
    })
}

/// Each `alicloud_security_group_rule`, read by the one rule reader, joins its group.
fn rules(resources: &[Resource], out: &mut Topology, sink: &mut Sink) {
    let mut known = Known::default();
    let (empty, limits) = (Topology::default(), Limits::default());
    let mut read = Vec::new();
    {
        let mut checker = Checker {
            sink,
            known: &mut known,
            topology: &empty,
            limits: &limits,
        };
        for resource in resources
            .iter()
            .filter(|resource| resource.resource_type == "alicloud_security_group_rule")
        {
            let location = resource.location();
            let Some(group) = resource.text("security_group_id") else {
                checker.sink.error(
                    location.field("security_group_id"),
                    "security_group_id is missing: name the group the rule belongs to",
                );
                continue;
            };
            let group = GroupId::from(group.as_str());
            let value = |name: &str| resource.text(name);
            let texts: BTreeMap<&str, Option<String>> = [
                "type",
                "policy",
                "priority",
                "ip_protocol",
                "port_range",
                "cidr_ip",
                "ipv6_cidr_ip",
                "source_security_group_id",
                "source_group_owner_account",
                "prefix_list_id",
                "nic_type",
                "description",
            ]
            .into_iter()
            .map(|name| (name, value(name)))
            .collect();
            let field = |name: &'static str| Field::new(name, texts[name].as_deref());
            let errors_before = checker.sink.error_count();
            // An unknown word is reported; the other fields are still read for their errors.
            let direction = checker
                .read_direction(&location, Dialect::Terraform, field("type"))
                .unwrap_or(Direction::Ingress);
            let fields = RuleFields {
                id: Field::new("address", Some(&resource.address)),
                policy: field("policy"),
                priority: field("priority"),
                protocol: field("ip_protocol"),
                port_range: field("port_range"),
                peer: PeerFields {
                    cidr: field("cidr_ip"),
                    ipv6_cidr: field("ipv6_cidr_ip"),
                    group: field("source_security_group_id"),
                    owner: field("source_group_owner_account"),
                    prefix_list: field("prefix_list_id"),
                },
                source_port_range: Field::new("source_port_range", None),
                local_cidr: Vec::new(),
                nic_type: field("nic_type"),
                description: field("description"),
            };
            if let Some(rule) = checker.read_rule(
                &location,
                Dialect::Terraform,
                Some(direction),
                &group,
                None,
                &fields,
            ) {
                if checker.sink.error_count() == errors_before {
                    read.push((resource, group, rule));
                }
            }
        }
    }
    for (resource, group, rule) in read {
        match out.groups.get_mut(&group) {
            Some(holder) => holder.rules.push(rule),
            None => sink.error(
                resource.location().field("security_group_id"),
                format!("security group {group} is in none of the files: add the file with its alicloud_security_group"),
            ),
        }
    }
    for group in out.groups.values_mut() {
        // Ingress before egress, each in the order of the files, as the export writes them.
        crate::sort::sort_by_key(&mut group.rules, |rule| rule.direction == Direction::Egress);
    }
}

/// The groups of an instance or ENI: `security_groups`, or `security_group_ids`.
pub(super) fn group_list(resource: &Resource) -> Vec<GroupId> {
    let mut groups = resource.list("security_groups");
    if groups.is_empty() {
        groups = resource.list("security_group_ids");
    }
    let mut seen = BTreeSet::new();
    groups
        .into_iter()
        .filter(|group| seen.insert(group.clone()))
        .map(|group| GroupId::from(group.as_str()))
        .collect()
}

/// Network interfaces: attached ones join their instance as secondary ENIs, the others are
/// endpoints of their own.
#[allow(clippy::too_many_arguments)]
fn interfaces(
    resources: &[Resource],
    vswitches: &BTreeMap<String, (Option<String>, Option<IpNet>)>,
    endpoints_by_id: &BTreeMap<String, EndpointId>,
    out: &mut Topology,
    origins: &mut BTreeMap<String, String>,
    planned: &mut PlannedAddresses,
    sink: &mut Sink,
) {
    let attached: BTreeMap<String, String> = resources
        .iter()
        .filter(|resource| resource.resource_type == "alicloud_network_interface_attachment")
        .filter_map(|resource| {
            Some((
                resource.text("network_interface_id")?,
                resource.text("instance_id")?,
            ))
        })
        .collect();
    for interface in resources.iter().filter(|resource| {
        matches!(
            resource.resource_type.as_str(),
            "alicloud_network_interface" | "alicloud_ecs_network_interface"
        )
    }) {
        let (vpc, private_ip) = placement(interface, vswitches, out, planned, sink);
        let eni = Eni {
            id: Some(interface.id()),
            private_ips: private_ip.into_iter().collect(),
            groups: group_list(interface),
        };
        let owner = attached
            .get(&interface.id())
            .and_then(|instance| endpoints_by_id.get(instance))
            .and_then(|id| out.endpoints.get_mut(id));
        match owner {
            Some(endpoint) => endpoint.enis.push(eni),
            None => {
                let id = EndpointId::from(interface.address.as_str());
                origins.insert(format!("endpoint {id}"), interface.file.clone());
                out.endpoints.insert(
                    id.clone(),
                    Endpoint {
                        id,
                        name: interface
                            .text("network_interface_name")
                            .unwrap_or_else(|| interface.address.clone()),
                        kind: EndpointKind::Ecs,
                        vpc,
                        enis: vec![eni],
                        public_ip: None,
                        pod_ip: None,
                        services: None,
                    },
                );
            }
        }
    }
}

/// Elastic IP addresses bound to an instance by an `alicloud_eip_association`.
fn eips(
    resources: &[Resource],
    endpoints_by_id: &BTreeMap<String, EndpointId>,
    out: &mut Topology,
    planned: &mut PlannedAddresses,
    sink: &mut Sink,
) {
    let eips: BTreeMap<String, &Resource> = resources
        .iter()
        .filter(|resource| resource.resource_type == "alicloud_eip_address")
        .map(|resource| (resource.id(), resource))
        .collect();
    for association in resources
        .iter()
        .filter(|resource| resource.resource_type == "alicloud_eip_association")
    {
        let Some(eip) = association
            .text("allocation_id")
            .and_then(|id| eips.get(&id).copied())
        else {
            continue;
        };
        let Some(endpoint) = association
            .text("instance_id")
            .and_then(|id| endpoints_by_id.get(&id))
            .and_then(|id| out.endpoints.get_mut(id))
        else {
            continue;
        };
        let ip = eip
            .text("ip_address")
            .and_then(|text| address(eip, "ip_address", &text, sink))
            .unwrap_or_else(|| planned.public(eip, sink));
        endpoint.public_ip = Some(ip);
    }
}

fn cidr(resource: &Resource, field: &str, text: &str, sink: &mut Sink) -> Option<IpNet> {
    match crate::validate::parse_cidr(text) {
        Ok((net, _)) => Some(net),
        Err(error) => {
            sink.report(resource.location().field(field), &error);
            None
        }
    }
}

pub(super) fn address(
    resource: &Resource,
    field: &str,
    text: &str,
    sink: &mut Sink,
) -> Option<IpAddr> {
    match crate::validate::check_ip_field(text) {
        Ok(ip) => Some(ip),
        Err(error) => {
            sink.report(resource.location().field(field), &error);
            None
        }
    }
}
