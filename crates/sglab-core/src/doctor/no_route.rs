//! `no-route`: no address lets the source reach the target for another reason (no private
//! address, no address of the protocol's family, an endpoint that does not exist).

use crate::model::Protocol;

use super::context::Query;
use super::{Diagnosis, DiagnosisCode};

impl<'t> Query<'_, 't> {
    /// No address lets the source reach the target, for another reason than a missing public
    /// address.
    pub(super) fn no_route(&self, reason: &str) -> Diagnosis {
        let (source, target) = (self.source, self.target);
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
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use crate::model::Protocol;

    use super::super::tests::{check, MIXED};
    use super::super::DiagnosisCode;

    #[test]
    fn icmpv6_between_ipv4_endpoints_gets_advice() {
        check(
            DiagnosisCode::NoRoute,
            MIXED,
            ("e1", "db"),
            Protocol::Icmpv6,
            None,
            expect![[r#"
                Why, and what to change:
                  - [no-route] No address lets e1 reach db: e1 and db have no private addresses of one family (ICMPv6 is IPv6 only).
                    evidence: e1 and db have no private addresses of one family (ICMPv6 is IPv6 only)
                    advice: ICMPv6 needs IPv6 addresses on both sides; for IPv4 use icmp
            "#]],
        );
    }
}
