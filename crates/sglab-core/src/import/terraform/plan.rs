//! Plan and state JSON, as `terraform show -json` prints them (format 1.x): the resources of
//! `planned_values` (or a state's `values`) in every module at any depth, with the values
//! unknown until apply resolved through the `configuration` section's references (following
//! module variables to the calling module), and the resources before the plan from
//! `resource_changes`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::resources::{text, Resource, READ_TYPES};
use crate::diagnostic::Sink;

/// The arguments whose value may be unknown until apply and name another resource.
const REFERENCE_ARGUMENTS: [&str; 14] = [
    "security_group_id",
    "source_security_group_id",
    "vpc_id",
    "vswitch_id",
    "security_groups",
    "security_group_ids",
    "allocation_id",
    "instance_id",
    "network_interface_id",
    "prefix_list_id",
    "worker_vswitch_ids",
    "vswitch_ids",
    "resource_group_id",
    "eni_id",
];

/// The resources of a plan or state file.
pub(crate) struct PlanResources {
    /// After the plan (a state's resources).
    pub(crate) after: Vec<Resource>,
    /// Before the plan; `None` for a state.
    pub(crate) before: Option<Vec<Resource>>,
}

/// Reads a plan or state JSON; `None` after reporting why it cannot be read.
pub(crate) fn read(file: &str, contents: &str, sink: &mut Sink) -> Option<PlanResources> {
    let root: Value = match serde_json::from_str(contents) {
        Ok(root) => root,
        Err(error) => {
            sink.push(crate::diagnostic::Diagnostic::from_json_error(
                Some(file),
                &error,
            ));
            return None;
        }
    };
    let version = root
        .get("format_version")
        .and_then(text)
        .unwrap_or_default();
    if !version.starts_with("1.") {
        let mut location = sink.location().field("format_version");
        location.line = contents
            .find("\"format_version\"")
            .map(|offset| contents[..offset].matches('\n').count() + 1);
        sink.error(
            location,
            format!("format_version {version:?} is not supported: sglab reads format 1.x of terraform show -json"),
        );
        return None;
    }
    let changes: BTreeMap<String, &Value> = root
        .get("resource_changes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|change| change.get("mode").and_then(Value::as_str) != Some("data"))
        .filter_map(|change| Some((change.get("address")?.as_str()?.to_owned(), change)))
        .collect();
    let mut after = Vec::new();
    let values_root = root
        .get("planned_values")
        .or_else(|| root.get("values"))
        .and_then(|values| values.get("root_module"));
    match values_root {
        Some(module) => collect(module, file, &mut after),
        None => {
            for (address, change) in &changes {
                let change = &change["change"];
                if actions(change).iter().any(|action| action == "delete")
                    && !actions(change).iter().any(|action| action == "create")
                {
                    continue;
                }
                if let Some(resource) = from_change(address, change, "after", file) {
                    after.push(resource);
                }
            }
        }
    }
    let configuration = root.get("configuration").and_then(|c| c.get("root_module"));
    let resolved: Vec<Resource> = after
        .iter()
        .map(|resource| {
            let mut resource = resource.clone();
            let unknown = changes
                .get(&resource.address)
                .and_then(|change| change["change"].get("after_unknown"));
            if let Some(Value::Object(unknown)) = unknown {
                resolve(&mut resource, unknown, configuration, &after, sink);
            }
            resource
        })
        .collect();
    let before = root.get("resource_changes").map(|_| {
        changes
            .iter()
            .filter_map(|(address, change)| from_change(address, &change["change"], "before", file))
            .collect()
    });
    Some(PlanResources {
        after: resolved,
        before,
    })
}

fn actions(change: &Value) -> Vec<String> {
    change
        .get("actions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|action| action.as_str().map(str::to_owned))
        .collect()
}

fn from_change(address: &str, change: &Value, side: &str, file: &str) -> Option<Resource> {
    let Value::Object(values) = change.get(side)? else {
        return None;
    };
    let (_, resource_type, _) = split_address(address);
    Some(Resource {
        address: address.to_owned(),
        resource_type,
        file: file.to_owned(),
        line: None,
        values: values.clone(),
    })
}

/// The managed resources of a module of `planned_values` or `values`, and of its child
/// modules at any depth.
fn collect(module: &Value, file: &str, out: &mut Vec<Resource>) {
    for resource in module
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if resource.get("mode").and_then(Value::as_str) == Some("data") {
            continue;
        }
        let (Some(address), Some(resource_type)) = (
            resource.get("address").and_then(Value::as_str),
            resource.get("type").and_then(Value::as_str),
        ) else {
            continue;
        };
        let values = match resource.get("values") {
            Some(Value::Object(values)) => values.clone(),
            _ => Map::new(),
        };
        out.push(Resource {
            address: address.to_owned(),
            resource_type: resource_type.to_owned(),
            file: file.to_owned(),
            line: None,
            values,
        });
    }
    for child in module
        .get("child_modules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect(child, file, out);
    }
}

/// Splits an address into its module instance prefix (`module.web["a"].`), the resource type
/// and the resource name with its instance key (`app["a"]`).
pub(crate) fn split_address(address: &str) -> (String, String, String) {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0usize, false, 0usize);
    let bytes = address.as_bytes();
    for (index, &byte) in bytes.iter().enumerate() {
        match byte {
            b'"' if index == 0 || bytes[index - 1] != b'\\' => quoted = !quoted,
            b'[' if !quoted => depth += 1,
            b']' if !quoted => depth = depth.saturating_sub(1),
            b'.' if !quoted && depth == 0 => {
                parts.push(&address[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    parts.push(&address[start..]);
    let mut prefix = String::new();
    let mut index = 0;
    while index + 1 < parts.len() && parts[index] == "module" {
        prefix.push_str(&format!("module.{}.", parts[index + 1]));
        index += 2;
    }
    let resource_type = parts.get(index).copied().unwrap_or_default().to_owned();
    let name = parts[(index + 1).min(parts.len())..].join(".");
    (prefix, resource_type, name)
}

/// The configuration module of a module instance prefix, with the module calls on the way
/// (innermost last) for following variables.
fn config_path<'a>(root: &'a Value, prefix: &str) -> Option<Vec<(&'a Value, String)>> {
    let mut path = vec![(root, String::new())];
    let mut current = String::new();
    for part in prefix.split("module.").filter(|part| !part.is_empty()) {
        let name = part.trim_end_matches('.');
        let bare = name.split('[').next().unwrap_or(name);
        let (module, _) = path.last()?;
        let module = module.get("module").unwrap_or(module);
        let call = module.get("module_calls")?.get(bare)?;
        current.push_str(&format!("module.{name}."));
        path.push((call, current.clone()));
    }
    Some(path)
}

/// Replaces the values unknown until apply that name other resources with those resources'
/// ids, through the references of the configuration.
fn resolve(
    resource: &mut Resource,
    unknown: &Map<String, Value>,
    configuration: Option<&Value>,
    all: &[Resource],
    sink: &mut Sink,
) {
    for argument in REFERENCE_ARGUMENTS {
        let is_unknown = match unknown.get(argument) {
            Some(Value::Bool(true)) => true,
            Some(Value::Array(items)) => items.iter().any(|item| item == &Value::Bool(true)),
            _ => false,
        };
        if !is_unknown {
            continue;
        }
        let (prefix, resource_type, name) = split_address(&resource.address);
        let key = name.split('[').next().unwrap_or(&name).to_owned();
        let instance_key = name.get(key.len()..).unwrap_or_default().to_owned();
        let references = configuration
            .and_then(|root| config_path(root, &prefix))
            .map(|path| references_of(&path, &format!("{resource_type}.{key}"), argument))
            .unwrap_or_default();
        let mut ids = Vec::new();
        for (module_prefix, reference) in references {
            if let Some(target) = target(&module_prefix, &reference, &instance_key, all) {
                let id = target.id();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        let mut location = sink
            .location()
            .object(resource.address.clone())
            .field(argument);
        location.line = None;
        if ids.is_empty() {
            sink.error(
                location,
                format!("{argument} is known only after apply and the configuration names no resource of the plan it comes from: give the plan's configuration section (terraform show -json of a saved plan)"),
            );
            continue;
        }
        let value = match resource.values.get(argument) {
            Some(Value::Array(_)) | None
                if matches!(unknown.get(argument), Some(Value::Array(_)))
                    || argument.ends_with('s') =>
            {
                Value::Array(ids.into_iter().map(Value::String).collect())
            }
            _ => Value::String(ids.remove(0)),
        };
        resource.values.insert(argument.to_owned(), value);
    }
}

/// The references of one argument of a configured resource, each with the module instance it
/// is resolved in: a module variable is followed to the expression of the calling module.
fn references_of(
    path: &[(&Value, String)],
    resource: &str,
    argument: &str,
) -> Vec<(String, String)> {
    let Some((module, prefix)) = path.last() else {
        return Vec::new();
    };
    let module = module.get("module").unwrap_or(module);
    let expression = module
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|config| config.get("address").and_then(Value::as_str) == Some(resource))
        .and_then(|config| config.get("expressions")?.get(argument));
    follow(path, prefix, expression)
}

fn follow(
    path: &[(&Value, String)],
    prefix: &str,
    expression: Option<&Value>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let references: Vec<&str> = match expression {
        Some(Value::Object(object)) => object
            .get("references")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect(),
        // A list of expressions (`security_groups = [a.id, b.id]` in older formats).
        Some(Value::Array(items)) => {
            for item in items {
                out.extend(follow(path, prefix, Some(item)));
            }
            return out;
        }
        _ => Vec::new(),
    };
    for reference in references {
        if let Some(variable) = reference.strip_prefix("var.") {
            // A module variable: its value is the expression the calling module gives.
            if path.len() < 2 {
                continue;
            }
            let (call, _) = path[path.len() - 1];
            let parent = &path[..path.len() - 1];
            let parent_prefix = parent
                .last()
                .map(|(_, prefix)| prefix.clone())
                .unwrap_or_default();
            let expression = call.get("expressions").and_then(|e| e.get(variable));
            out.extend(follow(parent, &parent_prefix, expression));
        } else if let Some(rest) = reference.strip_prefix("module.") {
            // A module's output: its expression inside the called module.
            let mut parts = rest.splitn(3, '.');
            let (Some(name), Some(output)) = (parts.next(), parts.next()) else {
                continue;
            };
            let Some((module, _)) = path.last() else {
                continue;
            };
            let module = module.get("module").unwrap_or(module);
            let Some(call) = module.get("module_calls").and_then(|calls| calls.get(name)) else {
                continue;
            };
            let expression = call
                .get("module")
                .and_then(|child| child.get("outputs")?.get(output)?.get("expression"));
            let mut child_path = path.to_vec();
            let child_prefix = format!("{prefix}module.{name}.");
            child_path.push((call, child_prefix.clone()));
            out.extend(follow(&child_path, &child_prefix, expression));
        } else if READ_TYPES
            .iter()
            .any(|kind| reference.starts_with(&format!("{kind}.")))
        {
            out.push((prefix.to_owned(), reference.to_owned()));
        }
    }
    out
}

/// The resource instance a reference names, from the module instance it is resolved in; an
/// unindexed reference to a counted resource takes the referring instance's key.
fn target<'a>(
    prefix: &str,
    reference: &str,
    instance_key: &str,
    all: &'a [Resource],
) -> Option<&'a Resource> {
    let (_, resource_type, name) = split_address(reference);
    let name = name.strip_suffix(".id").unwrap_or(&name);
    let base = format!("{prefix}{resource_type}.{name}");
    if let Some(found) = all.iter().find(|resource| resource.address == base) {
        return Some(found);
    }
    if name.contains('[') {
        return None;
    }
    let candidates: Vec<&Resource> = all
        .iter()
        .filter(|resource| {
            resource
                .address
                .strip_prefix(base.as_str())
                .is_some_and(|rest| rest.starts_with('['))
        })
        .collect();
    match candidates.as_slice() {
        [only] => Some(only),
        _ => candidates
            .into_iter()
            .find(|resource| resource.address == format!("{base}{instance_key}")),
    }
}
