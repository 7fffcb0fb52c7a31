//! What a change of a topology opens and closes: `diff(old, new)` compares the reachability of
//! two topologies pair by pair and protocol by protocol, traces each changed pair to the
//! deciding decisions before and after, lists the rule edits behind it, and sums it all up in
//! one [`Verdict`].
//!
//! - Endpoints are matched by id over the union of both sides; an endpoint present on one side
//!   only reaches and is reached by nothing on the other side, so a new instance exposed to the
//!   internet counts as opened.
//! - Besides the endpoints, the external address blocks the rules of either side distinguish
//!   ([`external_blocks`]: the internet `0.0.0.0/0`, an office `/24`, `::/0`, ...) are added on
//!   both sides as synthetic external endpoints whose id is the block's text, so that
//!   `accept tcp 22 from 0.0.0.0/0` on a group whose members have public addresses shows as
//!   opened from the internet.
//! - Only the cells a change can touch are compared: the rows and columns of the endpoints whose
//!   groups' rules (or whose own record) changed, on the protocols those rules match, per pair
//!   of *joint classes* (endpoints in the same class on both sides), each side's cells from a
//!   part of its matrix that holds only those rows and columns, the external blocks included
//!   (`matrix::subset`). Each changed pair of joint classes and protocol is traced to
//!   its deciding decisions when they are read ([`Changes::decisions`]), once per side, shared
//!   by every pair of their members whose decisions read the same (`docs/diff.md`, "Cost").
//!
//! ```
//! use sglab_core::diff::{diff, Verdict};
//! use sglab_core::generate::{generate, GenParams};
//!
//! let topology = generate(1, &GenParams::small(6, 3, 20));
//! let same = diff(&topology, &topology);
//! assert_eq!(same.verdict, Verdict::Equivalent);
//! assert!(same.changes.is_empty() && same.rule_changes.is_empty());
//! ```

mod changes;
mod decide;
mod decisions;
mod dirty;
mod objects;
mod pairs;
mod peers;
mod ports;
mod rules;
mod shared;
mod summary;

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::explain::Decision;
use crate::matrix::subset::JointBlocks;
use crate::matrix::Bucket;
use crate::model::{Direction, EndpointId, GroupId, PortRange, Protocol, Rule, Topology};

pub use changes::{Changes, ChangesIter, Shared};
pub use decisions::{Decided, Decisions};
pub use objects::{ObjectChange, ObjectKind};
pub use peers::{external_blocks, with_external_peers};
pub use ports::{count_ports, difference};

/// The protocols a diff compares: TCP, UDP, ICMP, ICMPv6 and GRE (`all` adds nothing, since a
/// query for it is answered by the same rules).
pub const DIFF_PROTOCOLS: [Protocol; 5] = [
    Protocol::Tcp,
    Protocol::Udp,
    Protocol::Icmp,
    Protocol::Icmpv6,
    Protocol::Gre,
];

/// The answer to "does this change open anything?".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// No port opened or closed for any pair and protocol.
    Equivalent,
    /// Some ports opened, none closed.
    MorePermissive,
    /// Some ports closed, none opened.
    LessPermissive,
    /// Some ports opened and some closed.
    Mixed,
}

