//! The two topologies as the matrices of a diff see them, and which part of each matrix to
//! build.
//!
//! Each side gets the external blocks as synthetic external endpoints
//! ([`super::with_external_peers`]), so that one matrix per side holds the cells of the
//! endpoints and of the external parties. An endpoint a side does not have is left out of that
//! side: it reaches and is reached by nothing there.
//!
//! A cell is a function of its source's egress and its target's ingress (`super::dirty`), so
//! the cells a change can touch are those whose source is filtered by a group of a dirty row or
//! whose target is filtered by a group of a dirty column. Each side builds only those
//! ([`crate::matrix::subset::matrix_part`]); a dirty endpoint that no group filters (an
//! external endpoint changed, added or removed) has cells that no group marks, and then the
//! whole matrix is built.

use std::borrow::Cow;
use std::collections::BTreeSet;

use ipnet::IpNet;

use super::dirty::Dirty;
use super::peers::add_external_peers;
use crate::eval::route::Actor;
use crate::matrix::subset::matrix_part;
use crate::matrix::{matrix_with, Matrix};
use crate::model::{GroupId, Protocol, Topology};

/// `topology` with one synthetic external endpoint per block.
pub(super) fn with_blocks<'t>(topology: &'t Topology, blocks: &[IpNet]) -> Cow<'t, Topology> {
    if blocks.is_empty() {
        return Cow::Borrowed(topology);
    }
    let mut all = topology.clone();
    add_external_peers(&mut all, blocks);
    Cow::Owned(all)
}

/// The groups whose egress rules and those whose ingress rules decide some cell the change can
/// touch: every group filtering a dirty row, and every group filtering a dirty column, on
/// either side; `None` when a dirty endpoint has no group on some side that has it.
pub(super) type Marked<'t> = Option<(BTreeSet<&'t GroupId>, BTreeSet<&'t GroupId>)>;

/// The groups of the dirty rows and columns of `dirty` on `sides` (see [`Marked`]).
pub(super) fn marked<'t>(dirty: &Dirty, sides: [&'t Topology; 2]) -> Marked<'t> {
    let mut egress = BTreeSet::new();
    let mut ingress = BTreeSet::new();
    for (id, (row, column)) in dirty.entries() {
        for topology in sides {
            let Some(endpoint) = topology.endpoints.get(id) else {
                continue;
            };
            let groups = Actor::of_endpoint(topology, endpoint).groups;
            if groups.is_empty() {
                return None;
            }
            if row != 0 {
                egress.extend(groups.iter().copied());
            }
            if column != 0 {
                ingress.extend(groups.iter().copied());
            }
        }
    }
    Some((egress, ingress))
}

/// The matrix of one side on `protocols`: the part of the `marked` groups, or the whole.
pub(super) fn side_matrix(
    topology: &Topology,
    protocols: &[Protocol],
    marked: &Marked<'_>,
) -> Matrix {
    match marked {
        Some((egress, ingress)) => matrix_part(topology, protocols, egress, ingress),
        None => matrix_with(topology, protocols),
    }
}
