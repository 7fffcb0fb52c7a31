//! Where each edge's label goes: along its curve, at the first place where the label's
//! rectangle covers no node card, no group title, no VPC title and no other label (looking
//! further around the curve's middle when it must), so that ports never hide the names of the
//! boxes nor each other.

use super::geometry::{edge, lanes, EdgeGeometry, Rect};
use super::{Diagram, DrawnEdge, GROUP_TITLE_H};

/// Height of an edge label.
const LABEL_H: f64 = 20.0;
/// Half the side of the square an arrow head covers.
const ARROW_HEAD: f64 = 16.0;
/// Space kept between a label and what it avoids.
const CLEARANCE: f64 = 3.0;
/// Where along the curve a label may sit, the middle first.
const ALONG: [f64; 11] = [
    0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82, 0.1, 0.9,
];
/// How far across the curve a label may move, in label heights.
const ACROSS: [f64; 5] = [0.0, 1.1, -1.1, 2.2, -2.2];
/// The directions a label looks in around the middle of its curve: unit vectors, without
/// trigonometry, which would weigh on the page's WebAssembly.
const DIRECTIONS: [(f64, f64); 8] = [
    (1.0, 0.0),
    (0.0, -1.0),
    (-1.0, 0.0),
    (0.0, 1.0),
    (
        std::f64::consts::FRAC_1_SQRT_2,
        -std::f64::consts::FRAC_1_SQRT_2,
    ),
    (
        -std::f64::consts::FRAC_1_SQRT_2,
        -std::f64::consts::FRAC_1_SQRT_2,
    ),
    (
        -std::f64::consts::FRAC_1_SQRT_2,
        std::f64::consts::FRAC_1_SQRT_2,
    ),
    (
        std::f64::consts::FRAC_1_SQRT_2,
        std::f64::consts::FRAC_1_SQRT_2,
    ),
];

/// An edge with its curve and its label's rectangle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlacedEdge {
    /// The curve.
    pub geometry: EdgeGeometry,
    /// The label's rectangle; its centre is where the text goes.
    pub label: Rect,
}

/// The size of the label of `text`: its width and height in diagram units.
pub fn label_size(text: &str) -> (f64, f64) {
    (
        (text.chars().count() as f64 * 7.0 + 16.0).max(40.0),
        LABEL_H,
    )
}

/// What labels keep clear of: node cards and the title bands of groups and VPCs.
pub fn obstacles(diagram: &Diagram) -> Vec<Rect> {
    let nodes = diagram.nodes.iter().map(|node| node.rect);
    let groups = diagram.groups.iter().map(|group| Rect {
        h: GROUP_TITLE_H.min(group.rect.h),
        ..group.rect
    });
    let vpcs = diagram.vpcs.iter().map(super::VpcBox::title_band);
    nodes.chain(groups).chain(vpcs).collect()
}

/// The curves of `edges`, spread into lanes, each with its label placed clear of the boxes.
pub fn place_edges(diagram: &Diagram, edges: &[DrawnEdge]) -> Vec<PlacedEdge> {
    place_edges_with(diagram, edges, &obstacles(diagram), label_size, None)
}

/// Like [`place_edges`], with the rectangles labels keep clear of, the size of a label's text
/// and the `room` labels stay inside when they can given: presentation mode's larger type and
/// title bands, its labels inside the drawing.
pub fn place_edges_with(
    diagram: &Diagram,
    edges: &[DrawnEdge],
    boxes: &[Rect],
    size_of: fn(&str) -> (f64, f64),
    room: Option<Rect>,
) -> Vec<PlacedEdge> {
    let pairs: Vec<(&str, &str)> = edges
        .iter()
        .map(|e| (e.from_key.as_str(), e.to_key.as_str()))
        .collect();
    let geometries: Vec<EdgeGeometry> = edges
        .iter()
        .zip(lanes(&pairs))
        .map(|(drawn, lane)| edge(drawn.from_rect, drawn.to_rect, lane))
        .collect();
    let mut boxes = boxes.to_vec();
    boxes.extend(geometries.iter().map(arrow_head));
    let mut placed: Vec<PlacedEdge> = Vec::with_capacity(edges.len());
    for (drawn, geometry) in edges.iter().zip(geometries) {
        let labels: Vec<Rect> = placed.iter().map(|p| p.label).collect();
        let label = place_label(
            &geometry,
            size_of(&drawn.label),
            &boxes,
            &labels,
            (diagram.bounds, room),
        );
        placed.push(PlacedEdge { geometry, label });
    }
    placed
}

