//! Which endpoints `sglab matrix --from` and `--to` select, and the buckets (rows and columns)
//! of the group matrix.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;
use sglab_core::matrix::{Bucket, Matrix};
use sglab_core::model::{Endpoint, EndpointId, EndpointKind, GroupId, NetworkMode, Topology};

/// The endpoints a matrix shows: sources and targets, as sorted indices in
/// [`Matrix::endpoints`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// The sources.
    pub from: Vec<usize>,
    /// The targets.
    pub to: Vec<usize>,
    /// Whether `--from` or `--to` narrowed the selection.
    pub filtered: bool,
}

impl Selection {
    /// Every endpoint, on both sides.
    pub fn all(matrix: &Matrix) -> Selection {
        let all: Vec<usize> = (0..matrix.endpoints().len()).collect();
        Selection {
            from: all.clone(),
            to: all,
            filtered: false,
        }
    }

    /// The endpoints that `--from` and `--to` name; an empty list selects every endpoint.
    pub fn of(
        topology: &Topology,
        matrix: &Matrix,
        from: &[String],
        to: &[String],
    ) -> Result<Selection, String> {
        let all = Selection::all(matrix);
        let side = |flag: &str, values: &[String], all: Vec<usize>| {
            if values.is_empty() {
                Ok(all)
            } else {
                select(topology, matrix, flag, values)
            }
        };
        let from_side = side("--from", from, all.from);
        let to_side = side("--to", to, all.to);
        match (from_side, to_side) {
            (Ok(from), Ok(to)) => Ok(Selection {
                from,
                to,
                filtered: true,
            }
            .unfiltered_if_everything(matrix)),
            (Err(error), Ok(_)) | (Ok(_), Err(error)) => Err(error),
            (Err(from), Err(to)) => Err(format!("{from}\n{to}")),
        }
    }

    fn unfiltered_if_everything(self, matrix: &Matrix) -> Selection {
        let count = matrix.endpoints().len();
        Selection {
            filtered: self.from.len() != count || self.to.len() != count,
            ..self
        }
    }

    /// How many ordered pairs of distinct endpoints the selection holds.
    pub fn pair_count(&self) -> u64 {
        let both = count_common(&self.from, &self.to);
        self.from.len() as u64 * self.to.len() as u64 - both as u64
    }
}

/// How many values two sorted lists share.
fn count_common(a: &[usize], b: &[usize]) -> usize {
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common
}

/// The union of the endpoints named by each value, sorted; the first error per value is
/// reported, every value's at once.
fn select(
    topology: &Topology,
    matrix: &Matrix,
    flag: &str,
    values: &[String],
) -> Result<Vec<usize>, String> {
    let mut selected = vec![false; matrix.endpoints().len()];
    let mut errors = Vec::new();
    for value in values {
        match select_one(topology, value) {
            Ok(endpoints) => {
                for endpoint in endpoints {
                    if let Some(index) = matrix.endpoint_index(&endpoint.id) {
                        selected[index] = true;
                    }
                }
            }
            Err(error) => errors.push(format!("error: {flag}: {error}")),
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    Ok(selected
        .iter()
        .enumerate()
        .filter_map(|(index, selected)| selected.then_some(index))
        .collect())
}

/// The endpoints one value names: the first that matches of an endpoint id, endpoint names, a
/// security group, an IP address or a CIDR block.
fn select_one<'t>(topology: &'t Topology, value: &str) -> Result<Vec<&'t Endpoint>, String> {
    let text = value.trim();
    if let Some(endpoint) = topology.endpoints.get(&EndpointId::from(text)) {
        return Ok(vec![endpoint]);
    }
    let named: Vec<&Endpoint> = topology
        .endpoints
        .values()
        .filter(|endpoint| endpoint.name == text)
        .collect();
    if !named.is_empty() {
        return Ok(named);
    }
    if let Some((group, _)) = topology.groups.get_key_value(&GroupId::from(text)) {
        let members: Vec<&Endpoint> = topology
            .endpoints
            .values()
            .filter(|endpoint| in_group(topology, endpoint, group))
            .collect();
        return if members.is_empty() {
            Err(format!(
                "security group {group} selects no endpoint: no ENI is in it"
            ))
        } else {
            Ok(members)
        };
    }
    let Some(net) = parse_net(text) else {
        return Err(format!(
            "{text:?} is no endpoint id, endpoint name, security group id, IP address or CIDR block: use one of those"
        ));
    };
    let inside: Vec<&Endpoint> = topology
        .endpoints
        .values()
        .filter(|endpoint| has_address_in(endpoint, &net))
        .collect();
    if inside.is_empty() {
        Err(format!(
            "{text} selects no endpoint: no private, public or pod address is in {net}, and no external block inside it"
        ))
    } else {
        Ok(inside)
    }
}

