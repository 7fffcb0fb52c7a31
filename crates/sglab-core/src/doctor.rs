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
//! ```
//! use sglab_core::doctor::{diagnose, DiagnosisCode};
//! use sglab_core::eval::Party;
//! use sglab_core::format::parse_sglab;
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

use std::fmt::{self, Write as _};

use serde::{Serialize, Serializer};

use crate::eval::route::{self, Actor, Route, Routed, SideView};
use crate::eval::rules::{self, EniKind, Pooled};
use crate::eval::{explain, Party};
use crate::explain::{Blocker, Decision, Explanation, RuleRef, ServiceStatus};
use crate::fix::Fix;
use crate::model::{
    Direction, EndpointKind, Gateway, GroupId, GroupType, NetworkMode, NicType, Peer, Policy,
    PortRange, PortSpec, Priority, Protocol, Rule, Topology, Verdict,
};

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
            if let Some(view) = &routed.ingress {
                diagnoses.extend(query.side(&routed, view, Direction::Ingress));
            }
            if let Some(view) = &routed.egress {
                diagnoses.extend(query.side(&routed, view, Direction::Egress));
            }
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

/// One query being diagnosed.
struct Query<'q, 't> {
    topology: &'t Topology,
    source: &'q Actor<'t>,
    target: &'q Actor<'t>,
    protocol: Protocol,
    port: Option<u16>,
    explanation: &'q Explanation,
}

/// A rule found in a group: where it is and what it says.
#[derive(Clone, Copy)]
struct Found<'t> {
    group: &'t GroupId,
    index: usize,
    rule: &'t Rule,
}

impl<'t> Found<'t> {
    fn from_pooled(pooled: &Pooled<'t>) -> Found<'t> {
        Found {
            group: pooled.group,
            index: pooled.index,
            rule: pooled.rule,
        }
    }

    fn reference(&self) -> RuleRef {
        RuleRef::new(self.group, self.index, self.rule)
    }

    /// `rule 1 of sg-svc (priority 1) allows tcp 8080/8080 from group sg-gw`.
    fn words(&self) -> String {
        format!("{} {}", self.label(), self.clause())
    }

    /// `rule 1 of sg-svc`.
    fn label(&self) -> String {
        format!("rule {} of {}", self.index + 1, self.group)
    }

    /// `(priority 1) allows tcp 8080/8080 from group sg-gw`.
    fn clause(&self) -> String {
        let verb = match self.rule.policy {
            Policy::Accept => "allows",
            Policy::Drop => "drops",
        };
        let towards = match self.rule.direction {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        };
        format!(
            "(priority {}) {verb} {} {} {towards} {}",
            self.rule.priority,
            self.rule.protocol,
            self.rule.ports,
            peer_words(&self.rule.peer)
        )
    }
}

/// What the drop-rule fix found for one drop blocker.
struct DropFix {
    fix: Option<Fix>,
    text: String,
    /// Whether the fix adds an accept rule that also removes the side's default blocker.
    covers_default: bool,
}

impl DropFix {
    /// A fix that leaves the side's default blocker as it is.
    fn change(fix: Fix, text: String) -> DropFix {
        DropFix {
            fix: Some(fix),
            text,
            covers_default: false,
        }
    }

    /// No automatic fix: only advice.
    fn advice(text: String) -> DropFix {
        DropFix {
            fix: None,
            text,
            covers_default: false,
        }
    }
}

impl<'q, 't> Query<'q, 't> {
    /// `tcp 8080` or `icmp`.
    fn what(&self) -> String {
        match self.port {
            Some(port) => format!("{} {port}", self.protocol),
            None if self.protocol.has_ports() => format!("{} on every port", self.protocol),
            None => self.protocol.to_string(),
        }
    }

    /// The actor whose rules filter a side, and the actor at the other end.
    fn owner_and_peer(&self, direction: Direction) -> (&'q Actor<'t>, &'q Actor<'t>) {
        match direction {
            Direction::Ingress => (self.target, self.source),
            Direction::Egress => (self.source, self.target),
        }
    }

    /// The blockers of one side.
    fn side_blockers(&self, direction: Direction) -> Vec<&'q Blocker> {
        self.explanation
            .blockers
            .iter()
            .filter(|blocker| blocker.side == Some(direction))
            .collect()
    }

    /// The diagnoses of one side's blockers.
    fn side(
        &self,
        routed: &Routed<'_, 't>,
        view: &SideView<'_, 't>,
        direction: Direction,
    ) -> Vec<Diagnosis> {
        let blockers = self.side_blockers(direction);
        if blockers.is_empty() {
            return Vec::new();
        }
        let pooled = rules::pool(self.topology, view.groups, direction);
        let matching: Vec<Found<'t>> = pooled
            .iter()
            .filter(|entry| {
                rules::check(self.topology, view, self.protocol, self.port, entry.rule).is_ok()
            })
            .map(Found::from_pooled)
            .collect();
        let accept = matching
            .iter()
            .copied()
            .find(|found| found.rule.policy == Policy::Accept);
        let mut diagnoses = Vec::new();
        let mut default_covered = false;
        for blocker in &blockers {
            let Decision::Rule(drop_ref) = &blocker.decision else {
                continue;
            };
            let Some(drop) = matching.iter().copied().find(|found| {
                found.group == &drop_ref.security_group && found.index == drop_ref.rule_index
            }) else {
                continue;
            };
            let (diagnosis, covers_default) = self.drop_diagnosis(routed, direction, drop, accept);
            default_covered |= covers_default;
            diagnoses.push(diagnosis);
        }
        let default_blocks = blockers
            .iter()
            .any(|blocker| matches!(blocker.decision, Decision::Default { .. }));
        if default_blocks && !default_covered {
            diagnoses.extend(self.default_diagnoses(routed, view, direction, &pooled));
        }
        diagnoses
    }

