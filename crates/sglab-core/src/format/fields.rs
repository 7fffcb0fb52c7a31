//! The fields of each object of the sglab format, and the check that reports every unknown
//! field with a suggestion, before serde reads the file into the raw types.

use crate::diagnostic::{Diagnostic, Location};

/// Checks every object of a JSON value against the fields of the sglab format and reports each
/// unknown field, with a suggestion when it looks like a typo of a known one.
pub fn unknown_fields(value: &serde_json::Value, file: Option<&str>) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let base = Location::in_file(file);
    check_fields(value, TOP_FIELDS, "the file", &base, None, &mut diagnostics);
    let Some(top) = value.as_object() else {
        return diagnostics;
    };
    let object_name = |what: &str, index: usize, item: &serde_json::Value| match item
        .get("id")
        .and_then(serde_json::Value::as_str)
    {
        Some(id) => format!("{what} {id}"),
        None => format!("{what} {}", index + 1),
    };
    for (index, item) in nested(value, "vpcs") {
        let location = base.clone().object(object_name("VPC", index, item));
        check_fields(item, VPC_FIELDS, "a VPC", &location, None, &mut diagnostics);
    }
    for (index, item) in nested(value, "security_groups") {
        let location = base
            .clone()
            .object(object_name("security group", index, item));
        check_fields(
            item,
            GROUP_FIELDS,
            "a security group",
            &location,
            None,
            &mut diagnostics,
        );
        for (rule_index, rule) in nested(item, "rules") {
            check_fields(
                rule,
                RULE_FIELDS,
                "a rule",
                &location.clone().rule(rule_index),
                None,
                &mut diagnostics,
            );
        }
    }
    for (index, item) in nested(value, "endpoints") {
        let location = base.clone().object(object_name("endpoint", index, item));
        check_fields(
            item,
            ENDPOINT_FIELDS,
            "an endpoint",
            &location,
            None,
            &mut diagnostics,
        );
        for (eni_index, eni) in nested(item, "enis") {
            let prefix = format!("enis[{eni_index}]");
            check_fields(
                eni,
                ENI_FIELDS,
                "an ENI",
                &location,
                Some(&prefix),
                &mut diagnostics,
            );
        }
        for (service_index, service) in nested(item, "services") {
            let prefix = format!("services[{service_index}]");
            check_fields(
                service,
                SERVICE_FIELDS,
                "a service",
                &location,
                Some(&prefix),
                &mut diagnostics,
            );
        }
    }
    for (index, item) in nested(value, "clusters") {
        let location = base.clone().object(object_name("cluster", index, item));
        check_fields(
            item,
            CLUSTER_FIELDS,
            "a cluster",
            &location,
            None,
            &mut diagnostics,
        );
    }
    for (index, item) in nested(value, "gateways") {
        let location = base.clone().object(object_name("gateway", index, item));
        check_fields(
            item,
            GATEWAY_FIELDS,
            "a gateway",
            &location,
            None,
            &mut diagnostics,
        );
        for (auth_index, authorization) in nested(item, "authorizations") {
            let prefix = format!("authorizations[{auth_index}]");
            check_fields(
                authorization,
                AUTHORIZATION_FIELDS,
                "an authorization",
                &location,
                Some(&prefix),
                &mut diagnostics,
            );
        }
    }
    for (index, item) in nested(value, "prefix_lists") {
        let location = base.clone().object(object_name("prefix list", index, item));
        check_fields(
            item,
            PREFIX_LIST_FIELDS,
            "a prefix list",
            &location,
            None,
            &mut diagnostics,
        );
    }
    for (index, item) in nested(value, "expectations") {
        let location = base.clone().object(format!("expectation {}", index + 1));
        check_fields(
            item,
            EXPECTATION_FIELDS,
            "an expectation",
            &location,
            None,
            &mut diagnostics,
        );
    }
    if let Some(layout) = top.get("layout").and_then(serde_json::Value::as_object) {
        for (id, position) in layout {
            let location = base.clone().object("layout").field(id.clone());
            check_fields(
                position,
                POSITION_FIELDS,
                "a position",
                &location,
                None,
                &mut diagnostics,
            );
        }
    }
    diagnostics
}