impl Verdict {
    /// The word of reports and of the JSON form (`equivalent`, `more-permissive`,
    /// `less-permissive`, `mixed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Equivalent => "equivalent",
            Verdict::MorePermissive => "more-permissive",
            Verdict::LessPermissive => "less-permissive",
            Verdict::Mixed => "mixed",
        }
    }

    /// Parses the word of [`Verdict::as_str`], case-insensitively.
    pub fn parse(text: &str) -> Option<Verdict> {
        match text.trim().to_ascii_lowercase().as_str() {
            "equivalent" => Some(Verdict::Equivalent),
            "more-permissive" => Some(Verdict::MorePermissive),
            "less-permissive" => Some(Verdict::LessPermissive),
            "mixed" => Some(Verdict::Mixed),
            _ => None,
        }
    }

    /// The verdict of a change that opens (`opened`) and closes (`closed`) something or not.
    pub fn of(opened: bool, closed: bool) -> Verdict {
        match (opened, closed) {
            (false, false) => Verdict::Equivalent,
            (true, false) => Verdict::MorePermissive,
            (false, true) => Verdict::LessPermissive,
            (true, true) => Verdict::Mixed,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a change opens and closes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Ordered pairs of endpoints with at least one port opened on some protocol.
    pub pairs_opened: u64,
    /// Ordered pairs of endpoints with at least one port closed on some protocol.
    pub pairs_closed: u64,
    /// Ports opened, summed over the pairs, per protocol (a protocol without ports counts 1
    /// per pair).
    pub ports_opened: BTreeMap<Protocol, u64>,
    /// Ports closed, summed over the pairs, per protocol.
    pub ports_closed: BTreeMap<Protocol, u64>,
}

impl Counts {
    /// The counts in words, as reports and the compare mode's banner print them:
    /// `1 pair opened (tcp 1 port), 1,096,326 pairs closed (tcp 68,065,063,256 ports, icmp on 3
    /// pairs)`.
    pub fn words(&self) -> String {
        let per_protocol = |ports: &BTreeMap<Protocol, u64>| -> String {
            if ports.is_empty() {
                return String::new();
            }
            let parts: Vec<String> = ports
                .iter()
                .map(|(protocol, count)| {
                    if protocol.has_ports() {
                        format!("{protocol} {}", plural(*count, "port"))
                    } else {
                        format!("{protocol} on {}", plural(*count, "pair"))
                    }
                })
                .collect();
            format!(" ({})", parts.join(", "))
        };
        format!(
            "{} opened{}, {} closed{}",
            plural(self.pairs_opened, "pair"),
            per_protocol(&self.ports_opened),
            plural(self.pairs_closed, "pair"),
            per_protocol(&self.ports_closed),
        )
    }
}

/// `1 pair`, `1,096,326 pairs`.
pub fn plural(count: u64, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{} {word}s", grouped(count))
    }
}

/// A count with its thousands set apart by commas: `68,065,063,256`.
pub fn grouped(count: u64) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// What decided one pair on one side of the change, probed at one port.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deciding {
    /// The port probed (the first port opened, else the first closed); `None` for protocols
    /// without ports.
    pub port: Option<u16>,
    /// The network's answer at that port.
    pub verdict: crate::model::Verdict,
    /// What decided the source's egress.
    pub egress: Decision,
    /// What decided the target's ingress.
    pub ingress: Decision,
}

/// The ports one pair gained or lost on one protocol: a view into a diff's [`Changes`], whose
/// deciding decisions [`Changes::decisions`] reads.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Change<'d> {
    /// The source (an endpoint id, or a synthetic external block's text).
    pub from: &'d EndpointId,
    /// The target.
    pub to: &'d EndpointId,
    /// The protocol.
    pub protocol: Protocol,
    /// Ports allowed after and not before, sorted. Shared, as the decisions are, by every pair
    /// of members of the same two joint classes (`docs/diff.md`, "Cost").
    pub opened: &'d [PortRange],
    /// Ports allowed before and not after, sorted.
    pub closed: &'d [PortRange],
    /// Where the change is held in its [`Changes`].
    #[serde(skip)]
    record: changes::Record,
}

/// Two changes are equal when their pairs, protocols and ports are.
impl PartialEq for Change<'_> {
    fn eq(&self, other: &Self) -> bool {
        (self.from, self.to, self.protocol, self.opened, self.closed)
            == (
                other.from,
                other.to,
                other.protocol,
                other.opened,
                other.closed,
            )
    }
}

impl Eq for Change<'_> {}

