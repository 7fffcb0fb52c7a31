//! The diagram's props, compared by what the drawing reads, so that an edit of rules that
//! leaves the edges as they were does not draw the diagram again.

use sglab_core::explain::Explanation;
use sglab_core::model::{SecurityGroup, Topology};
use yew::prelude::*;

use crate::engine::Edges;
use crate::layout::Diagram;
use crate::state::Action;
use crate::types::{Selection, Shared};

/// Props of [`super::DiagramView`], compared by what the drawing reads (see `same_drawing`), so
/// that an edit of rules that leaves the edges as they were does not draw the diagram again.
#[derive(Properties)]
pub struct DiagramProps {
    /// The topology.
    pub topology: Shared<Topology>,
    /// The placed diagram.
    pub diagram: Shared<Diagram>,
    /// The reachability edges.
    pub edges: Shared<Edges>,
    /// The open explanation, drawn as a highlighted edge.
    pub explanation: Option<Shared<Explanation>>,
    /// What is selected.
    pub selection: Selection,
    /// The diff against the pinned baseline, drawn as marked edges.
    pub compare: Option<Shared<crate::engine::Compare>>,
    /// Large type (projectors): the fit never shrinks the text below a readable size.
    pub large_type: bool,
    /// Presentation mode: the fit fills the screen, past the cap of an ordinary fit.
    pub presenting: bool,
    /// State changes.
    pub dispatch: Callback<Action>,
}

impl PartialEq for DiagramProps {
    fn eq(&self, other: &Self) -> bool {
        same_drawing(&self.topology, &other.topology)
            && self.diagram == other.diagram
            && self.edges == other.edges
            && self.explanation == other.explanation
            && self.selection == other.selection
            && self.compare == other.compare
            && self.large_type == other.large_type
            && self.presenting == other.presenting
            && self.dispatch == other.dispatch
    }
}

/// Whether two topologies draw alike: the same title, endpoints and groups but for the
/// groups' rules, which the diagram shows only through its edges.
///
/// Every field of [`Topology`] and [`SecurityGroup`] is named, so that a new field fails to
/// build here until someone decides whether the drawing shows it.
fn same_drawing(a: &Topology, b: &Topology) -> bool {
    if std::ptr::eq(a, b) {
        return true;
    }
    let Topology {
        // The svg's label and the fit on load.
        name,
        // VPC regions are part of the layout, compared with `diagram`.
        vpcs: _,
        // Group boxes show names, types, policies and the managing product.
        groups,
        // Node cards show names, kinds, addresses, services and badges.
        endpoints,
        // Pods are drawn as endpoints; the cluster itself is not.
        clusters: _,
        // Gateways are drawn through their nodes and groups, which the layout places.
        gateways: _,
        // Prefix lists are not drawn.
        prefix_lists: _,
        // Expectations are not drawn.
        expectations: _,
        // Positions reach the drawing through the placed diagram, compared on its own.
        layout: _,
    } = a;
    *name == b.name
        && *endpoints == b.endpoints
        && groups.len() == b.groups.len()
        && groups
            .values()
            .zip(b.groups.values())
            .all(|(a, b)| same_group_box(a, b))
}

/// Whether two groups draw the same box: everything but the rules, which the diagram shows
/// only through the edges (compared on their own).
fn same_group_box(a: &SecurityGroup, b: &SecurityGroup) -> bool {
    let SecurityGroup {
        // The box's test id and subtitle.
        id,
        // The box's title.
        name,
        // Shown only in the inspector.
        description: _,
        // Shown only in the inspector.
        tags: _,
        // Not drawn.
        vpc: _,
        // The subtitle says basic or enterprise.
        group_type,
        // The subtitle says whether members reach each other.
        inner_access_policy,
        // A managed group is drawn dashed and purple.
        managed_by,
        // Drawn only through the edges.
        rules: _,
    } = a;
    *id == b.id
        && *name == b.name
        && *group_type == b.group_type
        && *inner_access_policy == b.inner_access_policy
        && *managed_by == b.managed_by
}
