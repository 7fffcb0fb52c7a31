//! Plain result data of an evaluation: verdicts, the decision of each side, blockers, the
//! rules considered, port sets and the matrix.
//!
//! These types carry `pub` fields and serialize to the JSON that `sglab query --format json`
//! prints, so their field names are a public contract.

use serde::Serialize;

use crate::model::{
    Direction, EndpointId, GroupId, Peer, Policy, PortRange, PortSpec, Protocol, RuleId, Verdict,
};

/// Where a rule lives: its group and its index in the group's rule list, plus its cloud id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct RuleRef {
    /// The group holding the rule.
    pub security_group: GroupId,
    /// The index of the rule in the group's rule list (both directions, 0-based).
    pub rule_index: usize,
    /// The cloud's rule id, when known.
    pub rule_id: Option<RuleId>,
    /// The direction.
    pub direction: Direction,
    /// The priority, 1..=100 or legacy 110.
    pub priority: u8,
    /// Accept or drop.
    pub policy: Policy,
    /// The protocol.
    pub protocol: Protocol,
    /// The ports.
    pub ports: PortSpec,
    /// The peer.
    pub peer: Peer,
}

/// What decided one side (egress of the source or ingress of the target).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Decision {
    /// The first matching rule in priority order.
    Rule(RuleRef),
    /// No rule matched; the group type's default applied.
    Default {
        /// The verdict of the default.
        verdict: Verdict,
        /// Why, in words: for example "no rule matched; basic groups allow all egress".
        reason: String,
    },
    /// Both ENIs share a basic group whose InnerAccessPolicy is Accept.
    IntraGroup {
        /// The shared group.
        security_group: GroupId,
    },
    /// A platform rule outside the groups decided, such as the outbound TCP 25 block or an
    /// unreachable address.
    Platform {
        /// The verdict.
        verdict: Verdict,
        /// Why, in words.
        reason: String,
    },
    /// The side does not filter this traffic: an external source has no egress groups, pods on
    /// the same node of a Terway trunk cluster are not filtered.
    NotApplicable {
        /// Why, in words.
        reason: String,
    },
}

/// A rule the evaluation looked at, in the order it was considered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsideredRule {
    /// The rule.
    pub rule: RuleRef,
    /// Whether it matched the traffic.
    pub matched: bool,
    /// Why it did or did not match, in words ("port 8081 is outside 8080/8080").
    pub reason: String,
}

/// The evaluation of one side.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SideResult {
    /// Allow or deny for this side.
    pub verdict: Verdict,
    /// What decided.
    pub decided_by: Decision,
    /// Every rule of this direction pooled from the ENI's groups, in evaluation order (priority
    /// ascending, drop before accept at equal priority), with whether it matched. Evaluation
    /// stops at the first match; later rules are listed with `matched: false` only up to it.
    pub considered: Vec<ConsideredRule>,
}

/// Whether something listens on the target, reported beside the network's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceStatus {
    /// A declared service that is up covers the port.
    Listening,
    /// A declared service covers the port but is down.
    Down,
    /// The endpoint declares services, none on this port.
    #[serde(rename = "none declared")]
    NoneDeclared,
    /// The endpoint declares no services at all (as every imported endpoint).
    Unknown,
}

/// Something that denies a connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Blocker {
    /// Which side: egress of the source or ingress of the target; `None` for address and
    /// platform blockers.
    pub side: Option<Direction>,
    /// The decision that denies.
    pub decision: Decision,
}

/// The full answer to "can A reach B on (protocol, port)?".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The source endpoint (an ad-hoc external host has an id made from its address).
    pub from: EndpointId,
    /// The target endpoint.
    pub to: EndpointId,
    /// The protocol asked about.
    pub protocol: Protocol,
    /// The port asked about, for TCP and UDP.
    pub port: Option<u16>,
    /// The network's answer: groups, addresses and platform rules.
    pub verdict: Verdict,
    /// The source's egress.
    pub egress: SideResult,
    /// The target's ingress.
    pub ingress: SideResult,
    /// Every rule, default or platform decision that denies, not only the first.
    pub blockers: Vec<Blocker>,
    /// Whether something listens on the target.
    pub service: ServiceStatus,
    /// Notes a person should read: the address used, statefulness of replies, silent drops,
    /// decisions sglab made where the vendor documents are silent.
    pub notes: Vec<String>,
}

/// One range of a port set with the rules that decided it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PortSetEntry {
    /// The ports.
    pub ports: PortRange,
    /// What decided the source's egress on these ports.
    pub egress: Decision,
    /// What decided the target's ingress on these ports.
    pub ingress: Decision,
}

/// The exact ports allowed from a source to a target for one protocol, as sorted,
/// non-overlapping ranges. For protocols without ports the single entry is `1/65535` when the
/// protocol is allowed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PortSet {
    /// The source.
    pub from: EndpointId,
    /// The target.
    pub to: EndpointId,
    /// The protocol.
    pub protocol: Protocol,
    /// The allowed ranges, sorted, with the deciding decisions.
    pub allowed: Vec<PortSetEntry>,
}
