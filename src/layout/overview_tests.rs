//! The overview's view-model functions, natively.

use super::*;
use crate::engine::Edges;
use crate::types::Shared;
use sglab_core::model::{GroupType, PortRange, Protocol};

fn range(start: u16, end: u16) -> PortRange {
    PortRange::new(start, end).unwrap_or(PortRange::ALL)
}

fn example() -> Shared<Topology> {
    Shared::new(crate::engine::example("ai-gateway").unwrap_or_default())
}

#[test]
fn ranges_merge_when_they_overlap_or_touch() {
    let merged = merge_ranges([
        range(443, 443),
        range(80, 80),
        range(81, 90),
        range(85, 100),
    ]);
    let pairs: Vec<(u16, u16)> = merged.iter().map(|r| (r.start(), r.end())).collect();
    assert_eq!(pairs, [(80, 100), (443, 443)]);
    assert_eq!(
        merge_ranges([range(1, 65535), range(22, 22)]),
        [PortRange::ALL]
    );
    assert!(merge_ranges([]).is_empty());
}

#[test]
fn labels_stay_short() {
    let allowed = vec![
        (
            Protocol::Tcp,
            vec![
                range(80, 80),
                range(443, 443),
                range(8080, 8081),
                range(9000, 9000),
                range(22, 22),
            ],
        ),
        (Protocol::Icmp, vec![]),
    ];
    assert_eq!(short_label(&allowed, 2), "tcp 80,443 +3; icmp");
    assert_eq!(
        short_label(&[(Protocol::Udp, vec![PortRange::ALL])], 2),
        "udp all ports"
    );
}

#[test]
fn heat_levels_bucket_the_share_of_open_pairs() {
    assert_eq!(heat_level(0, 100), 0);
    assert_eq!(heat_level(5, 0), 0);
    assert_eq!(heat_level(1, 100), 1);
    assert_eq!(heat_level(25, 100), 2);
    assert_eq!(heat_level(50, 100), 3);
    assert_eq!(heat_level(99, 100), 4);
    assert_eq!(heat_level(100, 100), 4);
    assert_eq!(heat_level(500, 100), 4);
    assert!((0..=100).all(|open| heat_level(open, 100) < HEAT_LEVELS));
}

#[test]
fn the_overview_aggregates_pairs_per_group() {
    let topology = example();
    let reach = Reach::compute(&topology);
    let edges = Edges::compute(&reach);
    let overview = overview(&topology, &edges);
    assert!(overview.nodes.len() >= topology.groups.len());
    // Every endpoint is a member of some node.
    for endpoint in topology.endpoints.keys() {
        assert!(
            overview.nodes.iter().any(|n| n.members.contains(endpoint)),
            "{endpoint}"
        );
    }
    // Every per-pair cell between different nodes shows in a link that covers its ports.
    for link in &overview.links {
        assert_ne!(link.from, link.to);
        assert!(
            link.open_pairs >= 1 && link.open_pairs <= link.pairs,
            "{link:?}"
        );
        assert!(!link.allowed.is_empty());
        assert_eq!(overview.link(link.from, link.to), Some(link));
    }
    let gateway = overview.index_of("gw-node-1").or_else(|| {
        overview
            .nodes
            .iter()
            .position(|n| n.members.iter().any(|m| m.as_str() == "gw-node-1"))
    });
    let Some(gateway) = gateway else {
        panic!("the gateway node is in the overview");
    };
    let (inbound, outbound) = overview.neighbours(gateway);
    assert!(!inbound.is_empty() && !outbound.is_empty());
}

#[test]
fn the_group_matrix_and_the_pair_cells_give_the_same_links() {
    let topology = example();
    let reach = Reach::compute(&topology);
    let pairs = Edges::compute(&reach);
    let groups = Edges {
        cells: Vec::new(),
        complete: false,
        groups: sglab_core::matrix::group_matrix_of(&topology, &reach.matrix),
        group_edges: Vec::new(),
    };
    let (a, b) = (overview(&topology, &pairs), overview(&topology, &groups));
    assert_eq!(a.nodes, b.nodes);
    let shape = |o: &Overview| -> Vec<(usize, usize, String, u64)> {
        o.links
            .iter()
            .map(|l| (l.from, l.to, l.label(), l.pairs))
            .collect()
    };
    assert_eq!(shape(&a), shape(&b));
}

