//! The peer of a rule as the editor shows it, and the part of the topology its check reads.

use sglab_core::model::{Peer, SecurityGroup, Topology};

use crate::types::Shared;

/// The topology as the peer check of a row reads it (groups' ids, VPCs and types, prefix-list
/// ids): equal to another when those are, so that an edit of one rule re-renders only its row.
#[derive(Clone, Debug)]
pub struct PeerContext(pub Shared<Topology>);

impl PartialEq for PeerContext {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&*self.0, &*other.0);
        if std::ptr::eq(a, b) {
            return true;
        }
        // Every field is named, so that a new one fails to build here until someone decides
        // whether the peer check reads it.
        let Topology {
            // Not a peer.
            name: _,
            // A group peer must be in the same VPC; the VPCs themselves are not read.
            vpcs: _,
            // A group peer: its id, VPC and type (compared below).
            groups,
            // Endpoints, clusters and gateways are never a rule's peer.
            endpoints: _,
            clusters: _,
            gateways: _,
            // A prefix-list peer: its id.
            prefix_lists,
            // Not a peer.
            expectations: _,
            layout: _,
        } = a;
        prefix_lists.len() == b.prefix_lists.len()
            && prefix_lists.keys().eq(b.prefix_lists.keys())
            && groups.len() == b.groups.len()
            && groups
                .values()
                .zip(b.groups.values())
                .all(|(x, y)| same_as_peer(x, y))
    }
}

/// Whether two groups check alike as the peer of a rule.
fn same_as_peer(a: &SecurityGroup, b: &SecurityGroup) -> bool {
    let SecurityGroup {
        // The id a rule names.
        id,
        // Names, descriptions and tags are not checked.
        name: _,
        description: _,
        tags: _,
        // A peer group must be in the rule's group's VPC.
        vpc,
        // An enterprise group may neither name nor be named by another group.
        group_type,
        // A managed group may be named; its policy and rules do not change the check.
        inner_access_policy: _,
        managed_by: _,
        rules: _,
    } = a;
    *id == b.id && *vpc == b.vpc && *group_type == b.group_type
}

/// The text of a peer in the editor.
pub fn peer_text(peer: &Peer) -> String {
    match peer {
        Peer::Cidr(cidr) => cidr.to_string(),
        Peer::Group {
            id,
            owner_account: None,
        } => id.to_string(),
        Peer::Group {
            id,
            owner_account: Some(account),
        } => format!("{id} (account {account})"),
        Peer::PrefixList(id) => id.to_string(),
    }
}
