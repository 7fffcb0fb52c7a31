//! The two topologies as the two matrices of a diff see them: over the same endpoints and the
//! same rule blocks, so that the matrix after the change is the matrix before it after an edit
//! of rules ([`crate::matrix::matrix_after_edit`]), which computes again only the pairs whose
//! groups' rules changed.
//!
//! Endpoints compare as classes whose signature holds, for each address, the rule blocks that
//! contain it (`crate::matrix`). A change that names a new block would split classes and make
//! the second matrix a whole new build; so both sides get the endpoints of both (the cells
//! between an endpoint and another are those of the endpoints alone, and the cells of an
//! endpoint a side does not have are never read) and one extra group, without members and the
//! same on both sides, whose rules name every block either side names. A group without
//! members filters nothing, so no cell changes.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;

use crate::model::{
    Direction, GroupId, GroupType, InnerAccessPolicy, NicType, Peer, Policy, PortSpec, Priority,
    Protocol, Rule, SecurityGroup, Topology,
};

/// `old` and `new` as their matrices see them (see the module doc).
pub(super) fn shared<'t>(
    old: &'t Topology,
    new: &'t Topology,
) -> (Cow<'t, Topology>, Cow<'t, Topology>) {
    let mut old_all = with_missing(old, new);
    let mut new_all = with_missing(new, old);
    if old.prefix_lists != new.prefix_lists || blocks(old) == blocks(new) {
        // The reuse needs the same prefix lists; the same blocks need no extra group.
        return (old_all, new_all);
    }
    let Some(vpc) = old.vpcs.keys().next().cloned() else {
        return (old_all, new_all);
    };
    let mut id = GroupId("sg-diff-blocks".to_owned());
    while old.groups.contains_key(&id) || new.groups.contains_key(&id) {
        id.0.push('-');
    }
    let mut all = blocks(old);
    all.extend(blocks(new));
    let rules: Vec<Rule> = all.into_iter().map(naming).collect();
    for topology in [&mut old_all, &mut new_all] {
        topology.to_mut().groups.insert(
            id.clone(),
            SecurityGroup {
                id: id.clone(),
                name: String::new(),
                description: String::new(),
                tags: BTreeMap::new(),
                vpc: vpc.clone(),
                group_type: GroupType::Basic,
                inner_access_policy: InnerAccessPolicy::Accept,
                managed_by: None,
                rules: rules.clone(),
            },
        );
    }
    (old_all, new_all)
}

/// `topology` with the endpoints only `other` has.
fn with_missing<'t>(topology: &'t Topology, other: &Topology) -> Cow<'t, Topology> {
    let missing: Vec<_> = other
        .endpoints
        .iter()
        .filter(|(id, _)| !topology.endpoints.contains_key(*id))
        .collect();
    if missing.is_empty() {
        return Cow::Borrowed(topology);
    }
    let mut all = topology.clone();
    for (id, endpoint) in missing {
        all.endpoints.insert(id.clone(), endpoint.clone());
    }
    Cow::Owned(all)
}

/// The blocks the rules of `topology` name as peers or local CIDRs.
fn blocks(topology: &Topology) -> BTreeSet<IpNet> {
    let mut blocks = BTreeSet::new();
    for group in topology.groups.values() {
        for rule in &group.rules {
            if let Peer::Cidr(block) = rule.peer {
                blocks.insert(block);
            }
            if let Some(block) = rule.local_cidr {
                blocks.insert(block);
            }
        }
    }
    blocks
}

/// A rule that names `block` as its peer and its local CIDR.
fn naming(block: IpNet) -> Rule {
    Rule {
        id: None,
        direction: Direction::Ingress,
        policy: Policy::Accept,
        priority: Priority::HIGHEST,
        protocol: Protocol::All,
        ports: PortSpec::All,
        peer: Peer::Cidr(block),
        source_ports: None,
        local_cidr: Some(block),
        nic_type: NicType::Intranet,
        description: String::new(),
    }
}
