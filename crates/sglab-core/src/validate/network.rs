//! The checks of endpoints and their ENIs: VPCs, groups per ENI, pods and their clusters and
//! nodes, gateway nodes and their gateways. The lowering of a raw endpoint runs the same
//! methods as the model check.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::check::Checker;
use crate::diagnostic::Location;
use crate::model::{
    Cluster, ClusterId, Endpoint, EndpointId, EndpointKind, Eni, Gateway, GatewayId, GroupId,
    GroupType, NetworkMode, VpcId,
};
use crate::Error;

impl Checker<'_> {
    /// One endpoint of the model, in the order the sglab reader checks its fields; whether the
    /// lowering of its file would keep it.
    pub(crate) fn endpoint(&mut self, endpoint: &Endpoint) -> bool {
        let location = self.object(format!("endpoint {}", endpoint.id));
        let field = |name: &str| location.clone().field(name);
        let shorthand = uses_shorthand(&endpoint.enis);
        let max = self.limits.groups_per_eni;
        match &endpoint.kind {
            EndpointKind::External { .. } => {
                let why = "external endpoints sit outside every VPC and have no groups";
                self.forbid(field("vpc"), endpoint.vpc.is_some(), why);
                self.forbid(
                    field("private_ip"),
                    shorthand && endpoint.enis[0].private_ips.len() == 1,
                    why,
                );
                self.forbid(field("groups"), shorthand, why);
                self.forbid(field("enis"), !shorthand && !endpoint.enis.is_empty(), why);
                self.forbid(field("pod_ip"), endpoint.pod_ip.is_some(), why);
                self.forbid(
                    field("public_ip"),
                    endpoint.public_ip.is_some(),
                    "an external endpoint's address is its cidr",
                );
                true
            }
            EndpointKind::Ecs => {
                self.forbid(
                    field("pod_ip"),
                    endpoint.pod_ip.is_some(),
                    "only Flannel and Terway-shared pods have a pod_ip",
                );
                let vpc = self.endpoint_vpc(&location, endpoint.vpc.as_ref());
                let enis_ok = self.model_enis(&location, &endpoint.enis, vpc.as_ref(), max);
                self.ecs_groups(&location, &endpoint.enis);
                self.private_address(&location, &endpoint.enis);
                vpc.is_some() && enis_ok
            }
            EndpointKind::Pod { cluster, node } => {
                self.forbid(
                    field("public_ip"),
                    endpoint.public_ip.is_some(),
                    "pods are reached through their node or a gateway",
                );
                let cluster = self.pod_cluster(field("cluster"), cluster);
                let node_ok = self.pod_node(field("node"), node);
                let Some(cluster) = cluster else {
                    return false;
                };
                let vpc = self.pod_vpc(field("vpc"), endpoint.vpc.as_ref(), &cluster);
                let enis_ok = match cluster.network_mode {
                    NetworkMode::Flannel | NetworkMode::TerwayShared => {
                        if !endpoint.enis.is_empty() {
                            let name = if shorthand { "groups" } else { "enis" };
                            self.pod_has_eni(field(name), cluster.network_mode);
                        }
                        let written = endpoint.pod_ip.is_some();
                        self.pod_ip(field("pod_ip"), &cluster, endpoint.pod_ip, written);
                        true
                    }
                    NetworkMode::TerwayTrunk => {
                        self.trunk_pod_ip(field("pod_ip"), endpoint.pod_ip.is_some());
                        let max = self.limits.groups_per_trunk_pod;
                        let ok = self.model_enis(&location, &endpoint.enis, vpc.as_ref(), max);
                        self.trunk_pod_enis(field("groups"), &endpoint.enis);
                        ok
                    }
                };
                node_ok && vpc.is_some() && enis_ok
            }
            EndpointKind::GatewayNode { gateway } => {
                self.forbid(
                    field("pod_ip"),
                    endpoint.pod_ip.is_some(),
                    "only Flannel and Terway-shared pods have a pod_ip",
                );
                let Some(gateway) = self.node_gateway(field("gateway"), gateway) else {
                    return false;
                };
                let vpc = match &endpoint.vpc {
                    Some(vpc) => self.vpc_reference(&location, vpc).then(|| vpc.clone()),
                    None => Some(gateway.vpc.clone()),
                };
                self.node_vpc(field("vpc"), vpc.as_ref(), &gateway);
                let enis_ok = self.model_enis(&location, &endpoint.enis, vpc.as_ref(), max);
                self.node_in_managed_group(field("groups"), &endpoint.enis, &gateway);
                self.private_address(&location, &endpoint.enis);
                vpc.is_some() && enis_ok
            }
        }
    }

    /// A field the endpoint's kind does not allow.
    pub(crate) fn forbid(&mut self, location: Location, present: bool, why: &str) {
        if present {
            let name = location.field.clone().unwrap_or_default();
            self.sink
                .error(location, format!("{name} is not allowed here: {why}"));
        }
    }

    /// The VPC of an endpoint that names none: the only VPC of the topology.
    pub(crate) fn missing_vpc(&mut self, location: &Location) -> Option<VpcId> {
        let mut ids = self.topology.vpcs.keys();
        if let (Some(id), None) = (ids.next(), ids.next()) {
            return Some(id.clone());
        }
        let count = self.topology.vpcs.len();
        self.sink.error(
            location.clone().field("vpc"),
            format!("the VPC is missing: name one of the file's {count} VPCs in vpc"),
        );
        None
    }

    fn endpoint_vpc(&mut self, location: &Location, vpc: Option<&VpcId>) -> Option<VpcId> {
        match vpc {
            Some(vpc) => self.vpc_reference(location, vpc).then(|| vpc.clone()),
            None => self.missing_vpc(location),
        }
    }

    fn model_enis(
        &mut self,
        location: &Location,
        enis: &[Eni],
        vpc: Option<&VpcId>,
        max_groups: usize,
    ) -> bool {
        let shorthand = uses_shorthand(enis);
        let mut ok = true;
        for (index, eni) in enis.iter().enumerate() {
            let field = if shorthand {
                "groups".to_owned()
            } else {
                format!("enis[{index}].groups")
            };
            let location = location.clone().field(field);
            ok &= self
                .eni_groups(&location, &eni.groups, vpc, max_groups)
                .is_some();
        }
        ok
    }

    /// The groups of one ENI: 1 to `max_groups`, each once, existing, of the endpoint's VPC,
    /// all of one type. `None` when they are not usable.
    pub(crate) fn eni_groups(
        &mut self,
        location: &Location,
        written: &[GroupId],
        vpc: Option<&VpcId>,
        max_groups: usize,
    ) -> Option<Vec<GroupId>> {
        if written.is_empty() {
            self.sink.error(
                location.clone(),
                format!("an ENI belongs to 1 to {max_groups} security groups: add one"),
            );
            return None;
        }
        if written.len() > max_groups {
            self.sink.error(
                location.clone(),
                format!(
                    "{} security groups on one ENI, more than the limit of {max_groups}: remove some",
                    written.len()
                ),
            );
            return None;
        }
        let mut ok = true;
        let mut groups: Vec<GroupId> = Vec::new();
        let mut types: BTreeMap<GroupType, GroupId> = BTreeMap::new();
        for id in written {
            if groups.contains(id) {
                self.sink.error(
                    location.clone(),
                    format!("security group {id} is listed twice on one ENI"),
                );
                ok = false;
                continue;
            }
            match self.known.groups.get(id).cloned() {
                None => {
                    self.sink
                        .report(location.clone(), &Error::UnknownGroup(id.clone()));
                    ok = false;
                }
                Some(info) => {
                    if let (Some(group_vpc), Some(vpc)) = (&info.vpc, vpc) {
                        if group_vpc != vpc {
                            self.sink.error(
                                location.clone(),
                                format!("security group {id} is in VPC {group_vpc}, but the endpoint is in VPC {vpc}: an ENI joins only groups of its own VPC"),
                            );
                            ok = false;
                        }
                    }
                    types.entry(info.group_type).or_insert_with(|| id.clone());
                }
            }
            groups.push(id.clone());
        }
        if let (Some(basic), Some(enterprise)) = (
            types.get(&GroupType::Basic),
            types.get(&GroupType::Enterprise),
        ) {
            self.sink.error(
                location.clone(),
                format!("the ENI mixes basic group {basic} and enterprise group {enterprise}: an ENI's groups are all of one type"),
            );
            ok = false;
        }
        ok.then_some(groups)
    }

    /// An ECS instance belongs to at least one group.
    pub(crate) fn ecs_groups(&mut self, location: &Location, enis: &[Eni]) {
        if enis.is_empty() {
            self.sink.error(
                location.clone().field("groups"),
                "an ECS instance belongs to at least one security group: add groups",
            );
        }
    }

    /// An instance or gateway node without a private address cannot be reached.
    pub(crate) fn private_address(&mut self, location: &Location, enis: &[Eni]) {
        if !enis.is_empty() && enis.iter().all(|eni| eni.private_ips.is_empty()) {
            self.sink.warning(
                location.clone().field("private_ip"),
                "the endpoint has no private IP: other endpoints of its VPC cannot reach it and group rules cannot match it",
            );
        }
    }

    /// The cluster of a pod must exist.
    pub(crate) fn pod_cluster(&mut self, location: Location, id: &ClusterId) -> Option<Cluster> {
        let cluster = self.topology.clusters.get(id).cloned();
        if cluster.is_none() {
            self.sink.error(
                location,
                format!(
                    "cluster {:?} does not exist: add it to clusters or correct the id",
                    id.as_str()
                ),
            );
        }
        cluster
    }

    /// The node of a pod must be an ECS endpoint.
    pub(crate) fn pod_node(&mut self, location: Location, id: &EndpointId) -> bool {
        match self.known.endpoint_kinds.get(id).map(String::as_str) {
            Some("ecs") => true,
            Some(_) => {
                self.sink.error(
                    location,
                    format!("node {id} is not an ECS endpoint: pods run on ECS nodes"),
                );
                false
            }
            None => {
                self.sink.error(
                    location,
                    format!(
                        "node {:?} does not exist: add an ECS endpoint with this id",
                        id.as_str()
                    ),
                );
                false
            }
        }
    }

    /// A pod sits in its cluster's VPC.
    pub(crate) fn pod_vpc(
        &mut self,
        location: Location,
        vpc: Option<&VpcId>,
        cluster: &Cluster,
    ) -> Option<VpcId> {
        match vpc {
            Some(vpc) if vpc != &cluster.vpc => {
                self.sink.error(
                    location,
                    format!(
                        "the pod is in VPC {vpc}, but its cluster {} is in VPC {}: leave vpc out",
                        cluster.id, cluster.vpc
                    ),
                );
                None
            }
            _ => Some(cluster.vpc.clone()),
        }
    }

    /// A Flannel or Terway-shared pod with an ENI of its own.
    pub(crate) fn pod_has_eni(&mut self, location: Location, mode: NetworkMode) {
        let mode = mode.as_str();
        self.sink.error(
            location,
            format!("pods of a {mode} cluster have no ENI of their own: they use their node's groups, so remove groups, enis and private_ip and give pod_ip"),
        );
    }

    /// The pod IP of a Flannel or Terway-shared pod: given, and inside a Flannel cluster's pod
    /// CIDR. `written` says whether a pod IP was written (perhaps malformed).
    pub(crate) fn pod_ip(
        &mut self,
        location: Location,
        cluster: &Cluster,
        pod_ip: Option<IpAddr>,
        written: bool,
    ) {
        let mode = cluster.network_mode.as_str();
        match pod_ip {
            None if !written => self
                .sink
                .error(location, format!("pods of a {mode} cluster need a pod_ip")),
            Some(ip) if cluster.network_mode == NetworkMode::Flannel => {
                if let Some(pod_cidr) = cluster.pod_cidr {
                    if !pod_cidr.contains(&ip) {
                        self.sink.warning(
                            location,
                            format!("pod_ip {ip} is outside the cluster's pod_cidr {pod_cidr}"),
                        );
                    }
                }
            }
            _ => {}
        }
    }

    /// A pod IP on a Terway-trunk pod, whose address is on its own ENI.
    pub(crate) fn trunk_pod_ip(&mut self, location: Location, written: bool) {
        if written {
            self.sink.warning(
                location,
                "pod_ip is ignored: a terway_trunk pod's address is on its own ENI, write it in private_ip",
            );
        }
    }

    /// A Terway-trunk pod without an ENI.
    pub(crate) fn trunk_pod_enis(&mut self, location: Location, enis: &[Eni]) {
        if enis.is_empty() {
            self.sink.error(
                location,
                "pods of a terway_trunk cluster need their own ENI: give private_ip and groups",
            );
        }
    }

    /// The gateway of a gateway node must exist.
    pub(crate) fn node_gateway(&mut self, location: Location, id: &GatewayId) -> Option<Gateway> {
        let gateway = self.topology.gateways.get(id).cloned();
        if gateway.is_none() {
            self.sink.error(
                location,
                format!(
                    "gateway {:?} does not exist: add it to gateways or correct the id",
                    id.as_str()
                ),
            );
        }
        gateway
    }

    /// A gateway node sits in its gateway's VPC.
    pub(crate) fn node_vpc(&mut self, location: Location, vpc: Option<&VpcId>, gateway: &Gateway) {
        if vpc.is_some_and(|vpc| vpc != &gateway.vpc) {
            self.sink.error(
                location,
                format!(
                    "the gateway node is in another VPC than its gateway {} ({}): leave vpc out",
                    gateway.id, gateway.vpc
                ),
            );
        }
    }

    /// A gateway node outside its gateway's managed group.
    pub(crate) fn node_in_managed_group(
        &mut self,
        location: Location,
        enis: &[Eni],
        gateway: &Gateway,
    ) {
        if !enis
            .iter()
            .any(|eni| eni.groups.contains(&gateway.managed_group))
        {
            self.sink.warning(
                location,
                format!("the gateway node is not in its gateway's managed group {}: authorizations of the gateway do not cover it", gateway.managed_group),
            );
        }
    }
}

/// Whether the sglab format writes these ENIs with the `private_ip`/`groups` shorthand.
pub(crate) fn uses_shorthand(enis: &[Eni]) -> bool {
    matches!(enis, [eni] if eni.id.is_none() && eni.private_ips.len() <= 1 && !eni.groups.is_empty())
}
