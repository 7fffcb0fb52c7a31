//! The presentation layout: the drawing for a projector, read from the back of a classroom.
//!
//! Every text is [`TEXT`] units high and a card shows only its endpoint's name (no address,
//! kind tag or membership badges; the dashed lines to other groups stay), a group only its name
//! and a VPC only its name; each card and group is as wide as its name needs. Of a few
//! arrangements (rows of members per group, groups per column) the one a fit draws largest in
//! the diagram's box on screen is kept, so that a 4:3 screen and a wide strip above a drawer
//! each get theirs. Saved positions are not read: presenting never moves anything.

use sglab_core::model::{Endpoint, GroupId, Topology, Vpc};

use super::viewport::FIT_MARGIN;
use super::vpc::{sections, VpcBox, VPC_TITLE_H};
use super::GROUP_TITLE_H;
use super::{
    node_kind, Diagram, DrawnEdge, EdgeGeometry, GroupBox, NodeBox, PlacedEdge, Placement, Rect,
};

/// The size of every text of the presentation layout, in diagram units.
pub const TEXT: f64 = 20.0;
/// [`TEXT`] as an SVG attribute.
pub const TEXT_ATTR: &str = "20";
/// The width of a character of a name in bold, in diagram units (DejaVu Sans Bold, the widest
/// of the usual sans-serif faces, with a little to spare).
pub const CHAR_W: f64 = 0.66 * TEXT;
/// Space between a card's border and its name.
pub const CARD_PAD: f64 = 12.0;
/// Height of a card.
pub const CARD_H: f64 = 2.0 * TEXT;
/// Space above a group's title, in its band of `GROUP_TITLE_H`.
pub const TITLE_TOP: f64 = 10.0;
/// The longest name drawn, in characters: longer ones are cut with an ellipsis.
pub const NAME_MAX: usize = 24;
/// Space between a group's border and its members and title, and between a VPC's border and
/// its groups and title.
pub const PAD: f64 = 12.0;
/// How far a line of text reaches above its baseline (DejaVu Sans: 0.93 of the font's size),
/// so that each text's box is placed inside its band.
pub const ASCENT: f64 = 0.93 * TEXT;
/// How far a line of text reaches below its baseline (DejaVu Sans: 0.24 of the font's size).
pub const DESCENT: f64 = 0.24 * TEXT;
/// Space between two cards of a group.
const GAP: f64 = 10.0;
/// Space between two groups of a column, and between two loose cards.
const ROW_GAP: f64 = 28.0;
/// Space between columns, where most edges and their labels go.
const COLUMN_GAP: f64 = 56.0;
/// Margin around the drawing.
const MARGIN: f64 = 8.0;
/// The arrangements tried: rows of members of a group at most...
const ROWS_PER_GROUP: [usize; 4] = [1, 2, 3, 4];
/// ...and groups per column.
const GROUPS_PER_COLUMN: [usize; 4] = [1, 2, 3, 4];

/// The name drawn for an object: its name, or its id without one, cut to [`NAME_MAX`].
pub fn shown_name(name: &str, id: &str) -> String {
    let name = if name.is_empty() { id } else { name };
    if name.chars().count() <= NAME_MAX {
        name.to_owned()
    } else {
        let cut: String = name.chars().take(NAME_MAX - 1).collect();
        format!("{cut}\u{2026}")
    }
}

/// The width of `text` in presentation type.
pub fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR_W
}

/// The size of an edge label in presentation type.
pub fn label_size(text: &str) -> (f64, f64) {
    (text_width(text) + TEXT, 1.5 * TEXT)
}

/// The size of the open question's label in presentation type.
pub fn query_label_size(text: &str) -> (f64, f64) {
    (text_width(text) + 1.2 * TEXT, 1.6 * TEXT)
}

/// The baseline of a text centred vertically in `rect` (a card's name, an edge's label).
pub fn centred_baseline(rect: Rect) -> f64 {
    rect.y + (rect.h + ASCENT - DESCENT) / 2.0
}

/// The baseline of a group's title in the box `rect`, inside its band of `GROUP_TITLE_H`.
pub fn title_baseline(rect: Rect) -> f64 {
    rect.y + TITLE_TOP + ASCENT
}

/// The baseline of a VPC region's title, inside its band of `VPC_TITLE_H`.
pub fn vpc_baseline(rect: Rect) -> f64 {
    rect.y + VPC_TITLE_H - DESCENT - 1.0
}

