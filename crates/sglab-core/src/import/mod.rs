//! Import: any mix of sglab JSON files, `aliyun ecs Describe...` responses and Terraform
//! (plan or state JSON, .tf and .tfvars files), detected by content and merged into one
//! [`Topology`].
//!
//! Nothing here reads files: the caller passes each file's name and contents.
//!
//! | content | detected by |
//! |---|---|
//! | sglab JSON ([`crate::format`]) | a top-level `"sglab"` key |
//! | DescribeSecurityGroupAttribute | `SecurityGroupId` and `Permissions` |
//! | DescribeSecurityGroups | `SecurityGroups` |
//! | DescribeInstances | `Instances` |
//! | DescribeNetworkInterfaces | `NetworkInterfaceSets` |
//! | Terraform plan or state JSON | `format_version` with `planned_values`, `resource_changes` or `values` |
//! | Terraform configuration (.tf) | not JSON, but HCL declaring a `resource`, `variable`, `module`... block |
//! | Terraform variable values (.tfvars) | HCL attributes only, in a file named `.tfvars` |
//!
//! The .tf and .tfvars files of a load are evaluated together, as one Terraform root module
//! ([`terraform`]); each plan or state file is read on its own.
//!
//! Facts from the API responses combine: DescribeSecurityGroups gives a group's type, VPC,
//! tags and whether a cloud product manages it; DescribeSecurityGroupAttribute gives its rules
//! (a group known only from its attribute response is basic); DescribeInstances gives the
//! instances with their addresses and the groups of their primary ENI;
//! DescribeNetworkInterfaces gives the groups of each ENI. Imported endpoints declare no
//! services (`services: None`: unknown). The same object defined differently by two files is a
//! conflict naming both files.
//!
//! ```
//! use sglab_core::import::load_files;
//!
//! let attribute = r#"{
//!   "RequestId": "473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E",
//!   "SecurityGroupId": "sg-web", "SecurityGroupName": "web", "VpcId": "vpc-1",
//!   "InnerAccessPolicy": "Accept", "Description": "",
//!   "Permissions": {"Permission": [{
//!     "Direction": "ingress", "Policy": "Accept", "Priority": "1", "IpProtocol": "TCP",
//!     "PortRange": "200/1", "SourceCidrIp": "0.0.0.0/0", "NicType": "intranet"
//!   }]}
//! }"#;
//! let errors = load_files(&[("web.json", attribute)]).unwrap_err();
//! assert!(errors[0].to_string().starts_with("web.json: security group sg-web, rule 1, field PortRange: port range 200/1 is reversed"));
//! ```

mod aliyun;
mod merge;
pub mod terraform;

pub use merge::merge_topologies;

use std::collections::BTreeMap;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::error::Category;

use crate::diagnostic::{Diagnostic, Location, Sink};
use crate::model::Topology;

/// What a file holds, as detected from its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InputKind {
    /// sglab's own JSON format.
    Sglab,
    /// A DescribeSecurityGroupAttribute response: one group with its rules.
    SecurityGroupAttribute,
    /// A DescribeSecurityGroups response: groups with their types, VPCs and tags.
    SecurityGroups,
    /// A DescribeInstances response: instances with addresses and groups.
    Instances,
    /// A DescribeNetworkInterfaces response: ENIs with their groups.
    NetworkInterfaces,
    /// `terraform show -json` of a plan or a state.
    TerraformPlan,
    /// A Terraform configuration file (.tf).
    TerraformConfig,
    /// Terraform variable values (.tfvars).
    TerraformVariables,
}

impl InputKind {
    /// The name of the format in words, as messages show it.
    pub fn describe(self) -> &'static str {
        match self {
            InputKind::Sglab => "sglab JSON",
            InputKind::SecurityGroupAttribute => "DescribeSecurityGroupAttribute response",
            InputKind::SecurityGroups => "DescribeSecurityGroups response",
            InputKind::Instances => "DescribeInstances response",
            InputKind::NetworkInterfaces => "DescribeNetworkInterfaces response",
            InputKind::TerraformPlan => "Terraform plan or state JSON",
            InputKind::TerraformConfig => "Terraform configuration",
            InputKind::TerraformVariables => "Terraform variable values",
        }
    }
}

/// The topologies before and after a Terraform plan, for reviewing what it changes.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanTopologies {
    /// The resources as they are before the plan (`resource_changes[].change.before`).
    pub before: Loaded,
    /// The resources as the plan leaves them (`planned_values`).
    pub after: Loaded,
}

/// The topology merged from all files, with the warnings met on the way.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The merged, validated topology.
    pub topology: Topology,
    /// Warnings: legacy priorities, groups whose rules are unknown, inferred values.
    pub warnings: Vec<Diagnostic>,
}

