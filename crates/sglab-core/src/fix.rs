//! One-click fixes: the smallest change to a [`Topology`] that the doctor ([`crate::doctor`])
//! and the lint ([`crate::lint`]) propose, as plain data that any front end can show, apply and
//! undo.
//!
//! A fix is an edit ([`Fix::edit`], a [`crate::edit::Edit`]) with its wording. It is applied
//! with [`Fix::apply`], which applies that edit through [`crate::edit::apply`]: it changes the
//! topology or refuses and leaves it untouched. Applying a fix never bypasses the model's
//! invariants: rules are checked like any other edit, gateway authorizations go through
//! [`crate::gateway::authorize`], and managed (read-only) groups are refused.
//!
//! ```
//! use sglab_core::fix::Fix;
//! use sglab_core::load::parse_sglab;
//! use sglab_core::model::GroupId;
//!
//! let mut topology = parse_sglab(r#"{"sglab": 1, "vpcs": [{"id": "vpc-1"}],
//!   "security_groups": [{"id": "sg-app", "rules": [
//!     {"direction": "ingress", "policy": "accept", "priority": 1, "protocol": "tcp",
//!      "port_range": "22/22", "cidr": "0.0.0.0/0"}]}],
//!   "endpoints": []}"#, None).expect("valid").topology;
//! let fix = Fix::DeleteRule { security_group: GroupId::from("sg-app"), rule_index: 0 };
//! assert_eq!(fix.to_string(), "delete rule 1 of sg-app");
//! fix.apply(&mut topology).expect("applied");
//! assert!(topology.groups[&GroupId::from("sg-app")].rules.is_empty());
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::edit::{self, Edit, EditError};
use crate::gateway::GatewayError;
use crate::model::{Direction, EndpointId, GatewayId, GroupId, Peer, PortRange, Rule, Topology};

/// A change that fixes a diagnosis or a lint finding.
///
/// Serializes with a `kind` tag (`add-rule`, `delete-rule`, `replace-rule`, `authorize`,
/// `start-service`, `together`) for the JSON outputs of the CLI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Fix {
    /// Append `rule` to the rules of `security_group`.
    AddRule {
        /// The group that receives the rule.
        security_group: GroupId,
        /// The rule.
        rule: Rule,
    },
    /// Delete rule `rule_index` (0-based, both directions counted) of `security_group`.
    DeleteRule {
        /// The group holding the rule.
        security_group: GroupId,
        /// Its index.
        rule_index: usize,
    },
    /// Replace rule `rule_index` of `security_group` by `rule` (narrow its peer or ports,
    /// change its priority or policy).
    ReplaceRule {
        /// The group holding the rule.
        security_group: GroupId,
        /// Its index.
        rule_index: usize,
        /// The rule that takes its place.
        rule: Rule,
    },
    /// Authorize `backend_group` on `gateway` for TCP `port_ranges`, as the gateway console
    /// does (reference §6).
    Authorize {
        /// The gateway.
        gateway: GatewayId,
        /// The backend group.
        backend_group: GroupId,
        /// The TCP port ranges.
        port_ranges: Vec<PortRange>,
    },
    /// Mark service `service_index` of `endpoint` as up (the process is started again).
    StartService {
        /// The endpoint running the service.
        endpoint: EndpointId,
        /// The index of the service in the endpoint's list.
        service_index: usize,
    },
    /// Several fixes that only work together, applied in order as one edit (one undo): for
    /// example an accept that a drop of another group would still beat, with the change that
    /// moves that drop out of its way.
    Together {
        /// The fixes, in the order they apply.
        fixes: Vec<Fix>,
    },
}

/// Why a fix could not be applied. The topology is left untouched.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FixError {
    /// The group does not exist (any more): [`crate::Error::UnknownGroup`].
    #[error(transparent)]
    Reference(crate::Error),
    /// The group has fewer rules than the index.
    #[error("security group {security_group} has no rule {}", rule_index + 1)]
    UnknownRule {
        /// The group.
        security_group: GroupId,
        /// The 0-based index asked for.
        rule_index: usize,
    },
    /// The group is managed by a cloud product and read-only.
    #[error("security group {group} is managed by {managed_by} and is read-only")]
    ManagedGroup {
        /// The group.
        group: GroupId,
        /// The managing product.
        managed_by: String,
    },
    /// The endpoint or its service does not exist.
    #[error("endpoint {endpoint} has no service {}", service_index + 1)]
    UnknownService {
        /// The endpoint.
        endpoint: EndpointId,
        /// The 0-based index asked for.
        service_index: usize,
    },
    /// The gateway refused the authorization.
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    /// The fix's edit was refused for another reason, such as a rule that the group cannot
    /// hold.
    #[error(transparent)]
    Edit(EditError),
}

