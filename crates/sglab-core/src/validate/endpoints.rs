//! Lowering of the raw endpoints: ECS instances, pods, gateway nodes and external hosts, with
//! their ENIs and services.

use std::collections::BTreeSet;
use std::net::IpAddr;

use super::fields::{
    check_port_field, check_protocol_field, check_single_port_field, unknown_value,
};
use super::lower::{object_name, Lowering};
use crate::diagnostic::Location;
use crate::format::{RawEndpoint, RawService};
use crate::model::{
    ClusterId, Endpoint, EndpointId, EndpointKind, Eni, GatewayId, GroupId, NetworkMode, PortRange,
    Protocol, Service, VpcId,
};
use crate::Error;

impl Lowering {
    pub(super) fn endpoint(
        &mut self,
        index: usize,
        raw: &RawEndpoint,
        seen: &mut BTreeSet<EndpointId>,
    ) {
        let location = self
            .location()
            .object(object_name("endpoint", &raw.id, index));
        let Some(id) = self.id(&location, &raw.id, "endpoint") else {
            return;
        };
        let id = EndpointId(id);
        if !seen.insert(id.clone()) {
            self.duplicate(&location, "endpoint", id.as_str());
            return;
        }
        let field = |name: &str| location.clone().field(name);
        let services = raw.services.as_ref().map(|services| {
            services
                .iter()
                .enumerate()
                .filter_map(|(service_index, service)| {
                    self.service(&location, service_index, service)
                })
                .collect::<Vec<_>>()
        });
        let public_ip = raw
            .public_ip
            .as_deref()
            .and_then(|text| self.ip(field("public_ip"), text));
        let pod_ip = raw
            .pod_ip
            .as_deref()
            .and_then(|text| self.ip(field("pod_ip"), text));
        let kind_word = raw.kind.trim().to_ascii_lowercase().replace('-', "_");
        let forbid = |validator: &mut Lowering, name: &str, present: bool, why: &str| {
            validator.checker().forbid(field(name), present, why);
        };
        // Instances and gateway nodes have neither a pod's address nor an external block.
        let forbid_pod_ip_and_cidr = |validator: &mut Lowering| {
            forbid(
                validator,
                "pod_ip",
                raw.pod_ip.is_some(),
                "only Flannel and Terway-shared pods have a pod_ip",
            );
            forbid(
                validator,
                "cidr",
                raw.cidr.is_some(),
                "only external endpoints have a cidr",
            );
        };
        let (kind, vpc, enis) = match kind_word.as_str() {
            "external" => {
                let why = "external endpoints sit outside every VPC and have no groups";
                forbid(self, "vpc", raw.vpc.is_some(), why);
                forbid(self, "private_ip", raw.private_ip.is_some(), why);
                forbid(self, "groups", raw.groups.is_some(), why);
                forbid(self, "enis", raw.enis.is_some(), why);
                forbid(self, "pod_ip", raw.pod_ip.is_some(), why);
                forbid(
                    self,
                    "public_ip",
                    raw.public_ip.is_some(),
                    "an external endpoint's address is its cidr",
                );
                self.forbid_pod_and_gateway_fields(&location, raw);
                let cidr = match raw.cidr.as_deref() {
                    Some(text) => self.cidr(&field("cidr"), text),
                    None => {
                        self.sink.error(
                            field("cidr"),
                            "an external endpoint needs its address in cidr, such as 203.0.113.10 or 198.51.100.0/24",
                        );
                        None
                    }
                };
                (
                    cidr.map(|cidr| EndpointKind::External { cidr }),
                    None,
                    Some(Vec::new()),
                )
            }
            "ecs" => {
                self.forbid_pod_and_gateway_fields(&location, raw);
                forbid_pod_ip_and_cidr(self);
                let vpc = self.vpc(&location, raw.vpc.as_deref(), None);
                let enis = self.enis(
                    &location,
                    raw,
                    Vec::new(),
                    vpc.as_ref(),
                    self.limits.groups_per_eni,
                );
                if let Some(enis) = &enis {
                    self.checker().ecs_groups(&location, enis);
                }
                (Some(EndpointKind::Ecs), vpc, enis)
            }
            "pod" => self.pod(&location, raw, pod_ip),
            "gateway_node" | "gateway" => {
                forbid_pod_ip_and_cidr(self);
                forbid(
                    self,
                    "cluster",
                    raw.cluster.is_some(),
                    "only pods belong to a cluster",
                );
                forbid(self, "node", raw.node.is_some(), "only pods run on a node");
                self.gateway_node(&location, raw)
            }
            _ => {
                self.sink.report(
                    field("kind"),
                    &unknown_value(
                        "kind",
                        raw.kind.clone(),
                        "ecs, pod, gateway_node or external",
                    ),
                );
                (None, None, None)
            }
        };
        if kind_word == "ecs" || kind_word == "gateway_node" {
            if let Some(enis) = &enis {
                self.checker().private_address(&location, enis);
            }
        }
        let pod_ip = if matches!(kind, Some(EndpointKind::Pod { .. })) {
            pod_ip
        } else {
            None
        };
        let (Some(kind), Some(enis)) = (kind, enis) else {
            return;
        };
        if !matches!(kind, EndpointKind::External { .. }) && vpc.is_none() {
            return;
        }
        self.topology.endpoints.insert(
            id.clone(),
            Endpoint {
                id,
                name: raw.name.clone(),
                kind,
                vpc,
                enis,
                public_ip,
                pod_ip,
                services,
            },
        );
    }

