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
