//! `no-public-address`: one side is outside the other's VPC and the endpoint in a VPC has no
//! public IP or EIP.

use super::context::Query;
use super::{Diagnosis, DiagnosisCode};

impl<'t> Query<'_, 't> {
    /// One side is outside the other's VPC, and the endpoint in a VPC has no public IP or EIP.
    pub(super) fn no_public_address(&self, reason: &str) -> Option<Diagnosis> {
        let (source, target) = (self.source, self.target);
        let same_vpc = matches!((source.vpc, target.vpc), (Some(a), Some(b)) if a == b);
        let missing_public = !source.missing && !target.missing && !same_vpc;
        if missing_public && target.vpc.is_some() && target.public_in.is_none() {
            return Some(Diagnosis {
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
            });
        }
        if missing_public && source.vpc.is_some() && source.public_out.is_none() {
            return Some(Diagnosis {
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
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use crate::model::Protocol;

    use super::super::tests::{check, MIXED};
    use super::super::DiagnosisCode;

    #[test]
    fn a_target_without_a_public_address_gets_advice() {
        check(
            DiagnosisCode::NoPublicAddress,
            MIXED,
            ("mail", "db"),
            Protocol::Tcp,
            Some(5432),
            expect![[r#"
                Why, and what to change:
                  - [no-public-address] db has no public IP or EIP, so mail, outside its VPC, cannot reach it.
                    evidence: db has no public IP or EIP: unreachable from outside its VPC
                    evidence: mail is outside every VPC
                    advice: bind an EIP to db (and allow the source in its group), or reach it through a gateway or load balancer (SLB) that is in its VPC
            "#]],
        );
    }
}
