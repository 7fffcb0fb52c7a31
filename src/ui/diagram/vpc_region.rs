//! VPCs drawn as regions: a tinted area titled with the VPC's name, id and block, under the
//! groups it holds; a VPC without groups says so inside its region.

use yew::prelude::*;

use super::text::{f, truncate};
use crate::layout::{present, Diagram, VpcBox, TITLE_CHAR_W, VPC_TITLE_H};

/// Every VPC region of the diagram, in presentation mode's type when `presenting`.
pub fn vpc_regions(diagram: &Diagram, presenting: bool) -> Html {
    diagram
        .vpcs
        .iter()
        .map(|vpc| vpc_region(vpc, presenting))
        .collect()
}

fn vpc_region(vpc: &VpcBox, presenting: bool) -> Html {
    let r = vpc.rect;
    let empty = vpc.groups.is_empty();
    let (title_x, title_y, title_size, body_size) = if presenting {
        (
            r.x + present::PAD,
            present::vpc_baseline(r),
            present::TEXT_ATTR,
            present::TEXT_ATTR,
        )
    } else {
        (r.x + 14.0, r.y + 21.0, "14", "12")
    };
    let shown = if presenting {
        vpc.title.clone()
    } else {
        truncate(&vpc.title, ((r.w - 28.0) / TITLE_CHAR_W + 0.5) as usize)
    };
    html! {
        <g class="vpc-region" data-testid={format!("diagram-vpc-{}", vpc.id)}>
            <title>{ &vpc.title }</title>
            <rect x={f(r.x)} y={f(r.y)} width={f(r.w)} height={f(r.h)} rx="14"
                fill="#f3f8ff" stroke="#54aeff" stroke-width="1.5" stroke-dasharray="10 5" />
            <text x={f(title_x)} y={f(title_y)} font-size={title_size} font-weight="700" fill="#0550ae"
                data-testid="diagram-vpc-title">
                { shown }
            </text>
            if empty {
                <text x={f(r.x + r.w / 2.0)} y={f(r.y + VPC_TITLE_H + (r.h - VPC_TITLE_H) / 2.0)}
                    font-size={body_size} fill="#57606a" text-anchor="middle">
                    { present::EMPTY_VPC }
                </text>
            }
        </g>
    }
}
