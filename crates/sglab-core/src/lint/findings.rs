//! What the lint reports: a finding's stable code, its severity, and the finding with its
//! place, its words and its fix.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::explain::RuleRef;
use crate::fix::Fix;
use crate::model::{EndpointId, GroupId};

/// The stable code of a finding. Serializes as its kebab-case string (`shadowed-rule`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LintCode {
    /// A rule that never decides anything: earlier rules decide every packet it matches.
    ShadowedRule,
    /// A rule part of whose traffic is decided first, the other way, by earlier rules.
    PartiallyShadowedRule,
    /// A rule whose every decision later rules or the default would make the same way.
    RedundantRule,
    /// Rules of one group that differ only in touching or overlapping port ranges.
    MergeableRules,
    /// An accept rule overlapped by a drop rule of the same priority: the drop wins.
    ConflictingEqualPriority,
    /// An ingress accept rule opening a non-web port to `0.0.0.0/0` or `::/0`.
    OpenInternalRule,
    /// An ingress accept rule opening every port from a broad peer.
    AllPortsOpen,
    /// An ingress accept rule exposing a risky port (SSH, RDP, databases, ...) to the internet.
    RiskyPortExposed,
    /// A group that no ENI, pod or gateway uses.
    UnattachedGroup,
    /// More rules in a group or on an ENI than the limit.
    TooManyRules,
    /// More groups on an ENI than the limit.
    TooManyGroupsPerEni,
    /// More group-referencing rules in a basic group than the limit.
    TooManyGroupReferences,
    /// Basic and enterprise groups on one ENI.
    MixedGroupTypes,
    /// A cluster node group that does not allow TCP 22 from the VPC.
    AckSshBlocked,
    /// A cluster node group that does not allow ICMP from the VPC.
    AckIcmpMissing,
    /// A Flannel cluster's node group that does not allow the pod CIDR.
    FlannelPodCidrMissing,
}

impl LintCode {
    /// Every code, in the order of `docs/lints.md`.
    pub const ALL: [LintCode; 16] = [
        LintCode::ShadowedRule,
        LintCode::PartiallyShadowedRule,
        LintCode::RedundantRule,
        LintCode::MergeableRules,
        LintCode::ConflictingEqualPriority,
        LintCode::OpenInternalRule,
        LintCode::AllPortsOpen,
        LintCode::RiskyPortExposed,
        LintCode::UnattachedGroup,
        LintCode::TooManyRules,
        LintCode::TooManyGroupsPerEni,
        LintCode::TooManyGroupReferences,
        LintCode::MixedGroupTypes,
        LintCode::AckSshBlocked,
        LintCode::AckIcmpMissing,
        LintCode::FlannelPodCidrMissing,
    ];

    /// The stable string code.
    pub fn as_str(self) -> &'static str {
        match self {
            LintCode::ShadowedRule => "shadowed-rule",
            LintCode::PartiallyShadowedRule => "partially-shadowed-rule",
            LintCode::RedundantRule => "redundant-rule",
            LintCode::MergeableRules => "mergeable-rules",
            LintCode::ConflictingEqualPriority => "conflicting-equal-priority",
            LintCode::OpenInternalRule => "open-internal-rule",
            LintCode::AllPortsOpen => "all-ports-open",
            LintCode::RiskyPortExposed => "risky-port-exposed",
            LintCode::UnattachedGroup => "unattached-group",
            LintCode::TooManyRules => "too-many-rules",
            LintCode::TooManyGroupsPerEni => "too-many-groups-per-eni",
            LintCode::TooManyGroupReferences => "too-many-group-references",
            LintCode::MixedGroupTypes => "mixed-group-types",
            LintCode::AckSshBlocked => "ack-ssh-blocked",
            LintCode::AckIcmpMissing => "ack-icmp-missing",
            LintCode::FlannelPodCidrMissing => "flannel-pod-cidr-missing",
        }
    }

    /// The code for a string, as [`LintCode::as_str`] writes it.
    pub fn parse(text: &str) -> Option<LintCode> {
        LintCode::ALL.into_iter().find(|code| code.as_str() == text)
    }
}

impl fmt::Display for LintCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for LintCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The cloud refuses it, or it exposes the network to the internet.
    Error,
    /// Probably not what was meant, or over the vendor's advice.
    Warning,
    /// Worth tidying.
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// One finding of the lint.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// The stable code.
    pub code: LintCode,
    /// Error, warning or info.
    pub severity: Severity,
    /// The group concerned, when there is one.
    pub security_group: Option<GroupId>,
    /// The rule concerned (0-based, both directions counted), when there is one.
    pub rule_index: Option<usize>,
    /// The endpoint concerned, when there is one.
    pub endpoint: Option<EndpointId>,
    /// What is wrong, in plain words.
    pub message: String,
    /// What to do, in words.
    pub fix_text: String,
    /// The one-click fix, where one exists.
    pub fix: Option<Fix>,
    /// Other rules the finding is about: the rules that shadow this one, the rules to merge
    /// with it, the rules that decide its packets without it.
    pub related: Vec<RuleRef>,
}
