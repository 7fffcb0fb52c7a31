//! Groups and endpoints added, removed or changed between two topologies.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ChangeKind;
use crate::model::{Endpoint, SecurityGroup, Topology};

/// Which kind of object changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectKind {
    /// A security group.
    Group,
    /// An endpoint.
    Endpoint,
}

/// A group or endpoint added, removed or changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectChange {
    /// Group or endpoint.
    pub object: ObjectKind,
    /// Its id.
    pub id: String,
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// For a changed object, the fields that differ (rules are reported as rule changes).
    pub fields: Vec<&'static str>,
}

/// The groups, then the endpoints, added, removed or changed, each by id.
pub(super) fn object_changes(old: &Topology, new: &Topology) -> Vec<ObjectChange> {
    let mut out = Vec::new();
    compare(
        ObjectKind::Group,
        &old.groups,
        &new.groups,
        group_fields,
        &mut out,
    );
    compare(
        ObjectKind::Endpoint,
        &old.endpoints,
        &new.endpoints,
        endpoint_fields,
        &mut out,
    );
    out
}

fn compare<K: Ord + ToString, V>(
    object: ObjectKind,
    old: &BTreeMap<K, V>,
    new: &BTreeMap<K, V>,
    fields: fn(&V, &V) -> Vec<&'static str>,
    out: &mut Vec<ObjectChange>,
) {
    let mut ids: Vec<&K> = old.keys().chain(new.keys()).collect();
    ids.sort();
    ids.dedup();
    for id in ids {
        let (kind, fields) = match (old.get(id), new.get(id)) {
            (Some(_), None) => (ChangeKind::Removed, Vec::new()),
            (None, Some(_)) => (ChangeKind::Added, Vec::new()),
            (Some(a), Some(b)) => match fields(a, b) {
                fields if fields.is_empty() => continue,
                fields => (ChangeKind::Changed, fields),
            },
            (None, None) => continue,
        };
        out.push(ObjectChange {
            object,
            id: id.to_string(),
            kind,
            fields,
        });
    }
}

/// The settings of a group that differ; rules are compared one by one elsewhere.
fn group_fields(a: &SecurityGroup, b: &SecurityGroup) -> Vec<&'static str> {
    let SecurityGroup {
        id: _,
        name,
        description,
        tags,
        vpc,
        group_type,
        inner_access_policy,
        managed_by,
        rules: _,
    } = a;
    let checks = [
        (*name != b.name, "name"),
        (*description != b.description, "description"),
        (*tags != b.tags, "tags"),
        (*vpc != b.vpc, "vpc"),
        (*group_type != b.group_type, "group_type"),
        (
            *inner_access_policy != b.inner_access_policy,
            "inner_access_policy",
        ),
        (*managed_by != b.managed_by, "managed_by"),
    ];
    checks.into_iter().filter(|c| c.0).map(|c| c.1).collect()
}

/// The fields of an endpoint that differ.
fn endpoint_fields(a: &Endpoint, b: &Endpoint) -> Vec<&'static str> {
    let Endpoint {
        id: _,
        name,
        kind,
        vpc,
        enis,
        public_ip,
        pod_ip,
        services,
    } = a;
    let checks = [
        (*name != b.name, "name"),
        (*kind != b.kind, "kind"),
        (*vpc != b.vpc, "vpc"),
        (*enis != b.enis, "enis"),
        (*public_ip != b.public_ip, "public_ip"),
        (*pod_ip != b.pod_ip, "pod_ip"),
        (*services != b.services, "services"),
    ];
    checks.into_iter().filter(|c| c.0).map(|c| c.1).collect()
}
