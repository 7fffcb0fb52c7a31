//! Plain result data of an evaluation: verdicts, the decision of each side, blockers, the
//! rules considered and port sets, plus [`render_text`], the plain-English rendering the CLI
//! prints.
//!
//! These types carry `pub` fields and serialize to the JSON that `sglab query --format json`
//! prints, so their field names are a public contract: `verdict`, `egress` and `ingress` each
//! with `verdict` and `decided_by` (`kind`: `rule`, `default`, `intra-group`, `platform` or
//! `not-applicable`; for a rule also `security_group`, `rule_index`, `rule_id`, `priority` and
//! `policy`), `blockers` and `service`.
//!
//! Rule indexes are 0-based in data and 1-based in text meant for people, as in
//! [`crate::diagnostic`]: `rule_index: 2` reads "rule 3".

use std::fmt::{self, Write as _};

use ipnet::IpNet;
use serde::{Serialize, Serializer};

use crate::model::{
    Direction, EndpointId, GroupId, Peer, Policy, PortRange, PortSpec, Protocol, Rule, RuleId,
    Verdict,
};

/// Where a rule lives: its group and its index in the group's rule list, plus what it says.
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

impl RuleRef {
    /// The reference to rule `rule_index` of `security_group`.
    pub fn new(security_group: &GroupId, rule_index: usize, rule: &Rule) -> RuleRef {
        RuleRef {
            security_group: security_group.clone(),
            rule_index,
            rule_id: rule.id.clone(),
            direction: rule.direction,
            priority: rule.priority.get(),
            policy: rule.policy,
            protocol: rule.protocol,
            ports: rule.ports,
            peer: rule.peer.clone(),
        }
    }

    /// The verdict of the rule when it matches.
    pub fn verdict(&self) -> Verdict {
        match self.policy {
            Policy::Accept => Verdict::Allow,
            Policy::Drop => Verdict::Deny,
        }
    }
}

impl fmt::Display for RuleRef {
    /// `rule 3 of sg-svc1 (priority 1, accept tcp 8080/8080 from sg-gw)`; the number is 1-based.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule {}", self.rule_index + 1)?;
        if let Some(id) = &self.rule_id {
            write!(f, " ({id})")?;
        }
        let policy = self.policy.as_str();
        let towards = match self.direction {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        };
        write!(
            f,
            " of {} (priority {}{}, {policy} {} {} {towards} {})",
            self.security_group,
            self.priority,
            if self.priority == 110 { " legacy" } else { "" },
            self.protocol,
            self.ports,
            PeerText(&self.peer),
        )
    }
}

/// A peer in words: a CIDR, a group id or a prefix list id.
struct PeerText<'a>(&'a Peer);

impl fmt::Display for PeerText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Peer::Cidr(net) => write!(f, "{net}"),
            Peer::Group { id, .. } => write!(f, "group {id}"),
            Peer::PrefixList(id) => write!(f, "prefix list {id}"),
        }
    }
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
    /// the same node are not filtered.
    NotApplicable {
        /// Why, in words.
        reason: String,
    },
}

impl Decision {
    /// The verdict this decision gives its side; not-applicable sides allow.
    pub fn verdict(&self) -> Verdict {
        match self {
            Decision::Rule(rule) => rule.verdict(),
            Decision::Default { verdict, .. } | Decision::Platform { verdict, .. } => *verdict,
            Decision::IntraGroup { .. } | Decision::NotApplicable { .. } => Verdict::Allow,
        }
    }

    /// The `kind` tag of the JSON form: `rule`, `default`, `intra-group`, `platform` or
    /// `not-applicable`.
    pub fn kind(&self) -> &'static str {
        match self {
            Decision::Rule(_) => "rule",
            Decision::Default { .. } => "default",
            Decision::IntraGroup { .. } => "intra-group",
            Decision::Platform { .. } => "platform",
            Decision::NotApplicable { .. } => "not-applicable",
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Rule(rule) => rule.fmt(f),
            Decision::Default { reason, .. } | Decision::NotApplicable { reason } => {
                f.write_str(reason)
            }
            Decision::IntraGroup { security_group } => write!(
                f,
                "intra-group access: both ENIs are in basic group {security_group}, whose InnerAccessPolicy is Accept"
            ),
            Decision::Platform { reason, .. } => write!(f, "platform: {reason}"),
        }
    }
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
    /// ascending, drop before accept at equal priority, then group id and rule index), each with
    /// whether it matches. The first matching rule decides; rules after it are still listed
    /// with whether they match, which is what [`Explanation::blockers`] is built from.
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
    /// The endpoint declares no services at all (as every imported endpoint), or the protocol
    /// has no ports and no service declares it.
    Unknown,
}

impl fmt::Display for ServiceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServiceStatus::Listening => "listening",
            ServiceStatus::Down => "down",
            ServiceStatus::NoneDeclared => "none declared",
            ServiceStatus::Unknown => "unknown",
        })
    }
}

/// Something that denies a connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Blocker {
    /// Which side: egress of the source or ingress of the target; `None` for address
    /// blockers, which belong to no side.
    pub side: Option<Direction>,
    /// The decision that denies.
    pub decision: Decision,
}

