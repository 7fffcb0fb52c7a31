//! The external parties a diff compares besides the endpoints: the address blocks the rules of
//! either side distinguish.
//!
//! A block is chosen when it is the CIDR peer of some rule, or an entry of a prefix list some
//! rule names, on either side, truncated to its network (`203.0.113.7/24` is
//! `203.0.113.0/24`), and it is outside the private space of the topologies: not contained in
//! a VPC's CIDR or a cluster's pod CIDR (those address the endpoints themselves, which the diff
//! compares already). A block that an external endpoint of either side already covers exactly,
//! or whose text is already an endpoint id, is left out. A CIDR rule matches an external
//! network only when the rule's block contains all of it (`docs/semantics.md`), so the party of
//! a block is matched by exactly the rules whose blocks contain it: one party per block the
//! rules name covers every distinction they draw between external sources and targets.

use std::collections::BTreeSet;

use ipnet::IpNet;
use rustc_hash::FxHashSet;

use crate::model::{Endpoint, EndpointId, EndpointKind, Peer, Topology};

/// The external blocks the rules of `old` and `new` distinguish, sorted (see the module doc
/// for how a block is chosen).
pub fn external_blocks(old: &Topology, new: &Topology) -> Vec<IpNet> {
    // Most rules name a handful of blocks: a hash set takes the repeats, sorted once after.
    let mut named: FxHashSet<IpNet> = FxHashSet::default();
    for topology in [old, new] {
        for group in topology.groups.values() {
            for rule in &group.rules {
                match &rule.peer {
                    Peer::Cidr(net) => {
                        named.insert(net.trunc());
                    }
                    Peer::PrefixList(id) => {
                        if let Some(list) = topology.prefix_lists.get(id) {
                            named.extend(list.cidrs.iter().map(IpNet::trunc));
                        }
                    }
                    Peer::Group { .. } => {}
                }
            }
        }
    }
    let mut named: Vec<IpNet> = named.into_iter().collect();
    named.sort_unstable();
    external_among(old, new, named)
}

/// The blocks of `named` (the blocks the rules of either side name, truncated, sorted) that a
/// diff compares as external parties (see the module doc).
pub(super) fn external_among(old: &Topology, new: &Topology, named: Vec<IpNet>) -> Vec<IpNet> {
    let covered = [old, new].map(covered);
    named
        .into_iter()
        .filter(|block| !is_private(old, block) && !is_private(new, block))
        .filter(|block| !covered.iter().any(|covered| covered.contains(block)))
        .filter(|block| {
            let id = EndpointId(block.to_string());
            !old.endpoints.contains_key(&id) && !new.endpoints.contains_key(&id)
        })
        .collect()
}

/// `topology` with one external endpoint per block, whose id and name are the block's text.
pub fn with_external_peers(topology: &Topology, blocks: &[IpNet]) -> Topology {
    let mut full = topology.clone();
    add_external_peers(&mut full, &named_blocks(blocks));
    full
}

/// Each block with its id, the block's text.
pub(super) fn named_blocks(blocks: &[IpNet]) -> Vec<(IpNet, EndpointId)> {
    blocks
        .iter()
        .map(|block| (*block, EndpointId(block.to_string())))
        .collect()
}

/// Adds one external endpoint per block (from [`named_blocks`]) to `topology`, as
/// [`with_external_peers`] does.
pub(super) fn add_external_peers(full: &mut Topology, blocks: &[(IpNet, EndpointId)]) {
    for (block, id) in blocks {
        let id = id.clone();
        full.endpoints.entry(id.clone()).or_insert(Endpoint {
            name: id.0.clone(),
            id,
            kind: EndpointKind::External { cidr: *block },
            vpc: None,
            enis: Vec::new(),
            public_ip: None,
            pod_ip: None,
            services: None,
        });
    }
}

/// Whether the block lies in a VPC's CIDR or a cluster's pod CIDR.
fn is_private(topology: &Topology, block: &IpNet) -> bool {
    topology
        .vpcs
        .values()
        .filter_map(|vpc| vpc.cidr)
        .chain(topology.clusters.values().filter_map(|c| c.pod_cidr))
        .any(|space| space.contains(block))
}

/// The blocks an external endpoint already stands for (its block, truncated to its network).
fn covered(topology: &Topology) -> BTreeSet<IpNet> {
    topology
        .endpoints
        .values()
        .filter_map(|endpoint| match &endpoint.kind {
            EndpointKind::External { cidr } => Some(cidr.trunc()),
            _ => None,
        })
        .collect()
}
