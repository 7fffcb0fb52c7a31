//! `no-rule-allows`: no rule allows the traffic from this source and the default denies.

use crate::eval::route::{Routed, SideView};
use crate::eval::rules::{self, EniKind};
use crate::fix::Fix;
use crate::model::{Direction, Priority};

use super::context::{first_writable, group_list, Query};
use super::{Diagnosis, DiagnosisCode};

impl<'t> Query<'_, 't> {
    /// The generic ingress cause: no rule allows this source, the default denies.
    pub(super) fn no_rule_allows(
        &self,
        routed: &Routed<'_, 't>,
        view: &SideView<'_, 't>,
    ) -> Diagnosis {
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
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use crate::model::Protocol;

    use super::super::tests::{check, GATEWAY};
    use super::super::DiagnosisCode;

    #[test]
    fn the_narrowest_rule_is_added() {
        check(
            DiagnosisCode::NoRuleAllows,
            GATEWAY,
            ("node-b", "node-a"),
            Protocol::Udp,
            Some(53),
            expect![[r#"
                Why, and what to change:
                  - [no-rule-allows] No rule of node-a's groups allows udp 53 from node-b, and security groups deny all ingress by default.
                    evidence: node-a carries sg-a; none of their ingress rules matches udp 53 from node-b (10.0.1.11)
                    fix: add to sg-a: ingress accept priority 1 udp 53/53 from group sg-b (the narrowest rule: this source, this port)
            "#]],
        );
    }
}
