//! Terraform in: plan and state JSON (`terraform show -json`, [`plan`]) and plain .tf files
//! with their .tfvars ([`hcl`]), both read into resource instances named by their address and
//! mapped into a topology by [`resources`].

mod addresses;
mod expr;
mod guard;
mod hcl;
mod plan;
mod resources;

use std::collections::BTreeMap;

use crate::diagnostic::Sink;
use crate::model::Topology;

pub use expr::FUNCTIONS;

/// A topology read from Terraform, with the file each object came from.
pub(crate) type Read = (Topology, BTreeMap<String, String>);

/// The topology after a plan (or of a state); `None` after reporting why it cannot be read.
pub(crate) fn plan_after(file: &str, contents: &str, sink: &mut Sink) -> Option<Read> {
    let read = plan::read(file, contents, sink)?;
    Some(resources::topology(&read.after, sink))
}

/// The topologies before and after a plan; `None` after reporting why it cannot be read.
pub(crate) fn plan_both(file: &str, contents: &str, sink: &mut Sink) -> Option<(Read, Read)> {
    let read = plan::read(file, contents, sink)?;
    let Some(before) = read.before else {
        sink.error(
            sink.location(),
            "the file is a state, not a plan: it has no resource_changes to compare; give terraform show -json of a saved plan",
        );
        return None;
    };
    let before = resources::topology(&before, sink);
    Some((before, resources::topology(&read.after, sink)))
}

/// The topology of .tf files evaluated together with .tfvars files and `-var` values.
pub(crate) fn config(
    tf_files: &[(&str, &str)],
    tfvars: &[(&str, &str)],
    variables: &[(String, String)],
    sink: &mut Sink,
) -> Option<Read> {
    let read = hcl::read(tf_files, tfvars, variables, sink)?;
    Some(resources::topology(&read, sink))
}

/// Whether a text that is not JSON is HCL, and which kind: `Some(true)` for a configuration
/// (it declares a Terraform block), `Some(false)` for variable values (attributes only, in a
/// file named `.tfvars`).
pub(crate) fn detect_hcl(file: &str, contents: &str) -> Option<bool> {
    if guard::too_deep(file, contents).is_some() {
        return None;
    }
    let body = hcl_edit::parser::parse_body(contents).ok()?;
    const BLOCKS: [&str; 8] = [
        "resource",
        "variable",
        "locals",
        "provider",
        "terraform",
        "module",
        "data",
        "output",
    ];
    if body
        .blocks()
        .any(|block| BLOCKS.contains(&block.ident.as_str()))
    {
        return Some(true);
    }
    (file.ends_with(".tfvars") && body.blocks().next().is_none()).then_some(false)
}
