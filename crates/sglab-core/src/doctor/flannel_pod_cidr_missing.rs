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
