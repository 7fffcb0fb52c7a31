//! The inspector of a Kubernetes cluster: name, pod block and network plug-in.

use std::rc::Rc;

use sglab_core::model::{Cluster, ClusterId, NetworkMode, Topology};
use yew::prelude::*;

use super::Change;
use super::{commit, delete_button};
use crate::engine;
use crate::state::Action;
use crate::ui::widgets::{options, SelectField, TextField};
use sglab_core::edit::Edit;

/// The settings of a cluster.
pub fn cluster_inspector(topology: &Topology, id: &ClusterId, dispatch: &Callback<Action>) -> Html {
    let Some(cluster) = topology.clusters.get(id) else {
        return html! {};
    };
    let set = |change: Change<Cluster>| {
        let cluster = cluster.clone();
        commit(dispatch, move |text| {
            let mut cluster = cluster.clone();
            change(&mut cluster, text)?;
            Ok(Edit::SetCluster(cluster))
        })
    };
    let on_name = set(Rc::new(|c, text| {
        c.name = text;
        Ok(())
    }));
    let on_cidr = set(Rc::new(|c, text| engine::set_pod_cidr(c, &text)));
    let on_mode = {
        let set = set(Rc::new(|c, text| {
            c.network_mode = match text.as_str() {
                "terway_shared" => NetworkMode::TerwayShared,
                "terway_trunk" => NetworkMode::TerwayTrunk,
                _ => NetworkMode::Flannel,
            };
            Ok(())
        }));
        Callback::from(move |value: String| {
            set.emit(value);
        })
    };
    let mode = match cluster.network_mode {
        NetworkMode::Flannel => "flannel",
        NetworkMode::TerwayShared => "terway_shared",
        NetworkMode::TerwayTrunk => "terway_trunk",
    };
    html! {
        <>
            <h2>{ format!("Cluster {id}") }</h2>
            <TextField label="Name" value={cluster.name.clone()} testid="cluster-name" on_commit={on_name} />
            <TextField label="Pod CIDR" value={cluster.pod_cidr.map(|c| c.to_string()).unwrap_or_default()} testid="cluster-pod-cidr" on_commit={on_cidr} />
            <SelectField label="Network plug-in" value={mode} testid="cluster-mode" on_change={on_mode}
                options={options(&[("flannel", "Flannel"), ("terway_shared", "Terway shared ENI"), ("terway_trunk", "Terway trunk ENI")])} />
            { delete_button(dispatch, Edit::DeleteCluster(id.clone()), "Delete cluster", "delete-cluster") }
        </>
    }
}