impl Fix {
    /// The fix as an edit of the topology.
    pub fn edit(&self) -> Edit {
        match self {
            Fix::AddRule {
                security_group,
                rule,
            } => Edit::AddRule {
                group: security_group.clone(),
                rule: rule.clone(),
            },
            Fix::DeleteRule {
                security_group,
                rule_index,
            } => Edit::DeleteRule {
                group: security_group.clone(),
                index: *rule_index,
            },
            Fix::ReplaceRule {
                security_group,
                rule_index,
                rule,
            } => Edit::SetRule {
                group: security_group.clone(),
                index: *rule_index,
                rule: rule.clone(),
            },
            Fix::Authorize {
                gateway,
                backend_group,
                port_ranges,
            } => Edit::Authorize {
                gateway: gateway.clone(),
                backend: backend_group.clone(),
                ranges: port_ranges.clone(),
                description: format!("Authorized for gateway {gateway}"),
            },
            Fix::StartService {
                endpoint,
                service_index,
            } => Edit::SetServiceUp {
                endpoint: endpoint.clone(),
                service_index: *service_index,
            },
            Fix::Together { fixes } => Edit::Sequence(fixes.iter().map(Fix::edit).collect()),
        }
    }

    /// Applies the fix to `topology` as the edit [`Fix::edit`], or refuses and leaves it
    /// untouched.
    pub fn apply(&self, topology: &mut Topology) -> Result<(), FixError> {
        edit::apply(topology, &self.edit())
            .map(|_| ())
            .map_err(FixError::from)
    }
}

impl From<EditError> for FixError {
    /// The refusal of a fix's edit, in the fix's words where it has its own.
    fn from(error: EditError) -> FixError {
        match error {
            EditError::Reference(error) => FixError::Reference(error),
            EditError::UnknownRule { group, index } => FixError::UnknownRule {
                security_group: group,
                rule_index: index,
            },
            EditError::ManagedGroup { group, managed_by } => {
                FixError::ManagedGroup { group, managed_by }
            }
            EditError::UnknownService {
                endpoint,
                service_index,
            } => FixError::UnknownService {
                endpoint,
                service_index,
            },
            EditError::Gateway(error) => FixError::Gateway(error),
            other => FixError::Edit(other),
        }
    }
}

impl fmt::Display for Fix {
    /// The fix in words, as a button or a CLI line shows it: `add to sg-app: ingress accept
    /// priority 1 tcp 8081/8081 from group sg-gw`; rule numbers are 1-based.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fix::AddRule {
                security_group,
                rule,
            } => write!(f, "add to {security_group}: {}", RuleText(rule)),
            Fix::DeleteRule {
                security_group,
                rule_index,
            } => write!(f, "delete rule {} of {security_group}", rule_index + 1),
            Fix::ReplaceRule {
                security_group,
                rule_index,
                rule,
            } => write!(
                f,
                "change rule {} of {security_group} to: {}",
                rule_index + 1,
                RuleText(rule)
            ),
            Fix::Authorize {
                gateway,
                backend_group,
                port_ranges,
            } => {
                let ranges: Vec<String> = port_ranges.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "authorize {backend_group} on gateway {gateway} for TCP {}",
                    ranges.join(", ")
                )
            }
            Fix::StartService {
                endpoint,
                service_index,
            } => write!(f, "start service {} on {endpoint}", service_index + 1),
            Fix::Together { fixes } => {
                for (index, fix) in fixes.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", and ")?;
                    }
                    fix.fmt(f)?;
                }
                Ok(())
            }
        }
    }
}

/// A rule in words: `ingress accept priority 1 tcp 8081/8081 from group sg-gw`.
pub struct RuleText<'a>(pub &'a Rule);

impl fmt::Display for RuleText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rule = self.0;
        let direction = rule.direction.as_str();
        let towards = match rule.direction {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        };
        let policy = rule.policy.as_str();
        let peer = match &rule.peer {
            Peer::Cidr(net) => net.to_string(),
            Peer::Group { id, .. } => format!("group {id}"),
            Peer::PrefixList(id) => format!("prefix list {id}"),
        };
        write!(
            f,
            "{direction} {policy} priority {} {} {} {towards} {peer}",
            rule.priority.get(),
            rule.protocol,
            rule.ports
        )
    }
}
