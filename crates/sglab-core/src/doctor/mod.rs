//! The troubleshooting doctor: "why can't X reach Y, and what do I change?".
//!
//! [`diagnose`] takes the same query as [`crate::eval::explain`] and names the causes, most
//! likely first, each with the facts that show it (which rule, which group, which node) and the
//! smallest one-click [`Fix`] when one exists. It covers the gateway FAQ of the AI gateway and
//! MSE cloud-native gateway documents (reference §6: the rule went to another node's group, a
//! drop in the node's other group, the service port moved, the service is down) and the other
//! ways a connection fails: a drop rule, no rule at all, the enterprise egress default, a
//! Flannel pod CIDR without a rule, no public address, the platform's TCP 25 block.
//! `docs/doctor.md` lists every [`DiagnosisCode`].
//!
//! Every blocker of the explanation is covered by at least one diagnosis. A fix never touches a
//! managed (read-only) group, only adds accept rules, widens accept rules, narrows or lowers
//! drop rules, authorizes a gateway or starts a service, so it never denies a connection that
//! was allowed; applying the fixes of all diagnoses of a denied query allows it.
//!
//! Every one-click fix is checked before it is shown: applied to a copy of the topology, it
//! allows the side it addresses (the query explained again). A fix that another blocker of
//! the same side would still beat (an accept at priority 1 behind a drop at priority 1, since
//! the drop wins the tie; a drop in a second group) becomes one [`Fix::Together`] with the fixes
//! of those blockers, applied as one edit; a later diagnosis needing the same combination says
//! so and shows none; when no combination works, the fix becomes advice naming what still
//! blocks and must change first. When both sides have a one-click fix and nothing but the
//! groups' rules denies, the first fix of each side, applied together, allows the query.
//!
//! ```
//! use sglab_core::doctor::{diagnose, DiagnosisCode};
//! use sglab_core::eval::Party;
//! use sglab_core::load::parse_sglab;
//! use sglab_core::model::Protocol;
//!
//! let topology = parse_sglab(r#"{"sglab": 1, "vpcs": [{"id": "vpc-1"}],
//!   "security_groups": [{"id": "sg-app", "rules": [
//!     {"direction": "ingress", "protocol": "tcp", "port_range": "8080/8080", "cidr": "10.0.0.0/8"}]},
//!     {"id": "sg-client"}],
//!   "endpoints": [
//!     {"id": "app", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-app"]},
//!     {"id": "client", "kind": "ecs", "private_ip": "10.0.2.10", "groups": ["sg-client"]}]}"#,
//!   None).expect("valid").topology;
//! let diagnoses = diagnose(&topology, &Party::from("client"), &Party::from("app"),
//!     Protocol::Tcp, Some(8081));
//! assert_eq!(diagnoses[0].code, DiagnosisCode::PortOutsideRule);
//! let fix = diagnoses[0].fix.as_ref().expect("a fix");
//! assert_eq!(fix.to_string(),
//!     "change rule 1 of sg-app to: ingress accept priority 1 tcp 8080/8081 from 10.0.0.0/8");
//! ```

mod context;
mod drop_rules;
mod enterprise_default_egress_deny;
mod flannel_pod_cidr_missing;
mod no_public_address;
mod no_route;
mod no_rule_allows;
mod nothing_listens;
mod port_outside_rule;
mod rule_in_other_node_group;
mod service_down;
mod tcp_25_blocked;
#[cfg(test)]
mod tests;
mod verify;

use std::fmt::{self, Write as _};

use serde::{Serialize, Serializer};

use crate::eval::route::{self, Actor, Route};
use crate::eval::{explain, Party};
use crate::explain::{Decision, RuleRef};
use crate::fix::Fix;
use crate::model::{Direction, Protocol, Topology, Verdict};

use context::Query;

