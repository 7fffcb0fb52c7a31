//! `flannel-pod-cidr-missing`: the source is a Flannel pod and the target's groups do not
//! allow its pod CIDR.

use crate::eval::route::{Routed, SideView};
use crate::eval::rules::Pooled;
use crate::fix::Fix;
use crate::model::{Direction, EndpointKind, NetworkMode, Peer, PortSpec, Priority, Protocol};

use super::context::{accept_rule, first_writable, group_list, Query};
use super::{Diagnosis, DiagnosisCode};

impl<'t> Query<'_, 't> {
    /// A Flannel pod's traffic carries its pod IP, which the target's groups do not allow.
    pub(super) fn flannel_pod_cidr_missing(
        &self,
        routed: &Routed<'_, 't>,
        view: &SideView<'_, 't>,
        pooled: &[Pooled<'t>],
    ) -> Option<Diagnosis> {
        let source = self.source;
        if source.network_mode != Some(NetworkMode::Flannel) || !routed.same_vpc {
            return None;
        }
        // A rule whose CIDR already holds the pod IP is a port or protocol problem, not this.
        let cidr_rule_exists = pooled.iter().any(|entry| match &entry.rule.peer {
            Peer::Cidr(block) => block.contains(&routed.from_address),
            _ => false,
        });
        if cidr_rule_exists {
            return None;
        }
        let endpoint = source.endpoint?;
        let EndpointKind::Pod { cluster, .. } = &endpoint.kind else {
            return None;
        };
        let pod_cidr = self
            .topology
            .clusters
            .get(cluster)
            .and_then(|cluster| cluster.pod_cidr);
        let block = pod_cidr.unwrap_or(routed.from_address);
        let pod_ip = crate::explain::Address(routed.from_address);
        let same_cluster = self.target.endpoint.is_some_and(|target| match &target.kind {
            EndpointKind::Pod { cluster: other, .. } => other == cluster,
            _ => self.topology.endpoints.values().any(|pod| {
                matches!(&pod.kind, EndpointKind::Pod { cluster: other, node } if other == cluster && node == &target.id)
            }),
        });
        let mut evidence = vec![format!(
            "{} is a pod of the Flannel cluster {cluster}: the groups of its node filter its traffic, which carries the pod IP {pod_ip}",
            source.name
        )];
        evidence.push(format!(
            "no rule of {} names a CIDR holding {pod_ip}; group rules and intra-group access match only ENI addresses",
            group_list(view.groups)
        ));
        if let Some(pod_cidr) = pod_cidr {
            evidence.push(format!("the pod CIDR of cluster {cluster} is {pod_cidr}"));
        }
        let summary = format!(
            "No rule of {}'s groups allows the pod CIDR {block} of the Flannel pod {}, whose traffic carries its pod IP {pod_ip}.",
            self.target.name, source.name
        );
        let (fix, fix_text) = match first_writable(self.topology, &self.target.groups) {
            Some(holder) => {
                let (protocol, ports) = if same_cluster {
                    (Protocol::All, PortSpec::All)
                } else {
                    (self.protocol, self.narrow_ports())
                };
                let rule = accept_rule(
                    Direction::Ingress,
                    Priority::HIGHEST,
                    protocol,
                    ports,
                    Peer::Cidr(block),
                );
                let fix = Fix::AddRule {
                    security_group: holder.clone(),
                    rule,
                };
                let text = if same_cluster {
                    format!("{fix} (as the Container Service documents do: the cluster's group authorizes the pod CIDR so that containers reach each other)")
                } else {
                    format!("{fix} (the pod CIDR, for this port only)")
                };
                (Some(fix), text)
            }
            None => (
                None,
                format!(
                    "every group of {} is managed and read-only: ask the product's administrators to allow the pod CIDR {block}",
                    self.target.name
                ),
            ),
        };
        Some(Diagnosis {
            code: DiagnosisCode::FlannelPodCidrMissing,
            summary,
            evidence,
            related: Vec::new(),
            fix,
            fix_text,
        })
    }
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use crate::model::Protocol;

    use super::super::tests::{check, MIXED};
    use super::super::DiagnosisCode;

    #[test]
    fn the_pod_cidr_is_allowed() {
        check(
            DiagnosisCode::FlannelPodCidrMissing,
            MIXED,
            ("pod", "db"),
            Protocol::Tcp,
            Some(5432),
            expect![[r#"
                Why, and what to change:
                  - [flannel-pod-cidr-missing] No rule of db's groups allows the pod CIDR 172.18.0.0/16 of the Flannel pod pod, whose traffic carries its pod IP 172.18.0.5.
                    evidence: pod is a pod of the Flannel cluster k1: the groups of its node filter its traffic, which carries the pod IP 172.18.0.5
                    evidence: no rule of sg-db names a CIDR holding 172.18.0.5; group rules and intra-group access match only ENI addresses
                    evidence: the pod CIDR of cluster k1 is 172.18.0.0/16
                    fix: add to sg-db: ingress accept priority 1 tcp 5432/5432 from 172.18.0.0/16 (the pod CIDR, for this port only)
            "#]],
        );
    }
}
