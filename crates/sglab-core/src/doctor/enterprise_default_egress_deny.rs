//! `enterprise-default-egress-deny`: the source's enterprise group has no egress rule for the
//! traffic, and enterprise groups deny egress by default.

use crate::eval::route::{Routed, SideView};
use crate::model::{Direction, Priority};

use super::context::{first_writable, group_list, Query};
use super::{Diagnosis, DiagnosisCode};

impl<'t> Query<'_, 't> {
    /// The generic egress cause: an enterprise group's default denies egress.
    pub(super) fn enterprise_default_egress_deny(
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
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use crate::model::Protocol;

    use super::super::tests::{check, MIXED};
    use super::super::DiagnosisCode;

    #[test]
    fn the_enterprise_source_gets_an_egress_rule() {
        check(
            DiagnosisCode::EnterpriseDefaultEgressDeny,
            MIXED,
            ("e1", "e2"),
            Protocol::Tcp,
            Some(80),
            expect![[r#"
                Why, and what to change:
                  - [enterprise-default-egress-deny] The enterprise groups of e1 have no egress rule, and enterprise groups deny all egress by default.
                    evidence: e1 carries sg-ent, of type enterprise
                    evidence: the API creates enterprise groups without the allow-all egress rule the console adds
                    fix: add to sg-ent: egress accept priority 1 tcp 80/80 to 10.0.1.11/32 (the narrowest egress rule: this target, this port)
            "#]],
        );
    }
}
