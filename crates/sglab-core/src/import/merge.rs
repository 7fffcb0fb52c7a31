//! Merging what the files say into one topology, with conflicts naming both files.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;

use super::aliyun::{AttributeFacts, InstanceFacts, InterfaceFacts, ListedFacts};
use crate::diagnostic::{Diagnostic, Location};
use crate::model::{
    Endpoint, EndpointId, EndpointKind, Eni, GroupId, GroupType, Peer, PrefixList, SecurityGroup,
    Topology, Vpc, VpcId,
};

/// Everything read from the files, each fact with the file it came from.
#[derive(Default)]
pub(crate) struct Inputs {
    pub(crate) topologies: Vec<(String, Topology)>,
    pub(crate) attributes: Vec<(String, AttributeFacts)>,
    pub(crate) listed: Vec<(String, ListedFacts)>,
    pub(crate) instances: Vec<(String, InstanceFacts)>,
    pub(crate) interfaces: Vec<(String, InterfaceFacts)>,
    /// Topologies read from Terraform, with the file of each object.
    pub(crate) terraform: Vec<(String, super::terraform::Read)>,
}

/// The topology being built, with the file each object came from.
#[derive(Default)]
struct Merged {
    topology: Topology,
    /// The file that defined each object, keyed by the object in words (`security group sg-1`).
    origins: BTreeMap<String, String>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

/// Merges everything into one topology, or fails with every error.
///
/// `previous` holds the diagnostics already reported for the files, so that the validation of
/// the whole does not repeat their warnings.
pub(crate) fn merge(
    inputs: Inputs,
    file_names: &[&str],
    previous: &[Diagnostic],
) -> Result<(Topology, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut merged = Merged::default();
    let several_topologies = inputs.topologies.len() > 1;
    for (file, topology) in inputs.topologies {
        merge_topology(&mut merged, &file, topology);
    }
    let imported_anything = !(inputs.attributes.is_empty()
        && inputs.terraform.is_empty()
        && inputs.listed.is_empty()
        && inputs.instances.is_empty()
        && inputs.interfaces.is_empty());
    for (file, (topology, origins)) in inputs.terraform {
        merge_topology(&mut merged, &file, topology);
        merged.origins.extend(origins);
    }
    merge_groups(&mut merged, inputs.attributes, inputs.listed);
    merge_endpoints(&mut merged, inputs.instances, inputs.interfaces);
    if imported_anything {
        add_missing_vpcs(&mut merged);
        add_missing_prefix_lists(&mut merged);
        check_group_references(&mut merged);
        if merged.topology.name.is_empty() {
            let names: Vec<&str> = file_names
                .iter()
                .map(|name| name.rsplit(['/', '\\']).next().unwrap_or(name))
                .collect();
            merged.topology.name = format!("Imported from {}", names.join(", "));
        }
    }
    if merged.errors.is_empty() && (imported_anything || several_topologies) {
        revalidate(&mut merged, previous);
    }
    if merged.errors.is_empty() {
        Ok((merged.topology, merged.warnings))
    } else {
        let mut diagnostics = merged.errors;
        diagnostics.extend(merged.warnings);
        Err(diagnostics)
    }
}

/// Checks the merged topology as a whole ([`crate::validate::check`]): this finds what no
/// single file could (groups per ENI, group references across VPCs or to enterprise groups,
/// limits). Each diagnostic is attributed to the file its object came from; warnings about an
/// object and rule already warned about are not repeated.
fn revalidate(merged: &mut Merged, previous: &[Diagnostic]) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for mut diagnostic in crate::validate::check(&merged.topology) {
        let already_warned = previous
            .iter()
            .chain(merged.warnings.iter())
            .any(|earlier| {
                earlier.location.object == diagnostic.location.object
                    && earlier.location.rule_index == diagnostic.location.rule_index
            });
        if !diagnostic.is_error() && already_warned {
            continue;
        }
        if let Some(object) = &diagnostic.location.object {
            diagnostic.location.file = merged.origins.get(object).cloned();
        }
        if diagnostic.is_error() {
            errors.push(diagnostic);
        } else {
            warnings.push(diagnostic);
        }
    }
    merged.errors.extend(errors);
    merged.warnings.extend(warnings);
}

