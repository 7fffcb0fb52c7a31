//! Gateway security-group authorization (reference §6), as pure operations on a [`Topology`].
//!
//! [`authorize`] does what the AI gateway and MSE cloud-native gateway consoles do when the
//! user saves an authorization: for each port range it creates, in the **backend's** group, an
//! inbound rule `accept`, priority 1, TCP, that range, source = the gateway's managed group,
//! NicType `intranet`; and it lists the authorization on the gateway. [`revoke`] deletes the
//! authorization from the gateway and, only with [`Cascade::RemoveBackendRules`], the generated
//! rules from the backend group.
//!
//! Decision: authorizing into an **enterprise** backend group is an error
//! ([`GatewayError::EnterpriseGroup`]). The generated rule references the managed group, and an
//! enterprise group can neither reference a group nor be referenced (reference §2,
//! basic-vs-advanced page). The gateway documents recommend choosing the gateway's group type
//! to match the backend's; with an enterprise backend, open the ports with a CIDR rule for the
//! gateway's vSwitch instead. For the same reason an enterprise managed group is an error.
//!
//! ```
//! use sglab_core::load::parse_sglab;
//! use sglab_core::gateway::{authorize, revoke, Cascade};
//! use sglab_core::model::{GatewayId, GroupId, PortRange};
//!
//! let mut topology = parse_sglab(r#"{"sglab": 1, "vpcs": [{"id": "vpc-1"}],
//!   "security_groups": [{"id": "sg-gw", "managed_by": "AI Gateway"}, {"id": "sg-app"}],
//!   "endpoints": [],
//!   "gateways": [{"id": "gw-1", "kind": "ai_gateway", "managed_group": "sg-gw"}]}"#, None)
//!     .expect("valid").topology;
//! let gateway = GatewayId::from("gw-1");
//! let backend = GroupId::from("sg-app");
//! let ranges = [PortRange::single(8080).expect("valid port")];
//! authorize(&mut topology, &gateway, &backend, &ranges, "web").expect("authorized");
//! assert_eq!(topology.groups[&backend].rules.len(), 1);
//! revoke(&mut topology, &gateway, &backend, Cascade::KeepBackendRules).expect("revoked");
//! // Without cascade the backend rule stays and still allows the gateway in.
//! assert_eq!(topology.groups[&backend].rules.len(), 1);
//! ```

use crate::model::{
    Authorization, Direction, GatewayId, GroupId, GroupType, NicType, Peer, Policy, PortRange,
    PortSpec, Priority, Protocol, Rule, Topology, VpcId,
};

/// Why a gateway operation was refused. The topology is left untouched.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// No gateway has this id.
    #[error("gateway {0} does not exist")]
    UnknownGateway(GatewayId),
    /// A group named does not exist (the backend group, or the gateway's managed group):
    /// [`crate::Error::UnknownGroup`].
    #[error(transparent)]
    Reference(crate::Error),
    /// The backend group is in another VPC than the gateway; group references only work
    /// inside one VPC.
    #[error("security group {group} is in VPC {group_vpc}, but gateway {gateway} is in VPC {gateway_vpc}: authorize a group of the gateway's VPC (InvalidSourceGroupId.Mismatch)")]
    VpcMismatch {
        /// The gateway.
        gateway: GatewayId,
        /// Its VPC.
        gateway_vpc: VpcId,
        /// The backend group.
        group: GroupId,
        /// Its VPC.
        group_vpc: VpcId,
    },
    /// The backend group or the managed group is an enterprise group, which can neither
    /// reference a group nor be referenced.
    #[error("security group {0} is an enterprise group: enterprise groups can neither reference a group nor be referenced, so the gateway's authorization rule cannot exist there; open the ports with a CIDR rule instead (OperationDenied)")]
    EnterpriseGroup(GroupId),
    /// The backend group is managed by a cloud product (for example it is the gateway's own
    /// managed group) and is read-only to the user.
    #[error("security group {group} is managed by {managed_by} and is read-only: authorize the group of the backend's nodes instead")]
    ManagedGroupReadOnly {
        /// The group.
        group: GroupId,
        /// The product managing it.
        managed_by: String,
    },
    /// No port range was given.
    #[error("no port range given: give one or more, such as 8080/8080 or 1/65535")]
    NoPortRanges,
    /// The description is longer than 512 characters.
    #[error("description is {0} characters long: at most 512 are allowed (InvalidDescription.Malformed)")]
    DescriptionTooLong(usize),
    /// The gateway has no authorization for this backend group.
    #[error("gateway {gateway} has no authorization for security group {group}")]
    NotAuthorized {
        /// The gateway.
        gateway: GatewayId,
        /// The backend group.
        group: GroupId,
    },
}

