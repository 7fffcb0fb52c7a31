//! Validation: the raw file types of [`crate::format`] become a [`Topology`] whose invariants
//! the evaluation relies on, or a list of **every** problem found, each naming the file, the
//! object, the rule and the field in the vendor's terms; and [`check`], the same checks on a
//! model (after an edit, or after merging imported files).
//!
//! - `lower.rs`, `endpoints.rs`: the raw file form to the model (words, numbers, addresses,
//!   defaults, fields an object's kind does not allow);
//! - `rule.rs`: the one rule reader, shared with the importers;
//! - `check.rs`, `network.rs`, `gateways.rs`: the checks of the model (references, group rules, ENIs, pods,
//!   gateways, limits), run by [`check`] on a model and by the lowering on each object it reads;
//! - `fields.rs`: the checks of one field at a time.
//!
//! Validating a file is lowering plus the model's checks: a file and the model written from it
//! get the same diagnostics (`tests/check.rs`).
//!
//! The small `check_*_field` functions validate one field at a time, for the web app's rule
//! editor (inline validation); [`validate`] uses the same functions, so the editor and the file
//! loader always agree.
//!
//! Decisions (also listed in `docs/format.md`):
//! - Limits on rules (per group, group-referencing rules per basic group, per ENI) are
//!   **warnings** with the code `AuthorizationLimitExceed`: the topology is still evaluated,
//!   and the lint reports them too. Limits on groups (per ENI, per trunk pod) are **errors**,
//!   because the model promises at most that many groups.
//! - Legacy priority 110, host bits in a CIDR block, a rule with both a CIDR block and a group
//!   (the CIDR wins), and a prefix list beside another peer (ignored) are accepted with a
//!   warning that names the correction.
//!
//! ```
//! use sglab_core::model::{PortSpec, Protocol};
//! use sglab_core::validate::{check_port_field, check_priority_field};
//!
//! assert!(matches!(check_port_field(Protocol::Icmp, "-1/-1"), Ok(PortSpec::All)));
//! let error = check_port_field(Protocol::Tcp, "-1/-1").unwrap_err();
//! assert_eq!(
//!     error.to_string(),
//!     "protocol tcp needs a port range such as 1/65535; -1/-1 is only for icmp, icmpv6, gre and all (OperationDenied)"
//! );
//! assert!(check_priority_field("0").is_err());
//! ```

mod check;
mod endpoints;
mod fields;
mod gateways;
mod lower;
mod network;
pub(crate) mod rule;

use crate::diagnostic::{Diagnostic, Sink};
use crate::format::RawFile;
use crate::model::{GroupType, Topology, VpcId};

pub use crate::format::fields::{
    unknown_fields, AUTHORIZATION_FIELDS, CLUSTER_FIELDS, ENDPOINT_FIELDS, ENI_FIELDS,
    EXPECTATION_FIELDS, GATEWAY_FIELDS, GROUP_FIELDS, POSITION_FIELDS, PREFIX_LIST_FIELDS,
    RULE_FIELDS, SERVICE_FIELDS, TOP_FIELDS, VPC_FIELDS,
};
pub(crate) use check::{Checker, Known};
pub use fields::{
    check_cidr_field, check_description_field, check_group_reference, check_ip_field,
    check_peer_field, check_port_field, check_priority_field, check_protocol_family,
    check_protocol_field, check_single_port_field, parse_cidr, parse_ports, MAX_DESCRIPTION_CHARS,
};

/// The cloud limits validation checks (reference §5). `Default` gives the newest documented
/// values; raise them for accounts with a raised quota.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Groups per ENI (10). Exceeding it is an error.
    pub groups_per_eni: usize,
    /// Rules per ENI, all its groups, both directions (1,000). Exceeding it is a warning.
    pub rules_per_eni: usize,
    /// Rules per group (200). Exceeding it is a warning.
    pub rules_per_group: usize,
    /// Group-referencing rules per basic group (20). Exceeding it is a warning.
    pub group_references_per_group: usize,
    /// Groups per Terway trunk pod (5). Exceeding it is an error.
    pub groups_per_trunk_pod: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            groups_per_eni: 10,
            rules_per_eni: 1000,
            rules_per_group: 200,
            group_references_per_group: 20,
            groups_per_trunk_pod: 5,
        }
    }
}

/// A validated topology and the warnings found on the way.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// The topology.
    pub topology: Topology,
    /// Problems that did not prevent loading, each naming the correction made.
    pub warnings: Vec<Diagnostic>,
}

/// What a rule check needs to know about a group: its VPC and its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupInfo {
    /// The VPC, when known.
    pub vpc: Option<VpcId>,
    /// Basic or enterprise.
    pub group_type: GroupType,
}

/// Validates a raw file into a topology.
///
/// On success the warnings are returned beside the topology; on failure every diagnostic found
/// (errors and warnings) in the order of the file.
pub fn validate(
    raw: &RawFile,
    file: Option<&str>,
    limits: &Limits,
) -> Result<Parsed, Vec<Diagnostic>> {
    let mut lowering = lower::Lowering::new(file, limits, &raw.name);
    lowering.run(raw);
    let diagnostics = lowering.sink.into_diagnostics();
    if crate::diagnostic::has_errors(&diagnostics) {
        Err(diagnostics)
    } else {
        Ok(Parsed {
            topology: lowering.topology,
            warnings: diagnostics,
        })
    }
}

/// Checks a model with the default [`Limits`]: every diagnostic that validating the sglab file
/// written from it ([`crate::format::to_sglab_json`]) gives, with the same codes, wording and
/// object names, in the same order, without a file name.
///
/// ```
/// use sglab_core::load::parse_sglab;
/// use sglab_core::model::GroupId;
/// use sglab_core::validate::check;
///
/// let mut topology = parse_sglab(r#"{"sglab": 1, "vpcs": [{"id": "vpc-1"}],
///   "security_groups": [{"id": "sg-web"}, {"id": "sg-db", "rules": [
///     {"direction": "ingress", "protocol": "tcp", "port_range": "3306/3306", "group": "sg-web"}]}]}"#,
///   None).expect("valid").topology;
/// assert!(check(&topology).is_empty());
/// topology.groups.remove(&GroupId::from("sg-web"));
/// assert_eq!(
///     check(&topology)[0].to_string(),
///     "security group sg-db, rule 1, field group: security group sg-web does not exist (InvalidSecurityGroupId.NotFound)"
/// );
/// ```
pub fn check(topology: &Topology) -> Vec<Diagnostic> {
    check_with_limits(topology, &Limits::default())
}

/// Checks a model with explicit limits, as [`check`] does.
pub fn check_with_limits(topology: &Topology, limits: &Limits) -> Vec<Diagnostic> {
    let mut sink = Sink::new(None);
    check::check_model(&mut sink, topology, limits);
    sink.into_diagnostics()
}
