//! A VPC drawn as a region: a titled area around its security groups, so that the network
//! boundary shows, and a VPC without groups still draws something.

use sglab_core::model::{GroupId, Topology, Vpc, VpcId};

use super::{Diagram, GroupBox, Rect, GROUP_MIN_W};

/// Space between the border of a VPC region and its groups.
pub const VPC_PAD: f64 = 22.0;
/// Height of the title band of a VPC region.
pub const VPC_TITLE_H: f64 = 30.0;
/// Width of a character of a VPC's title, in diagram units.
pub const TITLE_CHAR_W: f64 = 8.2;
/// Height of the body of a VPC region without groups.
const EMPTY_BODY_H: f64 = 90.0;

/// A placed VPC region.
#[derive(Clone, Debug, PartialEq)]
pub struct VpcBox {
    /// The VPC.
    pub id: VpcId,
    /// The title: the VPC's name, id and block.
    pub title: String,
    /// The region.
    pub rect: Rect,
    /// The groups drawn inside it.
    pub groups: Vec<GroupId>,
}

impl VpcBox {
    /// The title band, which edge labels keep clear of.
    pub fn title_band(&self) -> Rect {
        Rect {
            h: VPC_TITLE_H,
            ..self.rect
        }
    }
}

/// The groups of each VPC of the topology, in the topology's order, then those of VPCs it
/// does not list (as one section without a region).
pub fn sections(topology: &Topology) -> Vec<(Option<&Vpc>, Vec<&GroupId>)> {
    let mut sections: Vec<(Option<&Vpc>, Vec<&GroupId>)> = topology
        .vpcs
        .values()
        .map(|vpc| {
            let groups = topology
                .groups
                .values()
                .filter(|group| group.vpc == vpc.id)
                .map(|group| &group.id)
                .collect();
            (Some(vpc), groups)
        })
        .collect();
    let unlisted: Vec<&GroupId> = topology
        .groups
        .values()
        .filter(|group| !topology.vpcs.contains_key(&group.vpc))
        .map(|group| &group.id)
        .collect();
    if !unlisted.is_empty() {
        sections.push((None, unlisted));
    }
    sections
}

/// The title of a VPC region: `name · id · block`, without repeating a name equal to the id.
pub fn title(vpc: &Vpc) -> String {
    let mut parts = vec![format!("VPC {}", vpc.name)];
    if vpc.name != vpc.id.as_str() {
        parts.push(vpc.id.to_string());
    }
    if let Some(cidr) = vpc.cidr {
        parts.push(cidr.to_string());
    }
    parts.join(" \u{00b7} ")
}

/// The region of `vpc` around its placed `groups`, or an empty one at `x` when it has none.
pub fn region(vpc: &Vpc, groups: &[GroupBox], x: f64) -> VpcBox {
    let ids: Vec<GroupId> = groups.iter().map(|group| group.id.clone()).collect();
    let title = title(vpc);
    let mut rect = surround(groups.iter().map(|group| group.rect)).unwrap_or(Rect {
        x,
        y: super::MARGIN,
        w: GROUP_MIN_W + 2.0 * VPC_PAD,
        h: VPC_TITLE_H + EMPTY_BODY_H,
    });
    // Wide enough for the title, so that the network's name and block show whole.
    rect.w = rect.w.max(title_width(&title));
    VpcBox {
        id: vpc.id.clone(),
        title,
        rect,
        groups: ids,
    }
}

/// The width a region needs for its title at the drawing's 14-unit bold type.
pub fn title_width(title: &str) -> f64 {
    title.chars().count() as f64 * TITLE_CHAR_W + 28.0
}

/// Fits every region of `diagram` to its groups again, after groups moved.
pub fn refit(diagram: &mut Diagram) {
    let Diagram { vpcs, groups, .. } = diagram;
    for vpc in vpcs {
        let inside = groups
            .iter()
            .filter(|group| vpc.groups.contains(&group.id))
            .map(|group| group.rect);
        if let Some(rect) = surround(inside) {
            vpc.rect = Rect {
                w: rect.w.max(title_width(&vpc.title)),
                ..rect
            };
        }
    }
}

/// The region around some group boxes: padded, with the title band above.
fn surround(rects: impl Iterator<Item = Rect>) -> Option<Rect> {
    let inner = rects.reduce(Rect::union)?;
    Some(Rect {
        x: inner.x - VPC_PAD,
        y: inner.y - VPC_PAD - VPC_TITLE_H,
        w: inner.w + 2.0 * VPC_PAD,
        h: inner.h + 2.0 * VPC_PAD + VPC_TITLE_H,
    })
}
