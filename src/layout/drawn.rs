//! Which reachability edges the diagram draws and between which boxes: one per pair of
//! endpoints, bundled into one per pair of groups when every pair says the same, aggregated per
//! pair of groups when there are too many, and for large topologies taken from the core's group
//! matrix. Pure, so it is tested natively.

use std::collections::{BTreeMap, BTreeSet};

use sglab_core::model::{EndpointKind, Topology};

use super::{Diagram, NodeBox, Rect, AGGREGATE_ABOVE};
use crate::engine::{Cell, Edges};
use crate::types::Query;

/// One drawn edge.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawnEdge {
    /// The box the edge starts from.
    pub from_rect: Rect,
    /// The box the edge points to.
    pub to_rect: Rect,
    /// The id of the starting box (group or endpoint), for lanes.
    pub from_key: String,
    /// The id of the target box.
    pub to_key: String,
    /// The short label on the edge.
    pub label: String,
    /// The question a click asks.
    pub query: Option<Query>,
    /// The `data-testid`.
    pub testid: String,
    /// The tooltip.
    pub title: String,
}

/// The edges to draw, and whether they were aggregated per pair of groups.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawnEdges {
    /// The edges.
    pub edges: Vec<DrawnEdge>,
    /// Whether they stand for pairs of groups rather than pairs of endpoints.
    pub aggregated: bool,
}

/// The edges to draw from the reachability `derived`, leaving out edges to external hosts
/// unless `show_external` and edges inside one group unless `show_inside`.
pub fn drawn_edges(
    topology: &Topology,
    diagram: &Diagram,
    derived: &Edges,
    show_external: bool,
    show_inside: bool,
) -> DrawnEdges {
    // A large topology is drawn as its overview, whose links the engine's worker computes.
    if !derived.complete {
        return DrawnEdges {
            edges: Vec::new(),
            aggregated: true,
        };
    }
    let cells = &derived.cells;
    let visible: Vec<&Cell> = cells
        .iter()
        .filter(|cell| {
            let to_external = matches!(
                topology.endpoints.get(&cell.to).map(|e| &e.kind),
                Some(EndpointKind::External { .. })
            );
            let inside = match (diagram.node(&cell.from), diagram.node(&cell.to)) {
                (Some(a), Some(b)) => a.home_group.is_some() && a.home_group == b.home_group,
                _ => false,
            };
            (show_external || !to_external) && (show_inside || !inside)
        })
        .collect();
    let rect_of = |key: &str| rect_of(diagram, key);
    let query_of = |cells: &[&Cell]| {
        // Prefer a pair whose target declares a service, so the question is a real one.
        let chosen = cells
            .iter()
            .find(|c| {
                topology
                    .endpoints
                    .get(&c.to)
                    .and_then(|e| e.services.as_ref())
                    .is_some_and(|s| !s.is_empty())
            })
            .or(cells.first())?;
        chosen.first_allowed().map(|(protocol, port)| Query {
            from: chosen.from.clone(),
            to: chosen.to.clone(),
            protocol,
            port,
        })
    };
    // Bundle the edges between two containers when they all say the same thing, as the
    // vendor's figure draws one arrow from the gateway to a service group.
    let mut bundles: BTreeMap<(String, String), Vec<&Cell>> = BTreeMap::new();
    for cell in &visible {
        let (Some(from), Some(to)) = (diagram.node(&cell.from), diagram.node(&cell.to)) else {
            continue;
        };
        bundles
            .entry((container(from), container(to)))
            .or_default()
            .push(cell);
    }
    let mut drawn = Vec::new();
    for ((a, b), cells) in &bundles {
        let labels: BTreeSet<String> = sglab_core::sort::set_of(cells.iter().map(|c| c.label(3)));
        if a != b && cells.len() > 1 && labels.len() == 1 {
            let (Some(from_rect), Some(to_rect)) = (rect_of(a), rect_of(b)) else {
                continue;
            };
            let label = labels.into_iter().next().unwrap_or_default();
            drawn.push(DrawnEdge {
                from_rect,
                to_rect,
                from_key: a.clone(),
                to_key: b.clone(),
                title: format!(
                    "every pair from {a} to {b} ({} pairs): {label}. Click for why.",
                    cells.len()
                ),
                label,
                query: query_of(cells),
                testid: format!("edge-{a}-{b}"),
            });
            continue;
        }
        for cell in cells {
            let (Some(from), Some(to)) = (diagram.node(&cell.from), diagram.node(&cell.to)) else {
                continue;
            };
            let query = cell.first_allowed().map(|(protocol, port)| Query {
                from: cell.from.clone(),
                to: cell.to.clone(),
                protocol,
                port,
            });
            drawn.push(DrawnEdge {
                from_rect: from.rect,
                to_rect: to.rect,
                from_key: cell.from.to_string(),
                to_key: cell.to.to_string(),
                title: format!(
                    "{} can reach {}: {}. Click for why.",
                    cell.from,
                    cell.to,
                    cell.label(20)
                ),
                label: cell.label(3),
                query,
                testid: format!("edge-{}-{}", cell.from, cell.to),
            });
        }
    }
    if drawn.len() <= AGGREGATE_ABOVE {
        return DrawnEdges {
            edges: drawn,
            aggregated: false,
        };
    }
    // Aggregate per pair of containers (a group, or a loose endpoint).
    let mut pairs: BTreeMap<(String, String), Vec<&Cell>> = BTreeMap::new();
    for cell in &visible {
        let (Some(from), Some(to)) = (diagram.node(&cell.from), diagram.node(&cell.to)) else {
            continue;
        };
        let (a, b) = (container(from), container(to));
        if a != b {
            pairs.entry((a, b)).or_default().push(cell);
        }
    }
    let drawn = pairs
        .into_iter()
        .filter_map(|((a, b), cells)| {
            let mut labels: Vec<String> = cells.iter().map(|c| c.label(2)).collect();
            sglab_core::sort::sort(&mut labels);
            labels.dedup();
            let label = if labels.len() == 1 {
                format!("{} \u{00d7} {}", cells.len(), labels[0])
            } else {
                format!("{} connections", cells.len())
            };
            let first = cells.first()?;
            let query = first.first_allowed().map(|(protocol, port)| Query {
                from: first.from.clone(),
                to: first.to.clone(),
                protocol,
                port,
            });
            Some(DrawnEdge {
                from_rect: rect_of(&a)?,
                to_rect: rect_of(&b)?,
                title: format!("{} connections from {a} to {b}", cells.len()),
                testid: format!("group-edge-{a}-{b}"),
                from_key: a,
                to_key: b,
                label,
                query,
            })
        })
        .collect();
    DrawnEdges {
        edges: drawn,
        aggregated: true,
    }
}

