//! A validated topology in parts, from the engine's Web Worker to the page: the worker reads and
//! validates a large topology's sglab JSON and sends the model back a thousand rules or a few
//! hundred endpoints at a time ([`split`]), each part a message of its own, so that the page
//! takes each in a task far shorter than a frame ([`Assembling`]) instead of reading the whole
//! text in one task. The parts travel as structured data (the messages' own encoding, whose
//! readers of the model's types the page's module holds already for the one-click fixes),
//! not as JSON, whose readers of the model would make the page's module larger.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sglab_core::model::{
    Cluster, ClusterId, Endpoint, EndpointId, Expectation, Gateway, GatewayId, GroupId, Position,
    PrefixList, PrefixListId, SecurityGroup, Topology, Vpc, VpcId,
};

/// Rules (counted with the groups themselves) in one part of groups.
const RULES_PER_PART: usize = 1_000;
/// Endpoints in one part.
const ENDPOINTS_PER_PART: usize = 250;

/// One part of a topology's model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Part {
    /// Everything but the groups and the endpoints.
    Rest {
        /// The title.
        name: String,
        /// The VPCs.
        vpcs: BTreeMap<VpcId, Vpc>,
        /// The clusters.
        clusters: BTreeMap<ClusterId, Cluster>,
        /// The gateways.
        gateways: BTreeMap<GatewayId, Gateway>,
        /// The prefix lists.
        prefix_lists: BTreeMap<PrefixListId, PrefixList>,
        /// The expectations.
        expectations: Vec<Expectation>,
        /// The diagram's positions.
        layout: BTreeMap<String, Position>,
    },
    /// Some of the groups, in id order.
    Groups(Vec<(GroupId, SecurityGroup)>),
    /// Some of the endpoints, in id order.
    Endpoints(Vec<(EndpointId, Endpoint)>),
}

/// `topology` in parts: the rest first, then the groups, then the endpoints.
pub fn split(topology: Topology) -> Vec<Part> {
    let Topology {
        name,
        vpcs,
        groups,
        endpoints,
        clusters,
        gateways,
        prefix_lists,
        expectations,
        layout,
    } = topology;
    let mut parts = vec![Part::Rest {
        name,
        vpcs,
        clusters,
        gateways,
        prefix_lists,
        expectations,
        layout,
    }];
    let mut part = Vec::new();
    let mut rules = 0;
    for (id, group) in groups {
        rules += group.rules.len() + 1;
        part.push((id, group));
        if rules >= RULES_PER_PART {
            parts.push(Part::Groups(std::mem::take(&mut part)));
            rules = 0;
        }
    }
    if !part.is_empty() {
        parts.push(Part::Groups(part));
    }
    let mut part = Vec::new();
    for entry in endpoints {
        part.push(entry);
        if part.len() >= ENDPOINTS_PER_PART {
            parts.push(Part::Endpoints(std::mem::take(&mut part)));
        }
    }
    if !part.is_empty() {
        parts.push(Part::Endpoints(part));
    }
    parts
}

/// A topology taken in part by part, on the page.
#[derive(Debug, Default)]
pub struct Assembling {
    topology: Topology,
}

impl Assembling {
    /// Takes in one part.
    pub fn add(&mut self, part: Part) {
        let topology = &mut self.topology;
        match part {
            Part::Rest {
                name,
                vpcs,
                clusters,
                gateways,
                prefix_lists,
                expectations,
                layout,
            } => {
                topology.name = name;
                topology.vpcs = vpcs;
                topology.clusters = clusters;
                topology.gateways = gateways;
                topology.prefix_lists = prefix_lists;
                topology.expectations = expectations;
                topology.layout = layout;
            }
            Part::Groups(groups) => topology.groups.extend(groups),
            Part::Endpoints(endpoints) => topology.endpoints.extend(endpoints),
        }
    }

    /// The topology of every part taken in.
    pub fn finish(self) -> Topology {
        self.topology
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sglab_core::generate::{generate, GenParams};

    #[test]
    fn a_topology_in_parts_is_the_topology() {
        let topology = generate(3, &GenParams::small(900, 40, 5_000));
        let parts = split(topology.clone());
        assert!(parts.len() > 4, "{} parts", parts.len());
        let mut assembling = Assembling::default();
        for part in parts {
            assembling.add(part);
        }
        assert_eq!(assembling.finish(), topology);
    }
}