/// An IP address (as a /32 or /128 block) or a CIDR block, host bits cleared.
fn parse_net(text: &str) -> Option<IpNet> {
    if let Ok(address) = text.parse::<IpAddr>() {
        return Some(IpNet::from(address));
    }
    text.parse::<IpNet>().ok().map(|net| net.trunc())
}

/// Whether an endpoint has a private address (of any ENI), a public IP or a pod IP inside
/// `net`, or is an external block inside it.
fn has_address_in(endpoint: &Endpoint, net: &IpNet) -> bool {
    if let EndpointKind::External { cidr } = &endpoint.kind {
        if net.contains(cidr) {
            return true;
        }
    }
    let private = endpoint.enis.iter().flat_map(|eni| eni.private_ips.iter());
    endpoint
        .public_ip
        .iter()
        .chain(endpoint.pod_ip.iter())
        .chain(private)
        .any(|address| net.contains(address))
}

/// Whether a group selects an endpoint: one of its ENIs is in it, or the group filters its
/// traffic (a Flannel or Terway-shared pod in its node's groups).
fn in_group(topology: &Topology, endpoint: &Endpoint, group: &GroupId) -> bool {
    endpoint.enis.iter().any(|eni| eni.groups.contains(group))
        || filtering_groups(topology, endpoint).contains(&group)
}

/// The groups that filter an endpoint's traffic, without repeats, in ENI order: those of its
/// primary ENI; for a Flannel or Terway-shared pod, those of its node's primary ENI; none for
/// an external endpoint. (The engine's own rule, `Actor::of_endpoint`, which the core keeps
/// private.)
pub fn filtering_groups<'t>(topology: &'t Topology, endpoint: &'t Endpoint) -> Vec<&'t GroupId> {
    let eni = match &endpoint.kind {
        EndpointKind::External { .. } => None,
        EndpointKind::Ecs | EndpointKind::GatewayNode { .. } => endpoint.enis.first(),
        EndpointKind::Pod { cluster, node } => {
            let mode = topology
                .clusters
                .get(cluster)
                .map(|cluster| cluster.network_mode)
                .unwrap_or(if endpoint.enis.is_empty() {
                    NetworkMode::TerwayShared
                } else {
                    NetworkMode::TerwayTrunk
                });
            match mode {
                NetworkMode::Flannel | NetworkMode::TerwayShared => topology
                    .endpoints
                    .get(node)
                    .and_then(|node| node.enis.first()),
                NetworkMode::TerwayTrunk => endpoint.enis.first(),
            }
        }
    };
    let mut groups: Vec<&GroupId> = Vec::new();
    for group in eni.map_or(&[][..], |eni| eni.groups.as_slice()) {
        if !groups.contains(&group) {
            groups.push(group);
        }
    }
    groups
}