/// What a diagnosis says is wrong. Each code has a stable kebab-case name ([`Self::as_str`]),
/// which is also its JSON form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DiagnosisCode {
    /// `rule-in-other-node-group` (gateway FAQ 1): a rule that would allow the traffic exists in
    /// a group the target does not carry, typically another node's group.
    RuleInOtherNodeGroup,
    /// `drop-in-other-group` (gateway FAQ 2): the side's ENI carries several groups and a drop
    /// rule in one of them decides before the accept rule of another group.
    DropInOtherGroup,
    /// `port-outside-rule` (gateway FAQ 3): a rule for this peer covers other ports, not this
    /// one (the service moved from 8080 to 8081).
    PortOutsideRule,
    /// `service-down` (gateway FAQ 4): the groups allow the connection but the service is down.
    ServiceDown,
    /// `nothing-listens`: the groups allow the connection but no declared service listens on
    /// the port.
    NothingListens,
    /// `no-public-address`: one side is outside the other's VPC and the endpoint in a VPC has
    /// no public IP or EIP.
    NoPublicAddress,
    /// `no-route`: no address lets the source reach the target for another reason (no private
    /// address, no address of the protocol's family, an endpoint that does not exist).
    NoRoute,
    /// `enterprise-default-egress-deny`: the source's enterprise group has no egress rule for
    /// the traffic, and enterprise groups deny egress by default.
    EnterpriseDefaultEgressDeny,
    /// `flannel-pod-cidr-missing`: the source is a Flannel pod and the target's groups do not
    /// allow its pod CIDR.
    FlannelPodCidrMissing,
    /// `tcp-25-blocked`: outbound TCP 25 to outside the VPC is blocked by the platform.
    Tcp25Blocked,
    /// `no-rule-allows`: no rule allows the traffic from this source and the default denies.
    NoRuleAllows,
    /// `blocked-by-drop-rule`: a drop rule blocks the traffic directly.
    BlockedByDropRule,
}

impl DiagnosisCode {
    /// Every code, in the order of this list.
    pub const ALL: [DiagnosisCode; 12] = [
        DiagnosisCode::RuleInOtherNodeGroup,
        DiagnosisCode::DropInOtherGroup,
        DiagnosisCode::PortOutsideRule,
        DiagnosisCode::ServiceDown,
        DiagnosisCode::NothingListens,
        DiagnosisCode::NoPublicAddress,
        DiagnosisCode::NoRoute,
        DiagnosisCode::EnterpriseDefaultEgressDeny,
        DiagnosisCode::FlannelPodCidrMissing,
        DiagnosisCode::Tcp25Blocked,
        DiagnosisCode::NoRuleAllows,
        DiagnosisCode::BlockedByDropRule,
    ];

    /// The stable kebab-case name, such as `port-outside-rule`.
    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosisCode::RuleInOtherNodeGroup => "rule-in-other-node-group",
            DiagnosisCode::DropInOtherGroup => "drop-in-other-group",
            DiagnosisCode::PortOutsideRule => "port-outside-rule",
            DiagnosisCode::ServiceDown => "service-down",
            DiagnosisCode::NothingListens => "nothing-listens",
            DiagnosisCode::NoPublicAddress => "no-public-address",
            DiagnosisCode::NoRoute => "no-route",
            DiagnosisCode::EnterpriseDefaultEgressDeny => "enterprise-default-egress-deny",
            DiagnosisCode::FlannelPodCidrMissing => "flannel-pod-cidr-missing",
            DiagnosisCode::Tcp25Blocked => "tcp-25-blocked",
            DiagnosisCode::NoRuleAllows => "no-rule-allows",
            DiagnosisCode::BlockedByDropRule => "blocked-by-drop-rule",
        }
    }

    /// The code with this kebab-case name.
    pub fn parse(text: &str) -> Option<DiagnosisCode> {
        DiagnosisCode::ALL
            .into_iter()
            .find(|code| code.as_str() == text)
    }
}

