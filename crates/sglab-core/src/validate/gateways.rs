//! The checks of gateways: the managed group of their nodes, their authorizations, and the
//! rules the authorizations stand for.

use super::check::Checker;
use crate::diagnostic::{Diagnostic, Location};
use crate::model::{Authorization, Gateway, GatewayKind, GroupId, GroupType, VpcId};
use crate::Error;

impl Checker<'_> {
    /// One gateway of the model; the gateway as the lowering of its file would keep it, or
    /// `None`, and whether its managed group is usable.
    pub(crate) fn gateway(&mut self, gateway: &Gateway) -> (Option<Gateway>, bool) {
        let location = self.object(format!("gateway {}", gateway.id));
        let vpc = self
            .vpc_reference(&location, &gateway.vpc)
            .then(|| gateway.vpc.clone());
        let managed_ok = self.managed_group(
            &location,
            &gateway.managed_group,
            vpc.as_ref(),
            Some(gateway.kind),
        );
        let mut authorizations = Vec::new();
        for (index, authorization) in gateway.authorizations.iter().enumerate() {
            let prefix = format!("authorizations[{index}]");
            if self.authorization(
                &location,
                &prefix,
                &gateway.managed_group,
                vpc.as_ref(),
                authorization,
            ) {
                authorizations.push(authorization.clone());
            }
        }
        let survivor = (vpc.is_some() && managed_ok).then(|| Gateway {
            authorizations,
            ..gateway.clone()
        });
        (survivor, managed_ok)
    }

    /// The managed group of a gateway: named, existing, of the gateway's VPC, marked as managed.
    pub(crate) fn managed_group(
        &mut self,
        location: &Location,
        managed_group: &GroupId,
        vpc: Option<&VpcId>,
        kind: Option<GatewayKind>,
    ) -> bool {
        let field = location.clone().field("managed_group");
        if managed_group.0.is_empty() {
            self.sink.error(
                field,
                "managed_group is missing: name the security group of the gateway's nodes",
            );
            return false;
        }
        let Some(info) = self.known.groups.get(managed_group).cloned() else {
            self.sink
                .report(field, &Error::UnknownGroup(managed_group.clone()));
            return false;
        };
        if let (Some(group_vpc), Some(vpc)) = (&info.vpc, vpc) {
            if group_vpc != vpc {
                self.sink.push(
                    Diagnostic::error(
                        field,
                        format!(
                            "managed group {managed_group} is in VPC {group_vpc}, but the gateway is in VPC {vpc}: a gateway's nodes sit in its own VPC"
                        ),
                    )
                    .with_code("InvalidSourceGroupId.Mismatch"),
                );
                return false;
            }
        }
        if let Some(group) = self.topology.groups.get(managed_group) {
            if group.managed_by.is_none() {
                let product = managed_product(kind);
                self.sink.warning(
                    field,
                    format!(
                        "security group {managed_group} is a gateway's managed group but has no managed_by: marked as managed by {product}, read-only"
                    ),
                );
            }
        }
        true
    }

    /// The backend group of an authorization.
    pub(crate) fn authorization_backend(
        &mut self,
        location: Location,
        backend: &GroupId,
        managed_group: &GroupId,
        vpc: Option<&VpcId>,
    ) -> bool {
        let mut ok = true;
        match self.known.groups.get(backend).cloned() {
            None if backend.0.is_empty() => {
                self.sink.error(
                    location,
                    "backend_group is missing: name the security group of the backend's nodes",
                );
                ok = false;
            }
            None => {
                self.sink
                    .report(location, &Error::UnknownGroup(backend.clone()));
                ok = false;
            }
            Some(info) => {
                if backend == managed_group {
                    self.sink.error(
                        location.clone(),
                        format!("security group {backend} is the gateway's own managed group: authorize the backend's group instead"),
                    );
                    ok = false;
                } else if info.group_type == GroupType::Enterprise {
                    self.sink.report(
                        location.clone(),
                        &Error::EnterpriseCannotReference(backend.clone()),
                    );
                    ok = false;
                }
                if let (Some(group_vpc), Some(vpc)) = (&info.vpc, vpc) {
                    if group_vpc != vpc {
                        self.sink.report(
                            location,
                            &Error::GroupVpcMismatch {
                                group: backend.clone(),
                                group_vpc: group_vpc.clone(),
                                vpc: vpc.clone(),
                            },
                        );
                        ok = false;
                    }
                }
            }
        }
        ok
    }

    /// An authorization with no port range.
    pub(crate) fn authorization_port_count(&mut self, location: Location, count: usize) -> bool {
        if count == 0 {
            self.sink.error(
                location,
                "the authorization has no port range: give one or more, such as 8080/8080 or 1/65535",
            );
            return false;
        }
        true
    }

    fn authorization(
        &mut self,
        location: &Location,
        prefix: &str,
        managed_group: &GroupId,
        vpc: Option<&VpcId>,
        authorization: &Authorization,
    ) -> bool {
        let field = |name: &str| location.clone().field(format!("{prefix}.{name}"));
        let mut ok = self.authorization_backend(
            field("backend_group"),
            &authorization.backend_group,
            managed_group,
            vpc,
        );
        ok &= self.authorization_port_count(field("port_ranges"), authorization.port_ranges.len());
        self.description(field("description"), &authorization.description);
        ok
    }

    /// Warns about gateway authorizations whose generated rule is missing from the backend
    /// group: the gateway lists it, but nothing allows the traffic.
    pub(crate) fn authorization_rules(&mut self) {
        let topology = self.topology;
        for gateway in topology.gateways.values() {
            for authorization in &gateway.authorizations {
                let Some(group) = topology.groups.get(&authorization.backend_group) else {
                    continue;
                };
                for range in &authorization.port_ranges {
                    let expected = crate::gateway::authorization_rule(
                        &gateway.managed_group,
                        *range,
                        &authorization.description,
                    );
                    if !group
                        .rules
                        .iter()
                        .any(|rule| crate::gateway::is_same_authorization_rule(rule, &expected))
                    {
                        let (group, managed) = (&group.id, &gateway.managed_group);
                        let location = self
                            .object(format!("gateway {}", gateway.id))
                            .field("authorizations");
                        self.sink.warning(
                            location,
                            format!("the authorization of {range} on {group} has no matching rule in {group} (ingress, accept, priority 1, tcp {range}, group {managed}): the gateway lists it but the group does not allow the traffic"),
                        );
                    }
                }
            }
        }
    }
}

/// The product a gateway's managed group is marked with.
pub(crate) fn managed_product(kind: Option<GatewayKind>) -> &'static str {
    match kind {
        Some(GatewayKind::MseCloudNative) => "MSE Cloud-Native Gateway",
        _ => "AI Gateway",
    }
}