#[test]
fn managed_and_enterprise_groups_are_marked_in_words() {
    let topology = example();
    let reach = Reach::compute(&topology);
    let overview = overview(&topology, &Edges::compute(&reach));
    for node in &overview.nodes {
        let group = topology.groups.values().find(|g| g.id.as_str() == node.key);
        match group {
            Some(group) if group.managed_by.is_some() => assert_eq!(node.mark.badge().0, "M"),
            Some(group) if group.group_type == GroupType::Enterprise => {
                assert_eq!(node.mark.badge().0, "E")
            }
            Some(_) => assert_eq!(node.mark, Mark::Basic),
            None => assert_eq!(node.mark, Mark::Ungrouped),
        }
        assert!(!node.mark.badge().1.is_empty());
    }
}

#[test]
fn focus_finds_nodes_endpoints_and_addresses() {
    let topology = example();
    let reach = Reach::compute(&topology);
    let overview = overview(&topology, &Edges::compute(&reach));
    let found = search(&topology, &overview, "BACKEND", 10);
    assert!(
        found
            .iter()
            .any(|f| matches!(f, Found::Endpoint(id, _) if id.as_str() == "ecs-backend")),
        "{found:?}"
    );
    let address = topology
        .endpoints
        .values()
        .flat_map(|e| e.enis.iter().flat_map(|eni| eni.private_ips.clone()))
        .next();
    if let Some(address) = address {
        assert!(!search(&topology, &overview, &address.to_string(), 10).is_empty());
    }
    assert!(search(&topology, &overview, "  ", 10).is_empty());
    assert!(search(&topology, &overview, "e", 3).len() <= 3);
    let (inbound, outbound) = endpoint_neighbours(&reach, &EndpointId::from("gw-node-1"));
    assert!(outbound.iter().any(|c| c.to.as_str() == "ecs-backend"));
    assert!(inbound.iter().all(|c| c.to.as_str() == "gw-node-1"));
}

#[test]
fn nodes_are_placed_on_a_grid_without_overlap() {
    let topology = example();
    let reach = Reach::compute(&topology);
    let overview = overview(&topology, &Edges::compute(&reach));
    let (positions, (width, height)) = grid_positions(&overview.nodes);
    for (a, &(ax, ay, ar)) in positions.iter().enumerate() {
        assert!(
            ax - ar >= 0.0 && ax + ar <= width && ay + ar <= height,
            "{a}"
        );
        for &(bx, by, br) in positions.iter().skip(a + 1) {
            assert!(((ax - bx).powi(2) + (ay - by).powi(2)).sqrt() > ar + br);
        }
    }
}

#[test]
fn the_virtual_window_covers_the_viewport_and_the_overscan() {
    let whole = window(150, 30.0, 900.0, 300.0, 5);
    assert_eq!(
        (whole.start, whole.end, whole.before, whole.after),
        (0, 150, 0.0, 0.0)
    );
    let at_top = window(1000, 30.0, 0.0, 300.0, 5);
    assert_eq!((at_top.start, at_top.end), (0, 15));
    assert_eq!(at_top.after, 985.0 * 30.0);
    let middle = window(1000, 30.0, 3000.0, 300.0, 5);
    assert_eq!((middle.start, middle.end), (95, 115));
    assert_eq!(
        middle.before + (middle.end - middle.start) as f64 * 30.0 + middle.after,
        30000.0
    );
    let past_the_end = window(1000, 30.0, 1e9, 300.0, 5);
    assert_eq!((past_the_end.start, past_the_end.end), (1000, 1000));
    assert_eq!(past_the_end.after, 0.0);
    let negative = window(1000, 30.0, -50.0, 0.0, 0);
    assert_eq!((negative.start, negative.end), (0, 1));
}

#[test]
fn a_grid_window_virtualises_short_lists_too() {
    let grid = visible(60, 30.0, 300.0, 300.0, 2);
    assert_eq!((grid.start, grid.end), (8, 22));
    assert_eq!(grid.before, 240.0);
    assert_eq!(grid.after, 38.0 * 30.0);
}