impl fmt::Display for DiagnosisCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for DiagnosisCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One cause of a failed (or silent) connection, with its evidence and its fix.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnosis {
    /// What is wrong.
    pub code: DiagnosisCode,
    /// The cause in one sentence.
    pub summary: String,
    /// The facts that show it: which rule, which group, which node.
    pub evidence: Vec<String>,
    /// The rules involved.
    pub related: Vec<RuleRef>,
    /// The smallest change that removes the cause, when one can be made automatically.
    pub fix: Option<Fix>,
    /// The fix in words, or the advice when no automatic fix exists.
    pub fix_text: String,
}

/// Diagnoses why `from` cannot reach `to` on `protocol` and `port` (the arguments of
/// [`crate::eval::explain`]), most likely cause first.
///
/// A denied query gets one diagnosis or more, covering every blocker of its explanation. An
/// allowed query gets a diagnosis only when the service on the target is down or nothing
/// declared listens on the port; otherwise the answer is empty.
pub fn diagnose(
    topology: &Topology,
    from: &Party,
    to: &Party,
    protocol: Protocol,
    port: Option<u16>,
) -> Vec<Diagnosis> {
    let port = if protocol.has_ports() { port } else { None };
    let explanation = explain(topology, from, to, protocol, port);
    let source = Actor::resolve(topology, from);
    let target = Actor::resolve(topology, to);
    let query = Query {
        topology,
        source: &source,
        target: &target,
        protocol,
        port,
        explanation: &explanation,
    };
    if explanation.verdict == Verdict::Allow {
        return query.service_diagnoses().into_iter().collect();
    }
    match route::route(topology, &source, &target, protocol) {
        // Local traffic is never filtered, so it is never denied.
        Route::Local { .. } => Vec::new(),
        Route::Unreachable { reason } => vec![query.unreachable(&reason)],
        Route::Routed(routed) => {
            let mut diagnoses = Vec::new();
            let smtp = explanation.blockers.iter().any(|blocker| {
                blocker.side == Some(Direction::Egress)
                    && matches!(blocker.decision, Decision::Platform { .. })
            });
            if smtp {
                diagnoses.push(query.tcp_25_blocked());
            }
            let question = verify::Question {
                topology,
                from,
                to,
                protocol,
                port,
            };
            let mut ingress = Vec::new();
            if let Some(view) = &routed.ingress {
                ingress = query.side(&routed, view, Direction::Ingress);
                verify::check_side(&question, Direction::Ingress, &mut ingress);
            }
            let mut egress = Vec::new();
            if let Some(view) = &routed.egress {
                egress = query.side(&routed, view, Direction::Egress);
                verify::check_side(&question, Direction::Egress, &mut egress);
            }
            verify::check_sides_together(&question, &mut egress, &mut ingress);
            diagnoses.extend(ingress);
            diagnoses.extend(egress);
            diagnoses
        }
    }
}

/// Renders diagnoses as the section that ends `sglab query`'s text output; empty when there are
/// none.
///
/// ```text
/// Why, and what to change:
///   - [port-outside-rule] The service listens on 8081, but rule 1 of sg-svc1 allows tcp 8080/8080 from group sg-gw.
///     evidence: ...
///     fix: authorize sg-svc1 on gateway gw for TCP 8081/8081
/// ```
pub fn render_text(diagnoses: &[Diagnosis]) -> String {
    let mut out = String::new();
    if diagnoses.is_empty() {
        return out;
    }
    let _ = writeln!(out, "Why, and what to change:");
    for diagnosis in diagnoses {
        let _ = writeln!(out, "  - [{}] {}", diagnosis.code, diagnosis.summary);
        for fact in &diagnosis.evidence {
            let _ = writeln!(out, "    evidence: {fact}");
        }
        let label = if diagnosis.fix.is_some() {
            "fix"
        } else {
            "advice"
        };
        let _ = writeln!(out, "    {label}: {}", diagnosis.fix_text);
    }
    out
}
