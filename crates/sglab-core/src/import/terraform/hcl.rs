//! Plain .tf files (and .tfvars), parsed with `hcl-edit` and evaluated as far as their values
//! are literals: `variable` defaults, `.tfvars` and `-var` values, `locals`, references to
//! resources and their arguments, `"${...}"` interpolation, `count` with `count.index`,
//! `for_each` over a map or a set with `each.key` and `each.value`, conditionals, arithmetic
//! and the functions of [`super::FUNCTIONS`].
//!
//! Anything else (a module call, a data source, a `dynamic` block, a `for` expression, a splat,
//! another function) is refused with the file, the line and the construct: only Terraform can
//! evaluate it, through `terraform show -json` of a plan. Only the arguments sglab reads are
//! evaluated, so a data source that gives an instance its image is no obstacle.

use std::collections::{BTreeMap, BTreeSet};

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};
use hcl_edit::Span;
use serde_json::{Map, Value};

use super::expr::number;
use super::guard;

use super::resources::{Resource, READ_TYPES};
use crate::diagnostic::{Location, Sink};

/// The arguments of the read resource types that sglab evaluates; the others are never looked
/// at.
const ARGUMENTS: [&str; 38] = [
    "cidr_block",
    "vpc_name",
    "name",
    "vpc_id",
    "prefix_list_name",
    "security_group_name",
    "security_group_type",
    "inner_access_policy",
    "description",
    "tags",
    "security_group_id",
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
    "instance_name",
    "vswitch_id",
    "private_ip",
    "primary_ip_address",
    "public_ip",
    "internet_max_bandwidth_out",
    "security_groups",
    "security_group_ids",
    "network_interface_name",
    "network_interface_id",
    "instance_id",
    "allocation_id",
    "ip_address",
    "worker_vswitch_ids",
    "vswitch_ids",
    "pod_cidr",
];

/// The largest `count` read, far above any real project, so that a typo cannot exhaust memory.
const MAX_COUNT: f64 = 100_000.0;

/// One .tf or .tfvars file: its name, text and parsed body.
pub(super) struct Source<'a> {
    pub(super) name: &'a str,
    pub(super) text: &'a str,
    pub(super) body: Body,
}

/// A resource block with where it is.
#[derive(Clone, Copy)]
pub(super) struct Declared<'a> {
    pub(super) file: usize,
    pub(super) block: &'a Block,
}

