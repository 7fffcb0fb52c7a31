//! The two topologies as the matrices of a diff see them, and which part of each matrix to
//! build.
//!
//! Each side gets the external blocks as synthetic external endpoints
//! ([`super::with_external_peers`]), so that one matrix per side holds the cells of the
//! endpoints and of the external parties. An endpoint a side does not have is left out of that
//! side: it reaches and is reached by nothing there.
//!
//! A cell is a function of its source's egress and its target's ingress (`super::dirty`), so
//! only the cells of a dirty row or a dirty column can differ. Each side builds only those
//! ([`crate::matrix::subset::matrix_part`], which builds the cells of the groups it is given):
//! every ENI of an endpoint with a dirty row gets one more group, a *mark* without rules of the
//! ENI's type (so that its default is unchanged) whose InnerAccessPolicy is drop (so that it
//! allows nothing between its members), and likewise for a dirty column; a group without rules
//! decides nothing, and no rule names a mark, so every cell stays what it was, and the part of
//! the marks is exactly the dirty rows and columns, on both sides alike. When an endpoint
//! cannot carry a mark (a dirty endpoint without ENIs or groups: an external endpoint changed,
//! added or removed), the whole matrix is built.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;

use super::dirty::Dirty;
use super::peers::add_external_peers;
use crate::eval::route::Actor;
use crate::matrix::subset::matrix_part;
use crate::matrix::{matrix_with, Matrix};
use crate::model::{GroupId, GroupType, InnerAccessPolicy, Protocol, SecurityGroup, Topology};

/// The marks of the dirty rows and of the dirty columns, one of each group type.
pub(super) struct Marks {
    /// The marks of rows: basic, then enterprise.
    rows: [GroupId; 2],
    /// The marks of columns: basic, then enterprise.
    columns: [GroupId; 2],
}

impl Marks {
    /// Four group ids that neither side uses.
    pub(super) fn new(old: &Topology, new: &Topology) -> Marks {
        let fresh = |name: &str| {
            let mut id = GroupId(format!("sg-diff-{name}"));
            while old.groups.contains_key(&id) || new.groups.contains_key(&id) {
                id.0.push('-');
            }
            id
        };
        Marks {
            rows: [fresh("rows-basic"), fresh("rows-enterprise")],
            columns: [fresh("columns-basic"), fresh("columns-enterprise")],
        }
    }

    /// `topology` with the external blocks as synthetic endpoints and, when every dirty
    /// endpoint of the side can carry them, the marks on the ENIs of the dirty endpoints; and
    /// whether it has the marks. The marks change no decision, so the deciding decisions may be
    /// read on it as well.
    pub(super) fn side(
        &self,
        topology: &Topology,
        blocks: &[IpNet],
        dirty: &Dirty,
    ) -> (Topology, bool) {
        if let Some(mut marked) = self.marked(topology, dirty) {
            add_external_peers(&mut marked, blocks);
            return (marked, true);
        }
        let mut all = topology.clone();
        add_external_peers(&mut all, blocks);
        (all, false)
    }

    /// The matrix of a side (from [`Marks::side`]) on `protocols`: the part of the dirty rows
    /// and columns when it has the marks, else the whole matrix.
    pub(super) fn matrix(
        &self,
        (topology, marked): &(Topology, bool),
        protocols: &[Protocol],
    ) -> Matrix {
        if !*marked {
            return matrix_with(topology, protocols);
        }
        let rows: BTreeSet<&GroupId> = self.rows.iter().collect();
        let columns: BTreeSet<&GroupId> = self.columns.iter().collect();
        matrix_part(topology, protocols, &rows, &columns)
    }

    /// `topology` with the marks on the ENIs of the dirty endpoints; `None` when a dirty
    /// endpoint of the side is not filtered by a marked ENI.
    fn marked(&self, topology: &Topology, dirty: &Dirty) -> Option<Topology> {
        let vpc = topology.vpcs.keys().next()?.clone();
        let mut marked = topology.clone();
        for marks in [&self.rows, &self.columns] {
            for (mark, group_type) in marks.iter().zip([GroupType::Basic, GroupType::Enterprise]) {
                marked.groups.insert(
                    mark.clone(),
                    SecurityGroup {
                        id: mark.clone(),
                        name: String::new(),
                        description: String::new(),
                        tags: BTreeMap::new(),
                        vpc: vpc.clone(),
                        group_type,
                        inner_access_policy: InnerAccessPolicy::Drop,
                        managed_by: None,
                        rules: Vec::new(),
                    },
                );
            }
        }
        for (id, (row, column)) in dirty.entries() {
            let Some(endpoint) = marked.endpoints.get_mut(id) else {
                continue;
            };
            for eni in &mut endpoint.enis {
                let basic = eni.groups.iter().any(|group| {
                    topology
                        .groups
                        .get(group)
                        .is_some_and(|group| group.group_type == GroupType::Basic)
                });
                let slot = usize::from(!basic);
                if row != 0 && !eni.groups.contains(&self.rows[slot]) {
                    eni.groups.push(self.rows[slot].clone());
                }
                if column != 0 && !eni.groups.contains(&self.columns[slot]) {
                    eni.groups.push(self.columns[slot].clone());
                }
            }
        }
        // Every dirty endpoint must now be filtered by an ENI that carries its marks and, before
        // them, some group of the ENI's type.
        for (id, (row, column)) in dirty.entries() {
            let Some(endpoint) = marked.endpoints.get(id) else {
                continue;
            };
            let groups = Actor::of_endpoint(&marked, endpoint).groups;
            let carries = |marks: &[GroupId; 2]| groups.iter().any(|group| marks.contains(group));
            let typed = groups
                .iter()
                .any(|group| topology.groups.contains_key(*group));
            if !typed
                || (row != 0 && !carries(&self.rows))
                || (column != 0 && !carries(&self.columns))
            {
                return None;
            }
        }
        Some(marked)
    }
}
