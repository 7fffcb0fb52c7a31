//! `drop-in-other-group` and `blocked-by-drop-rule`: a drop rule blocks. One analysis gives both
//! codes: `drop-in-other-group` when the accept rule the drop beats is in another group of the
//! same ENI (gateway FAQ 2), `blocked-by-drop-rule` otherwise.

use crate::eval::route::Routed;
use crate::fix::Fix;
use crate::model::{Direction, PortRange, PortSpec, Priority, Protocol};

use super::context::{
    above, first_writable, fix_priority, managed_by, valid_peer_in, writable, Found, Query,
};
use super::{Diagnosis, DiagnosisCode};

/// What the drop-rule fix found for one drop blocker.
pub(super) struct DropFix {
    pub(super) fix: Option<Fix>,
    pub(super) text: String,
    /// Whether the fix adds an accept rule that also removes the side's default blocker.
    pub(super) covers_default: bool,
}

impl DropFix {
    /// A fix that leaves the side's default blocker as it is.
    pub(super) fn change(fix: Fix, text: String) -> DropFix {
        DropFix {
            fix: Some(fix),
            text,
            covers_default: false,
        }
    }

    /// No automatic fix: only advice.
    pub(super) fn advice(text: String) -> DropFix {
        DropFix {
            fix: None,
            text,
            covers_default: false,
        }
    }
}

impl<'t> Query<'_, 't> {
    /// The diagnosis of one drop rule that blocks; says whether its fix also covers the side's
    /// default blocker.
    pub(super) fn drop_diagnosis(
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
    pub(super) fn drop_fix(
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

    pub(super) fn drop_advice(&self, drop: Found<'t>) -> String {
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
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use crate::model::Protocol;

    use super::super::tests::check;
    use super::super::DiagnosisCode;

    /// A node in two groups: an accept in one, drops in the other.
    const TWO_GROUPS: &str = r#"{"sglab": 1,
      "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
      "security_groups": [
        {"id": "sg-client"},
        {"id": "sg-svc", "rules": [
          {"direction": "ingress", "priority": 10, "protocol": "tcp", "port_range": "8080/8080", "group": "sg-client"}]},
        {"id": "sg-lockdown", "rules": [
          {"direction": "ingress", "policy": "drop", "priority": 5, "protocol": "tcp", "port_range": "1/65535", "cidr": "10.0.0.0/16"}]}
      ],
      "endpoints": [
        {"id": "client", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-client"]},
        {"id": "svc", "kind": "ecs", "private_ip": "10.0.2.10", "groups": ["sg-svc", "sg-lockdown"]}
      ]}"#;

    #[test]
    fn a_drop_in_the_other_group_gets_an_accept_above_it() {
        check(
            DiagnosisCode::DropInOtherGroup,
            TWO_GROUPS,
            ("client", "svc"),
            Protocol::Tcp,
            Some(8080),
            expect![[r#"
                Why, and what to change:
                  - [drop-in-other-group] Rule 1 of sg-lockdown drops tcp 8080 before rule 1 of sg-svc, another group of svc, can allow it.
                    evidence: rule 1 of sg-lockdown (priority 5) drops tcp 1/65535 from 10.0.0.0/16 matches tcp 8080 from client to svc
                    evidence: rule 1 of sg-svc (priority 10) allows tcp 8080/8080 from group sg-client would allow it, but comes after the drop in evaluation order
                    evidence: svc carries both sg-lockdown and sg-svc; rules of all its groups are pooled and sorted by priority
                    fix: add to sg-svc: ingress accept priority 4 tcp 8080/8080 from group sg-client (priority 4 comes before the drop's 5; the drop still applies to everything else)
            "#]],
        );
    }

    #[test]
    fn a_drop_alone_is_narrowed_at_the_edge_of_its_range() {
        let json = r#"{"sglab": 1,
          "vpcs": [{"id": "vpc-1"}],
          "security_groups": [
            {"id": "sg-app", "rules": [
              {"direction": "ingress", "policy": "drop", "priority": 2, "protocol": "tcp", "port_range": "20/22", "cidr": "0.0.0.0/0"}]}
          ],
          "endpoints": [
            {"id": "app", "kind": "ecs", "private_ip": "10.0.1.10", "public_ip": "47.0.0.1", "groups": ["sg-app"]}
          ]}"#;
        check(
            DiagnosisCode::BlockedByDropRule,
            json,
            ("203.0.113.9", "app"),
            Protocol::Tcp,
            Some(22),
            expect![[r#"
                Why, and what to change:
                  - [blocked-by-drop-rule] Rule 1 of sg-app drops tcp 22 from 203.0.113.9.
                    evidence: rule 1 of sg-app (priority 2) drops tcp 20/22 from 0.0.0.0/0 matches tcp 22 from 203.0.113.9 to app
                    fix: change rule 1 of sg-app to: ingress drop priority 2 tcp 20/21 from 0.0.0.0/0, and add to sg-app: ingress accept priority 1 tcp 22/22 from 203.0.113.9/32 (one change: change rule 1 of sg-app to: ingress drop priority 2 tcp 20/21 from 0.0.0.0/0 alone would leave the default deny (no rule matched; basic groups deny all ingress by default) blocking the inbound side)
                  - [no-rule-allows] No rule of app's groups allows tcp 22 from 203.0.113.9, and security groups deny all ingress by default.
                    evidence: app carries sg-app; none of their ingress rules matches tcp 22 from 203.0.113.9
                    evidence: 203.0.113.9 is outside the VPC of app: it is seen at 203.0.113.9, and group references do not match it
                    fix: add to sg-app: ingress accept priority 1 tcp 22/22 from 203.0.113.9/32 (the narrowest rule: this source, this port)
            "#]],
        );
    }
}
