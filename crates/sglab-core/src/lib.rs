//! # sglab-core
//!
//! The engine of sglab: the exact semantics of Alibaba Cloud ECS security groups, with
//! explanations, port sets and the reachability matrix. It knows nothing of the browser, files,
//! clocks or argument parsing, and compiles for `wasm32-unknown-unknown` and natively.
//!
//! Input flows one way: a raw file ([`format`]) is validated into a [`model::Topology`], which
//! the evaluation functions read to produce plain result data ([`explain`]).
//!
//! ```
//! use sglab_core::{parse_port_spec, model::PortSpec};
//!
//! assert!(matches!(parse_port_spec("-1/-1"), Ok(PortSpec::All)));
//! assert!(parse_port_spec("200/1").is_err());
//! ```

pub mod diagnostic;
pub mod diff;
pub mod doctor;
pub mod edit;
pub mod eval;
pub mod examples;
pub mod explain;
pub mod export;
pub mod fix;
pub mod format;
pub mod gateway;
pub mod generate;
pub mod import;
pub mod lint;
pub mod load;
pub mod matrix;
pub mod model;
pub mod portset;
pub mod reference;
pub mod sort;
pub mod validate;

use model::PortSpec;

/// A problem with one value, independent of where it was found.
///
/// Messages name what the user must fix and carry no trailing period.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A priority outside 1..=100 (and not the legacy 110).
    #[error(
        "priority {0} is out of range: use 1 (highest) to 100 (InvalidPriority.ValueNotSupported)"
    )]
    PriorityOutOfRange(u32),
    /// A port range whose start is after its end, such as `200/1`.
    #[error("port range {start}/{end} is reversed: the start port must not exceed the end port (InvalidParam.PortRange)")]
    ReversedPortRange {
        /// The start port written.
        start: u16,
        /// The end port written.
        end: u16,
    },
    /// A port of 0.
    #[error("port 0 is not a valid port: use 1 to 65535 (InvalidParam.PortRange)")]
    PortZero,
    /// A port range that is not `start/end` or `-1/-1`.
    #[error("port range {0:?} is malformed: write start/end, for example 8080/8080 or 1/65535, or -1/-1 for all ports (InvalidParam.PortRange)")]
    MalformedPortRange(String),
    /// A lone port such as `22` in one of the vendor's formats, whose API rejects it: it wants
    /// `22/22`. The sglab format and the editors read it as `22/22`.
    #[error("port range {0:?} is a lone port: write {0}/{0} (InvalidParam.PortRange)")]
    LonePort(String),
    /// A port above 65535.
    #[error("port {0} is out of range: use 1 to 65535 (InvalidParam.PortRange)")]
    PortTooLarge(u64),
    /// TCP or UDP with `-1/-1` or without ports.
    #[error("protocol {0} needs a port range such as 1/65535; -1/-1 is only for icmp, icmpv6, gre and all (OperationDenied)")]
    PortsRequired(model::Protocol),
    /// ICMP, ICMPv6, GRE or ALL with ports other than `-1/-1`.
    #[error(
        "protocol {protocol} takes no ports: write -1/-1 instead of {ports} (OperationDenied)"
    )]
    PortsNotAllowed {
        /// The protocol.
        protocol: model::Protocol,
        /// The ports written.
        ports: String,
    },
    /// A priority that is not a whole number.
    #[error("priority {0:?} is not a number: use 1 (highest) to 100 (InvalidPriority.ValueNotSupported)")]
    MalformedPriority(String),
    /// A value that is not one of the allowed words, such as a protocol `tpc`.
    #[error("{field} {value:?} is unknown: use {expected}")]
    UnknownValue {
        /// The field, such as `protocol`.
        field: &'static str,
        /// The value written.
        value: String,
        /// The allowed values in words.
        expected: &'static str,
    },
    /// A required word that is missing, such as a rule without `direction`.
    #[error("{field} is missing: use {expected}")]
    MissingValue {
        /// The field, such as `direction`.
        field: &'static str,
        /// The allowed values in words.
        expected: &'static str,
    },
    /// A CIDR block that does not parse, such as `10.0.0.0/33`.
    #[error("CIDR block {text:?} is malformed: {reason}")]
    MalformedCidr {
        /// The text written.
        text: String,
        /// Why it does not parse.
        reason: String,
    },
    /// An IP address that does not parse.
    #[error("IP address {0:?} is malformed: write an IPv4 address such as 10.0.0.1 or an IPv6 address such as 2001:db8::1")]
    MalformedIp(String),
    /// A rule peer that names no group that exists.
    #[error("security group {0} does not exist (InvalidSecurityGroupId.NotFound)")]
    UnknownGroup(model::GroupId),
    /// A rule peer that names no prefix list that exists.
    #[error("prefix list {0} does not exist (InvalidPrefixListId.NotFound)")]
    UnknownPrefixList(model::PrefixListId),
    /// A rule referencing a group of another VPC.
    #[error("security group {group} is in VPC {group_vpc}, not in VPC {vpc}: group references only work inside one VPC (InvalidSourceGroupId.Mismatch)")]
    GroupVpcMismatch {
        /// The referenced group.
        group: model::GroupId,
        /// Its VPC.
        group_vpc: model::VpcId,
        /// The VPC of the group holding the rule.
        vpc: model::VpcId,
    },
    /// A rule of a group naming the group itself as peer.
    #[error("security group {0} cannot name itself as peer: intra-group traffic is governed by inner_access_policy (InvalidParamter.Conflict)")]
    GroupSelfReference(model::GroupId),
    /// A rule in an enterprise group that references a group.
    #[error("security group {0} is an enterprise group and cannot reference another group: use a CIDR block or a prefix list (OperationDenied)")]
    EnterpriseCannotReference(model::GroupId),
    /// A rule referencing an enterprise group.
    #[error("security group {0} is an enterprise group and cannot be referenced by a rule: use a CIDR block or a prefix list (OperationDenied)")]
    EnterpriseReferenced(model::GroupId),
    /// ICMP with an IPv6 peer or ICMPv6 with an IPv4 peer.
    #[error("protocol {protocol} does not match the {family} peer {peer}: use {suggestion} (OperationDenied)")]
    ProtocolFamilyMismatch {
        /// The protocol.
        protocol: model::Protocol,
        /// `IPv4` or `IPv6`.
        family: &'static str,
        /// The peer written.
        peer: String,
        /// The protocol that fits the peer.
        suggestion: model::Protocol,
    },
    /// A description longer than 512 characters.
    #[error("description is {0} characters long: at most 512 are allowed (InvalidDescription.Malformed)")]
    DescriptionTooLong(usize),
    /// An empty peer.
    #[error("the peer is empty: give a CIDR block (10.0.0.0/8), an IPv6 block, a security group id or a prefix list id")]
    EmptyPeer,
}

