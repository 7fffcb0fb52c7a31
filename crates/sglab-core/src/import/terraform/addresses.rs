//! Where an instance or ENI sits: its VPC and private address, with the addresses Terraform
//! knows only after apply planned deterministically (shown as planned in a warning).

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;

use super::resources::{address, group_list, Resource};
use crate::diagnostic::Sink;
use crate::model::{Topology, VpcId};

/// The public addresses given to instances whose address Terraform knows only after apply: a
/// documentation block (RFC 5737), so that a planned address is never mistaken for a real one.
const PLANNED_PUBLIC_BLOCK: [u8; 3] = [198, 51, 100];

/// The VPC and private address of an instance or ENI, planned from its vswitch when Terraform
/// assigns it only at apply.
pub(super) fn placement(
    resource: &Resource,
    vswitches: &BTreeMap<String, (Option<String>, Option<IpNet>)>,
    topology: &Topology,
    planned: &mut PlannedAddresses,
    sink: &mut Sink,
) -> (Option<VpcId>, Option<IpAddr>) {
    let vswitch = resource.text("vswitch_id");
    let switch = vswitch.as_ref().and_then(|id| vswitches.get(id));
    let vpc = switch
        .and_then(|(vpc, _)| vpc.clone())
        .or_else(|| {
            let group = group_list(resource).into_iter().next()?;
            topology
                .groups
                .get(&group)
                .map(|group| group.vpc.to_string())
        })
        .map(|vpc| VpcId::from(vpc.as_str()));
    let field = ["private_ip", "primary_ip_address"]
        .into_iter()
        .find(|field| resource.text(field).is_some());
    let private_ip = match field {
        Some(field) => resource
            .text(field)
            .and_then(|text| address(resource, field, &text, sink)),
        None => match switch.and_then(|(_, block)| *block) {
            Some(block) => planned.private(resource, block, sink),
            None => {
                sink.warning(
                    resource.location().field("private_ip"),
                    "no private_ip and no vswitch CIDR block in the files: the endpoint has no private address",
                );
                None
            }
        },
    };
    (vpc, private_ip)
}

/// Addresses Terraform knows only after apply, assigned deterministically in file order.
#[derive(Default)]
pub(super) struct PlannedAddresses {
    pub(super) taken: BTreeSet<IpAddr>,
    public_next: u8,
}

impl PlannedAddresses {
    /// The first address of the vswitch's block that is not taken, past the addresses the
    /// vendor reserves (the first three and the last, as the editor's free addresses skip).
    pub(super) fn private(
        &mut self,
        resource: &Resource,
        block: IpNet,
        sink: &mut Sink,
    ) -> Option<IpAddr> {
        let found = crate::edit::free_in(block, &self.taken)?;
        self.taken.insert(found);
        sink.warning(
            resource.location().field("private_ip"),
            format!("the private address is known only after apply: planned as {found}, the first free address of the vswitch's {block}"),
        );
        Some(found)
    }

    pub(super) fn public(&mut self, resource: &Resource, sink: &mut Sink) -> IpAddr {
        self.public_next = self.public_next.saturating_add(1);
        let [a, b, c] = PLANNED_PUBLIC_BLOCK;
        let found = IpAddr::V4(Ipv4Addr::new(a, b, c, self.public_next));
        sink.warning(
            resource.location().field("internet_max_bandwidth_out"),
            format!("the public address is known only after apply: planned as {found}"),
        );
        found
    }
}
