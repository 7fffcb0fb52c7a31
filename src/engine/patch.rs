//! What changed between two topologies, for the engine's Web Worker: after an edit the page
//! sends the groups and endpoints that changed (and any other part of the model that did)
//! instead of the whole topology's sglab JSON, whose writing and reading at account scale take
//! longer than a frame; the worker applies them to the topology it evaluated last.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sglab_core::model::{
    Cluster, ClusterId, Endpoint, EndpointId, Expectation, Gateway, GatewayId, GroupId, Position,
    PrefixList, PrefixListId, SecurityGroup, Topology, Vpc, VpcId,
};

/// More groups and endpoints changed than this, the whole topology is sent instead.
pub const PATCH_LIMIT: usize = 256;

/// The changes from one topology to another: each part of the model given whole when it
/// changed, and the groups and endpoints changed, added (`Some`) or removed (`None`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Patch {
    /// The title, when it changed.
    pub name: Option<String>,
    /// The VPCs, when they changed.
    pub vpcs: Option<BTreeMap<VpcId, Vpc>>,
    /// The clusters, when they changed.
    pub clusters: Option<BTreeMap<ClusterId, Cluster>>,
    /// The gateways, when they changed.
    pub gateways: Option<BTreeMap<GatewayId, Gateway>>,
    /// The prefix lists, when they changed.
    pub prefix_lists: Option<BTreeMap<PrefixListId, PrefixList>>,
    /// The expectations, when they changed.
    pub expectations: Option<Vec<Expectation>>,
    /// The diagram's positions, when they changed.
    pub layout: Option<BTreeMap<String, Position>>,
    /// The groups changed or added, and removed.
    pub groups: Vec<(GroupId, Option<SecurityGroup>)>,
    /// The endpoints changed or added, and removed.
    pub endpoints: Vec<(EndpointId, Option<Endpoint>)>,
}

/// The changes from `from` to `to`; `None` when more than [`PATCH_LIMIT`] groups and endpoints
/// changed (a load rather than an edit).
pub fn patch(from: &Topology, to: &Topology) -> Option<Patch> {
    let groups = changes(&from.groups, &to.groups)?;
    let endpoints = changes(&from.endpoints, &to.endpoints)?;
    if groups.len() + endpoints.len() > PATCH_LIMIT {
        return None;
    }
    Some(Patch {
        name: whole(&from.name, &to.name),
        vpcs: whole(&from.vpcs, &to.vpcs),
        clusters: whole(&from.clusters, &to.clusters),
        gateways: whole(&from.gateways, &to.gateways),
        prefix_lists: whole(&from.prefix_lists, &to.prefix_lists),
        expectations: whole(&from.expectations, &to.expectations),
        layout: whole(&from.layout, &to.layout),
        groups,
        endpoints,
    })
}

/// Applies `patch` to `topology`.
pub fn apply(topology: &mut Topology, patch: Patch) {
    let Patch {
        name,
        vpcs,
        clusters,
        gateways,
        prefix_lists,
        expectations,
        layout,
        groups,
        endpoints,
    } = patch;
    set(&mut topology.name, name);
    set(&mut topology.vpcs, vpcs);
    set(&mut topology.clusters, clusters);
    set(&mut topology.gateways, gateways);
    set(&mut topology.prefix_lists, prefix_lists);
    set(&mut topology.expectations, expectations);
    set(&mut topology.layout, layout);
    put(&mut topology.groups, groups);
    put(&mut topology.endpoints, endpoints);
}

/// `to`, when it differs from `from`.
fn whole<T: PartialEq + Clone>(from: &T, to: &T) -> Option<T> {
    (from != to).then(|| to.clone())
}

/// Sets `part` to `value`, if any.
fn set<T>(part: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *part = value;
    }
}

/// The entries of `to` that differ from `from`'s, and those of `from` that `to` lacks; `None`
/// past [`PATCH_LIMIT`].
fn changes<K: Ord + Clone, V: PartialEq + Clone>(
    from: &BTreeMap<K, V>,
    to: &BTreeMap<K, V>,
) -> Option<Vec<(K, Option<V>)>> {
    let mut out = Vec::new();
    for (key, value) in to {
        if from.get(key) != Some(value) {
            out.push((key.clone(), Some(value.clone())));
            if out.len() > PATCH_LIMIT {
                return None;
            }
        }
    }
    for key in from.keys() {
        if !to.contains_key(key) {
            out.push((key.clone(), None));
            if out.len() > PATCH_LIMIT {
                return None;
            }
        }
    }
    Some(out)
}

fn put<K: Ord, V>(map: &mut BTreeMap<K, V>, entries: Vec<(K, Option<V>)>) {
    for (key, value) in entries {
        match value {
            Some(value) => map.insert(key, value),
            None => map.remove(&key),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sglab_core::generate::{generate, GenParams};

    #[test]
    fn a_patch_turns_the_topology_into_the_edited_one() {
        let topology = generate(3, &GenParams::small(40, 6, 150));
        let mut edited = topology.clone();
        edited.name = "edited".to_owned();
        if let Some(group) = edited.groups.values_mut().find(|g| !g.rules.is_empty()) {
            group.rules.remove(0);
        }
        let removed = edited.endpoints.keys().next().cloned();
        if let Some(id) = removed {
            edited.endpoints.remove(&id);
        }
        let Some(patch) = patch(&topology, &edited) else {
            panic!("two changes are a patch");
        };
        assert!(patch.groups.len() == 1 && patch.endpoints.len() == 1 && patch.vpcs.is_none());
        // Through JSON, as it travels to the worker.
        let text = serde_json::to_string(&patch).unwrap_or_default();
        let Ok(back) = serde_json::from_str::<Patch>(&text) else {
            panic!("the patch reads back: {text}");
        };
        let mut applied = topology.clone();
        apply(&mut applied, back);
        assert_eq!(applied, edited);
        // From nothing, a small topology is a patch too; a large one is not.
        let mut built = Topology::default();
        let whole = super::patch(&built, &topology).unwrap_or_default();
        apply(&mut built, whole);
        assert_eq!(built, topology);
        let large = generate(3, &GenParams::small(PATCH_LIMIT + 10, 6, 100));
        assert_eq!(super::patch(&Topology::default(), &large), None);
    }
}
