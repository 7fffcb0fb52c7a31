//! Checks of one field at a time, for the web app's editors (inline validation) and for every
//! reader of the crate, so that the editor, the file loader and the importers agree.

use std::net::IpAddr;

use ipnet::IpNet;

use super::GroupInfo;
use crate::model::{
    GroupId, GroupType, Peer, PortSpec, PrefixListId, Priority, Protocol, Topology,
};
use crate::Error;

pub use crate::model::MAX_DESCRIPTION_CHARS;

/// Checks the port field of a rule for its protocol: `start/end` for TCP and UDP, `-1/-1` for
/// ICMP, ICMPv6, GRE and ALL. An empty field is `-1/-1` for protocols without ports.
pub fn check_port_field(protocol: Protocol, text: &str) -> Result<PortSpec, Error> {
    let text = text.trim();
    let ports = if text.is_empty() {
        PortSpec::All
    } else {
        parse_ports(text)?
    };
    match (protocol.has_ports(), ports) {
        (true, PortSpec::All) => Err(Error::PortsRequired(protocol)),
        (false, PortSpec::Range(_)) => Err(Error::PortsNotAllowed {
            protocol,
            ports: text.to_owned(),
        }),
        _ => Ok(ports),
    }
}

/// Parses a port field without regard to a protocol: `-1/-1`, `start/end` or a single port
/// (`22` is `22/22`), with the vendor's reasons for `200/1`, port 0 and ports above 65535
/// ([`PortSpec::parse`], the crate's one port parser).
pub fn parse_ports(text: &str) -> Result<PortSpec, Error> {
    PortSpec::parse(text)
}

/// Checks a priority field: 1 (highest) to 100, or the legacy 110 (which the caller should
/// flag: [`Priority::is_legacy`]).
pub fn check_priority_field(text: &str) -> Result<Priority, Error> {
    let text = text.trim();
    let value: u32 = text
        .parse()
        .map_err(|_| Error::MalformedPriority(text.to_owned()))?;
    Priority::new(value)
}

/// Checks a single port, such as the port of a query or an expectation: 1 to 65535.
pub fn check_single_port_field(text: &str) -> Result<u16, Error> {
    let text = text.trim();
    let value: i64 = text
        .parse()
        .map_err(|_| Error::MalformedPortRange(text.to_owned()))?;
    match value {
        0 => Err(Error::PortZero),
        1..=65535 => u16::try_from(value).map_err(|_| Error::PortTooLarge(value.unsigned_abs())),
        _ if value < 0 => Err(Error::MalformedPortRange(text.to_owned())),
        _ => Err(Error::PortTooLarge(value.unsigned_abs())),
    }
}

/// Checks a protocol field, case-insensitively.
pub fn check_protocol_field(text: &str) -> Result<Protocol, Error> {
    Protocol::parse(text).ok_or_else(|| {
        unknown_value(
            "protocol",
            text.to_owned(),
            "tcp, udp, icmp, icmpv6, gre or all",
        )
    })
}

/// Checks a CIDR field: a block such as `10.0.0.0/8`, or an address alone for a single host.
/// A block with host bits set (`10.0.0.1/8`) is normalised (`10.0.0.0/8`); use
/// [`parse_cidr`] to learn whether that happened.
pub fn check_cidr_field(text: &str) -> Result<IpNet, Error> {
    parse_cidr(text).map(|(cidr, _)| cidr)
}

/// Parses a CIDR block and says whether host bits had to be cleared.
pub fn parse_cidr(text: &str) -> Result<(IpNet, bool), Error> {
    let text = text.trim();
    let malformed = |reason: String| Error::MalformedCidr {
        text: text.to_owned(),
        reason,
    };
    let Some((address, prefix)) = text.split_once('/') else {
        let address: IpAddr = text.parse().map_err(|_| {
            malformed("write a block such as 10.0.0.0/8 or an address such as 10.0.0.1".to_owned())
        })?;
        return Ok((IpNet::from(address), false));
    };
    let address: IpAddr = address.trim().parse().map_err(|_| {
        malformed(format!(
            "{:?} is not an IP address: write a block such as 10.0.0.0/8",
            address.trim()
        ))
    })?;
    let prefix: u8 = prefix.trim().parse().map_err(|_| {
        malformed(format!(
            "the prefix length {:?} is not a number",
            prefix.trim()
        ))
    })?;
    let cidr = IpNet::new(address, prefix).map_err(|_| {
        let (family, max) = match address {
            IpAddr::V4(_) => ("IPv4", 32),
            IpAddr::V6(_) => ("IPv6", 128),
        };
        malformed(format!(
            "the prefix length /{prefix} is too long for {family}: use /0 to /{max}"
        ))
    })?;
    let normalised = cidr.trunc();
    Ok((normalised, normalised != cidr))
}

/// Checks an IP address field.
pub fn check_ip_field(text: &str) -> Result<IpAddr, Error> {
    text.trim()
        .parse()
        .map_err(|_| Error::MalformedIp(text.trim().to_owned()))
}