    /// The diagnosis of one drop rule that blocks; says whether its fix also covers the side's
    /// default blocker.
    fn drop_diagnosis(
        &self,
        routed: &Routed<'_, 't>,
        direction: Direction,
        drop: Found<'t>,
        accept: Option<Found<'t>>,
    ) -> (Diagnosis, bool) {
        let (owner, peer) = self.owner_and_peer(direction);
        let what = self.what();
        let other_group = accept.filter(|accept| accept.group != drop.group);
        let code = if other_group.is_some() {
            DiagnosisCode::DropInOtherGroup
        } else {
            DiagnosisCode::BlockedByDropRule
        };
        let mut evidence = vec![format!(
            "{} matches {what} from {} to {}",
            drop.words(),
            self.source.name,
            self.target.name
        )];
        let mut related = vec![drop.reference()];
        let summary = match accept {
            Some(accept) => {
                evidence.push(format!(
                    "{} would allow it, but comes after the drop in evaluation order",
                    accept.words()
                ));
                if accept.rule.priority == drop.rule.priority {
                    evidence.push(format!(
                        "both rules have priority {}: at equal priority drop rules are evaluated before accept rules, so the drop wins the tie",
                        drop.rule.priority
                    ));
                }
                related.push(accept.reference());
                if accept.group != drop.group {
                    evidence.push(format!(
                        "{} carries both {} and {}; rules of all its groups are pooled and sorted by priority",
                        owner.name, drop.group, accept.group
                    ));
                    format!(
                        "Rule {} of {} drops {what} before rule {} of {}, another group of {}, can allow it.",
                        drop.index + 1,
                        drop.group,
                        accept.index + 1,
                        accept.group,
                        owner.name
                    )
                } else {
                    format!(
                        "Rule {} of {} drops {what} before rule {} of the same group can allow it.",
                        drop.index + 1,
                        drop.group,
                        accept.index + 1
                    )
                }
            }
            None => format!(
                "Rule {} of {} drops {what} {} {}.",
                drop.index + 1,
                drop.group,
                match direction {
                    Direction::Ingress => "from",
                    Direction::Egress => "to",
                },
                peer.name
            ),
        };
        let drop_fix = self.drop_fix(routed, direction, drop, accept);
        (
            Diagnosis {
                code,
                summary,
                evidence,
                related,
                fix: drop_fix.fix,
                fix_text: drop_fix.text,
            },
            drop_fix.covers_default,
        )
    }

    /// The smallest change that stops a drop rule from blocking, in this order of preference:
    /// narrow its ports when the port is at an end of its range; with an accept rule behind it,
    /// add a copy of that accept for this port one priority above the drop, or move the drop
    /// one priority below the accept; without one, add the narrowest accept one priority above
    /// the drop.
    fn drop_fix(
        &self,
        routed: &Routed<'_, 't>,
        direction: Direction,
        drop: Found<'t>,
        accept: Option<Found<'t>>,
    ) -> DropFix {
        let (owner, _) = self.owner_and_peer(direction);
        let drop_writable = writable(self.topology, drop.group);
        if let (true, Some(port), PortSpec::Range(range)) =
            (drop_writable, self.port, drop.rule.ports)
        {
            let narrowed = if range.start() == range.end() {
                None
            } else if range.start() == port {
                PortRange::new(port.saturating_add(1), range.end()).ok()
            } else if range.end() == port {
                PortRange::new(range.start(), port - 1).ok()
            } else {
                None
            };
            if let Some(narrowed) = narrowed {
                let mut rule = drop.rule.clone();
                rule.ports = PortSpec::Range(narrowed);
                let fix = Fix::ReplaceRule {
                    security_group: drop.group.clone(),
                    rule_index: drop.index,
                    rule,
                };
                let text = format!(
                    "{fix} (port {port} is at the end of its range: the drop keeps the other ports)"
                );
                return DropFix::change(fix, text);
            }
        }
        let drop_priority = drop.rule.priority.get();
        let above_drop = above(drop.rule.priority);
        match accept {
            Some(accept) => {
                let holder = if writable(self.topology, accept.group) {
                    Some(accept.group)
                } else {
                    first_writable(self.topology, &owner.groups)
                };
                if let (Some(priority), Some(holder)) = (above_drop, holder) {
                    let mut rule = accept.rule.clone();
                    rule.id = None;
                    rule.priority = priority;
                    rule.protocol = if accept.rule.protocol == Protocol::All {
                        self.protocol
                    } else {
                        accept.rule.protocol
                    };
                    rule.ports = self.narrow_ports();
                    if !valid_peer_in(self.topology, holder, &rule.peer) {
                        rule.peer = self.peer_for(routed, holder, direction);
                    }
                    let fix = Fix::AddRule {
                        security_group: holder.clone(),
                        rule,
                    };
                    let text = format!(
                        "{fix} (priority {priority} comes before the drop's {drop_priority}; the drop still applies to everything else)"
                    );
                    return DropFix::change(fix, text);
                }
                let accept_priority = accept.rule.priority.get();
                let below_accept = Priority::new(u32::from(accept_priority) + 1)
                    .ok()
                    .filter(|priority| !priority.is_legacy());
                if let (true, Some(priority)) = (drop_writable, below_accept) {
                    let mut rule = drop.rule.clone();
                    rule.priority = priority;
                    let fix = Fix::ReplaceRule {
                        security_group: drop.group.clone(),
                        rule_index: drop.index,
                        rule,
                    };
                    let text = format!(
                        "{fix} (an accept cannot come before a drop at priority {drop_priority}: at equal priority the drop wins, so the drop moves to priority {priority}, after the accept at {accept_priority})"
                    );
                    return DropFix::change(fix, text);
                }
                DropFix::advice(self.drop_advice(drop))
            }
            None => {
                let holder = if drop_writable {
                    Some(drop.group)
                } else {
                    first_writable(self.topology, &owner.groups)
                };
                match (above_drop, holder) {
                    (Some(priority), Some(holder)) => {
                        let fix = self.accept_fix(routed, direction, holder, priority);
                        let text = format!(
                            "{fix} (priority {} comes before the drop's {drop_priority}; the drop still applies to everything else)",
                            fix_priority(&fix).unwrap_or(priority)
                        );
                        DropFix {
                            fix: Some(fix),
                            text,
                            covers_default: true,
                        }
                    }
                    _ => DropFix::advice(self.drop_advice(drop)),
                }
            }
        }
    }