/// The evaluation's view of all the files.
pub(super) struct Project<'a> {
    pub(super) sources: &'a [Source<'a>],
    pub(super) variables: BTreeMap<String, Value>,
    pub(super) defaults: BTreeMap<String, (usize, &'a Expression)>,
    pub(super) locals: BTreeMap<String, (usize, &'a Expression)>,
    pub(super) resources: BTreeMap<String, Declared<'a>>,
    /// The resource addresses in the order of the files, which is the order of the rules.
    pub(super) order: Vec<String>,
    pub(super) data: BTreeSet<String>,
    pub(super) depth: usize,
}

/// What a resource instance's expressions see: `count.index`, `each.key`, `each.value`.
#[derive(Clone, Default)]
pub(super) struct Scope {
    pub(super) index: Option<u64>,
    pub(super) each: Option<(String, Value)>,
}

/// Why an expression cannot be evaluated: the file, the byte offset and the message.
pub(super) struct Refusal {
    pub(super) file: usize,
    pub(super) offset: Option<usize>,
    pub(super) message: String,
}

/// Reads the resources of .tf files, with the values of .tfvars files and of `-var` options
/// (`name=value`, later ones winning); `None` after reporting every refusal.
pub(crate) fn read(
    tf_files: &[(&str, &str)],
    tfvars: &[(&str, &str)],
    variables: &[(String, String)],
    sink: &mut Sink,
) -> Option<Vec<Resource>> {
    let errors_before = sink.error_count();
    let mut sources = Vec::new();
    for &(name, text) in tf_files.iter().chain(tfvars) {
        if let Some(too_deep) = guard::too_deep(name, text) {
            sink.push(too_deep);
            continue;
        }
        match hcl_edit::parser::parse_body(text) {
            Ok(body) => sources.push(Source { name, text, body }),
            Err(error) => {
                let location = Location::in_file(Some(name))
                    .at(error.location().line(), error.location().column());
                sink.error(location, format!("HCL syntax error: {}", error.message()));
            }
        }
    }
    if sink.error_count() > errors_before {
        return None;
    }
    let mut project = Project {
        sources: &sources,
        variables: BTreeMap::new(),
        defaults: BTreeMap::new(),
        locals: BTreeMap::new(),
        resources: BTreeMap::new(),
        order: Vec::new(),
        data: BTreeSet::new(),
        depth: 0,
    };
    let mut others = Vec::new();
    for (file, source) in sources.iter().enumerate() {
        if file >= tf_files.len() {
            for attribute in source.body.attributes() {
                match project.eval(file, &attribute.value, &Scope::default()) {
                    Ok(value) => {
                        project.variables.insert(attribute.key.to_string(), value);
                    }
                    Err(refusal) => report(&project, sink, refusal, None, attribute.key.as_str()),
                }
            }
            continue;
        }
        for block in source.body.blocks() {
            let labels: Vec<&str> = block.labels.iter().map(|label| label.as_str()).collect();
            match (block.ident.as_str(), labels.as_slice()) {
                ("variable", [name]) => {
                    if let Some(default) = block.body.get_attribute("default") {
                        project.defaults.insert((*name).to_owned(), (file, &default.value));
                    }
                }
                ("locals", _) => {
                    for attribute in block.body.attributes() {
                        project
                            .locals
                            .insert(attribute.key.to_string(), (file, &attribute.value));
                    }
                }
                ("resource", [kind, name]) if READ_TYPES.contains(kind) => {
                    let address = format!("{kind}.{name}");
                    project.order.push(address.clone());
                    project.resources.insert(address, Declared { file, block });
                }
                ("resource", [kind, name]) => others.push(Resource {
                    address: format!("{kind}.{name}"),
                    resource_type: (*kind).to_owned(),
                    file: source.name.to_owned(),
                    line: line(source.text, block.span().map(|span| span.start)),
                    values: Map::new(),
                }),
                ("data", [kind, name]) => {
                    project.data.insert(format!("data.{kind}.{name}"));
                }
                ("module", [name]) => sink.error(
                    at(source, block.span().map(|span| span.start))
                        .object(format!("module.{name}")),
                    format!("module call module.{name} is not evaluated from .tf files: the resources it creates are known only to Terraform; give terraform show -json of a plan"),
                ),
                _ => {}
            }
        }
    }
    for (name, value) in variables {
        let value = value.trim();
        let parsed = if value.starts_with(['[', '{']) && guard::too_deep(name, value).is_none() {
            hcl_edit::parser::parse_expr(value)
                .ok()
                .and_then(|expression| project.eval(0, &expression, &Scope::default()).ok())
        } else {
            None
        };
        project.variables.insert(
            name.clone(),
            parsed.unwrap_or_else(|| Value::String(value.to_owned())),
        );
    }
    let mut out = Vec::new();
    let declared: Vec<(String, Declared<'_>)> = project
        .order
        .iter()
        .filter_map(|address| Some((address.clone(), *project.resources.get(address)?)))
        .collect();
    for (address, declared) in declared {
        let address = &address;
        let source = &sources[declared.file];
        let block_line = line(source.text, declared.block.span().map(|span| span.start));
        let kind = address.split('.').next().unwrap_or_default().to_owned();
        let instances = match project.instances(&declared) {
            Ok(instances) => instances,
            Err(refusal) => {
                let field = if declared.block.body.has_attribute("count") {
                    "count"
                } else {
                    "for_each"
                };
                report(&project, sink, refusal, Some(address), field);
                continue;
            }
        };
        for (suffix, scope) in instances {
            let instance = format!("{address}{suffix}");
            let mut values = Map::new();
            for structure in declared.block.body.iter() {
                if let Some(block) = structure.as_block() {
                    if block.ident.as_str() == "dynamic" {
                        let offset = block.span().map(|span| span.start);
                        report(
                            &project,
                            sink,
                            refuse(declared.file, offset, "a dynamic block"),
                            Some(&instance),
                            &format!(
                                "dynamic {}",
                                block.labels.first().map_or("", |label| label.as_str())
                            ),
                        );
                    } else if block.ident.as_str() == "entry" {
                        let mut entry = Map::new();
                        for attribute in block.body.attributes() {
                            match project.eval(declared.file, &attribute.value, &scope) {
                                Ok(value) => {
                                    entry.insert(attribute.key.to_string(), value);
                                }
                                Err(refusal) => {
                                    report(&project, sink, refusal, Some(&instance), "entry")
                                }
                            }
                        }
                        if let Value::Array(entries) = values
                            .entry("entry")
                            .or_insert_with(|| Value::Array(Vec::new()))
                        {
                            entries.push(Value::Object(entry));
                        }
                    }
                    continue;
                }
                let Some(attribute) = structure.as_attribute() else {
                    continue;
                };
                if !ARGUMENTS.contains(&attribute.key.as_str()) {
                    continue;
                }
                match project.eval(declared.file, &attribute.value, &scope) {
                    Ok(Value::Null) => {}
                    Ok(value) => {
                        values.insert(attribute.key.to_string(), value);
                    }
                    Err(refusal) => report(
                        &project,
                        sink,
                        refusal,
                        Some(&instance),
                        attribute.key.as_str(),
                    ),
                }
            }
            out.push(Resource {
                address: instance,
                resource_type: kind.clone(),
                file: source.name.to_owned(),
                line: block_line,
                values,
            });
        }
    }
    out.extend(others);
    (sink.error_count() == errors_before).then_some(out)
}

fn report(
    project: &Project<'_>,
    sink: &mut Sink,
    refusal: Refusal,
    object: Option<&str>,
    field: &str,
) {
    let source = &project.sources[refusal.file];
    let mut location = at(source, refusal.offset);
    if let Some(object) = object {
        location = location.object(object.to_owned());
    }
    sink.error(location.field(field), refusal.message);
}

fn at(source: &Source<'_>, offset: Option<usize>) -> Location {
    let mut location = Location::in_file(Some(source.name));
    location.line = line(source.text, offset);
    location
}

/// The 1-based line of a byte offset.
fn line(text: &str, offset: Option<usize>) -> Option<usize> {
    let offset = offset?;
    Some(
        text.as_bytes()[..offset.min(text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1,
    )
}

pub(super) fn refuse(file: usize, offset: Option<usize>, construct: &str) -> Refusal {
    Refusal {
        file,
        offset,
        message: format!("{construct} is not evaluated from .tf files: only Terraform can evaluate it; give terraform show -json of a plan"),
    }
}

pub(super) fn invalid(file: usize, offset: Option<usize>, message: String) -> Refusal {
    Refusal {
        file,
        offset,
        message,
    }
}

impl Project<'_> {
    /// The instances of a resource block: its address suffix and scope each.
    pub(super) fn instances(
        &mut self,
        declared: &Declared<'_>,
    ) -> Result<Vec<(String, Scope)>, Refusal> {
        let body = &declared.block.body;
        if let Some(count) = body.get_attribute("count") {
            let offset = count.value.span().map(|span| span.start);
            let value = self.eval(declared.file, &count.value, &Scope::default())?;
            let n = number(&value)
                .filter(|n| *n >= 0.0 && n.fract() == 0.0 && *n <= MAX_COUNT)
                .ok_or_else(|| {
                    invalid(
                        declared.file,
                        offset,
                        format!("count {value} is not a whole number from 0 to {MAX_COUNT}"),
                    )
                })?;
            return Ok((0..n as u64)
                .map(|index| {
                    (
                        format!("[{index}]"),
                        Scope {
                            index: Some(index),
                            each: None,
                        },
                    )
                })
                .collect());
        }
        if let Some(for_each) = body.get_attribute("for_each") {
            let offset = for_each.value.span().map(|span| span.start);
            let items: Vec<(String, Value)> =
                match self.eval(declared.file, &for_each.value, &Scope::default())? {
                    Value::Object(map) => map.into_iter().collect(),
                    Value::Array(items) => items
                        .into_iter()
                        .filter_map(|item| Some((super::resources::text(&item)?, item)))
                        .collect(),
                    other => {
                        return Err(invalid(
                            declared.file,
                            offset,
                            format!("for_each {other} is not a map or a set of strings"),
                        ))
                    }
                };
            return Ok(items
                .into_iter()
                .map(|(key, value)| {
                    (
                        format!("[{}]", Value::String(key.clone())),
                        Scope {
                            index: None,
                            each: Some((key, value)),
                        },
                    )
                })
                .collect());
        }
        Ok(vec![(String::new(), Scope::default())])
    }
}
