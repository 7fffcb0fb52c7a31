//! The inspector of a security group: name, type, inner-access policy, description and
//! members; read-only when a cloud product manages the group.

use std::rc::Rc;

use sglab_core::model::{GroupId, GroupType, InnerAccessPolicy, SecurityGroup, Topology};
use yew::prelude::*;

use super::{commit, delete_button};
use crate::state::Action;
use crate::ui::tree::display_name;
use crate::ui::widgets::{options, SelectField, TextField};
use sglab_core::edit;
use sglab_core::edit::Edit;

/// A change of a group's field from typed text.
type GroupChange = Rc<dyn Fn(&mut SecurityGroup, String)>;

/// The settings of a security group.
pub fn group_inspector(topology: &Topology, id: &GroupId, dispatch: &Callback<Action>) -> Html {
    let Some(group) = topology.groups.get(id) else {
        return html! {};
    };
    let disabled = group.managed_by.is_some();
    let set = |change: GroupChange| {
        let group = group.clone();
        commit(dispatch, move |text| {
            let mut group = group.clone();
            change(&mut group, text);
            Ok(Edit::SetGroup(group))
        })
    };
    let on_name = set(Rc::new(|g, text| g.name = text));
    let on_description = set(Rc::new(|g, text| g.description = text));
    let on_type = {
        let set = set(Rc::new(|g, text| {
            if let Some(group_type) = GroupType::parse(&text) {
                *g = sglab_core::edit::group_with_type(g, group_type);
            }
        }));
        Callback::from(move |value: String| {
            set.emit(value);
        })
    };
    let on_inner = {
        let set = set(Rc::new(|g, text| {
            if let Some(policy) = InnerAccessPolicy::parse(&text) {
                g.inner_access_policy = policy;
            }
        }));
        Callback::from(move |value: String| {
            set.emit(value);
        })
    };
    let members: Vec<String> = topology
        .endpoints
        .values()
        .filter(|e| crate::layout::memberships(topology, e).contains(id))
        .map(|e| display_name(&e.name, e.id.as_str()))
        .collect();
    html! {
        <>
            <h2>{ format!("Security group {id}") }</h2>
            if let Some(product) = &group.managed_by {
                <p class="read-only" data-testid="group-read-only"><span class="lock">{ "Read-only: " }</span>{ edit::read_only_reason(id, product) }</p>
            }
            <TextField label="Name" value={group.name.clone()} testid="group-name" on_commit={on_name} {disabled} />
            <SelectField label="Type" value={group.group_type.as_str()}
                options={options(&[("basic", "Basic"), ("enterprise", "Enterprise")])} testid="group-type" on_change={on_type} {disabled} />
            <SelectField label="InnerAccessPolicy (members of the group)" value={group.inner_access_policy.as_str()}
                options={options(&[("accept", "Accept: members reach each other"), ("drop", "Drop: members isolated")])}
                testid="group-inner" on_change={on_inner} disabled={disabled || group.group_type == GroupType::Enterprise} />
            <TextField label="Description" value={group.description.clone()} testid="group-description" on_commit={on_description} {disabled} />
            <p class="meta">{ format!("VPC {} \u{00b7} {} \u{00b7} members: {}", group.vpc, crate::ui::tree::count(group.rules.len(), "rule", "rules"), if members.is_empty() { "none".to_owned() } else { members.join(", ") }) }</p>
            if !disabled {
                { delete_button(dispatch, Edit::DeleteGroup(id.clone()), "Delete group", "delete-group") }
            }
        </>
    }
}
