//! Export a topology as the commands or code that recreate its security groups and rules.
//!
//! - [`terraform`]: `alicloud_security_group` and `alicloud_security_group_rule` resources for
//!   the `aliyun/alicloud` provider.
//! - [`aliyun_cli`]: a POSIX shell script of `aliyun ecs` commands.
//!
//! Both are plain text built from the validated model; nothing here writes files. The sglab
//! JSON format itself lives in [`crate::format`].
//!
//! Groups managed by a cloud product (a gateway's managed group) are read-only to the user:
//! they are never created, their rules are not exported, and rules that reference them use
//! their id literally. Quintuple rules (with a source port range or a local CIDR) cannot be
//! expressed in Terraform and are written there as comments.
//!
//! ```
//! use sglab_core::model::Topology;
//!
//! let topology = Topology::default();
//! assert!(sglab_core::export::terraform(&topology).contains("sglab"));
//! assert!(sglab_core::export::aliyun_cli(&topology).starts_with("#!/bin/sh"));
//! ```

mod aliyun_cli;
mod terraform;

pub use aliyun_cli::aliyun_cli;
pub use terraform::terraform;

use crate::model::{GroupType, Rule};

/// The API's name of a group type: `normal` for basic groups, `enterprise`.
fn group_type_api_name(group_type: GroupType) -> &'static str {
    match group_type {
        GroupType::Basic => "normal",
        GroupType::Enterprise => "enterprise",
    }
}

/// Whether a rule uses the quintuple fields that only the API knows.
fn is_quintuple(rule: &Rule) -> bool {
    rule.source_ports.is_some() || rule.local_cidr.is_some()
}

/// User text made safe for a one-line `#` comment (shell and HCL alike): control characters,
/// line breaks among them, become spaces.
fn comment_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