/// The edges with their labels in presentation type, inside the drawing where there is room.
pub fn place_edges(diagram: &Diagram, edges: &[DrawnEdge]) -> Vec<PlacedEdge> {
    super::labels::place_edges_with(
        diagram,
        edges,
        &super::obstacles(diagram),
        label_size,
        Some(diagram.bounds),
    )
}

/// The rectangle of the open question's label `text` on `geometry`, clear of the boxes and of
/// the edges' `labels`, inside the drawing where there is room.
pub fn query_label(
    diagram: &Diagram,
    geometry: &EdgeGeometry,
    text: &str,
    labels: &[Rect],
) -> Rect {
    super::labels::place_label(
        geometry,
        query_label_size(text),
        &super::obstacles(diagram),
        labels,
        (diagram.bounds, Some(diagram.bounds)),
    )
}

/// What the fit shows: the drawing and the labels placed outside it for want of room.
pub fn shown_bounds(bounds: Rect, labels: impl Iterator<Item = Rect>) -> Rect {
    labels.fold(bounds, |shown, label| {
        let padded = Rect {
            x: label.x - MARGIN,
            y: label.y - MARGIN,
            w: label.w + 2.0 * MARGIN,
            h: label.h + 2.0 * MARGIN,
        };
        shown.union(padded)
    })
}

/// The screen area assumed before the diagram's is measured: 1024x768 with the drawer open.
pub const DEFAULT_AREA: (f64, f64) = (1024.0, 400.0);

/// The presentation layout of `topology` for a diagram of `width` x `height` pixels on screen:
/// of the arrangements tried, the one a fit draws largest there.
pub fn present(topology: &Topology, (width, height): (f64, f64)) -> Diagram {
    let (width, height) = (width - 2.0 * FIT_MARGIN, height - 2.0 * FIT_MARGIN);
    let placement = super::placement(topology);
    let mut best: Option<(f64, Diagram)> = None;
    for rows in ROWS_PER_GROUP {
        for per_column in GROUPS_PER_COLUMN {
            let diagram = placement.arrange(rows, per_column);
            let zoom = (width / diagram.bounds.w).min(height / diagram.bounds.h);
            if best.as_ref().is_none_or(|(best, _)| zoom > *best + 1e-9) {
                best = Some((zoom, diagram));
            }
        }
    }
    best.map(|(_, diagram)| diagram).unwrap_or_default()
}

impl<'a> Placement<'a> {
    fn arrange(&self, rows: usize, per_column: usize) -> Diagram {
        let mut diagram = Diagram::default();
        let mut x = MARGIN;
        // The loose endpoints face the first row of cards of the groups.
        let first_card = MARGIN + VPC_TITLE_H + PAD + GROUP_TITLE_H + PAD;
        if !self.loose.is_empty() {
            let w = self
                .loose
                .iter()
                .map(|endpoint| card_width(endpoint))
                .fold(0.0, f64::max);
            for (index, endpoint) in self.loose.iter().enumerate() {
                diagram.nodes.push(NodeBox {
                    id: endpoint.id.clone(),
                    rect: Rect {
                        x,
                        y: first_card + index as f64 * (CARD_H + ROW_GAP),
                        w,
                        h: CARD_H,
                    },
                    kind: node_kind(endpoint),
                    home_group: None,
                    other_groups: Vec::new(),
                });
            }
            x += w + COLUMN_GAP;
        }
        for (vpc, groups) in sections(self.topology) {
            let (gateways, others): (Vec<&GroupId>, Vec<&GroupId>) = groups
                .into_iter()
                .partition(|id| self.gateway_groups.contains(id));
            let mut columns: Vec<Vec<&GroupId>> = Vec::new();
            if !gateways.is_empty() {
                columns.push(gateways);
            }
            columns.extend(others.chunks(per_column).map(<[&GroupId]>::to_vec));
            let inset = if vpc.is_some() { PAD } else { 0.0 };
            let top = MARGIN
                + if vpc.is_some() {
                    VPC_TITLE_H + PAD
                } else {
                    0.0
                };
            let first_group = diagram.groups.len();
            let mut column_x = x + inset;
            for column in columns {
                let mut y = top;
                let mut column_w: f64 = 0.0;
                for id in column {
                    let group = self.place_group(id, (column_x, y), rows, &mut diagram.nodes);
                    column_w = column_w.max(group.rect.w);
                    y = group.rect.bottom() + ROW_GAP;
                    diagram.groups.push(group);
                }
                column_x += column_w + COLUMN_GAP;
            }
            let right = column_x - COLUMN_GAP + inset;
            x = match vpc {
                Some(vpc) => {
                    let region = region(vpc, &diagram.groups[first_group..], x);
                    let right = region.rect.right();
                    diagram.vpcs.push(region);
                    right
                }
                None => right,
            } + COLUMN_GAP;
        }
        diagram.bounds = bounds(&diagram);
        diagram
    }

