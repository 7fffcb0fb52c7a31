//! The matrix as CSV, the one writer of both front ends: RFC 4180, a header row, then one row
//! per (source, target, protocol), CRLF line ends.
//!
//! Columns: `from`, `from_name`, `to`, `to_name`, `protocol`, `ports` (in the words of
//! [`cell_text`]: `80-9000;8080` or `all` for a protocol with ports, `allowed` for a protocol
//! without ports such as ICMP, which no port range describes, or empty when nothing is allowed). The writer writes
//! row by row into any [`fmt::Write`], so that a caller with a file or a pipe streams it.
//!
//! ```
//! use sglab_core::generate::{generate, GenParams};
//! use sglab_core::matrix::{csv, matrix};
//!
//! let topology = generate(1, &GenParams::small(6, 3, 20));
//! let matrix = matrix(&topology);
//! let mut text = String::new();
//! csv::write_matrix(&mut text, &topology, &matrix, [(0, 1)]).unwrap();
//! assert!(text.starts_with("from,from_name,to,to_name,protocol,ports\r\n"));
//! assert_eq!(text.lines().count(), 1 + matrix.protocols().len());
//! ```

use std::fmt;

use crate::model::{PortRange, Protocol, Topology};

use super::Matrix;

/// The header row, line end included.
pub const MATRIX_HEADER: &str = "from,from_name,to,to_name,protocol,ports\r\n";

/// Writes the header, then one row per protocol of each pair of `pairs` (indices into
/// [`Matrix::endpoints`], in the order given); an index out of range writes no row.
pub fn write_matrix<W: fmt::Write + ?Sized>(
    out: &mut W,
    topology: &Topology,
    matrix: &Matrix,
    pairs: impl IntoIterator<Item = (usize, usize)>,
) -> fmt::Result {
    out.write_str(MATRIX_HEADER)?;
    let names: Vec<String> = matrix
        .endpoints()
        .iter()
        .map(|id| {
            topology
                .endpoints
                .get(id)
                .map_or_else(String::new, |endpoint| field(&endpoint.name))
        })
        .collect();
    let ids: Vec<String> = matrix
        .endpoints()
        .iter()
        .map(|id| field(id.as_str()))
        .collect();
    for (from, to) in pairs {
        let (Some(from_id), Some(to_id)) = (ids.get(from), ids.get(to)) else {
            continue;
        };
        for protocol in matrix.protocols() {
            let ports = matrix.cell_at(from, to, *protocol).unwrap_or(&[]);
            write!(
                out,
                "{},{},{},{},{},{}\r\n",
                from_id,
                names[from],
                to_id,
                names[to],
                protocol,
                field(&cell_text(*protocol, ports))
            )?;
        }
    }
    Ok(())
}