impl Error {
    /// The vendor's error code that the cloud API answers with for this problem, if any.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Error::PriorityOutOfRange(_) | Error::MalformedPriority(_) => {
                Some("InvalidPriority.ValueNotSupported")
            }
            Error::ReversedPortRange { .. }
            | Error::PortZero
            | Error::MalformedPortRange(_)
            | Error::LonePort(_)
            | Error::PortTooLarge(_) => Some("InvalidParam.PortRange"),
            Error::PortsRequired(_)
            | Error::PortsNotAllowed { .. }
            | Error::EnterpriseCannotReference(_)
            | Error::EnterpriseReferenced(_)
            | Error::ProtocolFamilyMismatch { .. } => Some("OperationDenied"),
            Error::UnknownGroup(_) => Some("InvalidSecurityGroupId.NotFound"),
            Error::UnknownPrefixList(_) => Some("InvalidPrefixListId.NotFound"),
            Error::GroupVpcMismatch { .. } => Some("InvalidSourceGroupId.Mismatch"),
            Error::GroupSelfReference(_) => Some("InvalidParamter.Conflict"),
            Error::DescriptionTooLong(_) => Some("InvalidDescription.Malformed"),
            Error::UnknownValue { .. }
            | Error::MissingValue { .. }
            | Error::MalformedCidr { .. }
            | Error::MalformedIp(_)
            | Error::EmptyPeer => None,
        }
    }
}

/// Parses a port field: `start/end`, `-1/-1`, or a single port such as `22`, read as `22/22`
/// ([`PortSpec::parse`]).
pub fn parse_port_spec(text: &str) -> Result<PortSpec, Error> {
    PortSpec::parse(text)
}