/// Most group-pair edges drawn for a large topology (the widest first).
pub const LARGE_EDGES_MAX: usize = 120;

/// The key of the box an endpoint's edges start from when bundled: its group, or itself.
fn container(node: &NodeBox) -> String {
    node.home_group
        .as_ref()
        .map(|g| g.to_string())
        .unwrap_or_else(|| node.id.to_string())
}

/// The box of a group or an endpoint, by id.
fn rect_of(diagram: &Diagram, key: &str) -> Option<Rect> {
    diagram
        .groups
        .iter()
        .find(|g| g.id.as_str() == key)
        .map(|g| g.rect)
        .or_else(|| {
            diagram
                .nodes
                .iter()
                .find(|n| n.id.as_str() == key)
                .map(|n| n.rect)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Reach;
    use crate::layout::layout;
    use crate::types::Shared;

    fn drawn(topology: Topology, show_external: bool, show_inside: bool) -> Vec<String> {
        let topology = Shared::new(topology);
        let reach = Reach::compute(&topology);
        let edges = Edges::compute(&reach);
        let diagram = layout(&topology);
        let drawn = drawn_edges(&topology, &diagram, &edges, show_external, show_inside);
        assert!(!drawn.aggregated);
        drawn
            .edges
            .iter()
            .map(|edge| format!("{}: {}", edge.testid, edge.label))
            .collect()
    }

    fn example() -> Topology {
        crate::engine::example("ai-gateway").unwrap_or_default()
    }

    #[test]
    fn pairs_that_agree_are_bundled_per_pair_of_groups() {
        let edges = drawn(example(), false, false);
        assert!(
            edges.contains(&"edge-sg-ai-gateway-service-sg2: tcp 80-9000".to_owned()),
            "{edges:?}"
        );
        assert!(
            edges.iter().all(|edge| !edge.contains("-client:")),
            "no edge to an external host: {edges:?}"
        );
    }

    #[test]
    fn external_hosts_and_group_insides_are_drawn_on_request() {
        let hidden = drawn(example(), false, false);
        let shown = drawn(example(), true, true);
        assert!(shown.len() > hidden.len(), "{hidden:?} {shown:?}");
        assert!(
            hidden.iter().all(|edge| shown.contains(edge)),
            "{hidden:?} {shown:?}"
        );
    }

    #[test]
    fn every_drawn_edge_asks_a_question_between_its_boxes() {
        let topology = Shared::new(example());
        let reach = Reach::compute(&topology);
        let edges = Edges::compute(&reach);
        let diagram = layout(&topology);
        for edge in drawn_edges(&topology, &diagram, &edges, true, true).edges {
            let query = edge.query.as_ref().map(|query| (&query.from, &query.to));
            let Some((from, to)) = query else {
                panic!("{} asks nothing", edge.testid);
            };
            assert!(from != to, "{}", edge.testid);
            assert!(edge.title.ends_with("Click for why."), "{}", edge.title);
        }
    }

    #[test]
    fn many_edges_are_aggregated_per_pair_of_containers() {
        let mut topology = example();
        let Some(client) = topology.endpoints.get(&"client".into()).cloned() else {
            panic!("the example has a client");
        };
        // Each client outside every group is a container of its own: one edge each to the
        // gateway's group, more than AGGREGATE_ABOVE in all.
        for index in 0..AGGREGATE_ABOVE + 5 {
            let mut endpoint = client.clone();
            endpoint.id = format!("client-{index:02}").as_str().into();
            endpoint.kind =
                match crate::engine::external_kind(&format!("203.0.113.{}/32", 20 + index)) {
                    Ok(kind) => kind,
                    Err(error) => panic!("{error}"),
                };
            topology.endpoints.insert(endpoint.id.clone(), endpoint);
        }
        let topology = Shared::new(topology);
        let reach = Reach::compute(&topology);
        let edges = Edges::compute(&reach);
        let diagram = layout(&topology);
        let drawn = drawn_edges(&topology, &diagram, &edges, true, false);
        assert!(drawn.aggregated);
        let labels: Vec<String> = drawn
            .edges
            .iter()
            .map(|edge| format!("{}: {}", edge.testid, edge.label))
            .collect();
        assert!(
            labels
                .contains(&"group-edge-client-07-sg-ai-gateway: 2 \u{00d7} tcp 80, 443".to_owned()),
            "{labels:?}"
        );
    }
}
