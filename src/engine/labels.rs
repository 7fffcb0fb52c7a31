//! Labels in words: the allowed ports of an edge or a matrix cell (`tcp 8080; icmp`) and the
//! kind of an endpoint, as the diagram, the matrix and the inspector show them.

use sglab_core::model::{EndpointKind, PortRange, Protocol};

/// `tcp 8080; udp 53; icmp` from allowed ranges per protocol.
pub fn label_of(allowed: &[(Protocol, Vec<PortRange>)], max_ranges: usize) -> String {
    allowed
        .iter()
        .map(|(protocol, ranges)| {
            let ranges: Vec<(u16, u16)> = ranges.iter().map(|r| (r.start(), r.end())).collect();
            port_label(protocol.as_str(), &ranges, protocol.has_ports(), max_ranges)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The text of an edge label: `tcp 8080`, `tcp 80-9000`, `tcp 22, 80-9000`, `icmp`,
/// `tcp all ports`; more than `max_ranges` ranges end with `+N`.
pub fn port_label(
    protocol: &str,
    ranges: &[(u16, u16)],
    has_ports: bool,
    max_ranges: usize,
) -> String {
    if !has_ports {
        return protocol.to_owned();
    }
    if ranges == [(1, 65535)] {
        return format!("{protocol} all ports");
    }
    let mut parts: Vec<String> = ranges
        .iter()
        .take(max_ranges)
        .map(|&(start, end)| {
            if start == end {
                start.to_string()
            } else {
                format!("{start}-{end}")
            }
        })
        .collect();
    if ranges.len() > max_ranges {
        parts.push(format!("+{}", ranges.len() - max_ranges));
    }
    format!("{protocol} {}", parts.join(", "))
}

/// The kind of an endpoint in words.
pub fn kind_words(kind: &EndpointKind) -> &'static str {
    match kind {
        EndpointKind::Ecs => "ECS instance",
        EndpointKind::Pod { .. } => "pod",
        EndpointKind::GatewayNode { .. } => "gateway node",
        EndpointKind::External { .. } => "external host",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_labels_read_like_the_vendor_figure() {
        assert_eq!(port_label("tcp", &[(8080, 8080)], true, 3), "tcp 8080");
        assert_eq!(port_label("tcp", &[(80, 9000)], true, 3), "tcp 80-9000");
        assert_eq!(
            port_label("tcp", &[(22, 22), (80, 9000)], true, 3),
            "tcp 22, 80-9000"
        );
        assert_eq!(port_label("tcp", &[(1, 65535)], true, 3), "tcp all ports");
        assert_eq!(
            port_label("udp", &[(1, 1), (3, 3), (5, 5), (7, 7)], true, 2),
            "udp 1, 3, +2"
        );
        assert_eq!(port_label("icmp", &[(1, 65535)], false, 3), "icmp");
    }

    #[test]
    fn allowed_ranges_join_per_protocol() {
        let ranges = |list: &[(u16, u16)]| -> Vec<PortRange> {
            list.iter()
                .filter_map(|&(start, end)| PortRange::new(start, end).ok())
                .collect()
        };
        let allowed = vec![
            (Protocol::Tcp, ranges(&[(22, 22), (80, 90), (443, 443)])),
            (Protocol::Udp, ranges(&[(53, 53)])),
            (Protocol::Icmp, ranges(&[(1, 65535)])),
        ];
        assert_eq!(label_of(&allowed, 3), "tcp 22, 80-90, 443; udp 53; icmp");
        assert_eq!(label_of(&allowed, 1), "tcp 22, +2; udp 53; icmp");
        assert_eq!(label_of(&[], 3), "");
    }

    #[test]
    fn kinds_read_as_words() {
        assert_eq!(kind_words(&EndpointKind::Ecs), "ECS instance");
    }
}
