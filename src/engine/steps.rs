//! The step-through of an explanation: every rule the core considered, in its order, for the
//! explanation panel and the highlighted row of the rule tables.

use sglab_core::explain::{ConsideredRule, Explanation, RuleRef, SideResult};
use sglab_core::model::Direction;

/// One step of the walk of a packet: a rule considered on one side.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Egress of the source or ingress of the target.
    pub side: Direction,
    /// The rule.
    pub rule: RuleRef,
    /// Whether it matched.
    pub matched: bool,
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
                    reason: reason.clone(),
                },
            )
            .collect::<Vec<_>>()
    };
    let mut out = side(Direction::Egress, &explanation.egress);
    out.extend(side(Direction::Ingress, &explanation.ingress));
    out
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
}