/// Detects what a file holds from its content.
///
/// Fails with a diagnostic naming the file when the content is not JSON or not one of the
/// known formats.
pub fn detect(file: &str, contents: &str) -> Result<InputKind, Vec<Diagnostic>> {
    // Only the top-level keys decide; the values are checked for syntax but not kept, so that a
    // large file costs no memory here (it is parsed again into its own types).
    let keys: BTreeMap<String, IgnoredAny> = match serde_json::from_str(contents) {
        Ok(keys) => keys,
        Err(error) if error.classify() == Category::Data => {
            return Err(vec![Diagnostic::error(
                Location::in_file(Some(file)),
                format!(
                    "{} is not recognised: {UNKNOWN_CONTENT}",
                    json_kind(contents)
                ),
            )]);
        }
        Err(error) => {
            return match terraform::detect_hcl(file, contents) {
                Some(true) => Ok(InputKind::TerraformConfig),
                Some(false) => Ok(InputKind::TerraformVariables),
                // A file named as Terraform that is not HCL gets the HCL syntax error.
                None if file.ends_with(".tf") => Ok(InputKind::TerraformConfig),
                None if file.ends_with(".tfvars") => Ok(InputKind::TerraformVariables),
                None => Err(vec![Diagnostic::from_json_error(Some(file), &error)]),
            };
        }
    };
    let has = |key: &str| keys.contains_key(key);
    if has("sglab") {
        Ok(InputKind::Sglab)
    } else if has("Permissions") && has("SecurityGroupId") {
        Ok(InputKind::SecurityGroupAttribute)
    } else if has("SecurityGroups") {
        Ok(InputKind::SecurityGroups)
    } else if has("Instances") {
        Ok(InputKind::Instances)
    } else if has("NetworkInterfaceSets") {
        Ok(InputKind::NetworkInterfaces)
    } else if has("format_version")
        && (has("planned_values") || has("resource_changes") || has("values"))
    {
        Ok(InputKind::TerraformPlan)
    } else {
        Err(vec![Diagnostic::error(
            Location::in_file(Some(file)),
            format!("the JSON object is not recognised: {UNKNOWN_CONTENT}"),
        )])
    }
}

const UNKNOWN_CONTENT: &str = "give sglab JSON (with a \"sglab\" key) or the JSON printed by aliyun ecs DescribeSecurityGroupAttribute, DescribeSecurityGroups, DescribeInstances or DescribeNetworkInterfaces";

/// Loads any mix of files, given as `(name, contents)`, into one topology.
///
/// Fails with every error found (each naming the file, the object, the rule index and the
/// field); warnings are returned with the topology, or among the errors on failure.
pub fn load_files<N: AsRef<str>, C: AsRef<str>>(
    files: &[(N, C)],
) -> Result<Loaded, Vec<Diagnostic>> {
    load_files_with(files, &[])
}

