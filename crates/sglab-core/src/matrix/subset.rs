//! Part of a matrix: the cells of the pairs whose source is filtered by one of some groups in
//! egress, or whose target by one of some groups in ingress, built with the matrix's own
//! builder over the classes of the whole topology; every other cell of the part allows
//! nothing. A diff compares two topologies only on the cells a change can touch, so it builds
//! only those, on each side.
//!
//! The part is the build after an edit ([`super::matrix_after_edit`]) from a matrix of the same
//! classes whose cells all allow nothing, with the given groups' rules as the ones that
//! changed: only the pairs of classes such a change touches are evaluated.

use std::collections::BTreeSet;

use crate::eval::route::Actor;
use crate::model::{EndpointId, GroupId, PortRange, Protocol, Topology};

use super::builder::Builder;
use super::incremental::{ChangedGroups, Reuse};
use super::intern::FastMap;
use super::{Matrix, EMPTY_SET};

/// The matrix of `topology` on `protocols` (repeats are ignored) restricted to the pairs whose
/// source's filtering groups meet `egress` or whose target's filtering groups meet `ingress`:
/// those cells are the cells of [`super::matrix_with`], every other cell allows nothing
/// (local pairs, which no group filters, are kept whole).
pub(crate) fn matrix_part(
    topology: &Topology,
    protocols: &[Protocol],
    egress: &BTreeSet<&GroupId>,
    ingress: &BTreeSet<&GroupId>,
) -> Matrix {
    let mut unique: Vec<Protocol> = Vec::new();
    for protocol in protocols {
        if !unique.contains(protocol) {
            unique.push(*protocol);
        }
    }
    let indices = |groups: &BTreeSet<&GroupId>| -> Vec<u32> {
        // Groups are numbered in id order, as the builder numbers them.
        topology
            .groups
            .keys()
            .enumerate()
            .filter(|(_, id)| groups.contains(id))
            .map(|(index, _)| index as u32)
            .collect()
    };
    let changed = ChangedGroups {
        egress: indices(egress),
        ingress: indices(ingress),
    };
    let empty = empty_matrix(topology, unique.clone());
    Builder::new(topology).build_reusing(
        unique,
        Some(Reuse {
            matrix: &empty,
            changed,
        }),
    )
}

/// A matrix of `topology`'s endpoints and classes, as the builder numbers them, whose cells all
/// allow nothing.
fn empty_matrix(topology: &Topology, protocols: Vec<Protocol>) -> Matrix {
    let mut builder = Builder::new(topology);
    let mut classes = FastMap::default();
    let mut class_of = Vec::with_capacity(topology.endpoints.len());
    for endpoint in topology.endpoints.values() {
        let actor = Actor::of_endpoint(topology, endpoint);
        let signature = builder.signature(&actor);
        let next = classes.len() as u32;
        class_of.push(*classes.entry(signature).or_insert(next));
    }
    let class_count = classes.len();
    let endpoints: Vec<EndpointId> = topology.endpoints.keys().cloned().collect();
    Matrix {
        endpoints,
        combos: vec![EMPTY_SET; protocols.len()],
        protocols,
        class_of,
        class_count,
        port_sets: vec![Vec::new(), vec![PortRange::ALL]],
        cells: vec![0; class_count * class_count],
        local_pairs: Vec::new(),
        cache: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, GenParams, Shape};
    use crate::matrix::matrix_with;
    use crate::model::GroupId;

    /// On every shape, the part's cells of the pairs it covers are the whole matrix's.
    #[test]
    fn a_part_holds_the_cells_of_its_groups() {
        let protocols = crate::diff::DIFF_PROTOCOLS;
        for seed in 0..14u64 {
            let shape = Shape::ALL[seed as usize % Shape::ALL.len()];
            let topology = generate(seed, &GenParams::of_shape(shape, 10, 5, 40));
            let whole = matrix_with(&topology, &protocols);
            let ids: Vec<&GroupId> = topology.groups.keys().collect();
            let egress: BTreeSet<&GroupId> = ids.iter().step_by(3).copied().collect();
            let ingress: BTreeSet<&GroupId> = ids.iter().skip(1).step_by(4).copied().collect();
            let part = matrix_part(&topology, &protocols, &egress, &ingress);
            let groups_of = |id: &EndpointId| {
                topology
                    .endpoints
                    .get(id)
                    .map(|endpoint| Actor::of_endpoint(&topology, endpoint).groups)
                    .unwrap_or_default()
            };
            for from in whole.endpoints() {
                for to in whole.endpoints() {
                    let covered = groups_of(from).iter().any(|g| egress.contains(g))
                        || groups_of(to).iter().any(|g| ingress.contains(g));
                    if !covered {
                        continue;
                    }
                    for protocol in protocols {
                        let expected = whole.cell(from, to, protocol);
                        let got = part.cell(from, to, protocol);
                        assert_eq!(got, expected, "{seed} {from} -> {to} {protocol}");
                    }
                }
            }
        }
    }
}
