//! The expressions of .tf files: literals, templates, references, conditionals, arithmetic
//! and the functions of [`FUNCTIONS`], evaluated into plain JSON values, or refused with the
//! construct that only Terraform can evaluate.

use hcl_edit::expr::{BinaryOperator, Expression, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Element, Template};
use hcl_edit::Span;
use serde_json::{Map, Number, Value};

use super::hcl::{invalid, refuse, Project, Refusal, Scope};

/// The functions a .tf file may call.
pub const FUNCTIONS: [&str; 10] = [
    "concat", "element", "join", "length", "lookup", "merge", "tolist", "tonumber", "toset",
    "tostring",
];

impl Project<'_> {
    pub(super) fn eval(
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

pub(super) fn number(value: &Value) -> Option<f64> {
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