    fn forbid_pod_and_gateway_fields(&mut self, location: &Location, raw: &RawEndpoint) {
        for (name, present, why) in [
            (
                "cluster",
                raw.cluster.is_some(),
                "only pods belong to a cluster",
            ),
            ("node", raw.node.is_some(), "only pods run on a node"),
            (
                "gateway",
                raw.gateway.is_some(),
                "only gateway nodes belong to a gateway",
            ),
        ] {
            if present {
                self.sink.error(
                    location.clone().field(name),
                    format!("{name} is not allowed here: {why}"),
                );
            }
        }
    }

    fn pod(
        &mut self,
        location: &Location,
        raw: &RawEndpoint,
        pod_ip: Option<IpAddr>,
    ) -> (Option<EndpointKind>, Option<VpcId>, Option<Vec<Eni>>) {
        let field = |name: &str| location.clone().field(name);
        if raw.gateway.is_some() {
            self.sink.error(
                field("gateway"),
                "gateway is not allowed here: only gateway nodes belong to a gateway",
            );
        }
        if raw.cidr.is_some() {
            self.sink.error(
                field("cidr"),
                "cidr is not allowed here: only external endpoints have a cidr",
            );
        }
        if raw.public_ip.is_some() {
            self.sink.error(
                field("public_ip"),
                "public_ip is not allowed here: pods are reached through their node or a gateway",
            );
        }
        let cluster = match raw.cluster.as_deref().map(str::trim) {
            None => {
                self.sink.error(
                    field("cluster"),
                    "a pod needs its cluster: name it in cluster",
                );
                None
            }
            Some(text) => self
                .checker()
                .pod_cluster(field("cluster"), &ClusterId::from(text)),
        };
        let node = match raw.node.as_deref().map(str::trim) {
            None => {
                self.sink.error(
                    field("node"),
                    "a pod needs its node: name the ECS endpoint it runs on in node",
                );
                None
            }
            Some(text) => {
                let id = EndpointId::from(text);
                self.checker().pod_node(field("node"), &id).then_some(id)
            }
        };
        let Some(cluster) = cluster else {
            return (None, None, None);
        };
        let written_vpc = raw.vpc.as_deref().map(|text| VpcId::from(text.trim()));
        let vpc = self
            .checker()
            .pod_vpc(field("vpc"), written_vpc.as_ref(), &cluster);
        let enis = match cluster.network_mode {
            NetworkMode::Flannel | NetworkMode::TerwayShared => {
                if raw.groups.is_some() || raw.enis.is_some() || raw.private_ip.is_some() {
                    let name = if raw.enis.is_some() {
                        "enis"
                    } else if raw.groups.is_some() {
                        "groups"
                    } else {
                        "private_ip"
                    };
                    self.checker()
                        .pod_has_eni(field(name), cluster.network_mode);
                }
                self.checker()
                    .pod_ip(field("pod_ip"), &cluster, pod_ip, raw.pod_ip.is_some());
                Some(Vec::new())
            }
            NetworkMode::TerwayTrunk => {
                self.checker()
                    .trunk_pod_ip(field("pod_ip"), raw.pod_ip.is_some());
                let enis = self.enis(
                    location,
                    raw,
                    Vec::new(),
                    vpc.as_ref(),
                    self.limits.groups_per_trunk_pod,
                );
                if let Some(enis) = &enis {
                    self.checker().trunk_pod_enis(field("groups"), enis);
                }
                enis
            }
        };
        let kind = node.map(|node| EndpointKind::Pod {
            cluster: cluster.id.clone(),
            node,
        });
        (kind, vpc, enis)
    }

    fn gateway_node(
        &mut self,
        location: &Location,
        raw: &RawEndpoint,
    ) -> (Option<EndpointKind>, Option<VpcId>, Option<Vec<Eni>>) {
        let field = |name: &str| location.clone().field(name);
        let Some(text) = raw.gateway.as_deref().map(str::trim) else {
            self.sink.error(
                field("gateway"),
                "a gateway node needs its gateway: name it in gateway",
            );
            return (None, None, None);
        };
        let id = GatewayId::from(text);
        let Some(gateway) = self.checker().node_gateway(field("gateway"), &id) else {
            return (None, None, None);
        };
        let vpc = self.vpc(location, raw.vpc.as_deref(), Some(gateway.vpc.clone()));
        self.checker()
            .node_vpc(field("vpc"), vpc.as_ref(), &gateway);
        let enis = self.enis(
            location,
            raw,
            vec![gateway.managed_group.clone()],
            vpc.as_ref(),
            self.limits.groups_per_eni,
        );
        if let Some(enis) = &enis {
            self.checker()
                .node_in_managed_group(field("groups"), enis, &gateway);
        }
        (Some(EndpointKind::GatewayNode { gateway: id }), vpc, enis)
    }

