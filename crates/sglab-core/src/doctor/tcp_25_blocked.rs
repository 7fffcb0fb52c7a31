//! `tcp-25-blocked`: outbound TCP 25 to outside the VPC is blocked by the platform.

use super::context::Query;
use super::{Diagnosis, DiagnosisCode};

impl<'t> Query<'_, 't> {
    pub(super) fn tcp_25_blocked(&self) -> Diagnosis {
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
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use crate::model::Protocol;

    use super::super::tests::{check, MIXED};
    use super::super::DiagnosisCode;

    #[test]
    fn mail_out_of_the_vpc_gets_advice() {
        check(
            DiagnosisCode::Tcp25Blocked,
            MIXED,
            ("e1", "mail"),
            Protocol::Tcp,
            Some(25),
            expect![[r#"
                Why, and what to change:
                  - [tcp-25-blocked] Outbound TCP 25 to addresses outside the VPC is blocked by the platform, whatever the rules say.
                    evidence: e1 sends to mail outside its VPC on TCP 25
                    advice: no security-group rule opens it: send mail on port 465 (SMTP over TLS) or through a mail service on port 80, or apply to Alibaba Cloud for unblocking port 25
                  - [enterprise-default-egress-deny] The enterprise groups of e1 have no egress rule, and enterprise groups deny all egress by default.
                    evidence: e1 carries sg-ent, of type enterprise
                    evidence: the API creates enterprise groups without the allow-all egress rule the console adds
                    fix: add to sg-ent: egress accept priority 1 tcp 25/25 to 203.0.113.25/32 (the narrowest egress rule: this target, this port)
            "#]],
        );
    }
}