/// [`load_files`] with values for the variables of .tf files, as Terraform's `-var NAME=VALUE`
/// options give them (a later one wins; they win over .tfvars files and defaults). A value
/// that starts with `[` or `{` is read as an HCL list or map, any other as a string.
pub fn load_files_with<N: AsRef<str>, C: AsRef<str>>(
    files: &[(N, C)],
    variables: &[(String, String)],
) -> Result<Loaded, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let mut inputs = merge::Inputs::default();
    let mut tf_files: Vec<(&str, &str)> = Vec::new();
    let mut tfvars: Vec<(&str, &str)> = Vec::new();
    for (name, contents) in files {
        let (file, contents) = (name.as_ref(), contents.as_ref());
        let kind = match detect(file, contents) {
            Ok(kind) => kind,
            Err(errors) => {
                diagnostics.extend(errors);
                continue;
            }
        };
        let mut sink = Sink::new(Some(file));
        match kind {
            InputKind::TerraformConfig => tf_files.push((file, contents)),
            InputKind::TerraformVariables => tfvars.push((file, contents)),
            InputKind::TerraformPlan => {
                if let Some(read) = terraform::plan_after(file, contents, &mut sink) {
                    inputs.terraform.push((file.to_owned(), read));
                }
            }
            InputKind::Sglab => match crate::load::parse_sglab(contents, Some(file)) {
                Ok(parsed) => {
                    sink.extend(parsed.warnings);
                    inputs.topologies.push((file.to_owned(), parsed.topology));
                }
                Err(errors) => sink.extend(errors),
            },
            InputKind::SecurityGroupAttribute => {
                if let Some(response) =
                    typed::<aliyun::AttributeResponse>(file, contents, &mut sink)
                {
                    if let Some(facts) = aliyun::attribute_facts(&response, &mut sink) {
                        inputs.attributes.push((file.to_owned(), facts));
                    }
                }
            }
            InputKind::SecurityGroups => {
                if let Some(response) =
                    typed::<aliyun::SecurityGroupsResponse>(file, contents, &mut sink)
                {
                    for facts in aliyun::listed_facts(&response, &mut sink) {
                        inputs.listed.push((file.to_owned(), facts));
                    }
                }
            }
            InputKind::Instances => {
                if let Some(response) =
                    typed::<aliyun::InstancesResponse>(file, contents, &mut sink)
                {
                    for facts in aliyun::instance_facts(&response, &mut sink) {
                        inputs.instances.push((file.to_owned(), facts));
                    }
                }
            }
            InputKind::NetworkInterfaces => {
                if let Some(response) =
                    typed::<aliyun::NetworkInterfacesResponse>(file, contents, &mut sink)
                {
                    for facts in aliyun::interface_facts(&response, &mut sink) {
                        inputs.interfaces.push((file.to_owned(), facts));
                    }
                }
            }
        }
        diagnostics.extend(sink.into_diagnostics());
    }
    if let Some((first, _)) = tf_files.first().or(tfvars.first()) {
        let mut sink = Sink::new(Some(first));
        if tf_files.is_empty() {
            sink.error(
                sink.location(),
                "variable values without a configuration: give the .tf files whose variables they set",
            );
        } else if let Some(read) = terraform::config(&tf_files, &tfvars, variables, &mut sink) {
            inputs.terraform.push(((*first).to_owned(), read));
        }
        diagnostics.extend(sink.into_diagnostics());
    }
    if crate::diagnostic::has_errors(&diagnostics) {
        crate::sort::sort_by_key(&mut diagnostics, |diagnostic| !diagnostic.is_error());
        return Err(diagnostics);
    }
    let file_names: Vec<&str> = files.iter().map(|(name, _)| name.as_ref()).collect();
    match merge::merge(inputs, &file_names, &diagnostics) {
        Ok((topology, warnings)) => {
            diagnostics.extend(warnings);
            Ok(Loaded {
                topology,
                warnings: diagnostics,
            })
        }
        Err(errors) => {
            diagnostics.extend(errors);
            // Errors first: they are what the user must fix.
            crate::sort::sort_by_key(&mut diagnostics, |diagnostic| !diagnostic.is_error());
            Err(diagnostics)
        }
    }
}

/// The topologies before and after the plan a `terraform show -json` file holds, each merged
/// and checked as [`load_files`] does, for reviewing what the plan changes.
pub fn plan_topologies(file: &str, contents: &str) -> Result<PlanTopologies, Vec<Diagnostic>> {
    if detect(file, contents)? != InputKind::TerraformPlan {
        return Err(vec![Diagnostic::error(
            Location::in_file(Some(file)),
            "the file is not a Terraform plan: give the output of terraform show -json PLAN",
        )]);
    }
    let mut sink = Sink::new(Some(file));
    let Some((before, after)) = terraform::plan_both(file, contents, &mut sink) else {
        return Err(sink.into_diagnostics());
    };
    let shared = sink.into_diagnostics();
    let load = |read: terraform::Read| {
        let inputs = merge::Inputs {
            terraform: vec![(file.to_owned(), read)],
            ..merge::Inputs::default()
        };
        let (topology, warnings) = merge::merge(inputs, &[file], &shared)?;
        let mut all = shared.clone();
        all.extend(warnings);
        Ok::<_, Vec<Diagnostic>>(Loaded {
            topology,
            warnings: all,
        })
    };
    if crate::diagnostic::has_errors(&shared) {
        return Err(shared);
    }
    Ok(PlanTopologies {
        before: load(before)?,
        after: load(after)?,
    })
}

/// Parses the file again into its DTO, which gives precise messages for values of the wrong
/// JSON type.
fn typed<T: DeserializeOwned>(file: &str, contents: &str, sink: &mut Sink) -> Option<T> {
    match serde_json::from_str(contents) {
        Ok(value) => Some(value),
        Err(error) => {
            sink.push(Diagnostic::from_json_error(Some(file), &error));
            None
        }
    }
}

/// What a JSON text that is not an object holds, from its first character.
fn json_kind(contents: &str) -> &'static str {
    match contents.trim_start().chars().next() {
        Some('[') => "a JSON array",
        Some('"') => "a string",
        Some('t' | 'f') => "a boolean",
        Some('n') => "null",
        _ => "a number",
    }
}