/// An address as the evaluation used it: a host (`10.0.1.5`) or, for an external network
/// endpoint, a block (`203.0.113.0/24`). Serializes as that text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address(pub IpNet);

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.prefix_len() == self.0.max_prefix_len() {
            write!(f, "{}", self.0.addr())
        } else {
            write!(f, "{}", self.0)
        }
    }
}

impl Serialize for Address {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The full answer to "can A reach B on (protocol, port)?".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The source endpoint (an ad-hoc external host has an id made from its address).
    pub from: EndpointId,
    /// The source's name (the address for an ad-hoc host).
    pub from_name: String,
    /// The source's address as the target sees it; `None` when no address could be used.
    pub from_address: Option<Address>,
    /// The target endpoint.
    pub to: EndpointId,
    /// The target's name.
    pub to_name: String,
    /// The target's address the source sends to; `None` when the target is unreachable.
    pub to_address: Option<Address>,
    /// The protocol asked about.
    pub protocol: Protocol,
    /// The port asked about, for TCP and UDP (`None` for protocols without ports).
    pub port: Option<u16>,
    /// The network's answer: groups, addresses and platform rules.
    pub verdict: Verdict,
    /// The source's egress.
    pub egress: SideResult,
    /// The target's ingress.
    pub ingress: SideResult,
    /// Every rule, default or platform decision that denies, not only the first: on each
    /// denying side, every matching drop rule before the first matching accept rule, plus the
    /// default when no accept rule matches; and the platform decisions.
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
    /// The allowed ranges, sorted, with the deciding decisions. Adjacent ranges are separate
    /// only when their decisions differ.
    pub allowed: Vec<PortSetEntry>,
}

impl PortSet {
    /// The allowed ranges without their decisions, adjacent ranges merged.
    pub fn ranges(&self) -> Vec<PortRange> {
        merge_ranges(self.allowed.iter().map(|entry| entry.ports))
    }

    /// Whether `port` is allowed (for protocols without ports, whether any entry exists).
    pub fn allows(&self, port: u16) -> bool {
        self.allowed.iter().any(|entry| entry.ports.contains(port))
    }
}

/// Merges sorted, non-overlapping ranges whose ends touch.
pub(crate) fn merge_ranges(ranges: impl IntoIterator<Item = PortRange>) -> Vec<PortRange> {
    let mut merged: Vec<PortRange> = Vec::new();
    for range in ranges {
        if let Some(last) = merged.last_mut() {
            if u32::from(last.end()) + 1 >= u32::from(range.start()) {
                if range.end() > last.end() {
                    if let Ok(joined) = PortRange::new(last.start(), range.end()) {
                        *last = joined;
                    }
                }
                continue;
            }
        }
        merged.push(range);
    }
    merged
}

/// Renders an explanation as the plain-English text the CLI prints: the verdict, each side's
/// decision with the rules considered (`*` matched, `-` did not), the blockers, the service
/// status and the notes.
///
/// ```text
/// allow: tcp 8080 from gw-node-1 (10.0.1.5) to pod-a (10.0.2.7)
///   egress of gw-node-1: no rule matched; basic groups allow all egress
///   ingress of pod-a: rule 3 of sg-svc1 (priority 1, accept tcp 8080/8080 from group sg-gw)
///   service: listening
/// ```
pub fn render_text(explanation: &Explanation) -> String {
    let mut out = String::new();
    let what = match explanation.port {
        Some(port) => format!("{} {port}", explanation.protocol),
        None => explanation.protocol.to_string(),
    };
    let _ = writeln!(
        out,
        "{}: {what} from {} to {}",
        explanation.verdict,
        party_text(&explanation.from_name, explanation.from_address),
        party_text(&explanation.to_name, explanation.to_address),
    );
    for (side, name, result) in [
        ("egress", &explanation.from_name, &explanation.egress),
        ("ingress", &explanation.to_name, &explanation.ingress),
    ] {
        let _ = writeln!(out, "  {side} of {name}: {}", side_text(result));
        for considered in &result.considered {
            let mark = if considered.matched { '*' } else { '-' };
            let _ = writeln!(out, "    {mark} {}: {}", considered.rule, considered.reason);
        }
    }
    if !explanation.blockers.is_empty() {
        let _ = writeln!(out, "  blockers:");
        for blocker in &explanation.blockers {
            let side = match blocker.side {
                Some(Direction::Egress) => "egress: ",
                Some(Direction::Ingress) => "ingress: ",
                None => "",
            };
            let _ = writeln!(out, "    {side}{}", blocker.decision);
        }
    }
    let _ = writeln!(out, "  service: {}", explanation.service);
    for note in &explanation.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    out
}

/// One side's verdict and what decided it, in words.
fn side_text(result: &SideResult) -> String {
    let verdict = result.verdict;
    match &result.decided_by {
        Decision::Rule(rule) => format!("{verdict} by {rule}"),
        Decision::Default { reason, .. } => format!("{verdict} by default: {reason}"),
        Decision::IntraGroup { security_group } => format!(
            "{verdict} by intra-group access: both ENIs are in basic group {security_group}, whose InnerAccessPolicy is Accept"
        ),
        Decision::Platform { reason, .. } => format!("{verdict} by the platform: {reason}"),
        Decision::NotApplicable { reason } => format!("not filtered: {reason}"),
    }
}

fn party_text(name: &str, address: Option<Address>) -> String {
    match address {
        Some(address) if address.to_string() != name => format!("{name} ({address})"),
        _ => name.to_owned(),
    }
}