/// What [`revoke`] does with the inbound rules the authorization created in the backend group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cascade {
    /// Delete them too (the console's "The preceding inbound rules in the security group are
    /// also deleted" box ticked).
    RemoveBackendRules,
    /// Leave them: they still allow the gateway in (the console's default).
    KeepBackendRules,
}

/// The rule an authorization creates in the backend group for one range: ingress, accept,
/// priority 1, TCP, the range, peer = the managed group, `intranet`.
pub fn authorization_rule(managed_group: &GroupId, range: PortRange, description: &str) -> Rule {
    Rule {
        id: None,
        direction: Direction::Ingress,
        policy: Policy::Accept,
        priority: Priority::HIGHEST,
        protocol: Protocol::Tcp,
        ports: PortSpec::Range(range),
        peer: Peer::Group {
            id: managed_group.clone(),
            owner_account: None,
        },
        source_ports: None,
        local_cidr: None,
        nic_type: NicType::Intranet,
        description: description.to_owned(),
    }
}

/// Whether `rule` has the effect of the authorization rule `expected`: same direction, policy,
/// priority, protocol, ports, peer, no quintuple fields. Rule id, NicType and description do
/// not matter.
pub fn is_same_authorization_rule(rule: &Rule, expected: &Rule) -> bool {
    rule.direction == expected.direction
        && rule.policy == expected.policy
        && rule.priority == expected.priority
        && rule.protocol == expected.protocol
        && rule.ports == expected.ports
        && rule.source_ports.is_none()
        && rule.local_cidr.is_none()
        && match (&rule.peer, &expected.peer) {
            (Peer::Group { id, .. }, Peer::Group { id: expected, .. }) => id == expected,
            (peer, expected) => peer == expected,
        }
}