#[test]
fn link_labels_overlap_neither_nodes_nor_each_other() {
    let topology = example();
    let reach = Reach::compute(&topology);
    let overview = overview(&topology, &Edges::compute(&reach));
    let (positions, _) = grid_positions(&overview.nodes);
    let links: Vec<(&Link, String)> = overview.links.iter().map(|l| (l, l.label())).collect();
    let shapes = link_shapes(&positions, &links, usize::MAX);
    assert_eq!(shapes.len(), links.len());
    let boxes: Vec<(f64, f64, f64, f64)> = shapes
        .iter()
        .zip(&links)
        .filter_map(|(shape, (_, label))| {
            let (x, y) = shape.label_at?;
            let w = label.chars().count() as f64 * 7.0 + 6.0;
            Some((x - w / 2.0, y - 12.0, x + w / 2.0, y + 4.0))
        })
        .collect();
    for (at, a) in boxes.iter().enumerate() {
        for b in boxes.iter().skip(at + 1) {
            assert!(
                !(a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3),
                "{a:?} {b:?}"
            );
        }
        for &(x, y, r) in &positions {
            assert!(
                !(a.0 < x + r && x - r < a.2 && a.1 < y + r && y - r < a.3),
                "{a:?}"
            );
        }
    }
    assert_eq!(
        link_shapes(&positions, &links, 0)
            .iter()
            .filter(|s| s.label_at.is_some())
            .count(),
        0
    );
}

#[test]
fn the_links_drawn_reach_every_node_with_a_link_first() {
    let topology = example();
    let reach = Reach::compute(&topology);
    let overview = overview(&topology, &Edges::compute(&reach));
    let sources: std::collections::BTreeSet<usize> =
        overview.links.iter().map(|l| l.from).collect();
    let drawn = links_to_draw(&overview, sources.len());
    let drawn_sources: std::collections::BTreeSet<usize> = drawn.iter().map(|l| l.from).collect();
    assert_eq!(drawn_sources, sources);
    for link in &drawn {
        let widest = overview
            .links
            .iter()
            .filter(|l| l.from == link.from)
            .map(|l| l.open_pairs)
            .max();
        assert_eq!(Some(link.open_pairs), widest);
    }
    assert_eq!(
        links_to_draw(&overview, usize::MAX).len(),
        overview.links.len()
    );
}

/// Every link ranked within its source, then all sorted: what [`links_to_draw`] gives without
/// ranking the links it does not draw.
fn every_link_ranked(overview: &Overview, max: usize) -> Vec<&Link> {
    let count = overview.nodes.len().max(1);
    let mut ranked: Vec<(usize, &Link)> = Vec::new();
    for links in overview.links.chunk_by(|a, b| a.from == b.from) {
        let mut links: Vec<&Link> = links.iter().collect();
        sglab_core::sort::sort_by_key(&mut links, |link| {
            let after = (link.to + count - link.from % count) % count;
            (std::cmp::Reverse(link.open_pairs), after)
        });
        ranked.extend(links.into_iter().enumerate());
    }
    sglab_core::sort::sort_by_key(&mut ranked, |(rank, link)| {
        (
            *rank,
            std::cmp::Reverse(link.open_pairs),
            link.from,
            link.to,
        )
    });
    ranked.into_iter().take(max).map(|(_, link)| link).collect()
}

#[test]
fn the_links_drawn_are_those_of_ranking_every_link() {
    let node = |at: usize| OverviewNode {
        key: format!("sg-{at}"),
        label: format!("sg-{at}"),
        mark: Mark::Basic,
        members: Vec::new(),
    };
    // Sources with 0 to 11 links of widths that tie often.
    let mut links = Vec::new();
    for from in 0..12 {
        for to in (0..12).filter(|to| *to != from && (from * 7 + to * 3) % 5 < from % 5) {
            links.push(Link {
                from,
                to,
                allowed: Vec::new(),
                open_pairs: ((from * 13 + to * 5) % 4) as u64,
                pairs: 10,
            });
        }
    }
    let overview = Overview {
        nodes: (0..12).map(node).collect(),
        links,
    };
    for max in [0, 1, 3, 5, 11, 12, 13, 20, 40, usize::MAX] {
        let drawn: Vec<(usize, usize)> = links_to_draw(&overview, max)
            .iter()
            .map(|l| (l.from, l.to))
            .collect();
        let reference: Vec<(usize, usize)> = every_link_ranked(&overview, max)
            .iter()
            .map(|l| (l.from, l.to))
            .collect();
        assert_eq!(drawn, reference, "max {max}");
    }
}
