//! Oracles the matrix tests share: what the model says, recomputed without the engine.

use sglab_core::matrix::Bucket;
use sglab_core::model::{EndpointId, EndpointKind, NetworkMode, Topology};

/// The buckets of an endpoint as the group matrix defines them, recomputed from the model.
pub fn buckets_of(topology: &Topology, id: &EndpointId) -> Vec<Bucket> {
    let endpoint = &topology.endpoints[id];
    let eni = match &endpoint.kind {
        EndpointKind::Pod { cluster, node } => {
            let mode = topology.clusters.get(cluster).map(|c| c.network_mode);
            match mode {
                Some(NetworkMode::TerwayTrunk) => endpoint.enis.first(),
                _ => topology
                    .endpoints
                    .get(node)
                    .and_then(|node| node.enis.first()),
            }
        }
        _ => endpoint.enis.first(),
    };
    let mut groups: Vec<Bucket> = Vec::new();
    if !matches!(endpoint.kind, EndpointKind::External { .. }) {
        for group in eni.map(|eni| eni.groups.clone()).unwrap_or_default() {
            if !groups.contains(&Bucket::Group(group.clone())) {
                groups.push(Bucket::Group(group));
            }
        }
    }
    if groups.is_empty() {
        groups.push(Bucket::Endpoint(id.clone()));
    }
    groups
}