/// The square an edge's arrow head covers at its end (the marker is 7 stroke widths of 2.2
/// units long), which labels keep clear of so that no arrow hides a port.
pub fn arrow_head(geometry: &EdgeGeometry) -> Rect {
    Rect {
        x: geometry.to.0 - ARROW_HEAD,
        y: geometry.to.1 - ARROW_HEAD,
        w: 2.0 * ARROW_HEAD,
        h: 2.0 * ARROW_HEAD,
    }
}

/// The rectangle of a label of `size` on `geometry`, clear of the boxes of `diagram`: for an
/// edge drawn on its own, such as the open question's.
pub fn clear_label(diagram: &Diagram, geometry: &EdgeGeometry, size: (f64, f64)) -> Rect {
    place_label(
        geometry,
        size,
        &obstacles(diagram),
        &[],
        (diagram.bounds, None),
    )
}

/// The label's rectangle: the first candidate along the curve free of boxes and labels (and
/// inside `room`, when given and there is space), else the nearest place around the middle of
/// the curve free of both, else the first free of boxes only. `bounds` are the drawing's.
pub fn place_label(
    geometry: &EdgeGeometry,
    (w, h): (f64, f64),
    boxes: &[Rect],
    labels: &[Rect],
    (bounds, room): (Rect, Option<Rect>),
) -> Rect {
    let at = |(x, y): (f64, f64)| Rect {
        x: x - w / 2.0,
        y: y - h / 2.0,
        w,
        h,
    };
    let free_of =
        |rect: &Rect, others: &[Rect]| others.iter().all(|other| !overlaps(*rect, *other));
    let candidates: Vec<Rect> = ALONG
        .iter()
        .flat_map(|&t| {
            let (point, (nx, ny)) = point_and_normal(geometry, t);
            ACROSS
                .iter()
                .map(move |&k| at((point.0 + nx * k * h, point.1 + ny * k * h)))
        })
        .collect();
    let spiral = |reach: f64, free: &dyn Fn(&Rect) -> bool| {
        let (middle, _) = point_and_normal(geometry, 0.5);
        let mut radius = h;
        while radius <= reach {
            for (dx, dy) in DIRECTIONS {
                let rect = at((middle.0 + radius * dx, middle.1 + radius * dy));
                if free(&rect) {
                    return Some(rect);
                }
            }
            radius += h / 2.0;
        }
        None
    };
    let clear = |rect: &Rect| free_of(rect, boxes) && free_of(rect, labels);
    let clear_of_boxes = |rect: &Rect| free_of(rect, boxes);
    let in_room = |rect: &Rect| {
        room.is_none_or(|room| {
            rect.x >= room.x
                && rect.y >= room.y
                && rect.right() <= room.right()
                && rect.bottom() <= room.bottom()
        })
    };
    let clear_in_room = |rect: &Rect| in_room(rect) && clear(rect);
    // Outside the drawing's bounds nothing is in the way, so the last search ends.
    let reach = bounds.w.max(bounds.h) + w + h;
    candidates
        .iter()
        .copied()
        .find(clear_in_room)
        .or_else(|| spiral(reach, &clear_in_room))
        .or_else(|| spiral(reach, &clear))
        .or_else(|| candidates.iter().copied().find(clear_of_boxes))
        .or_else(|| spiral(reach, &clear_of_boxes))
        .unwrap_or_else(|| at((bounds.x + w / 2.0, bounds.y - h)))
}

/// The point of the curve at `t` (0 at the start, 1 at the end) and the unit normal there.
fn point_and_normal(geometry: &EdgeGeometry, t: f64) -> ((f64, f64), (f64, f64)) {
    let (p0, c, p2) = (geometry.from, geometry.control, geometry.to);
    let u = 1.0 - t;
    let point = (
        u * u * p0.0 + 2.0 * u * t * c.0 + t * t * p2.0,
        u * u * p0.1 + 2.0 * u * t * c.1 + t * t * p2.1,
    );
    let tangent = (
        2.0 * u * (c.0 - p0.0) + 2.0 * t * (p2.0 - c.0),
        2.0 * u * (c.1 - p0.1) + 2.0 * t * (p2.1 - c.1),
    );
    let length = (tangent.0 * tangent.0 + tangent.1 * tangent.1).sqrt();
    let normal = if length > 0.0 {
        (-tangent.1 / length, tangent.0 / length)
    } else {
        (0.0, 1.0)
    };
    (point, normal)
}

/// Whether two rectangles overlap, counting the clearance kept between them.
pub(super) fn overlaps(a: Rect, b: Rect) -> bool {
    a.x < b.right() + CLEARANCE
        && b.x < a.right() + CLEARANCE
        && a.y < b.bottom() + CLEARANCE
        && b.y < a.bottom() + CLEARANCE
}
