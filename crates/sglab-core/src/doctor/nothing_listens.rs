//! `nothing-listens`: the groups allow the connection but no declared service listens on the
//! port.

use super::context::Query;
use super::{Diagnosis, DiagnosisCode};

impl<'t> Query<'_, 't> {
    /// The groups allow the query, but no declared service listens on the port.
    pub(super) fn nothing_listens(&self) -> Option<Diagnosis> {
        let target = self.target;
        let endpoint = target.endpoint?;
        let what = self.what();
        let (decided, allowed_by) = self.allowed_by();
        let services = endpoint.services.as_deref().unwrap_or_default();
        let declared = if services.is_empty() {
            format!("{} declares no services", target.name)
        } else {
            let list: Vec<String> = services
                .iter()
                .map(|service| {
                    format!("{} on {} {}", service.name, service.protocol, service.ports)
                })
                .collect();
            format!("{} declares {}", target.name, list.join(", "))
        };
        Some(Diagnosis {
            code: DiagnosisCode::NothingListens,
            summary: format!(
                "The groups allow {what} to {}, but no declared service listens on it.",
                target.name
            ),
            evidence: vec![allowed_by, declared],
            related: decided.into_iter().collect(),
            fix: None,
            fix_text: format!(
                "start a service on {what} of {}, or ask about the port the service listens on; if the service runs on another node or moved to another port, open the rule there",
                target.name
            ),
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
    fn no_declared_service_gets_advice() {
        let json = GATEWAY.replace(
            r#"{"name": "old", "port": 8080, "up": false}"#,
            r#"{"name": "old", "port": 9000}"#,
        );
        check(
            DiagnosisCode::NothingListens,
            &json,
            ("gw-node", "node-b"),
            Protocol::Tcp,
            Some(8080),
            expect![[r#"
                Why, and what to change:
                  - [nothing-listens] The groups allow tcp 8080 to node-b, but no declared service listens on it.
                    evidence: the groups allow tcp 8080 from gw-node to node-b (rule 1 of sg-b (priority 1, accept tcp 8080/8080 from group sg-gw))
                    evidence: node-b declares web on tcp 8081/8081, old on tcp 9000/9000
                    advice: start a service on tcp 8080 of node-b, or ask about the port the service listens on; if the service runs on another node or moved to another port, open the rule there
            "#]],
        );
    }
}
