//! The core's checks of one field as the user types it (an address, a port range, a priority,
//! a peer), for the inspector, the rule tables and the query bar. Each returns the parsed value
//! or the core's message.

use std::net::IpAddr;

use sglab_core::model::{
    Cluster, EndpointKind, GroupId, Peer, PortSpec, Priority, Protocol, Topology, Vpc,
};
use sglab_core::validate;

/// `vpc` with the IPv4 block typed (blank: none).
pub fn vpc_with_cidr(vpc: &Vpc, text: &str) -> Result<Vpc, String> {
    let cidr = if text.trim().is_empty() {
        None
    } else {
        Some(validate::check_cidr_field(text).map_err(|error| error.to_string())?)
    };
    Ok(Vpc {
        cidr,
        ..vpc.clone()
    })
}

/// Sets a cluster's pod block as typed (blank: none).
pub fn set_pod_cidr(cluster: &mut Cluster, text: &str) -> Result<(), String> {
    cluster.pod_cidr = if text.trim().is_empty() {
        None
    } else {
        Some(validate::check_cidr_field(text).map_err(|error| error.to_string())?)
    };
    Ok(())
}

/// The kind of an external host or network at the address block typed.
pub fn external_kind(text: &str) -> Result<EndpointKind, String> {
    let cidr = validate::check_cidr_field(text).map_err(|error| error.to_string())?;
    Ok(EndpointKind::External { cidr })
}

/// The peer a new rule starts with: the private block `10.0.0.0/8`.
pub fn new_rule_peer() -> Peer {
    let cidr = validate::check_cidr_field("10.0.0.0/8")
        .unwrap_or_else(|_| validate::check_cidr_field("0.0.0.0/0").unwrap_or_default());
    Peer::Cidr(cidr)
}

/// One IPv4 or IPv6 address.
pub fn check_ip(text: &str) -> Result<IpAddr, String> {
    validate::check_ip_field(text).map_err(|error| error.to_string())
}

/// A port range of a service (`80`, `80-90`, `80/90`, `-1/-1`), whatever the protocol.
pub fn parse_ports(text: &str) -> Result<PortSpec, String> {
    validate::parse_ports(text).map_err(|error| error.to_string())
}

/// The port range of a rule of `protocol`.
pub fn check_ports(protocol: Protocol, text: &str) -> Result<PortSpec, String> {
    validate::check_port_field(protocol, text).map_err(|error| error.to_string())
}

/// One port, as a question asks it.
pub fn check_single_port(text: &str) -> Result<u16, String> {
    validate::check_single_port_field(text).map_err(|error| error.to_string())
}

/// A protocol name (`tcp`, `icmp`, `all`).
pub fn check_protocol(text: &str) -> Result<Protocol, String> {
    validate::check_protocol_field(text).map_err(|error| error.to_string())
}

/// A rule priority.
pub fn check_priority(text: &str) -> Result<Priority, String> {
    validate::check_priority_field(text).map_err(|error| error.to_string())
}

/// The peer of a rule of `group` (an address block, a group or a prefix list).
pub fn check_peer(
    topology: &Topology,
    group: &GroupId,
    protocol: Protocol,
    text: &str,
) -> Result<Peer, String> {
    validate::check_peer_field(topology, group, protocol, text).map_err(|error| error.to_string())
}

/// A rule's description.
pub fn check_description(text: &str) -> Result<(), String> {
    validate::check_description_field(text).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_parse_or_say_why_not() {
        assert_eq!(
            check_ip("10.0.0.1").map(|ip| ip.to_string()),
            Ok("10.0.0.1".to_owned())
        );
        assert!(check_ip("10.0.0.300").is_err());
        assert!(external_kind("203.0.113.0/24").is_ok());
        assert!(external_kind("banana").is_err());
        assert!(matches!(new_rule_peer(), Peer::Cidr(cidr) if cidr.to_string() == "10.0.0.0/8"));
        assert_eq!(check_single_port("443"), Ok(443));
        assert!(check_single_port("70000").is_err());
        assert_eq!(check_protocol("tcp"), Ok(Protocol::Tcp));
        assert!(check_priority("0").is_err());
        assert!(check_ports(Protocol::Tcp, "80/90").is_ok());
        assert!(check_description(&"x".repeat(10_000)).is_err());
    }
}