/// The fields of the top-level object.
pub const TOP_FIELDS: &[&str] = &[
    "sglab",
    "name",
    "vpcs",
    "security_groups",
    "endpoints",
    "clusters",
    "gateways",
    "prefix_lists",
    "expectations",
    "layout",
    "corpus",
];
/// The fields of a VPC.
pub const VPC_FIELDS: &[&str] = &["id", "name", "cidr"];
/// The fields of a security group.
pub const GROUP_FIELDS: &[&str] = &[
    "id",
    "name",
    "vpc",
    "type",
    "inner_access_policy",
    "managed_by",
    "description",
    "tags",
    "rules",
];
/// The fields of a rule.
pub const RULE_FIELDS: &[&str] = &[
    "id",
    "direction",
    "policy",
    "priority",
    "protocol",
    "port_range",
    "cidr",
    "ipv6_cidr",
    "group",
    "group_owner_account",
    "prefix_list",
    "source_port_range",
    "local_cidr",
    "nic_type",
    "description",
];
/// The fields of an endpoint.
pub const ENDPOINT_FIELDS: &[&str] = &[
    "id",
    "name",
    "kind",
    "vpc",
    "private_ip",
    "groups",
    "enis",
    "public_ip",
    "pod_ip",
    "cluster",
    "node",
    "gateway",
    "cidr",
    "services",
];
/// The fields of an ENI.
pub const ENI_FIELDS: &[&str] = &["id", "private_ips", "groups"];
/// The fields of a service.
pub const SERVICE_FIELDS: &[&str] = &["name", "protocol", "port_range", "port", "up"];
/// The fields of a cluster.
pub const CLUSTER_FIELDS: &[&str] = &["id", "name", "vpc", "pod_cidr", "network_mode"];
/// The fields of a gateway.
pub const GATEWAY_FIELDS: &[&str] = &[
    "id",
    "name",
    "kind",
    "vpc",
    "managed_group",
    "authorizations",
];
/// The fields of a gateway authorization.
pub const AUTHORIZATION_FIELDS: &[&str] = &["backend_group", "port_ranges", "description"];
/// The fields of a prefix list.
pub const PREFIX_LIST_FIELDS: &[&str] = &["id", "name", "cidrs"];
/// The fields of an expectation.
pub const EXPECTATION_FIELDS: &[&str] = &["from", "to", "protocol", "port", "verdict"];
/// The fields of a layout position.
pub const POSITION_FIELDS: &[&str] = &["x", "y"];

/// Names of the vendor's API and Terraform that people are likely to write by habit, with the
/// sglab field to use instead.
const VENDOR_ALIASES: &[(&str, &str)] = &[
    ("ipprotocol", "protocol"),
    ("ip_protocol", "protocol"),
    ("portrange", "port_range"),
    ("sourcecidrip", "cidr"),
    ("destcidrip", "cidr"),
    ("cidr_ip", "cidr"),
    ("ipv6sourcecidrip", "ipv6_cidr"),
    ("ipv6_cidr_ip", "ipv6_cidr"),
    ("sourcegroupid", "group"),
    ("destgroupid", "group"),
    ("source_security_group_id", "group"),
    ("sourceprefixlistid", "prefix_list"),
    ("prefix_list_id", "prefix_list"),
    ("nictype", "nic_type"),
    ("type", "direction"),
    ("securitygroupid", "id"),
    ("securitygroupname", "name"),
    ("security_group_type", "type"),
    ("securitygrouptype", "type"),
    ("vpcid", "vpc"),
    ("vpc_id", "vpc"),
    ("inneraccesspolicy", "inner_access_policy"),
    ("ports", "port_range"),
    ("security_group_ids", "groups"),
    ("securitygroupids", "groups"),
];

fn nested<'a>(item: &'a serde_json::Value, key: &str) -> Vec<(usize, &'a serde_json::Value)> {
    item.get(key)
        .and_then(serde_json::Value::as_array)
        .map(|items| items.iter().enumerate().collect())
        .unwrap_or_default()
}

fn check_fields(
    value: &serde_json::Value,
    allowed: &[&str],
    what: &str,
    location: &Location,
    prefix: Option<&str>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(object) = value.as_object() else {
        return;
    };
    for key in object.keys() {
        if allowed.contains(&key.as_str()) {
            continue;
        }
        let field = match prefix {
            Some(prefix) => format!("{prefix}.{key}"),
            None => key.clone(),
        };
        let hint = match suggest(key, allowed) {
            Some(known) => format!(" (did you mean {known}?)"),
            None => String::new(),
        };
        diagnostics.push(Diagnostic::error(
            location.clone().field(field),
            format!(
                "unknown field {key:?}{hint}: {what} has the fields {}",
                allowed.join(", ")
            ),
        ));
    }
}

/// The known field a mistyped one most likely meant: a vendor alias, the same name in another
/// case, or a name at most two edits away.
fn suggest<'a>(key: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let lower = key.to_ascii_lowercase();
    if let Some(known) = allowed.iter().find(|known| **known == lower) {
        return Some(known);
    }
    if let Some((_, known)) = VENDOR_ALIASES
        .iter()
        .find(|(alias, known)| *alias == lower.replace('-', "_") && allowed.contains(known))
    {
        return allowed.iter().copied().find(|field| field == known);
    }
    if lower.len() >= 3 {
        if let Some(known) = allowed.iter().find(|known| known.starts_with(&lower)) {
            return Some(known);
        }
    }
    allowed
        .iter()
        .map(|known| (edit_distance(&lower, known), *known))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, known)| known)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, left) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, right) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(left != right);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(suggest("protcol", RULE_FIELDS), Some("protocol"));
        assert_eq!(suggest("SourceCidrIp", RULE_FIELDS), Some("cidr"));
        assert_eq!(suggest("Priority", RULE_FIELDS), Some("priority"));
        assert_eq!(suggest("zzzzzzzz", RULE_FIELDS), None);
    }
}
