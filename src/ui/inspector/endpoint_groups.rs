//! The security groups of an endpoint's primary ENI, as checkboxes over the groups of its VPC.

use sglab_core::model::{Endpoint, GroupId, SecurityGroup, Topology};
use yew::prelude::*;

use crate::state::Action;
use crate::ui::tree::display_name;
use sglab_core::edit::Edit;

/// The fieldset of group checkboxes; a click adds or removes the group.
pub fn group_toggles(
    topology: &Topology,
    endpoint: &Endpoint,
    dispatch: &Callback<Action>,
) -> Html {
    let current_groups: Vec<GroupId> = endpoint
        .enis
        .first()
        .map(|eni| eni.groups.clone())
        .unwrap_or_default();
    let candidate_groups: Vec<&SecurityGroup> = topology
        .groups
        .values()
        .filter(|g| Some(&g.vpc) == endpoint.vpc.as_ref())
        .collect();
    let group_toggles: Html = candidate_groups
        .iter()
        .map(|group| {
            let checked = current_groups.contains(&group.id);
            let onchange = {
                let endpoint = endpoint.clone();
                let group_id = group.id.clone();
                dispatch.reform(move |_: Event| {
                    let mut endpoint = endpoint.clone();
                    if let Some(eni) = endpoint.enis.first_mut() {
                        if eni.groups.contains(&group_id) {
                            eni.groups.retain(|g| g != &group_id);
                        } else {
                            eni.groups.push(group_id.clone());
                        }
                    }
                    Action::Edit(Edit::SetEndpoint(endpoint))
                })
            };
            let testid = format!("member-{}", group.id);
            html! {
                <label class="check">
                    <input type="checkbox" {checked} {onchange} data-testid={testid} />
                    { format!(" {}", display_name(&group.name, group.id.as_str())) }
                </label>
            }
        })
        .collect();

    html! {
        <fieldset class="groups" data-testid="endpoint-groups">
            <legend>{ format!("Security groups ({} of at most 10)", current_groups.len()) }</legend>
            { group_toggles }
        </fieldset>
    }
}