    fn drop_advice(&self, drop: Found<'t>) -> String {
        if let Some(managed_by) = managed_by(self.topology, drop.group) {
            return format!(
                "{} is managed by {managed_by} and read-only, and no accept can come before its drop: ask the product's administrators, or use another path",
                drop.group
            );
        }
        format!(
            "no accept rule can come before a drop at priority {} (at equal priority the drop wins): if this traffic should pass, narrow rule {} of {} so that it no longer matches it, or delete it",
            drop.rule.priority,
            drop.index + 1,
            drop.group
        )
    }

    /// The diagnoses of a side whose default denies: the specific causes found, else the
    /// generic one.
    fn default_diagnoses(
        &self,
        routed: &Routed<'_, 't>,
        view: &SideView<'_, 't>,
        direction: Direction,
        pooled: &[Pooled<'t>],
    ) -> Vec<Diagnosis> {
        let mut diagnoses = Vec::new();
        diagnoses.extend(self.port_outside_rule(routed, view, direction, pooled));
        if direction == Direction::Ingress {
            diagnoses.extend(self.rule_in_other_node_group(routed, view));
            diagnoses.extend(self.flannel_pod_cidr_missing(routed, view, pooled));
        }
        if diagnoses.is_empty() {
            diagnoses.push(match direction {
                Direction::Ingress => self.no_rule_allows(routed, view),
                Direction::Egress => self.enterprise_default_egress_deny(routed, view),
            });
        }
        diagnoses
    }

    /// FAQ 3: an accept rule of the side matches everything but the port.
    fn port_outside_rule(
        &self,
        routed: &Routed<'_, 't>,
        view: &SideView<'_, 't>,
        direction: Direction,
        pooled: &[Pooled<'t>],
    ) -> Option<Diagnosis> {
        let port = self.port?;
        let (owner, peer) = self.owner_and_peer(direction);
        let nearest = pooled
            .iter()
            .filter(|entry| entry.rule.policy == Policy::Accept)
            .filter(|entry| {
                !rules::ports_match(entry.rule, self.protocol, Some(port))
                    && rules::check_except_ports(self.topology, view, self.protocol, entry.rule)
                        .is_ok()
            })
            .min_by_key(|entry| distance(entry.rule.ports.as_range(), port))
            .map(Found::from_pooled)?;
        let range = nearest.rule.ports.as_range();
        let service = self.listening_service();
        let summary = match (&service, direction) {
            (Some(name), Direction::Ingress) => format!(
                "The service {name} listens on {port}, but {}.",
                nearest.words()
            ),
            _ => format!(
                "Port {port} is outside {}, which {}.",
                nearest.label(),
                nearest.clause()
            ),
        };
        let mut evidence = vec![format!(
            "{} carries {}; {} matches {} but not port {port}",
            owner.name,
            group_list(&owner.groups),
            nearest.words(),
            peer.name
        )];
        if let Some(name) = &service {
            evidence.push(format!(
                "{} declares the service {name} on {} {port}",
                self.target.name, self.protocol
            ));
        }
        let (fix, text) = match self.gateway_of_source() {
            Some(gateway)
                if direction == Direction::Ingress
                    && self.protocol == Protocol::Tcp
                    && is_authorization_rule(nearest.rule, gateway)
                    && can_authorize(self.topology, gateway, nearest.group) =>
            {
                let fix = Fix::Authorize {
                    gateway: gateway.id.clone(),
                    backend_group: nearest.group.clone(),
                    port_ranges: vec![PortRange::single(port).unwrap_or(PortRange::ALL)],
                };
                let text = format!(
                    "{fix} (the rule is the gateway's authorization: adding the port to the authorization keeps the gateway's list and the group in step; the documents suggest a wider range such as 1/65535 to avoid this)"
                );
                (Some(fix), text)
            }
            _ => {
                let adjacent = u32::from(port) == u32::from(range.end()) + 1
                    || u32::from(port) + 1 == u32::from(range.start());
                if writable(self.topology, nearest.group) && adjacent {
                    let widened = PortRange::new(range.start().min(port), range.end().max(port))
                        .unwrap_or(range);
                    let mut rule = nearest.rule.clone();
                    rule.ports = PortSpec::Range(widened);
                    let fix = Fix::ReplaceRule {
                        security_group: nearest.group.clone(),
                        rule_index: nearest.index,
                        rule,
                    };
                    let text =
                        format!("{fix} (port {port} is next to the range: widen it by one port)");
                    (Some(fix), text)
                } else {
                    let holder = if writable(self.topology, nearest.group) {
                        Some(nearest.group)
                    } else {
                        first_writable(self.topology, &owner.groups)
                    };
                    match holder {
                        Some(holder) => {
                            let mut rule = nearest.rule.clone();
                            rule.id = None;
                            rule.ports = self.narrow_ports();
                            if !valid_peer_in(self.topology, holder, &rule.peer) {
                                rule.peer = self.peer_for(routed, holder, direction);
                            }
                            let fix = Fix::AddRule {
                                security_group: holder.clone(),
                                rule,
                            };
                            let text = format!(
                                "{fix} (a rule for the single port; widening {range} to reach {port} would also open the ports between)"
                            );
                            (Some(fix), text)
                        }
                        None => (None, format!("every group of {} is managed and read-only: ask the product's administrators to open port {port}", owner.name)),
                    }
                }
            }
        };
        Some(Diagnosis {
            code: DiagnosisCode::PortOutsideRule,
            summary,
            evidence,
            related: vec![nearest.reference()],
            fix,
            fix_text: text,
        })
    }

    /// FAQ 1: a rule that would allow the traffic lives in a group the target does not carry.
    fn rule_in_other_node_group(
        &self,
        routed: &Routed<'_, 't>,
        view: &SideView<'_, 't>,
    ) -> Option<Diagnosis> {
        let target = self.target;
        let vpc = target.vpc?;
        let found = self
            .topology
            .groups
            .values()
            .filter(|group| &group.vpc == vpc && group.managed_by.is_none())
            .filter(|group| !target.groups.contains(&&group.id))
            .find_map(|group| {
                group.rules.iter().enumerate().find_map(|(index, rule)| {
                    (rule.direction == Direction::Ingress
                        && rule.policy == Policy::Accept
                        && rules::check(self.topology, view, self.protocol, self.port, rule)
                            .is_ok())
                    .then_some(Found {
                        group: &group.id,
                        index,
                        rule,
                    })
                })
            })?;
        let carriers: Vec<String> = self
            .topology
            .endpoints
            .values()
            .filter(|endpoint| {
                endpoint
                    .enis
                    .iter()
                    .any(|eni| eni.groups.contains(found.group))
            })
            .map(|endpoint| display_name(&endpoint.name, endpoint.id.as_str()))
            .collect();
        let what = self.what();
        let mut evidence = vec![format!(
            "{} matches {what} from {}",
            found.words(),
            self.source.name
        )];
        evidence.push(if carriers.is_empty() {
            format!("no endpoint carries {}", found.group)
        } else {
            format!("{} is carried by {}", found.group, carriers.join(", "))
        });
        evidence.push(match self.listening_service() {
            Some(name) => format!(
                "the service {name} runs on {}, which carries {}",
                target.name,
                group_list(&target.groups)
            ),
            None => format!("{} carries {}", target.name, group_list(&target.groups)),
        });
        let summary = format!(
            "Rule {} of {} allows {what} from {}, but {} does not carry {}.",
            found.index + 1,
            found.group,
            self.source.name,
            target.name,
            found.group
        );
        let gateway = self
            .gateway_of_source()
            .filter(|gateway| {
                self.protocol == Protocol::Tcp && is_authorization_rule(found.rule, gateway)
            })
            .and_then(|gateway| {
                target
                    .groups
                    .iter()
                    .find(|group| can_authorize(self.topology, gateway, group))
                    .map(|group| (gateway, *group))
            });
        let (fix, fix_text) = if let Some((gateway, group)) = gateway {
            let fix = Fix::Authorize {
                gateway: gateway.id.clone(),
                backend_group: group.clone(),
                port_ranges: vec![found.rule.ports.as_range()],
            };
            let text = format!(
                "{fix} (the same authorization as {}; when a node carries several groups, the documents advise authorizing each)",
                found.group
            );
            (Some(fix), text)
        } else if let Some(holder) = first_writable(self.topology, &target.groups) {
            let mut rule = found.rule.clone();
            rule.id = None;
            if !valid_peer_in(self.topology, holder, &rule.peer) {
                rule.peer = self.peer_for(routed, holder, Direction::Ingress);
            }
            let fix = Fix::AddRule {
                security_group: holder.clone(),
                rule,
            };
            let text = format!("{fix} (the same rule as in {})", found.group);
            (Some(fix), text)
        } else {
            (
                None,
                format!(
                    "every group of {} is managed and read-only: ask the product's administrators to add the rule",
                    target.name
                ),
            )
        };
        Some(Diagnosis {
            code: DiagnosisCode::RuleInOtherNodeGroup,
            summary,
            evidence,
            related: vec![found.reference()],
            fix,
            fix_text,
        })
    }

    /// A Flannel pod's traffic carries its pod IP, which the target's groups do not allow.
    fn flannel_pod_cidr_missing(
        &self,
        routed: &Routed<'_, 't>,
        view: &SideView<'_, 't>,
        pooled: &[Pooled<'t>],
    ) -> Option<Diagnosis> {
        let source = self.source;
        if source.network_mode != Some(NetworkMode::Flannel) || !routed.same_vpc {
            return None;
        }
        // A rule whose CIDR already holds the pod IP is a port or protocol problem, not this.
        let cidr_rule_exists = pooled.iter().any(|entry| match &entry.rule.peer {
            Peer::Cidr(block) => block.contains(&routed.from_address),
            _ => false,
        });
        if cidr_rule_exists {
            return None;
        }
        let endpoint = source.endpoint?;
        let EndpointKind::Pod { cluster, .. } = &endpoint.kind else {
            return None;
        };
        let pod_cidr = self
            .topology
            .clusters
            .get(cluster)
            .and_then(|cluster| cluster.pod_cidr);
        let block = pod_cidr.unwrap_or(routed.from_address);
        let pod_ip = crate::explain::Address(routed.from_address);
        let same_cluster = self.target.endpoint.is_some_and(|target| match &target.kind {
            EndpointKind::Pod { cluster: other, .. } => other == cluster,
            _ => self.topology.endpoints.values().any(|pod| {
                matches!(&pod.kind, EndpointKind::Pod { cluster: other, node } if other == cluster && node == &target.id)
            }),
        });
        let mut evidence = vec![format!(
            "{} is a pod of the Flannel cluster {cluster}: the groups of its node filter its traffic, which carries the pod IP {pod_ip}",
            source.name
        )];
        evidence.push(format!(
            "no rule of {} names a CIDR holding {pod_ip}; group rules and intra-group access match only ENI addresses",
            group_list(view.groups)
        ));
        if let Some(pod_cidr) = pod_cidr {
            evidence.push(format!("the pod CIDR of cluster {cluster} is {pod_cidr}"));
        }
        let summary = format!(
            "No rule of {}'s groups allows the pod CIDR {block} of the Flannel pod {}, whose traffic carries its pod IP {pod_ip}.",
            self.target.name, source.name
        );
        let (fix, fix_text) = match first_writable(self.topology, &self.target.groups) {
            Some(holder) => {
                let (protocol, ports) = if same_cluster {
                    (Protocol::All, PortSpec::All)
                } else {
                    (self.protocol, self.narrow_ports())
                };
                let rule = accept_rule(
                    Direction::Ingress,
                    Priority::HIGHEST,
                    protocol,
                    ports,
                    Peer::Cidr(block),
                );
                let fix = Fix::AddRule {
                    security_group: holder.clone(),
                    rule,
                };
                let text = if same_cluster {
                    format!("{fix} (as the Container Service documents do: the cluster's group authorizes the pod CIDR so that containers reach each other)")
                } else {
                    format!("{fix} (the pod CIDR, for this port only)")
                };
                (Some(fix), text)
            }
            None => (
                None,
                format!(
                    "every group of {} is managed and read-only: ask the product's administrators to allow the pod CIDR {block}",
                    self.target.name
                ),
            ),
        };
        Some(Diagnosis {
            code: DiagnosisCode::FlannelPodCidrMissing,
            summary,
            evidence,
            related: Vec::new(),
            fix,
            fix_text,
        })
    }

    /// The generic ingress cause: no rule allows this source, the default denies.
    fn no_rule_allows(&self, routed: &Routed<'_, 't>, view: &SideView<'_, 't>) -> Diagnosis {
        let target = self.target;
        let what = self.what();
        let kind = match rules::eni_kind(self.topology, view.groups) {
            EniKind::Enterprise => "enterprise groups deny all ingress by default",
            EniKind::NoGroup => "an ENI in no group denies ingress",
            EniKind::Basic | EniKind::Mixed => "security groups deny all ingress by default",
        };
        let summary = format!(
            "No rule of {}'s groups allows {what} from {}, and {kind}.",
            target.name, self.source.name
        );
        let address = crate::explain::Address(routed.from_address).to_string();
        let seen = if address == self.source.name {
            address.clone()
        } else {
            format!("{} ({address})", self.source.name)
        };
        let mut evidence = vec![format!(
            "{} carries {}; none of their ingress rules matches {what} from {seen}",
            target.name,
            group_list(view.groups),
        )];
        if !routed.same_vpc {
            evidence.push(format!(
                "{} is outside the VPC of {}: it is seen at {address}, and group references do not match it",
                self.source.name, target.name,
            ));
        }
        let (fix, fix_text) = match first_writable(self.topology, view.groups) {
            Some(holder) => {
                let fix =
                    self.accept_fix(routed, Direction::Ingress, holder, Priority::HIGHEST);
                let text = match fix {
                    Fix::Authorize { .. } => format!(
                        "{fix} (the gateway's authorization for this port: the console creates the rule, accept, priority 1, from the gateway's managed group)"
                    ),
                    _ if self.port.is_some() => {
                        format!("{fix} (the narrowest rule: this source, this port)")
                    }
                    _ => format!("{fix} (the narrowest rule: this source, this protocol)"),
                };
                (Some(fix), text)
            }
            None if view.groups.is_empty() => (
                None,
                format!(
                    "{} is in no security group: put it in one and allow {what} there",
                    target.name
                ),
            ),
            None => (
                None,
                format!(
                    "every group of {} is managed and read-only: ask the product's administrators to allow {what}",
                    target.name
                ),
            ),
        };
        Diagnosis {
            code: DiagnosisCode::NoRuleAllows,
            summary,
            evidence,
            related: Vec::new(),
            fix,
            fix_text,
        }
    }

    /// The generic egress cause: an enterprise group's default denies egress.
    fn enterprise_default_egress_deny(
        &self,
        routed: &Routed<'_, 't>,
        view: &SideView<'_, 't>,
    ) -> Diagnosis {
        let source = self.source;
        let what = self.what();
        let has_egress_rules = view.groups.iter().any(|group| {
            self.topology.groups.get(*group).is_some_and(|group| {
                group
                    .rules
                    .iter()
                    .any(|rule| rule.direction == Direction::Egress)
            })
        });
        let summary = if has_egress_rules {
            format!(
                "No egress rule of the enterprise groups of {} allows {what} to {}, and enterprise groups deny all egress by default.",
                source.name, self.target.name
            )
        } else {
            format!(
                "The enterprise groups of {} have no egress rule, and enterprise groups deny all egress by default.",
                source.name
            )
        };
        let evidence = vec![
            format!(
                "{} carries {}, of type enterprise",
                source.name,
                group_list(view.groups)
            ),
            "the API creates enterprise groups without the allow-all egress rule the console adds"
                .to_owned(),
        ];
        let (fix, fix_text) = match first_writable(self.topology, view.groups) {
            Some(holder) => {
                let fix =
                    self.accept_fix(routed, Direction::Egress, holder, Priority::HIGHEST);
                let text = if self.port.is_some() {
                    format!("{fix} (the narrowest egress rule: this target, this port)")
                } else {
                    format!("{fix} (the narrowest egress rule: this target, this protocol)")
                };
                (Some(fix), text)
            }
            None => (
                None,
                format!(
                    "every group of {} is managed and read-only: ask the product's administrators to allow {what} out",
                    source.name
                ),
            ),
        };
        Diagnosis {
            code: DiagnosisCode::EnterpriseDefaultEgressDeny,
            summary,
            evidence,
            related: Vec::new(),
            fix,
            fix_text,
        }
    }

    fn tcp_25_blocked(&self) -> Diagnosis {
        Diagnosis {
            code: DiagnosisCode::Tcp25Blocked,
            summary: "Outbound TCP 25 to addresses outside the VPC is blocked by the platform, whatever the rules say.".to_owned(),
            evidence: vec![format!(
                "{} sends to {} outside its VPC on TCP 25",
                self.source.name, self.target.name
            )],
            related: Vec::new(),
            fix: None,
            fix_text: "no security-group rule opens it: send mail on port 465 (SMTP over TLS) or through a mail service on port 80, or apply to Alibaba Cloud for unblocking port 25".to_owned(),
        }
    }

    /// No address lets the source reach the target.
    fn unreachable(&self, reason: &str) -> Diagnosis {
        let (source, target) = (self.source, self.target);
        let same_vpc = matches!((source.vpc, target.vpc), (Some(a), Some(b)) if a == b);
        let missing_public = !source.missing && !target.missing && !same_vpc;
        if missing_public && target.vpc.is_some() && target.public_in.is_none() {
            return Diagnosis {
                code: DiagnosisCode::NoPublicAddress,
                summary: format!(
                    "{} has no public IP or EIP, so {}, outside its VPC, cannot reach it.",
                    target.name,
                    source.name
                ),
                evidence: vec![
                    reason.to_owned(),
                    match source.vpc {
                        Some(vpc) => format!("{} is in another VPC, {vpc}", source.name),
                        None => format!("{} is outside every VPC", source.name),
                    },
                ],
                related: Vec::new(),
                fix: None,
                fix_text: format!(
                    "bind an EIP to {} (and allow the source in its group), or reach it through a gateway or load balancer (SLB) that is in its VPC",
                    target.name
                ),
            };
        }
        if missing_public && source.vpc.is_some() && source.public_out.is_none() {
            return Diagnosis {
                code: DiagnosisCode::NoPublicAddress,
                summary: format!(
                    "{} has no public IP or EIP, so it cannot reach {} outside its VPC.",
                    source.name,
                    target.name
                ),
                evidence: vec![reason.to_owned()],
                related: Vec::new(),
                fix: None,
                fix_text: format!(
                    "bind an EIP to {}, or give its VPC a NAT gateway (NAT gateways are not modelled)",
                    source.name
                ),
            };
        }
        Diagnosis {
            code: DiagnosisCode::NoRoute,
            summary: format!("No address lets {} reach {}: {reason}.", source.name, target.name),
            evidence: vec![reason.to_owned()],
            related: Vec::new(),
            fix: None,
            fix_text: match self.protocol {
                Protocol::Icmp => "ICMP needs IPv4 addresses on both sides; for IPv6 use icmpv6".to_owned(),
                Protocol::Icmpv6 => "ICMPv6 needs IPv6 addresses on both sides; for IPv4 use icmp".to_owned(),
                _ => "give both endpoints addresses of one family in the same VPC, or public addresses".to_owned(),
            },
        }
    }

    /// FAQ 4 and its cousin: the network allows, but nothing listens.
    fn service_diagnoses(&self) -> Option<Diagnosis> {
        let target = self.target;
        let endpoint = target.endpoint?;
        let what = self.what();
        let decided = match &self.explanation.ingress.decided_by {
            Decision::Rule(rule) => Some(rule.clone()),
            _ => None,
        };
        let allowed_by = format!(
            "the groups allow {what} from {} to {} ({})",
            self.source.name, target.name, self.explanation.ingress.decided_by
        );
        match self.explanation.service {
            ServiceStatus::Down => {
                let services = endpoint.services.as_deref().unwrap_or_default();
                let (index, service) = services.iter().enumerate().find(|(_, service)| {
                    !service.up && self.service_covers(service.protocol, service.ports)
                })?;
                let fix = Fix::StartService {
                    endpoint: endpoint.id.clone(),
                    service_index: index,
                };
                let mut fix_text = format!("{fix} ({})", service.name);
                if let Some(peer) = self.group_peer_of_target() {
                    let _ = write!(
                        fix_text,
                        "; to tell a service problem from a network one, test it with curl from {peer}, another node in the same security group, as the gateway documents suggest"
                    );
                }
                Some(Diagnosis {
                    code: DiagnosisCode::ServiceDown,
                    summary: format!(
                        "The groups allow {what} to {}, but the service {} there is down.",
                        target.name, service.name
                    ),
                    evidence: vec![
                        allowed_by,
                        format!(
                            "the service {} on {} listens on {} {} and is down",
                            service.name, target.name, service.protocol, service.ports
                        ),
                    ],
                    related: decided.into_iter().collect(),
                    fix: Some(fix),
                    fix_text,
                })
            }
            ServiceStatus::NoneDeclared => {
                let services = endpoint.services.as_deref().unwrap_or_default();
                let declared = if services.is_empty() {
                    format!("{} declares no services", target.name)
                } else {
                    let list: Vec<String> = services
                        .iter()
                        .map(|service| {
                            format!("{} on {} {}", service.name, service.protocol, service.ports)
                        })
                        .collect();
                    format!("{} declares {}", target.name, list.join(", "))
                };
                Some(Diagnosis {
                    code: DiagnosisCode::NothingListens,
                    summary: format!(
                        "The groups allow {what} to {}, but no declared service listens on it.",
                        target.name
                    ),
                    evidence: vec![allowed_by, declared],
                    related: decided.into_iter().collect(),
                    fix: None,
                    fix_text: format!(
                        "start a service on {what} of {}, or ask about the port the service listens on; if the service runs on another node or moved to another port, open the rule there",
                        target.name
                    ),
                })
            }
            ServiceStatus::Listening | ServiceStatus::Unknown => None,
        }
    }

    /// Whether a service on `protocol` and `ports` covers the query, as the explanation's
    /// service status counts it.
    fn service_covers(&self, protocol: Protocol, ports: PortRange) -> bool {
        (protocol == self.protocol || protocol == Protocol::All)
            && self.port.is_none_or(|port| ports.contains(port))
    }

    /// The name of a declared service of the target covering the query.
    fn listening_service(&self) -> Option<String> {
        let services = self.target.endpoint?.services.as_ref()?;
        services
            .iter()
            .find(|service| self.service_covers(service.protocol, service.ports))
            .map(|service| service.name.clone())
    }

    /// Another endpoint that shares a group with the target, for the documents' curl test.
    fn group_peer_of_target(&self) -> Option<String> {
        let target = self.target;
        self.topology
            .endpoints
            .values()
            .filter(|endpoint| endpoint.id != target.id && endpoint.id != self.source.id)
            .find(|endpoint| {
                endpoint.enis.iter().any(|eni| {
                    eni.groups
                        .iter()
                        .any(|group| target.groups.contains(&group))
                })
            })
            .map(|endpoint| display_name(&endpoint.name, endpoint.id.as_str()))
    }

    /// The gateway whose node is the source.
    fn gateway_of_source(&self) -> Option<&'t Gateway> {
        match &self.source.endpoint?.kind {
            EndpointKind::GatewayNode { gateway } => self.topology.gateways.get(gateway),
            _ => None,
        }
    }

    /// The gateway whose node is the source, when its managed group's rules can match the
    /// source (same VPC, the node's ENI in the managed group).
    fn gateway_source(&self, routed: &Routed<'_, 't>) -> Option<&'t Gateway> {
        let gateway = self.gateway_of_source()?;
        (routed.same_vpc
            && self.source.eni_addressed
            && self.source.groups.contains(&&gateway.managed_group))
        .then_some(gateway)
    }

    /// The ports of a narrow rule for the query: the single port, every port of TCP/UDP for a
    /// query without a port, `-1/-1` for protocols without ports.
    fn narrow_ports(&self) -> PortSpec {
        if !self.protocol.has_ports() {
            return PortSpec::All;
        }
        match self.port.and_then(|port| PortRange::single(port).ok()) {
            Some(range) => PortSpec::Range(range),
            None => PortSpec::Range(PortRange::ALL),
        }
    }

    /// The narrowest peer for a rule of `holder` that matches the other end: its group when
    /// both are basic groups of one VPC and the other end uses an ENI address, else its address
    /// as this side sees it.
    fn peer_for(&self, routed: &Routed<'_, 't>, holder: &GroupId, direction: Direction) -> Peer {
        let (other, other_address) = match direction {
            Direction::Ingress => (self.source, routed.from_address),
            Direction::Egress => (self.target, routed.to_address),
        };
        if routed.same_vpc && other.eni_addressed {
            let group = other.groups.iter().find(|group| {
                let peer = Peer::Group {
                    id: (**group).clone(),
                    owner_account: None,
                };
                valid_peer_in(self.topology, holder, &peer)
            });
            if let Some(group) = group {
                return Peer::Group {
                    id: (*group).clone(),
                    owner_account: None,
                };
            }
        }
        Peer::Cidr(other_address)
    }

    /// The narrowest accept for the query in `holder`, at `priority`: a gateway authorization
    /// for TCP from a gateway node into a group the gateway can authorize, else a rule.
    fn accept_fix(
        &self,
        routed: &Routed<'_, 't>,
        direction: Direction,
        holder: &GroupId,
        priority: Priority,
    ) -> Fix {
        if direction == Direction::Ingress && self.protocol == Protocol::Tcp {
            if let (Some(gateway), Some(port)) = (self.gateway_source(routed), self.port) {
                if can_authorize(self.topology, gateway, holder) {
                    if let Ok(range) = PortRange::single(port) {
                        return Fix::Authorize {
                            gateway: gateway.id.clone(),
                            backend_group: holder.clone(),
                            port_ranges: vec![range],
                        };
                    }
                }
            }
        }
        let peer = self.peer_for(routed, holder, direction);
        Fix::AddRule {
            security_group: holder.clone(),
            rule: accept_rule(
                direction,
                priority,
                self.protocol,
                self.narrow_ports(),
                peer,
            ),
        }
    }
}

/// An accept rule with no quintuple fields.
fn accept_rule(
    direction: Direction,
    priority: Priority,
    protocol: Protocol,
    ports: PortSpec,
    peer: Peer,
) -> Rule {
    Rule {
        id: None,
        direction,
        policy: Policy::Accept,
        priority,
        protocol,
        ports,
        peer,
        source_ports: None,
        local_cidr: None,
        nic_type: NicType::Intranet,
        description: String::new(),
    }
}

/// The priority of an added rule or of an authorization (always 1).
fn fix_priority(fix: &Fix) -> Option<Priority> {
    match fix {
        Fix::AddRule { rule, .. } | Fix::ReplaceRule { rule, .. } => Some(rule.priority),
        Fix::Authorize { .. } => Some(Priority::HIGHEST),
        Fix::DeleteRule { .. } | Fix::StartService { .. } => None,
    }
}

/// The priority just above (a smaller number than) `priority`, if any: none above 1; the
/// legacy 110 has 100 above it.
fn above(priority: Priority) -> Option<Priority> {
    let value = priority.get();
    if priority.is_legacy() {
        return Priority::new(100).ok();
    }
    if value <= 1 {
        return None;
    }
    Priority::new(u32::from(value) - 1).ok()
}

/// How far `port` is from `range`.
fn distance(range: PortRange, port: u16) -> u16 {
    if port < range.start() {
        range.start() - port
    } else {
        port.saturating_sub(range.end())
    }
}

/// Whether the group exists and is not managed.
fn writable(topology: &Topology, group: &GroupId) -> bool {
    topology
        .groups
        .get(group)
        .is_some_and(|group| group.managed_by.is_none())
}

fn managed_by<'t>(topology: &'t Topology, group: &GroupId) -> Option<&'t str> {
    topology.groups.get(group)?.managed_by.as_deref()
}