/// The changes between two buckets of the group matrix (a security group, or an endpoint in
/// no group) on one protocol, so that a large change stays readable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupPairChange {
    /// The sources' bucket.
    pub from: Bucket,
    /// The targets' bucket.
    pub to: Bucket,
    /// The protocol.
    pub protocol: Protocol,
    /// Pairs of members with some port opened.
    pub pairs_opened: u64,
    /// Pairs of members with some port closed.
    pub pairs_closed: u64,
    /// Every port opened for some pair, sorted and merged.
    pub opened: Vec<PortRange>,
    /// Every port closed for some pair, sorted and merged.
    pub closed: Vec<PortRange>,
}

/// Whether a rule, group or endpoint was added, removed or changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// It exists only after.
    Added,
    /// It exists only before.
    Removed,
    /// It exists on both sides with different fields.
    Changed,
}

/// A field of a rule that a change may touch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleField {
    /// The priority.
    Priority,
    /// Accept or drop.
    Policy,
    /// The protocol.
    Protocol,
    /// The destination ports.
    Ports,
    /// The peer (CIDR, group or prefix list).
    Peer,
    /// The NIC type.
    NicType,
    /// The description, which changes nothing the engine evaluates.
    Description,
    /// The source ports of a quintuple rule.
    SourcePorts,
    /// The local CIDR of a quintuple rule.
    LocalCidr,
}

impl RuleField {
    /// The word of reports (`priority`, `nic_type`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RuleField::Priority => "priority",
            RuleField::Policy => "policy",
            RuleField::Protocol => "protocol",
            RuleField::Ports => "ports",
            RuleField::Peer => "peer",
            RuleField::NicType => "nic_type",
            RuleField::Description => "description",
            RuleField::SourcePorts => "source_ports",
            RuleField::LocalCidr => "local_cidr",
        }
    }
}

/// A rule added, removed or changed within one group and direction.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleChange {
    /// The group holding the rule.
    pub security_group: GroupId,
    /// The rule's direction.
    pub direction: Direction,
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// The rule's index in the group's list before (0-based), when it existed.
    pub old_index: Option<usize>,
    /// The rule's index after, when it exists.
    pub new_index: Option<usize>,
    /// The rule before.
    pub old: Option<Rule>,
    /// The rule after.
    pub new: Option<Rule>,
    /// The fields that differ, for a changed rule.
    pub fields: Vec<RuleField>,
}

/// Everything a change of a topology does.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diff {
    /// The summary.
    pub verdict: Verdict,
    /// How much opened and closed.
    pub counts: Counts,
    /// Every pair and protocol whose allowed ports changed, by source, target and protocol.
    pub changes: Changes,
    /// The changes rolled up by pair of buckets (each endpoint counts in each of its filtering
    /// groups, [`crate::eval::filtering_groups`]), the most pairs first.
    pub rollup: Vec<GroupPairChange>,
    /// Rules added, removed or changed, by group, direction and index.
    pub rule_changes: Vec<RuleChange>,
    /// Groups and endpoints added, removed or changed.
    pub object_changes: Vec<ObjectChange>,
    /// The external blocks compared as synthetic endpoints ([`external_blocks`]).
    pub external_peers: Vec<ipnet::IpNet>,
}

/// Compares two topologies: what `new` opens and closes with respect to `old`, why, and which
/// edits of rules, groups and endpoints it is made of.
pub fn diff(old: &Topology, new: &Topology) -> Diff {
    let scan = JointBlocks::scan(old, new);
    let blocks = peers::external_among(old, new, scan.named);
    let differing = scan.differing;
    let listing = pairs::changes(old, new, &blocks, &differing, &scan.blocks);
    let counts = summary::counts(&listing);
    let verdict = Verdict::of(counts.pairs_opened > 0, counts.pairs_closed > 0);
    let rollup = summary::rollup(old, new, &listing);
    let rule_changes = rules::rule_changes(old, new, &differing);
    let object_changes = objects::object_changes(old, new);
    Diff {
        verdict,
        counts,
        changes: listing.changes,
        rollup,
        rule_changes,
        object_changes,
        external_peers: blocks,
    }
}