/// Checks a description: at most 512 characters.
pub fn check_description_field(text: &str) -> Result<(), Error> {
    let length = text.chars().count();
    if length > MAX_DESCRIPTION_CHARS {
        Err(Error::DescriptionTooLong(length))
    } else {
        Ok(())
    }
}

/// Checks that a protocol fits the address family of a CIDR peer: ICMP is IPv4 only, ICMPv6
/// is IPv6 only.
pub fn check_protocol_family(protocol: Protocol, cidr: &IpNet) -> Result<(), Error> {
    match (protocol, cidr) {
        (Protocol::Icmp, IpNet::V6(_)) => Err(Error::ProtocolFamilyMismatch {
            protocol,
            family: "IPv6",
            peer: cidr.to_string(),
            suggestion: Protocol::Icmpv6,
        }),
        (Protocol::Icmpv6, IpNet::V4(_)) => Err(Error::ProtocolFamilyMismatch {
            protocol,
            family: "IPv4",
            peer: cidr.to_string(),
            suggestion: Protocol::Icmp,
        }),
        _ => Ok(()),
    }
}

/// Checks that a rule of group `holder` may reference group `target`: not itself, same VPC,
/// neither of them an enterprise group. `target` is `None` when the group does not exist.
pub fn check_group_reference(
    holder_id: &GroupId,
    holder: &GroupInfo,
    target_id: &GroupId,
    target: Option<&GroupInfo>,
) -> Result<(), Error> {
    if holder_id == target_id {
        return Err(Error::GroupSelfReference(target_id.clone()));
    }
    if holder.group_type == GroupType::Enterprise {
        return Err(Error::EnterpriseCannotReference(holder_id.clone()));
    }
    let target = target.ok_or_else(|| Error::UnknownGroup(target_id.clone()))?;
    if target.group_type == GroupType::Enterprise {
        return Err(Error::EnterpriseReferenced(target_id.clone()));
    }
    if let (Some(holder_vpc), Some(target_vpc)) = (&holder.vpc, &target.vpc) {
        if holder_vpc != target_vpc {
            return Err(Error::GroupVpcMismatch {
                group: target_id.clone(),
                group_vpc: target_vpc.clone(),
                vpc: holder_vpc.clone(),
            });
        }
    }
    Ok(())
}

/// Checks the peer field of a rule in the rule editor, where one text box takes a CIDR block,
/// a group id or a prefix list id. `group` is the group holding the rule.
///
/// A text that parses as an address or block is a CIDR peer (host bits are cleared); a known
/// prefix list id or one starting with `pl-` is a prefix list; anything else is a group id.
pub fn check_peer_field(
    topology: &Topology,
    group: &GroupId,
    protocol: Protocol,
    text: &str,
) -> Result<Peer, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::EmptyPeer);
    }
    if looks_like_address(text) {
        let cidr = check_cidr_field(text)?;
        check_protocol_family(protocol, &cidr)?;
        return Ok(Peer::Cidr(cidr));
    }
    let prefix_list = PrefixListId::from(text);
    if topology.prefix_lists.contains_key(&prefix_list) {
        return Ok(Peer::PrefixList(prefix_list));
    }
    if text.starts_with("pl-") {
        return Err(Error::UnknownPrefixList(prefix_list));
    }
    let target_id = GroupId::from(text);
    let info = |id: &GroupId| {
        topology.groups.get(id).map(|group| GroupInfo {
            vpc: Some(group.vpc.clone()),
            group_type: group.group_type,
        })
    };
    let holder = info(group).ok_or_else(|| Error::UnknownGroup(group.clone()))?;
    check_group_reference(group, &holder, &target_id, info(&target_id).as_ref())?;
    Ok(Peer::Group {
        id: target_id,
        owner_account: None,
    })
}

/// The error for a word that is not one of `expected`: missing when empty, unknown otherwise.
pub(crate) fn unknown_value(field: &'static str, value: String, expected: &'static str) -> Error {
    if value.trim().is_empty() {
        Error::MissingValue { field, expected }
    } else {
        Error::UnknownValue {
            field,
            value,
            expected,
        }
    }
}