    /// A group at `(x, y)` with its members in at most `rows` rows of cards of one width.
    fn place_group(
        &self,
        id: &GroupId,
        (x, y): (f64, f64),
        rows: usize,
        nodes: &mut Vec<NodeBox>,
    ) -> GroupBox {
        let list = self.members.get(id).map(Vec::as_slice).unwrap_or(&[]);
        let per_row = list.len().div_ceil(rows.max(1)).max(1);
        let card_w = list
            .iter()
            .map(|(endpoint, _)| card_width(endpoint))
            .fold(0.0, f64::max);
        let across = per_row.min(list.len()).max(1);
        let inner_w = (across as f64 * (card_w + GAP) - GAP).max(0.0);
        let name = self
            .topology
            .groups
            .get(id)
            .map(|group| shown_name(&group.name, id.as_str()))
            .unwrap_or_default();
        let title_w = text_width(&name);
        let w = (inner_w.max(title_w) + 2.0 * PAD).max(4.0 * TEXT);
        let band = GROUP_TITLE_H;
        let rows = list.len().div_ceil(per_row);
        for (index, (endpoint, others)) in list.iter().enumerate() {
            let (row, column) = (index / per_row, index % per_row);
            nodes.push(NodeBox {
                id: endpoint.id.clone(),
                rect: Rect {
                    x: x + PAD + column as f64 * (card_w + GAP),
                    y: y + band + PAD + row as f64 * (CARD_H + GAP),
                    w: card_w,
                    h: CARD_H,
                },
                kind: node_kind(endpoint),
                home_group: Some(id.clone()),
                other_groups: others.clone(),
            });
        }
        let body = if rows == 0 {
            0.0
        } else {
            rows as f64 * (CARD_H + GAP) - GAP + 2.0 * PAD
        };
        GroupBox {
            id: id.clone(),
            rect: Rect {
                x,
                y,
                w,
                h: band + body.max(PAD),
            },
            members: list
                .iter()
                .map(|(endpoint, _)| endpoint.id.clone())
                .collect(),
        }
    }
}

/// The width of an endpoint's card: its name and the card's padding.
fn card_width(endpoint: &Endpoint) -> f64 {
    text_width(&shown_name(&endpoint.name, endpoint.id.as_str())) + 2.0 * CARD_PAD
}

/// The region of a VPC around its groups (or an empty one at `x`), wide enough for its title.
fn region(vpc: &Vpc, groups: &[GroupBox], x: f64) -> VpcBox {
    let title = shown_name(&vpc.name, vpc.id.as_str());
    let title_w = text_width(&title) + 2.0 * PAD;
    let rect = match groups.iter().map(|group| group.rect).reduce(Rect::union) {
        Some(inner) => Rect {
            x: inner.x - PAD,
            y: inner.y - PAD - VPC_TITLE_H,
            w: (inner.w + 2.0 * PAD).max(title_w),
            h: inner.h + 2.0 * PAD + VPC_TITLE_H,
        },
        None => Rect {
            x,
            y: MARGIN,
            w: title_w.max(text_width(EMPTY_VPC) + 2.0 * PAD),
            h: VPC_TITLE_H + 2.0 * CARD_H,
        },
    };
    VpcBox {
        id: vpc.id.clone(),
        title,
        rect,
        groups: groups.iter().map(|group| group.id.clone()).collect(),
    }
}

/// What an empty VPC region says.
pub const EMPTY_VPC: &str = "No security groups yet";

fn bounds(diagram: &Diagram) -> Rect {
    let inner = diagram
        .vpcs
        .iter()
        .map(|vpc| vpc.rect)
        .chain(diagram.groups.iter().map(|group| group.rect))
        .chain(diagram.nodes.iter().map(|node| node.rect))
        .reduce(Rect::union)
        .unwrap_or(Rect {
            x: 0.0,
            y: 0.0,
            w: 400.0,
            h: 250.0,
        });
    Rect {
        x: inner.x - MARGIN,
        y: inner.y - MARGIN,
        w: inner.w + 2.0 * MARGIN,
        h: inner.h + 2.0 * MARGIN,
    }
}