/// The first group of the list that exists and is not managed.
fn first_writable<'g>(topology: &Topology, groups: &[&'g GroupId]) -> Option<&'g GroupId> {
    groups
        .iter()
        .copied()
        .find(|group| writable(topology, group))
}

/// Whether a rule of `holder` may name `peer`: a group peer must be another basic group of the
/// same VPC, and `holder` must be basic too (enterprise groups neither reference nor are
/// referenced; a group cannot name itself).
fn valid_peer_in(topology: &Topology, holder: &GroupId, peer: &Peer) -> bool {
    let Peer::Group { id, .. } = peer else {
        return true;
    };
    let (Some(holder_group), Some(peer_group)) =
        (topology.groups.get(holder), topology.groups.get(id))
    else {
        return false;
    };
    id != holder
        && holder_group.group_type == GroupType::Basic
        && peer_group.group_type == GroupType::Basic
        && holder_group.vpc == peer_group.vpc
}

/// Whether `rule` is what the gateway's authorization creates: TCP, accept, from its managed
/// group.
fn is_authorization_rule(rule: &Rule, gateway: &Gateway) -> bool {
    rule.direction == Direction::Ingress
        && rule.policy == Policy::Accept
        && rule.protocol == Protocol::Tcp
        && matches!(&rule.peer, Peer::Group { id, .. } if id == &gateway.managed_group)
}

/// Whether [`crate::gateway::authorize`] accepts `group` as a backend of `gateway`.
fn can_authorize(topology: &Topology, gateway: &Gateway, group: &GroupId) -> bool {
    let basic_in_vpc = |id: &GroupId| {
        topology
            .groups
            .get(id)
            .is_some_and(|group| group.group_type == GroupType::Basic && group.vpc == gateway.vpc)
    };
    writable(topology, group)
        && group != &gateway.managed_group
        && basic_in_vpc(group)
        && topology
            .groups
            .get(&gateway.managed_group)
            .is_some_and(|managed| managed.group_type == GroupType::Basic)
}

fn peer_words(peer: &Peer) -> String {
    match peer {
        Peer::Cidr(block) => block.to_string(),
        Peer::Group { id, .. } => format!("group {id}"),
        Peer::PrefixList(id) => format!("prefix list {id}"),
    }
}

fn group_list(groups: &[&GroupId]) -> String {
    if groups.is_empty() {
        return "no group".to_owned();
    }
    groups
        .iter()
        .map(|group| group.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn display_name(name: &str, id: &str) -> String {
    if name.is_empty() || name == id {
        id.to_owned()
    } else {
        format!("{id} ({name})")
    }
}