/// Authorizes a gateway into a backend group on the given TCP port ranges.
///
/// Creates one inbound rule per range in the backend group (see [`authorization_rule`]) unless
/// an equivalent rule is already there, and lists the ranges on the gateway's authorization for
/// that group (merged with an existing authorization of the same group). Authorizing twice
/// changes nothing. On error the topology is untouched.
pub fn authorize(
    topology: &mut Topology,
    gateway: &GatewayId,
    backend_group: &GroupId,
    port_ranges: &[PortRange],
    description: &str,
) -> Result<(), GatewayError> {
    let gateway_data = topology
        .gateways
        .get(gateway)
        .ok_or_else(|| GatewayError::UnknownGateway(gateway.clone()))?;
    let managed_group = gateway_data.managed_group.clone();
    let gateway_vpc = gateway_data.vpc.clone();
    let managed = topology.groups.get(&managed_group).ok_or_else(|| {
        GatewayError::Reference(crate::Error::UnknownGroup(managed_group.clone()))
    })?;
    if managed.group_type == GroupType::Enterprise {
        return Err(GatewayError::EnterpriseGroup(managed_group));
    }
    let backend = topology.groups.get(backend_group).ok_or_else(|| {
        GatewayError::Reference(crate::Error::UnknownGroup(backend_group.clone()))
    })?;
    if backend.vpc != gateway_vpc {
        return Err(GatewayError::VpcMismatch {
            gateway: gateway.clone(),
            gateway_vpc,
            group: backend_group.clone(),
            group_vpc: backend.vpc.clone(),
        });
    }
    if let Some(managed_by) = &backend.managed_by {
        return Err(GatewayError::ManagedGroupReadOnly {
            group: backend_group.clone(),
            managed_by: managed_by.clone(),
        });
    }
    if backend_group == &managed_group {
        return Err(GatewayError::ManagedGroupReadOnly {
            group: backend_group.clone(),
            managed_by: gateway.to_string(),
        });
    }
    if backend.group_type == GroupType::Enterprise {
        return Err(GatewayError::EnterpriseGroup(backend_group.clone()));
    }
    if port_ranges.is_empty() {
        return Err(GatewayError::NoPortRanges);
    }
    let length = description.chars().count();
    if length > crate::model::MAX_DESCRIPTION_CHARS {
        return Err(GatewayError::DescriptionTooLong(length));
    }

    if let Some(backend) = topology.groups.get_mut(backend_group) {
        for range in port_ranges {
            let rule = authorization_rule(&managed_group, *range, description);
            if !backend
                .rules
                .iter()
                .any(|existing| is_same_authorization_rule(existing, &rule))
            {
                backend.rules.push(rule);
            }
        }
    }
    if let Some(gateway) = topology.gateways.get_mut(gateway) {
        match gateway
            .authorizations
            .iter_mut()
            .find(|authorization| &authorization.backend_group == backend_group)
        {
            Some(authorization) => {
                for range in port_ranges {
                    if !authorization.port_ranges.contains(range) {
                        authorization.port_ranges.push(*range);
                    }
                }
                if authorization.description.is_empty() {
                    authorization.description = description.to_owned();
                }
            }
            None => {
                let mut ranges: Vec<PortRange> = Vec::new();
                for range in port_ranges {
                    if !ranges.contains(range) {
                        ranges.push(*range);
                    }
                }
                gateway.authorizations.push(Authorization {
                    backend_group: backend_group.clone(),
                    port_ranges: ranges,
                    description: description.to_owned(),
                })
            }
        }
    }
    Ok(())
}

/// Deletes a gateway's authorization of a backend group and returns it.
///
/// With [`Cascade::RemoveBackendRules`] the inbound rules it created (one per range, matched by
/// [`is_same_authorization_rule`]) are deleted from the backend group too; other rules of the
/// group stay. With [`Cascade::KeepBackendRules`] the backend group is untouched and its rules
/// still allow the gateway in.
pub fn revoke(
    topology: &mut Topology,
    gateway: &GatewayId,
    backend_group: &GroupId,
    cascade: Cascade,
) -> Result<Authorization, GatewayError> {
    let gateway_data = topology
        .gateways
        .get_mut(gateway)
        .ok_or_else(|| GatewayError::UnknownGateway(gateway.clone()))?;
    let position = gateway_data
        .authorizations
        .iter()
        .position(|authorization| &authorization.backend_group == backend_group)
        .ok_or_else(|| GatewayError::NotAuthorized {
            gateway: gateway.clone(),
            group: backend_group.clone(),
        })?;
    let managed_group = gateway_data.managed_group.clone();
    let removed = gateway_data.authorizations.remove(position);
    if cascade == Cascade::RemoveBackendRules {
        if let Some(backend) = topology.groups.get_mut(backend_group) {
            let generated: Vec<Rule> = removed
                .port_ranges
                .iter()
                .map(|range| authorization_rule(&managed_group, *range, ""))
                .collect();
            backend.rules.retain(|rule| {
                !generated
                    .iter()
                    .any(|expected| is_same_authorization_rule(rule, expected))
            });
        }
    }
    Ok(removed)
}