/// A CSV field, quoted when it holds a comma, a quote, a line break or leading or trailing
/// spaces; quotes are doubled.
pub fn field(text: &str) -> String {
    let needs_quotes =
        text.contains([',', '"', '\r', '\n']) || text.starts_with(' ') || text.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A cell's column of the CSV: its ports in the words of [`ports_text`] for a protocol with
/// ports; for a protocol without ports (ICMP, GRE), `allowed` when anything is allowed, since no
/// port range describes it, and empty when nothing is.
pub fn cell_text(protocol: Protocol, ports: &[PortRange]) -> String {
    match (protocol.has_ports(), ports.is_empty()) {
        (false, false) => ALLOWED.to_owned(),
        _ => ports_text(protocol, ports),
    }
}

/// The CSV's word for an allowed protocol without ports.
pub const ALLOWED: &str = "allowed";

/// The ports of a cell in words: `80-9000;8080`, `all` for every port of a protocol with
/// ports or an allowed protocol without ports, empty when nothing is allowed.
pub fn ports_text(protocol: Protocol, ports: &[PortRange]) -> String {
    if ports.is_empty() {
        return String::new();
    }
    if !protocol.has_ports() || ports == [PortRange::ALL] {
        return "all".to_owned();
    }
    ports
        .iter()
        .map(|range| {
            if range.start() == range.end() {
                range.start().to_string()
            } else {
                format!("{}-{}", range.start(), range.end())
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::load::parse_sglab;
    use crate::matrix::matrix;

    #[test]
    fn rows_name_both_ends_and_quote_what_needs_it() {
        let json = r#"{"sglab": 1, "vpcs": [{"id": "vpc-1"}],
          "security_groups": [
            {"id": "sg-client"},
            {"id": "sg-web", "rules": [
              {"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.0.0/8"},
              {"direction": "ingress", "protocol": "tcp", "port_range": "8000/8100", "cidr": "10.0.0.0/8"}]}],
          "endpoints": [
            {"id": "client", "name": "client, east", "kind": "ecs", "private_ip": "10.0.0.4", "groups": ["sg-client"]},
            {"id": "web", "name": "web \"1\"", "kind": "ecs", "private_ip": "10.0.0.5", "groups": ["sg-web"]}]}"#;
        let topology = match parse_sglab(json, None) {
            Ok(parsed) => parsed.topology,
            Err(error) => panic!("the test topology is invalid: {error:?}"),
        };
        let matrix = matrix(&topology);
        let mut text = String::new();
        // A pair out of range writes no row.
        let written = write_matrix(&mut text, &topology, &matrix, [(0, 1), (1, 0), (0, 7)]);
        assert!(written.is_ok());
        expect![[r#"
            from,from_name,to,to_name,protocol,ports
            client,"client, east",web,"web ""1""",tcp,80;8000-8100
            client,"client, east",web,"web ""1""",udp,
            client,"client, east",web,"web ""1""",icmp,
            web,"web ""1""",client,"client, east",tcp,
            web,"web ""1""",client,"client, east",udp,
            web,"web ""1""",client,"client, east",icmp,
        "#]]
        .assert_eq(&text.replace("\r\n", "\n"));
        assert_eq!(text.matches("\r\n").count(), text.lines().count());
    }

    #[test]
    fn quoting() {
        assert_eq!(field("web-1"), "web-1");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("carriage\rreturn"), "\"carriage\rreturn\"");
        assert_eq!(field(" padded"), "\" padded\"");
        assert_eq!(field("padded "), "\"padded \"");
    }

    #[test]
    fn protocols_without_ports_say_allowed_not_a_range() {
        let json = r#"{"sglab": 1, "vpcs": [{"id": "vpc-1"}],
          "security_groups": [
            {"id": "sg-a"},
            {"id": "sg-b", "rules": [
              {"direction": "ingress", "protocol": "all", "port_range": "-1/-1", "cidr": "10.0.0.4/32"}]}],
          "endpoints": [
            {"id": "a", "kind": "ecs", "private_ip": "10.0.0.4", "groups": ["sg-a"]},
            {"id": "b", "kind": "ecs", "private_ip": "10.0.0.5", "groups": ["sg-b"]}]}"#;
        let topology = match parse_sglab(json, None) {
            Ok(parsed) => parsed.topology,
            Err(error) => panic!("the test topology is invalid: {error:?}"),
        };
        let matrix = matrix(&topology);
        let mut text = String::new();
        assert!(write_matrix(&mut text, &topology, &matrix, [(0, 1), (1, 0)]).is_ok());
        expect![[r#"
            from,from_name,to,to_name,protocol,ports
            a,,b,,tcp,all
            a,,b,,udp,all
            a,,b,,icmp,allowed
            b,,a,,tcp,
            b,,a,,udp,
            b,,a,,icmp,
        "#]]
        .assert_eq(&text.replace("\r\n", "\n"));
        assert_eq!(cell_text(Protocol::Icmp, &[PortRange::ALL]), "allowed");
        assert_eq!(cell_text(Protocol::Icmp, &[]), "");
        assert_eq!(cell_text(Protocol::Tcp, &[PortRange::ALL]), "all");
    }

    #[test]
    fn ports_in_words() {
        let range = |start, end| PortRange::new(start, end).unwrap_or(PortRange::ALL);
        assert_eq!(ports_text(Protocol::Tcp, &[]), "");
        assert_eq!(ports_text(Protocol::Tcp, &[PortRange::ALL]), "all");
        assert_eq!(ports_text(Protocol::Icmp, &[range(1, 1)]), "all");
        assert_eq!(
            ports_text(Protocol::Tcp, &[range(22, 22), range(80, 9000)]),
            "22;80-9000"
        );
    }
}
