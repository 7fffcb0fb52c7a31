//! The step-through of an explanation: every rule the core considered, in its order, for the
//! explanation panel and the highlighted row of the rule tables.

use sglab_core::explain::{ConsideredRule, Decision, Explanation, RuleRef, SideResult};
use sglab_core::model::{Direction, Policy};

/// What a step did to the packet, by the policy of the rule that decided: a deciding drop
/// blocks, a deciding accept allows, anything else decides nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// An accept rule that matched first and decided its side: the packet passes.
    Allows,
    /// A drop rule that matched first and decided its side: the packet is blocked.
    Blocks,
    /// A rule that matches, but something earlier decided the side (a rule before it, the
    /// intra-group policy, the platform).
    Late,
    /// A rule that does not match the packet.
    Skipped,
}

impl Mark {
    /// The class of the step: `decides-allow`, `decides-deny`, `late` or `skipped`.
    pub fn class(self) -> &'static str {
        match self {
            Mark::Allows => "decides-allow",
            Mark::Blocks => "decides-deny",
            Mark::Late => "late",
            Mark::Skipped => "skipped",
        }
    }

    /// The mark's shape: a tick, a cross, a ring or a dash.
    pub fn symbol(self) -> &'static str {
        match self {
            Mark::Allows => "\u{2714}",
            Mark::Blocks => "\u{2716}",
            Mark::Late => "\u{25cb}",
            Mark::Skipped => "\u{2013}",
        }
    }

    /// The mark in words, shown beside its shape so that colour is never the only signal.
    pub fn words(self) -> &'static str {
        match self {
            Mark::Allows => "decides: allowed",
            Mark::Blocks => "decides: blocked",
            Mark::Late => "matches, too late",
            Mark::Skipped => "no match",
        }
    }

    /// The sentence that opens the step's reason.
    pub fn lead(self) -> &'static str {
        match self {
            Mark::Allows => "First match, an accept: allowed.",
            Mark::Blocks => "First match, a drop: blocked.",
            Mark::Late => "Too late: the side was already decided.",
            Mark::Skipped => "No match: on to the next rule.",
        }
    }
}

/// One step of the walk of a packet: a rule considered on one side.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Egress of the source or ingress of the target.
    pub side: Direction,
    /// The rule.
    pub rule: RuleRef,
    /// Whether it matched.
    pub matched: bool,
    /// What it did to the packet.
    pub mark: Mark,
    /// Why, in words.
    pub reason: String,
}

/// The steps of an explanation: the source's egress rules, then the target's ingress rules, in
/// the order the core considered them.
pub fn steps(explanation: &Explanation) -> Vec<Step> {
    let side = |direction: Direction, result: &SideResult| {
        result
            .considered
            .iter()
            .map(
                move |ConsideredRule {
                          rule,
                          matched,
                          reason,
                      }| Step {
                    side: direction,
                    rule: rule.clone(),
                    matched: *matched,
                    mark: mark(&result.decided_by, rule, *matched),
                    reason: reason.clone(),
                },
            )
            .collect::<Vec<_>>()
    };
    let mut out = side(Direction::Egress, &explanation.egress);
    out.extend(side(Direction::Ingress, &explanation.ingress));
    out
}

/// The mark of a rule considered on a side that `decided_by` decided.
fn mark(decided_by: &Decision, rule: &RuleRef, matched: bool) -> Mark {
    let decides = matches!(decided_by, Decision::Rule(decider)
        if decider.security_group == rule.security_group && decider.rule_index == rule.rule_index);
    match (matched, decides, rule.policy) {
        (false, _, _) => Mark::Skipped,
        (true, false, _) => Mark::Late,
        (true, true, Policy::Accept) => Mark::Allows,
        (true, true, Policy::Drop) => Mark::Blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Query;
    use sglab_core::model::Protocol;

    #[test]
    fn steps_walk_egress_then_ingress() {
        let topology = crate::engine::example("ai-gateway").unwrap_or_default();
        let query = Query {
            from: "gw-node-1".into(),
            to: "ecs-backend".into(),
            protocol: Protocol::Tcp,
            port: Some(8081),
        };
        let explanation = crate::engine::explain(&topology, &query);
        let steps = steps(&explanation);
        let considered = explanation.egress.considered.len() + explanation.ingress.considered.len();
        assert_eq!(steps.len(), considered);
        let first_ingress = explanation.egress.considered.len();
        assert!(steps[..first_ingress]
            .iter()
            .all(|s| s.side == Direction::Egress));
        assert!(steps[first_ingress..]
            .iter()
            .all(|s| s.side == Direction::Ingress));
        assert!(steps
            .iter()
            .any(|s| s.matched && s.rule.security_group.as_str() == "service-sg2"));
    }

    #[test]
    fn a_deciding_drop_is_marked_as_blocking() {
        let topology = crate::engine::example("ssh-allowlist").unwrap_or_default();
        let query = Query {
            from: "client".into(),
            to: "app-1".into(),
            protocol: Protocol::Tcp,
            port: Some(22),
        };
        let explanation = crate::engine::explain(&topology, &query);
        let steps = steps(&explanation);
        let deciding: Vec<&Step> = steps
            .iter()
            .filter(|s| matches!(s.mark, Mark::Allows | Mark::Blocks))
            .collect();
        assert_eq!(deciding.len(), 1, "{steps:?}");
        assert_eq!(deciding[0].mark, Mark::Blocks);
        assert_eq!(deciding[0].rule.policy, Policy::Drop);
        assert!(steps.iter().all(|s| s.matched || s.mark == Mark::Skipped));
    }
}