/// The rows and columns of the group matrix: each group that filters some endpoint, and each
/// endpoint in no group, as `sglab_core::matrix::group_matrix_of` makes them.
pub struct Buckets {
    /// The buckets, sorted (the group matrix's order).
    pub buckets: Vec<Bucket>,
    /// Per endpoint (by index in [`Matrix::endpoints`]), its buckets, by index in `buckets`.
    pub of_endpoint: Vec<Vec<u32>>,
}

impl Buckets {
    /// The buckets of a matrix's endpoints.
    pub fn new(topology: &Topology, matrix: &Matrix) -> Buckets {
        let per_endpoint: Vec<Vec<Bucket>> = matrix
            .endpoints()
            .iter()
            .map(|id| {
                let groups = topology
                    .endpoints
                    .get(id)
                    .map(|endpoint| filtering_groups(topology, endpoint))
                    .unwrap_or_default();
                if groups.is_empty() {
                    vec![Bucket::Endpoint(id.clone())]
                } else {
                    groups
                        .into_iter()
                        .map(|group| Bucket::Group(group.clone()))
                        .collect()
                }
            })
            .collect();
        let mut ids: BTreeMap<&Bucket, u32> = BTreeMap::new();
        for bucket in per_endpoint.iter().flatten() {
            ids.insert(bucket, 0);
        }
        for (index, id) in ids.values_mut().enumerate() {
            *id = index as u32;
        }
        let of_endpoint = per_endpoint
            .iter()
            .map(|buckets| buckets.iter().map(|bucket| ids[bucket]).collect())
            .collect();
        Buckets {
            buckets: ids.into_keys().cloned().collect(),
            of_endpoint,
        }
    }

    /// The index of a bucket.
    pub fn index(&self, bucket: &Bucket) -> Option<usize> {
        self.buckets.binary_search(bucket).ok()
    }

    /// How many of the given endpoints each bucket holds.
    pub fn members(&self, endpoints: &[usize]) -> Vec<u64> {
        let mut members = vec![0; self.buckets.len()];
        for endpoint in endpoints {
            for bucket in &self.of_endpoint[*endpoint] {
                members[*bucket as usize] += 1;
            }
        }
        members
    }

    /// How many pairs of buckets hold at least one ordered pair of distinct selected endpoints
    /// (a source among `from`'s members, a target among `to`'s).
    pub fn pair_count(&self, selection: &Selection) -> u64 {
        let from = self.members(&selection.from);
        let to = self.members(&selection.to);
        // A pair of buckets with one member each is empty when it is the same endpoint.
        let mut single_to: Vec<Option<usize>> = vec![None; self.buckets.len()];
        for endpoint in &selection.to {
            for bucket in &self.of_endpoint[*endpoint] {
                single_to[*bucket as usize] = Some(*endpoint);
            }
        }
        let mut single_from: Vec<Option<usize>> = vec![None; self.buckets.len()];
        for endpoint in &selection.from {
            for bucket in &self.of_endpoint[*endpoint] {
                single_from[*bucket as usize] = Some(*endpoint);
            }
        }
        let mut count = 0;
        for (from_bucket, from_members) in from.iter().enumerate() {
            for (to_bucket, to_members) in to.iter().enumerate() {
                let pairs = from_members * to_members;
                let empty =
                    pairs == 0 || (pairs == 1 && single_from[from_bucket] == single_to[to_bucket]);
                if !empty {
                    count += 1;
                }
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_values() {
        assert_eq!(count_common(&[1, 2, 5, 7], &[2, 3, 7, 9]), 2);
        assert_eq!(count_common(&[], &[1]), 0);
    }

    #[test]
    fn nets() {
        assert_eq!(parse_net("10.0.0.5"), "10.0.0.5/32".parse().ok());
        assert_eq!(parse_net("10.0.0.5/8"), "10.0.0.0/8".parse().ok());
        assert_eq!(parse_net("2001:db8::1"), "2001:db8::1/128".parse().ok());
        assert_eq!(parse_net("web-1"), None);
    }
}