/// Merges one topology into another, as [`super::load_files`] does for several sglab files:
/// the union of their objects, an error for an object defined differently by both.
///
/// `file` names the file `from` came from; objects already in `into` are attributed to
/// `into_file`.
pub fn merge_topologies(
    into: Topology,
    into_file: &str,
    from: Topology,
    file: &str,
) -> Result<Topology, Vec<Diagnostic>> {
    let mut merged = Merged::default();
    merge_topology(&mut merged, into_file, into);
    merge_topology(&mut merged, file, from);
    if merged.errors.is_empty() {
        Ok(merged.topology)
    } else {
        Err(merged.errors)
    }
}

fn merge_topology(merged: &mut Merged, file: &str, topology: Topology) {
    if merged.topology.name.is_empty() {
        merged.topology.name = topology.name;
    }
    for (id, vpc) in topology.vpcs {
        insert(merged, |t| &mut t.vpcs, "VPC", id, vpc, file);
    }
    for (id, group) in topology.groups {
        insert(merged, |t| &mut t.groups, "security group", id, group, file);
    }
    for (id, endpoint) in topology.endpoints {
        insert(merged, |t| &mut t.endpoints, "endpoint", id, endpoint, file);
    }
    for (id, cluster) in topology.clusters {
        insert(merged, |t| &mut t.clusters, "cluster", id, cluster, file);
    }
    for (id, gateway) in topology.gateways {
        insert(merged, |t| &mut t.gateways, "gateway", id, gateway, file);
    }
    for (id, list) in topology.prefix_lists {
        insert(
            merged,
            |t| &mut t.prefix_lists,
            "prefix list",
            id,
            list,
            file,
        );
    }
    for expectation in topology.expectations {
        if !merged.topology.expectations.contains(&expectation) {
            merged.topology.expectations.push(expectation);
        }
    }
    for (id, position) in topology.layout {
        // Positions are cosmetic: the first file's position wins without a conflict.
        merged.topology.layout.entry(id).or_insert(position);
    }
}

/// Inserts an object, or reports a conflict when another file defined it differently.
fn insert<K: Ord + Display, V: PartialEq>(
    merged: &mut Merged,
    map: fn(&mut Topology) -> &mut BTreeMap<K, V>,
    kind: &str,
    key: K,
    value: V,
    file: &str,
) {
    let object = format!("{kind} {key}");
    match map(&mut merged.topology).get(&key) {
        None => {
            merged.origins.insert(object, file.to_owned());
            map(&mut merged.topology).insert(key, value);
        }
        Some(existing) if *existing == value => {}
        Some(_) => {
            let first = merged.origins.get(&object).cloned().unwrap_or_default();
            merged.errors.push(conflict(&object, &first, file, None));
        }
    }
}

fn conflict(object: &str, first: &str, second: &str, field: Option<&str>) -> Diagnostic {
    let mut location = Location::in_file(Some(second)).object(object.to_owned());
    if let Some(field) = field {
        location = location.field(field);
    }
    Diagnostic::error(
        location,
        format!(
            "defined differently in {first} and {second}: keep one definition, or give files exported at the same time"
        ),
    )
}

/// Where two responses for the same group first differ: the field, and the rule index when
/// the rules differ.
fn attribute_difference(
    a: &AttributeFacts,
    b: &AttributeFacts,
) -> (Option<&'static str>, Option<usize>) {
    if a.name != b.name {
        return (Some("SecurityGroupName"), None);
    }
    if a.description != b.description {
        return (Some("Description"), None);
    }
    if a.vpc != b.vpc {
        return (Some("VpcId"), None);
    }
    if a.inner_access_policy != b.inner_access_policy {
        return (Some("InnerAccessPolicy"), None);
    }
    let index = a
        .rules
        .iter()
        .zip(&b.rules)
        .position(|(x, y)| x != y)
        .unwrap_or(a.rules.len().min(b.rules.len()));
    (None, Some(index))
}

