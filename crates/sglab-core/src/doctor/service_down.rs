//! `service-down` (gateway FAQ 4): the groups allow the connection but the service is down.

use std::fmt::Write as _;

use crate::fix::Fix;

use super::context::Query;
use super::{Diagnosis, DiagnosisCode};

impl<'t> Query<'_, 't> {
    /// FAQ 4: the groups allow the query, but the service on the port is down.
    pub(super) fn service_down(&self) -> Option<Diagnosis> {
        let target = self.target;
        let endpoint = target.endpoint?;
        let what = self.what();
        let (decided, allowed_by) = self.allowed_by();
        let services = endpoint.services.as_deref().unwrap_or_default();
        let (index, service) = services.iter().enumerate().find(|(_, service)| {
            !service.up && self.service_covers(service.protocol, service.ports)
        })?;
        let fix = Fix::StartService {
            endpoint: endpoint.id.clone(),
            service_index: index,
        };
        let mut fix_text = format!("{fix} ({})", service.name);
        if let Some(peer) = self.group_peer_of_target() {
            let _ = write!(
                fix_text,
                "; to tell a service problem from a network one, test it with curl from {peer}, another node in the same security group, as the gateway documents suggest"
            );
        }
        Some(Diagnosis {
            code: DiagnosisCode::ServiceDown,
            summary: format!(
                "The groups allow {what} to {}, but the service {} there is down.",
                target.name, service.name
            ),
            evidence: vec![
                allowed_by,
                format!(
                    "the service {} on {} listens on {} {} and is down",
                    service.name, target.name, service.protocol, service.ports
                ),
            ],
            related: decided.into_iter().collect(),
            fix: Some(fix),
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
    fn the_service_is_started() {
        check(
            DiagnosisCode::ServiceDown,
            GATEWAY,
            ("gw-node", "node-b"),
            Protocol::Tcp,
            Some(8080),
            expect![[r#"
                Why, and what to change:
                  - [service-down] The groups allow tcp 8080 to node-b, but the service old there is down.
                    evidence: the groups allow tcp 8080 from gw-node to node-b (rule 1 of sg-b (priority 1, accept tcp 8080/8080 from group sg-gw))
                    evidence: the service old on node-b listens on tcp 8080/8080 and is down
                    fix: start service 2 on node-b (old)
            "#]],
        );
    }
}
