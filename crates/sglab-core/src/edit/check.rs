//! Whether an edit keeps the topology valid: the one place that decides which errors an edit
//! would bring, so that the check can change without touching the edits.

use std::collections::BTreeSet;

use crate::model::{GroupId, Peer, Rule, Topology};
use crate::validate;

/// What an edit is checked on.
pub(super) enum Candidate<'a> {
    /// A rule about to be added to (or to replace a rule of) `group`.
    Rule {
        /// The group holding the rule.
        group: &'a GroupId,
        /// The rule.
        rule: &'a Rule,
    },
    /// The topology an edit would leave.
    Topology(&'a Topology),
}

/// The errors `after` brings that `before` does not have, in words: for a rule, the rule
/// checks in its group (ports for the protocol, peer, description); for a whole topology, the
/// errors of its validation that `before` did not already have.
pub(super) fn new_errors(before: &Topology, after: Candidate<'_>) -> Vec<String> {
    match after {
        Candidate::Rule { group, rule } => rule_errors(before, group, rule),
        Candidate::Topology(after) => {
            let after = errors(after);
            if after.is_empty() {
                return after;
            }
            let before: BTreeSet<String> = crate::sort::set_of(errors(before));
            after
                .into_iter()
                .filter(|error| !before.contains(error))
                .collect()
        }
    }
}

/// The errors of the model's check, each with its location.
fn errors(topology: &Topology) -> Vec<String> {
    validate::check(topology)
        .iter()
        .filter(|diagnostic| diagnostic.is_error())
        .map(ToString::to_string)
        .collect()
}

/// The checks of one rule in its group: ports for the protocol, the peer (address family,
/// group reference rules, prefix list), the description.
fn rule_errors(topology: &Topology, group: &GroupId, rule: &Rule) -> Vec<String> {
    let mut errors = Vec::new();
    if let Err(error) = validate::check_port_field(rule.protocol, &rule.ports.to_string()) {
        errors.push(error.to_string());
    }
    let peer = match &rule.peer {
        Peer::Cidr(cidr) => validate::check_protocol_family(rule.protocol, cidr),
        Peer::Group { id, .. } => {
            validate::check_peer_field(topology, group, rule.protocol, id.as_str()).map(|_| ())
        }
        Peer::PrefixList(id) => {
            validate::check_peer_field(topology, group, rule.protocol, id.as_str()).map(|_| ())
        }
    };
    if let Err(error) = peer {
        errors.push(error.to_string());
    }
    if let Err(error) = validate::check_description_field(&rule.description) {
        errors.push(error.to_string());
    }
    errors
}
