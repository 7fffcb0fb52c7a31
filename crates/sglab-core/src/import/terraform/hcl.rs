//! Plain .tf files (and .tfvars), parsed with `hcl-edit` and evaluated as far as their values
//! are literals: `variable` defaults, `.tfvars` and `-var` values, `locals`, references to
//! resources and their arguments, `"${...}"` interpolation, `count` with `count.index`,
//! `for_each` over a map or a set with `each.key` and `each.value`, conditionals, arithmetic
//! and the functions of [`FUNCTIONS`].
//!
//! Anything else (a module call, a data source, a `dynamic` block, a `for` expression, a splat,
//! another function) is refused with the file, the line and the construct: only Terraform can
//! evaluate it, through `terraform show -json` of a plan. Only the arguments sglab reads are
//! evaluated, so a data source that gives an instance its image is no obstacle.

use std::collections::{BTreeMap, BTreeSet};

use hcl_edit::expr::{BinaryOperator, Expression, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{Block, Body};
use hcl_edit::template::{Element, Template};
use hcl_edit::Span;
use serde_json::{Map, Number, Value};

use super::resources::{Resource, READ_TYPES};
use crate::diagnostic::{Location, Sink};

/// The functions a .tf file may call.
pub const FUNCTIONS: [&str; 10] = [
    "concat", "element", "join", "length", "lookup", "merge", "tolist", "tonumber", "toset",
    "tostring",
];

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

/// One .tf or .tfvars file: its name, text and parsed body.
struct Source<'a> {
    name: &'a str,
    text: &'a str,
    body: Body,
}

/// A resource block with where it is.
#[derive(Clone, Copy)]
struct Declared<'a> {
    file: usize,
    block: &'a Block,
}