fn looks_like_address(text: &str) -> bool {
    text.contains(':')
        || text
            .chars()
            .next()
            .is_some_and(|first| first.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PortRange;

    #[test]
    fn ports() {
        assert!(matches!(parse_ports("-1/-1"), Ok(PortSpec::All)));
        assert_eq!(
            parse_ports("200/1"),
            Err(Error::ReversedPortRange { start: 200, end: 1 })
        );
        assert_eq!(
            parse_ports("22"),
            Ok(PortSpec::Range(
                PortRange::new(22, 22).unwrap_or(PortRange::ALL)
            ))
        );
        assert_eq!(
            parse_ports(" 8080 ").map(|ports| ports.to_string()),
            Ok("8080/8080".into())
        );
        assert_eq!(
            parse_ports("-1"),
            Err(Error::MalformedPortRange("-1".into()))
        );
        assert_eq!(parse_ports("0"), Err(Error::PortZero));
        assert_eq!(parse_ports("70000"), Err(Error::PortTooLarge(70000)));
        assert_eq!(
            PortSpec::refuse_lone_port("22"),
            Err(Error::LonePort("22".into()))
        );
        assert_eq!(PortSpec::refuse_lone_port("22/22"), Ok(()));
        assert_eq!(parse_ports("0/22"), Err(Error::PortZero));
        assert_eq!(parse_ports("1/70000"), Err(Error::PortTooLarge(70000)));
        assert_eq!(
            parse_ports("-1/22"),
            Err(Error::MalformedPortRange("-1/22".into()))
        );
        assert_eq!(
            check_port_field(Protocol::Gre, "1/65535"),
            Err(Error::PortsNotAllowed {
                protocol: Protocol::Gre,
                ports: "1/65535".into()
            })
        );
        assert_eq!(
            check_port_field(Protocol::Udp, ""),
            Err(Error::PortsRequired(Protocol::Udp))
        );
    }

    #[test]
    fn priorities() {
        assert_eq!(check_priority_field(" 1 ").map(Priority::get), Ok(1));
        assert_eq!(
            check_priority_field("110").map(Priority::is_legacy),
            Ok(true)
        );
        assert_eq!(check_priority_field("0"), Err(Error::PriorityOutOfRange(0)));
        assert_eq!(
            check_priority_field("101"),
            Err(Error::PriorityOutOfRange(101))
        );
        assert_eq!(
            check_priority_field("-3"),
            Err(Error::MalformedPriority("-3".into()))
        );
    }

    #[test]
    fn cidrs() {
        assert_eq!(
            parse_cidr("10.0.0.1/8").map(|(cidr, fixed)| (cidr.to_string(), fixed)),
            Ok(("10.0.0.0/8".to_owned(), true))
        );
        assert_eq!(
            parse_cidr("203.0.113.10").map(|(cidr, fixed)| (cidr.to_string(), fixed)),
            Ok(("203.0.113.10/32".to_owned(), false))
        );
        let error = parse_cidr("10.0.0.0/33").unwrap_err();
        assert_eq!(
            error.to_string(),
            "CIDR block \"10.0.0.0/33\" is malformed: the prefix length /33 is too long for IPv4: use /0 to /32"
        );
    }

    #[test]
    fn peer_field() {
        let topology = crate::load::parse_sglab(
            r#"{"sglab": 1, "vpcs": [{"id": "v"}, {"id": "w"}],
              "security_groups": [{"id": "sg-a", "vpc": "v"}, {"id": "sg-b", "vpc": "v"},
                {"id": "sg-w", "vpc": "w"}, {"id": "sg-e", "vpc": "v", "type": "enterprise"}],
              "prefix_lists": [{"id": "office", "cidrs": ["192.0.2.0/24"]}]}"#,
            None,
        )
        .unwrap()
        .topology;
        let a = GroupId::from("sg-a");
        let check = |protocol, text: &str| check_peer_field(&topology, &a, protocol, text);
        assert_eq!(
            check(Protocol::Tcp, "10.0.0.1/8"),
            Ok(Peer::Cidr("10.0.0.0/8".parse().unwrap()))
        );
        assert_eq!(
            check(Protocol::Tcp, "sg-b"),
            Ok(Peer::Group {
                id: GroupId::from("sg-b"),
                owner_account: None
            })
        );
        assert_eq!(
            check(Protocol::Tcp, "office"),
            Ok(Peer::PrefixList(PrefixListId::from("office")))
        );
        assert_eq!(
            check(Protocol::Tcp, "pl-nope"),
            Err(Error::UnknownPrefixList(PrefixListId::from("pl-nope")))
        );
        assert_eq!(check(Protocol::Tcp, " "), Err(Error::EmptyPeer));
        assert_eq!(
            check(Protocol::Tcp, "sg-a"),
            Err(Error::GroupSelfReference(a.clone()))
        );
        assert_eq!(
            check(Protocol::Tcp, "sg-e"),
            Err(Error::EnterpriseReferenced(GroupId::from("sg-e")))
        );
        assert!(matches!(
            check(Protocol::Tcp, "sg-w"),
            Err(Error::GroupVpcMismatch { .. })
        ));
        assert_eq!(
            check(Protocol::Tcp, "sg-zzz"),
            Err(Error::UnknownGroup(GroupId::from("sg-zzz")))
        );
        assert!(matches!(
            check(Protocol::Icmp, "::/0"),
            Err(Error::ProtocolFamilyMismatch { .. })
        ));
        assert!(matches!(
            check(Protocol::Tcp, "10.0.0.0/40"),
            Err(Error::MalformedCidr { .. })
        ));
    }
}
