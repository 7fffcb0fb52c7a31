//! `port-outside-rule` (gateway FAQ 3): a rule for this peer covers other ports, not this one.

use crate::eval::route::{Routed, SideView};
use crate::eval::rules::{self, Pooled};
use crate::fix::Fix;
use crate::model::{Direction, Policy, PortRange, PortSpec, Protocol};

use super::context::{
    can_authorize, distance, first_writable, group_list, is_authorization_rule, valid_peer_in,
    writable, Found, Query,
};
use super::{Diagnosis, DiagnosisCode};

impl<'t> Query<'_, 't> {
    /// FAQ 3: an accept rule of the side matches everything but the port.
    pub(super) fn port_outside_rule(
        &self,
        routed: &Routed<'_, 't>,
        view: &SideView<'_, 't>,
        direction: Direction,
        pooled: &[Pooled<'t>],
    ) -> Option<Diagnosis> {
        let port = self.port?;
        let (owner, peer) = self.owner_and_peer(direction);
        let nearest = pooled
            .iter()
            .filter(|entry| entry.rule.policy == Policy::Accept)
            .filter(|entry| {
                !rules::ports_match(entry.rule, self.protocol, Some(port))
                    && rules::check_except_ports(self.topology, view, self.protocol, entry.rule)
                        .is_ok()
            })
            .min_by_key(|entry| distance(entry.rule.ports.as_range(), port))
            .map(Found::from_pooled)?;
        let range = nearest.rule.ports.as_range();
        let service = self.listening_service();
        let summary = match (&service, direction) {
            (Some(name), Direction::Ingress) => format!(
                "The service {name} listens on {port}, but {}.",
                nearest.words()
            ),
            _ => format!(
                "Port {port} is outside {}, which {}.",
                nearest.label(),
                nearest.clause()
            ),
        };
        let mut evidence = vec![format!(
            "{} carries {}; {} matches {} but not port {port}",
            owner.name,
            group_list(&owner.groups),
            nearest.words(),
            peer.name
        )];
        if let Some(name) = &service {
            evidence.push(format!(
                "{} declares the service {name} on {} {port}",
                self.target.name, self.protocol
            ));
        }
        let (fix, text) = match self.gateway_of_source() {
            Some(gateway)
                if direction == Direction::Ingress
                    && self.protocol == Protocol::Tcp
                    && is_authorization_rule(nearest.rule, gateway)
                    && can_authorize(self.topology, gateway, nearest.group) =>
            {
                let fix = Fix::Authorize {
                    gateway: gateway.id.clone(),
                    backend_group: nearest.group.clone(),
                    port_ranges: vec![PortRange::single(port).unwrap_or(PortRange::ALL)],
                };
                let text = format!(
                    "{fix} (the rule is the gateway's authorization: adding the port to the authorization keeps the gateway's list and the group in step; the documents suggest a wider range such as 1/65535 to avoid this)"
                );
                (Some(fix), text)
            }
            _ => {
                let adjacent = u32::from(port) == u32::from(range.end()) + 1
                    || u32::from(port) + 1 == u32::from(range.start());
                if writable(self.topology, nearest.group) && adjacent {
                    let widened = PortRange::new(range.start().min(port), range.end().max(port))
                        .unwrap_or(range);
                    let mut rule = nearest.rule.clone();
                    rule.ports = PortSpec::Range(widened);
                    let fix = Fix::ReplaceRule {
                        security_group: nearest.group.clone(),
                        rule_index: nearest.index,
                        rule,
                    };
                    let text =
                        format!("{fix} (port {port} is next to the range: widen it by one port)");
                    (Some(fix), text)
                } else {
                    let holder = if writable(self.topology, nearest.group) {
                        Some(nearest.group)
                    } else {
                        first_writable(self.topology, &owner.groups)
                    };
                    match holder {
                        Some(holder) => {
                            let mut rule = nearest.rule.clone();
                            rule.id = None;
                            rule.ports = self.narrow_ports();
                            if !valid_peer_in(self.topology, holder, &rule.peer) {
                                rule.peer = self.peer_for(routed, holder, direction);
                            }
                            let fix = Fix::AddRule {
                                security_group: holder.clone(),
                                rule,
                            };
                            let text = format!(
                                "{fix} (a rule for the single port; widening {range} to reach {port} would also open the ports between)"
                            );
                            (Some(fix), text)
                        }
                        None => (None, format!("every group of {} is managed and read-only: ask the product's administrators to open port {port}", owner.name)),
                    }
                }
            }
        };
        Some(Diagnosis {
            code: DiagnosisCode::PortOutsideRule,
            summary,
            evidence,
            related: vec![nearest.reference()],
            fix,
            fix_text: text,
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
    fn the_authorization_grows_to_the_moved_port() {
        check(
            DiagnosisCode::PortOutsideRule,
            GATEWAY,
            ("gw-node", "node-b"),
            Protocol::Tcp,
            Some(8081),
            expect![[r#"
                Why, and what to change:
                  - [port-outside-rule] The service web listens on 8081, but rule 1 of sg-b (priority 1) allows tcp 8080/8080 from group sg-gw.
                    evidence: node-b carries sg-b; rule 1 of sg-b (priority 1) allows tcp 8080/8080 from group sg-gw matches gw-node but not port 8081
                    evidence: node-b declares the service web on tcp 8081
                    fix: authorize sg-b on gateway gw for TCP 8081/8081 (the rule is the gateway's authorization: adding the port to the authorization keeps the gateway's list and the group in step; the documents suggest a wider range such as 1/65535 to avoid this)
            "#]],
        );
    }
}