/// The evaluation's view of all the files.
struct Project<'a> {
    sources: &'a [Source<'a>],
    variables: BTreeMap<String, Value>,
    defaults: BTreeMap<String, (usize, &'a Expression)>,
    locals: BTreeMap<String, (usize, &'a Expression)>,
    resources: BTreeMap<String, Declared<'a>>,
    data: BTreeSet<String>,
    depth: usize,
}

/// What a resource instance's expressions see: `count.index`, `each.key`, `each.value`.
#[derive(Clone, Default)]
struct Scope {
    index: Option<u64>,
    each: Option<(String, Value)>,
}

/// Why an expression cannot be evaluated: the file, the byte offset and the message.
struct Refusal {
    file: usize,
    offset: Option<usize>,
    message: String,
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
                    project
                        .resources
                        .insert(format!("{kind}.{name}"), Declared { file, block });
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
        let parsed = if value.starts_with(['[', '{']) {
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
        .resources
        .iter()
        .map(|(address, declared)| (address.clone(), *declared))
        .collect();
    for (address, declared) in declared {
        let address = &address;
        let source = &sources[declared.file];
        let block_line = line(source.text, declared.block.span().map(|span| span.start));
        let kind = address.split('.').next().unwrap_or_default().to_owned();
        let instances = match project.instances(&declared) {
            Ok(instances) => instances,
            Err(refusal) => {
                report(&project, sink, refusal, Some(address), "count");
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
                            "dynamic",
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

fn refuse(file: usize, offset: Option<usize>, construct: &str) -> Refusal {
    Refusal {
        file,
        offset,
        message: format!("{construct} is not evaluated from .tf files: only Terraform can evaluate it; give terraform show -json of a plan"),
    }
}

fn invalid(file: usize, offset: Option<usize>, message: String) -> Refusal {
    Refusal {
        file,
        offset,
        message,
    }
}

impl Project<'_> {
    /// The instances of a resource block: its address suffix and scope each.
    fn instances(&mut self, declared: &Declared<'_>) -> Result<Vec<(String, Scope)>, Refusal> {
        let body = &declared.block.body;
        if let Some(count) = body.get_attribute("count") {
            let offset = count.value.span().map(|span| span.start);
            let value = self.eval(declared.file, &count.value, &Scope::default())?;
            let n = number(&value)
                .filter(|n| *n >= 0.0 && n.fract() == 0.0)
                .ok_or_else(|| {
                    invalid(
                        declared.file,
                        offset,
                        format!("count {value} is not a whole number"),
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

    fn eval(
        &mut self,
        file: usize,
        expression: &Expression,
        scope: &Scope,
    ) -> Result<Value, Refusal> {
        let offset = expression.span().map(|span| span.start);
        self.depth += 1;
        let result = if self.depth > 64 {
            Err(invalid(
                file,
                offset,
                "the expression refers to itself".to_owned(),
            ))
        } else {
            self.eval_inner(file, expression, scope, offset)
        };
        self.depth -= 1;
        result
    }

    fn eval_inner(
        &mut self,
        file: usize,
        expression: &Expression,
        scope: &Scope,
        offset: Option<usize>,
    ) -> Result<Value, Refusal> {
        Ok(match expression {
            Expression::Null(_) => Value::Null,
            Expression::Bool(value) => Value::Bool(*value.value()),
            Expression::Number(number) => {
                let number = number.value();
                match number.as_i64() {
                    Some(int) => Value::Number(int.into()),
                    None => number
                        .as_f64()
                        .and_then(Number::from_f64)
                        .map_or(Value::Null, Value::Number),
                }
            }
            Expression::String(text) => Value::String(text.value().clone()),
            Expression::Array(array) => {
                let mut items = Vec::new();
                for item in array.iter() {
                    items.push(self.eval(file, item, scope)?);
                }
                Value::Array(items)
            }
            Expression::Object(object) => {
                let mut map = Map::new();
                for (key, value) in object.iter() {
                    let key = match key.as_ident() {
                        Some(ident) => ident.to_string(),
                        None => match key
                            .as_expr()
                            .map(|key| self.eval(file, key, scope))
                            .transpose()?
                        {
                            Some(key) => super::resources::text(&key).unwrap_or_default(),
                            None => String::new(),
                        },
                    };
                    map.insert(key, self.eval(file, value.expr(), scope)?);
                }
                Value::Object(map)
            }
            Expression::StringTemplate(template) => {
                Value::String(self.template(file, template, scope)?)
            }
            Expression::HeredocTemplate(heredoc) => {
                Value::String(self.template(file, &heredoc.template, scope)?)
            }
            Expression::Parenthesis(inner) => self.eval(file, inner.inner(), scope)?,
            Expression::Conditional(conditional) => {
                match self.eval(file, &conditional.cond_expr, scope)? {
                    Value::Bool(true) => self.eval(file, &conditional.true_expr, scope)?,
                    Value::Bool(false) => self.eval(file, &conditional.false_expr, scope)?,
                    other => {
                        return Err(invalid(
                            file,
                            offset,
                            format!("the condition {other} is not a boolean"),
                        ))
                    }
                }
            }
            Expression::UnaryOp(op) => {
                let value = self.eval(file, &op.expr, scope)?;
                match (op.operator.value(), &value) {
                    (UnaryOperator::Not, Value::Bool(value)) => Value::Bool(!value),
                    (UnaryOperator::Neg, _) => numeric(-number(&value).unwrap_or(f64::NAN)),
                    _ => return Err(invalid(file, offset, format!("{value} is not a boolean"))),
                }
            }
            Expression::BinaryOp(op) => {
                let (lhs, rhs) = (
                    self.eval(file, &op.lhs_expr, scope)?,
                    self.eval(file, &op.rhs_expr, scope)?,
                );
                let (a, b) = (number(&lhs), number(&rhs));
                match (op.operator.value(), a, b) {
                    (BinaryOperator::Eq, _, _) => {
                        Value::Bool(lhs == rhs || (a.is_some() && a == b))
                    }
                    (BinaryOperator::NotEq, _, _) => {
                        Value::Bool(!(lhs == rhs || (a.is_some() && a == b)))
                    }
                    (BinaryOperator::And, _, _) => {
                        Value::Bool(lhs == Value::Bool(true) && rhs == Value::Bool(true))
                    }
                    (BinaryOperator::Or, _, _) => {
                        Value::Bool(lhs == Value::Bool(true) || rhs == Value::Bool(true))
                    }
                    (BinaryOperator::Plus, Some(a), Some(b)) => numeric(a + b),
                    (BinaryOperator::Minus, Some(a), Some(b)) => numeric(a - b),
                    (BinaryOperator::Mul, Some(a), Some(b)) => numeric(a * b),
                    (BinaryOperator::Less, Some(a), Some(b)) => Value::Bool(a < b),
                    (BinaryOperator::Greater, Some(a), Some(b)) => Value::Bool(a > b),
                    (operator, _, _) => {
                        return Err(refuse(
                            file,
                            offset,
                            &format!("the operator {}", operator.as_str()),
                        ))
                    }
                }
            }
            Expression::FuncCall(call) => {
                let name = call.name.name.as_str();
                if !call.name.namespace.is_empty() || !FUNCTIONS.contains(&name) {
                    return Err(refuse(file, offset, &format!("the function {name}()")));
                }
                let mut args = Vec::new();
                for arg in call.args.iter() {
                    args.push(self.eval(file, arg, scope)?);
                }
                function(name, args)
                    .map_err(|message| invalid(file, offset, format!("{name}(): {message}")))?
            }
            Expression::ForExpr(_) => return Err(refuse(file, offset, "a for expression")),
            Expression::Variable(variable) => {
                return Err(refuse(
                    file,
                    offset,
                    &format!("the bare name {}", variable.as_str()),
                ))
            }
            Expression::Traversal(traversal) => {
                let Expression::Variable(root) = &traversal.expr else {
                    let value = self.eval(file, &traversal.expr, scope)?;
                    return self.operators(file, value, &traversal.operators, scope, offset);
                };
                self.reference(file, root.as_str(), &traversal.operators, scope, offset)?
            }
        })
    }

    fn template(
        &mut self,
        file: usize,
        template: &Template,
        scope: &Scope,
    ) -> Result<String, Refusal> {
        let mut out = String::new();
        for element in template.iter() {
            match element {
                Element::Literal(literal) => out.push_str(literal.value()),
                Element::Interpolation(interpolation) => {
                    let value = self.eval(file, &interpolation.expr, scope)?;
                    match super::resources::text(&value) {
                        Some(text) => out.push_str(&text),
                        None if value.is_string() => {}
                        None => {
                            let offset = interpolation.span().map(|span| span.start);
                            return Err(invalid(
                                file,
                                offset,
                                format!("{value} cannot be written into a string"),
                            ));
                        }
                    }
                }
                Element::Directive(directive) => {
                    return Err(refuse(
                        file,
                        directive.span().map(|span| span.start),
                        "a template directive",
                    ))
                }
            }
        }
        Ok(out)
    }

    /// A traversal from a root name: `var.x`, `local.x`, `count.index`, `each.key`, a resource.
    fn reference(
        &mut self,
        file: usize,
        root: &str,
        operators: &[hcl_edit::Decorated<TraversalOperator>],
        scope: &Scope,
        offset: Option<usize>,
    ) -> Result<Value, Refusal> {
        let name = |index: usize| match operators.get(index).map(|operator| operator.value()) {
            Some(TraversalOperator::GetAttr(ident)) => Some(ident.as_str().to_owned()),
            _ => None,
        };
        let first =
            name(0).ok_or_else(|| refuse(file, offset, &format!("the expression {root}")))?;
        let (value, used) = match root {
            "var" => {
                let value = match self.variables.get(&first) {
                    Some(value) => value.clone(),
                    None => match self.defaults.get(&first).copied() {
                        Some((default_file, expression)) => self.eval(default_file, expression, &Scope::default())?,
                        None => {
                            return Err(invalid(file, offset, format!("variable {first} has no value: give it a default, a .tfvars file or -var {first}=VALUE")))
                        }
                    },
                };
                (value, 1)
            }
            "local" => match self.locals.get(&first).copied() {
                Some((local_file, expression)) => (self.eval(local_file, expression, scope)?, 1),
                None => {
                    return Err(invalid(
                        file,
                        offset,
                        format!("local.{first} is not defined in the files"),
                    ))
                }
            },
            "count" if first == "index" => match scope.index {
                Some(index) => (Value::Number(index.into()), 1),
                None => {
                    return Err(invalid(
                        file,
                        offset,
                        "count.index is used outside a resource with count".to_owned(),
                    ))
                }
            },
            "each" if first == "key" || first == "value" => match &scope.each {
                Some((key, value)) => (
                    if first == "key" {
                        Value::String(key.clone())
                    } else {
                        value.clone()
                    },
                    1,
                ),
                None => {
                    return Err(invalid(
                        file,
                        offset,
                        "each is used outside a resource with for_each".to_owned(),
                    ))
                }
            },
            "data" => {
                let source = format!("data.{first}.{}", name(1).unwrap_or_default());
                let known = if self.data.contains(&source) {
                    "the data source"
                } else {
                    "the undeclared data source"
                };
                return Err(refuse(file, offset, &format!("{known} {source}")));
            }
            "module" => {
                return Err(refuse(
                    file,
                    offset,
                    &format!("the output of module.{first}"),
                ))
            }
            kind if kind.starts_with("alicloud_") => {
                return self.resource(file, kind, &first, &operators[1..], offset)
            }
            other => {
                return Err(refuse(
                    file,
                    offset,
                    &format!("the reference {other}.{first}"),
                ))
            }
        };
        self.operators(file, value, &operators[used..], scope, offset)
    }

    /// `TYPE.NAME[KEY].ATTRIBUTE`: `id` is the instance's address (the id Terraform assigns at
    /// apply); any other attribute is the instance's argument.
    fn resource(
        &mut self,
        file: usize,
        kind: &str,
        name: &str,
        operators: &[hcl_edit::Decorated<TraversalOperator>],
        offset: Option<usize>,
    ) -> Result<Value, Refusal> {
        let base = format!("{kind}.{name}");
        let Some(declared) = self.resources.get(&base).copied() else {
            return Err(invalid(
                file,
                offset,
                format!(
                    "resource {base} is in none of the files (or of a type sglab does not read)"
                ),
            ));
        };
        let (target_file, block) = (declared.file, declared.block);
        let instances = self.instances(&declared)?;
        let (suffix, scope, rest) = match operators.first().map(|operator| operator.value()) {
            Some(TraversalOperator::Index(index)) => {
                let key = self.eval(file, index, &Scope::default())?;
                let suffix = match &key {
                    Value::String(text) => format!("[{}]", Value::String(text.clone())),
                    other => format!("[{other}]"),
                };
                let found = instances
                    .into_iter()
                    .find(|(candidate, _)| *candidate == suffix);
                let Some((suffix, scope)) = found else {
                    return Err(invalid(
                        file,
                        offset,
                        format!("{base}{suffix} is not an instance of {base}"),
                    ));
                };
                (suffix, scope, &operators[1..])
            }
            Some(TraversalOperator::LegacyIndex(index)) => {
                let suffix = format!("[{}]", index.value());
                let Some((suffix, scope)) = instances
                    .into_iter()
                    .find(|(candidate, _)| *candidate == suffix)
                else {
                    return Err(invalid(
                        file,
                        offset,
                        format!("{base}{suffix} is not an instance of {base}"),
                    ));
                };
                (suffix, scope, &operators[1..])
            }
            Some(TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_)) => {
                return Err(refuse(file, offset, "a splat expression"))
            }
            _ => match instances.as_slice() {
                [(suffix, scope)] if suffix.is_empty() => (String::new(), scope.clone(), operators),
                _ => {
                    return Err(invalid(
                        file,
                        offset,
                        format!("{base} has count or for_each: name one instance, as {base}[0]"),
                    ))
                }
            },
        };
        let address = format!("{base}{suffix}");
        let attribute = match rest.first().map(|operator| operator.value()) {
            Some(TraversalOperator::GetAttr(ident)) => ident.as_str().to_owned(),
            _ => return Err(refuse(file, offset, &format!("the whole object {address}"))),
        };
        if attribute == "id" {
            return self.operators(file, Value::String(address), &rest[1..], &scope, offset);
        }
        let Some(argument) = block.body.get_attribute(&attribute) else {
            return Err(invalid(file, offset, format!("{address}.{attribute} is known only after apply: set it in the files, or give terraform show -json of a plan")));
        };
        let value = self.eval(target_file, &argument.value, &scope)?;
        self.operators(file, value, &rest[1..], &scope, offset)
    }

    fn operators(
        &mut self,
        file: usize,
        mut value: Value,
        operators: &[hcl_edit::Decorated<TraversalOperator>],
        scope: &Scope,
        offset: Option<usize>,
    ) -> Result<Value, Refusal> {
        for operator in operators {
            let key = match operator.value() {
                TraversalOperator::GetAttr(ident) => Value::String(ident.to_string()),
                TraversalOperator::Index(index) => self.eval(file, index, scope)?,
                TraversalOperator::LegacyIndex(index) => Value::Number((*index.value()).into()),
                _ => return Err(refuse(file, offset, "a splat expression")),
            };
            value = match (&value, &key) {
                (Value::Object(map), _) => map
                    .get(&super::resources::text(&key).unwrap_or_default())
                    .cloned(),
                (Value::Array(items), _) => {
                    number(&key).and_then(|n| items.get(n as usize)).cloned()
                }
                _ => None,
            }
            .ok_or_else(|| invalid(file, offset, format!("{key} is not in {value}")))?;
        }
        Ok(value)
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn numeric(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        Value::Number((value as i64).into())
    } else {
        Number::from_f64(value).map_or(Value::Null, Value::Number)
    }
}

/// The functions of [`FUNCTIONS`].
fn function(name: &str, mut args: Vec<Value>) -> Result<Value, String> {
    let list = |value: &Value| match value {
        Value::Array(items) => Ok(items.clone()),
        other => Err(format!("{other} is not a list")),
    };
    Ok(match (name, args.as_slice()) {
        ("lookup", [Value::Object(map), key, ..]) => {
            let key = super::resources::text(key).unwrap_or_default();
            match (map.get(&key), args.get(2)) {
                (Some(value), _) => value.clone(),
                (None, Some(default)) => default.clone(),
                (None, None) => return Err(format!("no key {key:?} and no default")),
            }
        }
        ("tostring", [value]) => Value::String(super::resources::text(value).unwrap_or_default()),
        ("tonumber", [value]) => number(value)
            .map(numeric)
            .ok_or_else(|| format!("{value} is not a number"))?,
        ("tolist" | "toset", [value]) => {
            let mut items = list(value)?;
            if name == "toset" {
                let mut seen = Vec::new();
                items.retain(|item| {
                    !seen.contains(item) && {
                        seen.push(item.clone());
                        true
                    }
                });
            }
            Value::Array(items)
        }
        ("concat", _) => {
            let mut out = Vec::new();
            for arg in &args {
                out.extend(list(arg)?);
            }
            Value::Array(out)
        }
        ("merge", _) => {
            let mut out = Map::new();
            for arg in args.drain(..) {
                match arg {
                    Value::Object(map) => out.extend(map),
                    other => return Err(format!("{other} is not a map")),
                }
            }
            Value::Object(out)
        }
        ("join", [separator, items]) => {
            let parts: Vec<String> = list(items)?
                .iter()
                .filter_map(super::resources::text)
                .collect();
            Value::String(parts.join(&super::resources::text(separator).unwrap_or_default()))
        }
        ("element", [items, index]) => {
            let items = list(items)?;
            let index = number(index).ok_or("the index is not a number")? as usize;
            items
                .get(index % items.len().max(1))
                .cloned()
                .ok_or("the list is empty")?
        }
        ("length", [Value::Array(items)]) => Value::Number(items.len().into()),
        ("length", [Value::Object(map)]) => Value::Number(map.len().into()),
        ("length", [Value::String(text)]) => Value::Number(text.chars().count().into()),
        _ => return Err("the arguments do not fit".to_owned()),
    })
}
