//! The inspector of a VPC: its name and IPv4 block.

use sglab_core::model::{Topology, Vpc, VpcId};
use yew::prelude::*;

use super::{commit, delete_button};
use crate::engine;
use crate::state::Action;
use crate::ui::widgets::TextField;
use sglab_core::edit::Edit;

/// The settings of a VPC.
pub fn vpc_inspector(topology: &Topology, id: &VpcId, dispatch: &Callback<Action>) -> Html {
    let Some(vpc) = topology.vpcs.get(id) else {
        return html! {};
    };
    let on_name = {
        let vpc = vpc.clone();
        commit(dispatch, move |text| {
            Ok(Edit::SetVpc(Vpc {
                name: text,
                ..vpc.clone()
            }))
        })
    };
    let on_cidr = {
        let vpc = vpc.clone();
        commit(dispatch, move |text| {
            engine::vpc_with_cidr(&vpc, &text).map(Edit::SetVpc)
        })
    };
    html! {
        <>
            <h2>{ format!("VPC {id}") }</h2>
            <TextField label="Name" value={vpc.name.clone()} testid="vpc-name" on_commit={on_name} />
            <TextField label="IPv4 CIDR block" value={vpc.cidr.map(|c| c.to_string()).unwrap_or_default()} testid="vpc-cidr" on_commit={on_cidr} />
            { delete_button(dispatch, Edit::DeleteVpc(id.clone()), "Delete VPC", "delete-vpc") }
        </>
    }
}
