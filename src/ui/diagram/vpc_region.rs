//! VPCs drawn as regions: a tinted area titled with the VPC's name, id and block, under the
//! groups it holds; a VPC without groups says so inside its region.

use yew::prelude::*;

use super::text::{f, truncate};
use crate::layout::{Diagram, VpcBox, TITLE_CHAR_W, VPC_TITLE_H};

/// Every VPC region of the diagram.
pub fn vpc_regions(diagram: &Diagram) -> Html {
    diagram.vpcs.iter().map(vpc_region).collect()
}

fn vpc_region(vpc: &VpcBox) -> Html {
    let r = vpc.rect;
    let empty = vpc.groups.is_empty();
    html! {
        <g class="vpc-region" data-testid={format!("diagram-vpc-{}", vpc.id)}>
            <title>{ &vpc.title }</title>
            <rect x={f(r.x)} y={f(r.y)} width={f(r.w)} height={f(r.h)} rx="14"
                fill="#f3f8ff" stroke="#54aeff" stroke-width="1.5" stroke-dasharray="10 5" />
            <text x={f(r.x + 14.0)} y={f(r.y + 21.0)} font-size="14" font-weight="700" fill="#0550ae"
                data-testid="diagram-vpc-title">
                { truncate(&vpc.title, ((r.w - 28.0) / TITLE_CHAR_W + 0.5) as usize) }
            </text>
            if empty {
                <text x={f(r.x + r.w / 2.0)} y={f(r.y + VPC_TITLE_H + (r.h - VPC_TITLE_H) / 2.0)}
                    font-size="12" fill="#57606a" text-anchor="middle">
                    { "No security groups yet" }
                </text>
            }
        </g>
    }
}