    /// The ENIs of an endpoint, from `enis` or from the `private_ip`/`groups` shorthand;
    /// `default_groups` fill a shorthand ENI that names no group.
    fn enis(
        &mut self,
        location: &Location,
        raw: &RawEndpoint,
        default_groups: Vec<GroupId>,
        vpc: Option<&VpcId>,
        max_groups: usize,
    ) -> Option<Vec<Eni>> {
        let field = |name: &str| location.clone().field(name);
        if raw.enis.is_some() && (raw.groups.is_some() || raw.private_ip.is_some()) {
            self.sink.error(
                field("enis"),
                "give either enis or the private_ip/groups shorthand for a single ENI, not both",
            );
            return None;
        }
        let mut ok = true;
        let mut enis = Vec::new();
        match &raw.enis {
            Some(raw_enis) => {
                for (eni_index, raw_eni) in raw_enis.iter().enumerate() {
                    let prefix = format!("enis[{eni_index}]");
                    let mut private_ips = Vec::new();
                    for (ip_index, text) in raw_eni.private_ips.iter().enumerate() {
                        match self.ip(field(&format!("{prefix}.private_ips[{ip_index}]")), text) {
                            Some(ip) => private_ips.push(ip),
                            None => ok = false,
                        }
                    }
                    let groups = self.eni_groups(
                        &field(&format!("{prefix}.groups")),
                        &raw_eni.groups,
                        vpc,
                        max_groups,
                    );
                    match groups {
                        Some(groups) => enis.push(Eni {
                            id: raw_eni
                                .id
                                .as_deref()
                                .map(str::trim)
                                .filter(|id| !id.is_empty())
                                .map(str::to_owned),
                            private_ips,
                            groups,
                        }),
                        None => ok = false,
                    }
                }
            }
            None => {
                let private_ips = match raw.private_ip.as_deref() {
                    Some(text) => match self.ip(field("private_ip"), text) {
                        Some(ip) => vec![ip],
                        None => {
                            ok = false;
                            Vec::new()
                        }
                    },
                    None => Vec::new(),
                };
                let written = raw.groups.clone().unwrap_or_default();
                if raw.groups.is_none() && default_groups.is_empty() {
                    if raw.private_ip.is_some() {
                        self.sink.error(
                            field("groups"),
                            "the endpoint has a private_ip but no groups: an ENI belongs to 1 to 10 security groups",
                        );
                        return None;
                    }
                    return Some(Vec::new());
                }
                let groups = if raw.groups.is_none() {
                    Some(default_groups)
                } else {
                    self.eni_groups(&field("groups"), &written, vpc, max_groups)
                };
                match groups {
                    Some(groups) => enis.push(Eni {
                        id: None,
                        private_ips,
                        groups,
                    }),
                    None => ok = false,
                }
            }
        }
        ok.then_some(enis)
    }

    fn eni_groups(
        &mut self,
        location: &Location,
        written: &[String],
        vpc: Option<&VpcId>,
        max_groups: usize,
    ) -> Option<Vec<GroupId>> {
        let ids: Vec<GroupId> = written
            .iter()
            .map(|text| GroupId(text.trim().to_owned()))
            .collect();
        self.checker().eni_groups(location, &ids, vpc, max_groups)
    }

    fn service(&mut self, location: &Location, index: usize, raw: &RawService) -> Option<Service> {
        let field = |name: &str| location.clone().field(format!("services[{index}].{name}"));
        let protocol = match raw.protocol.as_deref() {
            None => Protocol::Tcp,
            Some(text) => self
                .sink
                .check(field("protocol"), check_protocol_field(text))?,
        };
        let ports = match (&raw.port, &raw.port_range) {
            (Some(_), Some(_)) => {
                self.sink
                    .error(field("port"), "give either port or port_range, not both");
                return None;
            }
            (Some(port), None) => {
                if !protocol.has_ports() {
                    self.sink.report(
                        field("port"),
                        &Error::PortsNotAllowed {
                            protocol,
                            ports: port.to_text(),
                        },
                    );
                    return None;
                }
                let port = self
                    .sink
                    .check(field("port"), check_single_port_field(&port.to_text()))?;
                PortRange::single(port).ok()?
            }
            (None, Some(range)) => {
                let ports = self.sink.check(
                    field("port_range"),
                    check_port_field(protocol, &range.to_text()),
                )?;
                ports.as_range()
            }
            (None, None) if protocol.has_ports() => {
                self.sink.error(
                    field("port"),
                    format!("a {protocol} service needs a port (8080) or a port_range (80/9000)"),
                );
                return None;
            }
            (None, None) => PortRange::ALL,
        };
        Some(Service {
            name: raw.name.clone(),
            protocol,
            ports,
            up: raw.up.unwrap_or(true),
        })
    }
}
