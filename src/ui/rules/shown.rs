//! Which groups' rule tables the dock shows, and which rules the open question marks: pure,
//! so it is tested natively.

use sglab_core::explain::{Decision, Explanation, RuleRef};
use sglab_core::model::{GroupId, Peer, Topology};

use crate::engine::steps;
use crate::types::Selection;

/// The groups the dock shows, with the rules the open question highlights.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DockGroups {
    /// The groups, in the order their tables are shown.
    pub groups: Vec<GroupId>,
    /// The rules that decided a side of the open question.
    pub decided: Vec<RuleRef>,
    /// The rule of the current step of the step-through.
    pub current_step: Option<RuleRef>,
}

/// The selected group; an endpoint's groups; a gateway's managed and authorized groups; the
/// groups with a rule naming the selected prefix list; then every group the open question's
/// explanation (at step `step`) considered.
pub fn dock_groups(
    topology: &Topology,
    selection: &Selection,
    explanation: Option<&Explanation>,
    step: usize,
) -> DockGroups {
    let mut groups: Vec<GroupId> = Vec::new();
    // The selected group; an endpoint's groups; a gateway's managed and authorized groups; the
    // groups with a rule naming the selected prefix list.
    match selection {
        Selection::PrefixList(id) => groups.extend(
            topology
                .groups
                .values()
                .filter(|group| {
                    group
                        .rules
                        .iter()
                        .any(|rule| matches!(&rule.peer, Peer::PrefixList(peer) if peer == id))
                })
                .map(|group| group.id.clone()),
        ),
        Selection::Group(id) => groups.push(id.clone()),
        Selection::Endpoint(id) => {
            if let Some(endpoint) = topology.endpoints.get(id) {
                groups.extend(crate::layout::memberships(topology, endpoint));
            }
        }
        Selection::Gateway(id) => {
            if let Some(gateway) = topology.gateways.get(id) {
                groups.push(gateway.managed_group.clone());
                for authorization in &gateway.authorizations {
                    if !groups.contains(&authorization.backend_group) {
                        groups.push(authorization.backend_group.clone());
                    }
                }
            }
        }
        _ => {}
    }
    let mut decided: Vec<RuleRef> = Vec::new();
    let mut current_step: Option<RuleRef> = None;
    if let Some(explanation) = explanation {
        for side in [&explanation.egress, &explanation.ingress] {
            if let Decision::Rule(rule) = &side.decided_by {
                decided.push(rule.clone());
            }
            for considered in &side.considered {
                if !groups.contains(&considered.rule.security_group) {
                    groups.push(considered.rule.security_group.clone());
                }
            }
        }
        current_step = steps(explanation).get(step).map(|step| step.rule.clone());
    }
    DockGroups {
        groups,
        decided,
        current_step,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Query;
    use sglab_core::model::Protocol;

    fn example() -> Topology {
        crate::engine::example("ai-gateway").unwrap_or_default()
    }

    fn ids(groups: &[GroupId]) -> Vec<&str> {
        groups.iter().map(GroupId::as_str).collect()
    }

    #[test]
    fn a_selection_shows_the_groups_it_names() {
        let topology = example();
        let shown = |selection: Selection| dock_groups(&topology, &selection, None, 0).groups;
        assert!(shown(Selection::None).is_empty());
        assert_eq!(
            ids(&shown(Selection::Group("service-sg2".into()))),
            ["service-sg2"]
        );
        assert_eq!(
            ids(&shown(Selection::Endpoint("ack-node-1".into()))),
            ["service-sg1"]
        );
        // A pod without an ENI of its own is filtered by its node's groups.
        assert_eq!(
            ids(&shown(Selection::Endpoint("pod-app-1".into()))),
            ["service-sg1"]
        );
        let gateway = shown(Selection::Gateway("gw-ai".into()));
        assert_eq!(gateway.first().map(GroupId::as_str), Some("sg-ai-gateway"));
    }

    #[test]
    fn an_open_question_adds_its_groups_and_marks_its_deciding_rules() {
        let topology = example();
        let query = Query {
            from: "gw-node-1".into(),
            to: "ecs-backend".into(),
            protocol: Protocol::Tcp,
            port: Some(8081),
        };
        let explanation = crate::engine::explain(&topology, &query);
        let shown = dock_groups(&topology, &Selection::None, Some(&explanation), 0);
        assert!(ids(&shown.groups).contains(&"service-sg2"), "{shown:?}");
        assert!(shown
            .decided
            .iter()
            .any(|rule| rule.security_group.as_str() == "service-sg2"));
        assert!(shown.current_step.is_some());
    }
}