/// Keeps one fact per key; a different fact for the same key is a conflict.
fn dedupe<T: PartialEq>(
    merged: &mut Merged,
    facts: Vec<(String, T)>,
    key: impl Fn(&T) -> String,
    kind: &str,
    difference: impl Fn(&T, &T) -> (Option<&'static str>, Option<usize>),
) -> BTreeMap<String, (String, T)> {
    let mut out: BTreeMap<String, (String, T)> = BTreeMap::new();
    for (file, fact) in facts {
        let id = key(&fact);
        match out.get(&id) {
            None => {
                out.insert(id, (file, fact));
            }
            Some((_, existing)) if *existing == fact => {}
            Some((first, existing)) => {
                let (field, rule_index) = difference(existing, &fact);
                let mut diagnostic = conflict(&format!("{kind} {id}"), first, &file, field);
                diagnostic.location.rule_index = rule_index;
                merged.errors.push(diagnostic);
            }
        }
    }
    out
}

/// One value from two optional sources; both present and different is a conflict.
fn agree(
    merged: &mut Merged,
    object: &str,
    field: &str,
    first: Option<(&str, &Option<String>)>,
    second: Option<(&str, &Option<String>)>,
) -> Option<String> {
    let first = first.and_then(|(file, value)| value.as_ref().map(|value| (file, value)));
    let second = second.and_then(|(file, value)| value.as_ref().map(|value| (file, value)));
    match (first, second) {
        (Some((first_file, a)), Some((second_file, b))) if a != b => {
            merged
                .errors
                .push(conflict(object, first_file, second_file, Some(field)));
            Some(a.clone())
        }
        (Some((_, value)), _) | (None, Some((_, value))) => Some(value.clone()),
        (None, None) => None,
    }
}

fn merge_groups(
    merged: &mut Merged,
    attributes: Vec<(String, AttributeFacts)>,
    listed: Vec<(String, ListedFacts)>,
) {
    let attributes = dedupe(
        merged,
        attributes,
        |facts| facts.id.to_string(),
        "security group",
        attribute_difference,
    );
    let listed = dedupe(
        merged,
        listed,
        |facts| facts.id.to_string(),
        "security group",
        |_, _| (None, None),
    );
    let ids: BTreeSet<&String> = crate::sort::set_of(attributes.keys().chain(listed.keys()));
    for id in ids {
        let attribute = attributes.get(id);
        let listing = listed.get(id);
        let object = format!("security group {id}");
        let origin = attribute
            .map(|(file, _)| file.clone())
            .or_else(|| listing.map(|(file, _)| file.clone()))
            .unwrap_or_default();
        let attr = attribute.map(|(file, facts)| (file.as_str(), facts));
        let list = listing.map(|(file, facts)| (file.as_str(), facts));
        let name = agree(
            merged,
            &object,
            "SecurityGroupName",
            attr.map(|(file, facts)| (file, &facts.name)),
            list.map(|(file, facts)| (file, &facts.name)),
        );
        let description = agree(
            merged,
            &object,
            "Description",
            attr.map(|(file, facts)| (file, &facts.description)),
            list.map(|(file, facts)| (file, &facts.description)),
        );
        let vpc = agree(
            merged,
            &object,
            "VpcId",
            attr.map(|(file, facts)| (file, &facts.vpc)),
            list.map(|(file, facts)| (file, &facts.vpc)),
        );
        let Some(vpc) = vpc else {
            merged.errors.push(Diagnostic::error(
                Location::in_file(Some(&origin))
                    .object(object.clone())
                    .field("VpcId"),
                "VpcId is empty: the group is in the classic network, which sglab does not simulate; give a VPC group",
            ));
            continue;
        };
        if attr.is_none() {
            merged.warnings.push(Diagnostic::warning(
                Location::in_file(Some(&origin)).object(object.clone()),
                format!("the rules of {object} are unknown, so it is imported without rules: add the output of aliyun ecs DescribeSecurityGroupAttribute --SecurityGroupId {id}"),
            ));
        }
        let group_type = list.map_or(GroupType::Basic, |(_, facts)| facts.group_type);
        let group = SecurityGroup {
            id: GroupId::from(id.as_str()),
            name: name.unwrap_or_else(|| id.clone()),
            description: description.unwrap_or_default(),
            tags: list
                .map(|(_, facts)| facts.tags.clone())
                .unwrap_or_default(),
            vpc: VpcId::from(vpc.as_str()),
            group_type,
            inner_access_policy: attr.map_or_else(
                || crate::format::default_inner_access_policy(group_type),
                |(_, facts)| facts.inner_access_policy,
            ),
            managed_by: list.and_then(|(_, facts)| facts.managed_by.clone()),
            rules: attr
                .map(|(_, facts)| facts.rules.clone().into())
                .unwrap_or_default(),
        };
        insert(
            merged,
            |t| &mut t.groups,
            "security group",
            group.id.clone(),
            group,
            &origin,
        );
    }
}

fn merge_endpoints(
    merged: &mut Merged,
    instances: Vec<(String, InstanceFacts)>,
    interfaces: Vec<(String, InterfaceFacts)>,
) {
    let instances = dedupe(
        merged,
        instances,
        |facts| facts.id.clone(),
        "instance",
        |_, _| (None, None),
    );
    let interfaces = dedupe(
        merged,
        interfaces,
        |facts| facts.id.clone(),
        "network interface",
        |_, _| (None, None),
    );
    let mut claimed = BTreeSet::new();
    // The ENIs of each instance, primary first, so that matching stays linear in the input.
    let mut by_instance: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
    for (eni_id, (_, eni)) in &interfaces {
        if let Some(instance) = eni.instance.as_deref() {
            by_instance.entry(instance).or_default().push(eni_id);
        }
    }
    for enis in by_instance.values_mut() {
        crate::sort::sort_by_key(enis, |eni_id| {
            (!interfaces[eni_id.as_str()].1.primary, *eni_id)
        });
    }

    for (id, (file, instance)) in &instances {
        let object = format!("instance {id}");
        let Some(vpc) = &instance.vpc else {
            merged.errors.push(Diagnostic::error(
                Location::in_file(Some(file))
                    .object(object)
                    .field("VpcAttributes.VpcId"),
                "VpcAttributes.VpcId is empty: the instance is in the classic network, which sglab does not simulate",
            ));
            continue;
        };
        let own_enis = by_instance.get(id.as_str()).cloned().unwrap_or_default();
        let primary = instance
            .primary_eni
            .as_ref()
            .and_then(|eni_id| interfaces.get_key_value(eni_id))
            .or_else(|| {
                own_enis
                    .iter()
                    .filter_map(|eni_id| interfaces.get_key_value(eni_id.as_str()))
                    .find(|(_, (_, eni))| eni.primary)
            });
        let mut primary_eni = Eni {
            id: instance.primary_eni.clone(),
            private_ips: instance.private_ips.clone(),
            groups: instance.groups.clone(),
        };
        let mut public_ip = instance.public_ip;
        if let Some((eni_id, (eni_file, eni))) = primary {
            claimed.insert(eni_id.clone());
            let ours: BTreeSet<&GroupId> = crate::sort::set_of(&instance.groups);
            let theirs: BTreeSet<&GroupId> = crate::sort::set_of(&eni.groups);
            if ours != theirs {
                let list = |groups: &BTreeSet<&GroupId>| {
                    groups
                        .iter()
                        .map(|group| group.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                merged.errors.push(Diagnostic::error(
                    Location::in_file(Some(eni_file))
                        .object(format!("network interface {eni_id}"))
                        .field("SecurityGroupIds"),
                    format!(
                        "the primary ENI of instance {id} is in groups [{}] in {file} but in [{}] in {eni_file}: give files exported at the same time",
                        list(&ours),
                        list(&theirs)
                    ),
                ));
            }
            primary_eni.id = Some(eni_id.clone());
            for ip in &eni.private_ips {
                if !primary_eni.private_ips.contains(ip) {
                    primary_eni.private_ips.push(*ip);
                }
            }
            public_ip = public_ip.or(eni.public_ip);
        }
        let mut enis = vec![primary_eni];
        for eni_id in own_enis {
            let Some((_, eni)) = interfaces.get(eni_id.as_str()) else {
                continue;
            };
            if !claimed.contains(eni_id) {
                claimed.insert(eni_id.clone());
                enis.push(Eni {
                    id: Some(eni_id.clone()),
                    private_ips: eni.private_ips.clone(),
                    groups: eni.groups.clone(),
                });
                public_ip = public_ip.or(eni.public_ip);
            }
        }
        for eni_id in &instance.secondary_enis {
            if !interfaces.contains_key(eni_id) {
                merged.warnings.push(Diagnostic::warning(
                    Location::in_file(Some(file))
                        .object(format!("instance {id}"))
                        .field("NetworkInterfaces"),
                    format!("the groups of secondary ENI {eni_id} are unknown, so it is left out: add the output of aliyun ecs DescribeNetworkInterfaces"),
                ));
            }
        }
        let endpoint = Endpoint {
            id: EndpointId::from(id.as_str()),
            name: instance.name.clone().unwrap_or_else(|| id.clone()),
            kind: EndpointKind::Ecs,
            vpc: Some(VpcId::from(vpc.as_str())),
            enis,
            public_ip,
            pod_ip: None,
            services: None,
        };
        insert(
            merged,
            |t| &mut t.endpoints,
            "endpoint",
            endpoint.id.clone(),
            endpoint,
            file,
        );
    }

    // ENIs of instances that were not described (or of no instance) become endpoints of
    // their own, named by the instance id when there is one.
    let mut owners: BTreeMap<String, Vec<(&String, &String, &InterfaceFacts)>> = BTreeMap::new();
    for (eni_id, (file, eni)) in &interfaces {
        if claimed.contains(eni_id) {
            continue;
        }
        let owner = eni.instance.clone().unwrap_or_else(|| eni_id.clone());
        owners.entry(owner).or_default().push((eni_id, file, eni));
    }
    for (owner, mut enis) in owners {
        crate::sort::sort_by_key(&mut enis, |(eni_id, _, eni)| {
            (!eni.primary, (*eni_id).clone())
        });
        let Some((first_id, file, first)) = enis.first().copied() else {
            continue;
        };
        let Some(vpc) = enis.iter().find_map(|(_, _, eni)| eni.vpc.clone()) else {
            merged.errors.push(Diagnostic::error(
                Location::in_file(Some(file))
                    .object(format!("network interface {first_id}"))
                    .field("VpcId"),
                "VpcId is empty: give the ENI's VPC",
            ));
            continue;
        };
        let name = if first.instance.is_some() {
            owner.clone()
        } else {
            first.name.clone().unwrap_or_else(|| owner.clone())
        };
        let endpoint = Endpoint {
            id: EndpointId::from(owner.as_str()),
            name,
            kind: EndpointKind::Ecs,
            vpc: Some(VpcId::from(vpc.as_str())),
            enis: enis
                .iter()
                .map(|(eni_id, _, eni)| Eni {
                    id: Some((*eni_id).clone()),
                    private_ips: eni.private_ips.clone(),
                    groups: eni.groups.clone(),
                })
                .collect(),
            public_ip: enis.iter().find_map(|(_, _, eni)| eni.public_ip),
            pod_ip: None,
            services: None,
        };
        let file = file.clone();
        insert(
            merged,
            |t| &mut t.endpoints,
            "endpoint",
            endpoint.id.clone(),
            endpoint,
            &file,
        );
    }
}

/// Imported objects name VPCs by id only; each becomes a VPC named by its id.
fn add_missing_vpcs(merged: &mut Merged) {
    let topology = &mut merged.topology;
    let mut ids: BTreeSet<VpcId> =
        crate::sort::set_of(topology.groups.values().map(|group| group.vpc.clone()));
    ids.extend(
        topology
            .endpoints
            .values()
            .filter_map(|endpoint| endpoint.vpc.clone()),
    );
    for id in ids {
        topology.vpcs.entry(id.clone()).or_insert_with(|| Vpc {
            name: id.to_string(),
            id,
            cidr: None,
        });
    }
}

/// The API responses name prefix lists without their entries: each unknown one becomes an
/// empty list, with a warning.
fn add_missing_prefix_lists(merged: &mut Merged) {
    let mut missing = BTreeMap::new();
    for group in merged.topology.groups.values() {
        for (index, rule) in group.rules.iter().enumerate() {
            if let Peer::PrefixList(id) = &rule.peer {
                if !merged.topology.prefix_lists.contains_key(id) {
                    missing
                        .entry(id.clone())
                        .or_insert((group.id.clone(), index));
                }
            }
        }
    }
    for (id, (group, index)) in missing {
        let object = format!("security group {group}");
        let file = merged.origins.get(&object).cloned();
        merged.warnings.push(Diagnostic::warning(
            Location::in_file(file.as_deref()).object(object).rule(index),
            format!("the entries of prefix list {id} are unknown, so rules naming it match no address: add the prefix list to an sglab file"),
        ));
        merged.topology.prefix_lists.insert(
            id.clone(),
            PrefixList {
                name: id.to_string(),
                id,
                cidrs: Vec::new(),
            },
        );
    }
}

/// Every group an endpoint or a rule names must be in the topology.
fn check_group_references(merged: &mut Merged) {
    let topology = &merged.topology;
    let mut errors = Vec::new();
    for endpoint in topology.endpoints.values() {
        let object = format!("endpoint {}", endpoint.id);
        let file = merged.origins.get(&object).cloned();
        for (eni_index, eni) in endpoint.enis.iter().enumerate() {
            for group in &eni.groups {
                if !topology.groups.contains_key(group) {
                    let field = match &eni.id {
                        Some(eni_id) => format!("SecurityGroupIds (ENI {eni_id})"),
                        None => format!("enis[{eni_index}].groups"),
                    };
                    errors.push(unknown_group(
                        Location::in_file(file.as_deref())
                            .object(object.clone())
                            .field(field),
                        group,
                    ));
                }
            }
        }
    }
    for group in topology.groups.values() {
        let object = format!("security group {}", group.id);
        let file = merged.origins.get(&object).cloned();
        for (index, rule) in group.rules.iter().enumerate() {
            if let Peer::Group { id, .. } = &rule.peer {
                if !topology.groups.contains_key(id) {
                    let field = match rule.direction {
                        crate::model::Direction::Ingress => "SourceGroupId",
                        crate::model::Direction::Egress => "DestGroupId",
                    };
                    errors.push(unknown_group(
                        Location::in_file(file.as_deref())
                            .object(object.clone())
                            .rule(index)
                            .field(field),
                        id,
                    ));
                }
            }
        }
    }
    merged.errors.extend(errors);
}

fn unknown_group(location: Location, group: &GroupId) -> Diagnostic {
    Diagnostic::error(
        location,
        format!("security group {group} is in none of the files: add the output of aliyun ecs DescribeSecurityGroupAttribute --SecurityGroupId {group}"),
    )
    .with_code("InvalidSecurityGroupId.NotFound")
}
