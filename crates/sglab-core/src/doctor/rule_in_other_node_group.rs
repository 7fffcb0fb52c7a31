//! `rule-in-other-node-group` (gateway FAQ 1): the rule that would allow the traffic is in a
//! group the target does not carry, typically another node's group.

use crate::eval::route::{Routed, SideView};
use crate::eval::rules;
use crate::fix::Fix;
use crate::model::{Direction, Policy, Protocol};

use super::context::{
    can_authorize, display_name, first_writable, group_list, is_authorization_rule, valid_peer_in,
    Found, Query,
};
use super::{Diagnosis, DiagnosisCode};

impl<'t> Query<'_, 't> {
    /// FAQ 1: a rule that would allow the traffic lives in a group the target does not carry.
    pub(super) fn rule_in_other_node_group(
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
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use crate::model::Protocol;

    use super::super::tests::{check, GATEWAY};
    use super::super::DiagnosisCode;

    #[test]
    fn the_rule_is_in_the_other_node_s_group() {
        check(
            DiagnosisCode::RuleInOtherNodeGroup,
            GATEWAY,
            ("gw-node", "node-a"),
            Protocol::Tcp,
            Some(8080),
            expect![[r#"
                Why, and what to change:
                  - [rule-in-other-node-group] Rule 1 of sg-b allows tcp 8080 from gw-node, but node-a does not carry sg-b.
                    evidence: rule 1 of sg-b (priority 1) allows tcp 8080/8080 from group sg-gw matches tcp 8080 from gw-node
                    evidence: sg-b is carried by node-b
                    evidence: the service app runs on node-a, which carries sg-a
                    fix: authorize sg-a on gateway gw for TCP 8080/8080 (the same authorization as sg-b; when a node carries several groups, the documents advise authorizing each)
            "#]],
        );
    }
}
