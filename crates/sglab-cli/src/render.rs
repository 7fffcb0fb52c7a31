//! Rendering of the core's results as the CLI prints them: JSON, the check report and the
//! matrix as a text table, CSV and Markdown.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;
use sglab_core::explain::Explanation;
use sglab_core::model::{EndpointId, Expectation, PortRange, Protocol, Topology};

/// Pretty JSON ending in a newline.
pub fn json<T: Serialize>(value: &T) -> String {
    // Serializing plain result data cannot fail: keys are strings, values plain data.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// One line for a failed expectation: what was asked, what was expected, what decided.
pub fn check_failure(index: usize, expectation: &Expectation, explanation: &Explanation) -> String {
    let what = match expectation.port {
        Some(port) => format!("{} {port}", expectation.protocol),
        None => expectation.protocol.to_string(),
    };
    format!(
        "FAIL expectation {}: {what} from {} to {}: expected {}, got {} (egress: {}; ingress: {})",
        index + 1,
        expectation.from,
        expectation.to,
        expectation.verdict,
        explanation.verdict,
        explanation.egress.decided_by,
        explanation.ingress.decided_by,
    )
}

/// One cell of the matrix: the ports allowed from one endpoint to another on one protocol.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// The source endpoint.
    pub from: EndpointId,
    /// The target endpoint.
    pub to: EndpointId,
    /// The protocol.
    pub protocol: Protocol,
    /// The allowed ports, sorted and merged; empty when nothing is allowed.
    pub ports: Vec<PortRange>,
}

/// The matrix as the CLI renders it: the protocols shown and one cell per ordered pair of
/// distinct endpoints and protocol.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatrixView {
    /// The protocols, in column order.
    pub protocols: Vec<Protocol>,
    /// The cells, ordered by source, target, protocol.
    pub cells: Vec<Cell>,
}

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

/// How endpoints are labelled in tables: by name when every name is distinct and non-empty,
/// else by id.
fn labeller(topology: &Topology) -> impl Fn(&EndpointId) -> String + '_ {
    let names: BTreeSet<&str> = topology
        .endpoints
        .values()
        .map(|endpoint| endpoint.name.as_str())
        .collect();
    let by_name = names.len() == topology.endpoints.len() && !names.contains("");
    move |id: &EndpointId| match topology.endpoints.get(id) {
        Some(endpoint) if by_name => endpoint.name.clone(),
        _ => id.to_string(),
    }
}

/// The rows of a table: one per ordered pair with something allowed, its cells per protocol.
fn rows(matrix: &MatrixView) -> Vec<(&EndpointId, &EndpointId, Vec<&Cell>)> {
    let mut rows: Vec<(&EndpointId, &EndpointId, Vec<&Cell>)> = Vec::new();
    for cell in &matrix.cells {
        match rows.last_mut() {
            Some((from, to, cells)) if *from == &cell.from && *to == &cell.to => cells.push(cell),
            _ => rows.push((&cell.from, &cell.to, vec![cell])),
        }
    }
    rows.retain(|(_, _, cells)| cells.iter().any(|cell| !cell.ports.is_empty()));
    rows
}

/// A readable table: one row per pair of endpoints with something allowed.
pub fn matrix_text(topology: &Topology, matrix: &MatrixView) -> String {
    let label = labeller(topology);
    let mut table: Vec<Vec<String>> = vec![{
        let mut header = vec!["from".to_owned(), "to".to_owned()];
        header.extend(matrix.protocols.iter().map(|protocol| protocol.to_string()));
        header
    }];
    let rows = rows(matrix);
    for (from, to, cells) in &rows {
        let mut row = vec![label(from), label(to)];
        row.extend(cells.iter().map(|cell| {
            let text = ports_text(cell.protocol, &cell.ports);
            if text.is_empty() {
                "-".to_owned()
            } else {
                text
            }
        }));
        table.push(row);
    }
    let widths: Vec<usize> = (0..table[0].len())
        .map(|column| {
            table
                .iter()
                .map(|row| row.get(column).map_or(0, |text| text.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in &table {
        let mut line = String::new();
        for (column, text) in row.iter().enumerate() {
            if column + 1 == row.len() {
                line.push_str(text);
            } else {
                let padding = widths[column] - text.chars().count();
                let _ = write!(line, "{text}{}  ", " ".repeat(padding));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let pairs = topology.endpoints.len() * topology.endpoints.len().saturating_sub(1);
    let hidden = pairs - rows.len();
    if hidden > 0 {
        let _ = writeln!(
            out,
            "({hidden} of {pairs} pairs allow nothing and are not shown)"
        );
    }
    out
}

/// RFC 4180 CSV: a header row, then one row per (from, to, protocol), CRLF line ends.
pub fn matrix_csv(topology: &Topology, matrix: &MatrixView) -> String {
    let mut out = String::from("from,from_name,to,to_name,protocol,ports\r\n");
    let name = |id: &EndpointId| {
        topology
            .endpoints
            .get(id)
            .map_or_else(String::new, |endpoint| endpoint.name.clone())
    };
    for cell in &matrix.cells {
        let fields = [
            cell.from.to_string(),
            name(&cell.from),
            cell.to.to_string(),
            name(&cell.to),
            cell.protocol.to_string(),
            ports_text(cell.protocol, &cell.ports),
        ];
        let line: Vec<String> = fields.iter().map(|field| csv_field(field)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A CSV field, quoted when it holds a comma, a quote, a line break or leading or trailing
/// spaces; quotes are doubled.
fn csv_field(text: &str) -> String {
    let needs_quotes =
        text.contains([',', '"', '\r', '\n']) || text.starts_with(' ') || text.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A Markdown table that renders in a README: one row per pair with something allowed.
pub fn matrix_markdown(topology: &Topology, matrix: &MatrixView) -> String {
    let label = labeller(topology);
    let mut out = String::from("| from | to |");
    for protocol in &matrix.protocols {
        let _ = write!(out, " {protocol} |");
    }
    out.push_str("\n| --- | --- |");
    for _ in &matrix.protocols {
        out.push_str(" --- |");
    }
    out.push('\n');
    let rows = rows(matrix);
    for (from, to, cells) in &rows {
        let _ = write!(
            out,
            "| {} | {} |",
            markdown_cell(&label(from)),
            markdown_cell(&label(to))
        );
        for cell in cells {
            let text = ports_text(cell.protocol, &cell.ports);
            let text = if text.is_empty() {
                "-".to_owned()
            } else {
                text
            };
            let _ = write!(out, " {} |", markdown_cell(&text));
        }
        out.push('\n');
    }
    let pairs = topology.endpoints.len() * topology.endpoints.len().saturating_sub(1);
    let hidden = pairs - rows.len();
    if hidden > 0 {
        let _ = write!(
            out,
            "\n{hidden} of {pairs} pairs allow nothing and are not shown.\n"
        );
    }
    out
}

/// Text made safe for a Markdown table cell: `|` and the characters that start emphasis,
/// code or HTML are escaped, line breaks become spaces.
fn markdown_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting() {
        assert_eq!(csv_field("web-1"), "web-1");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn markdown_escaping() {
        assert_eq!(markdown_cell("a|b"), "a\\|b");
        assert_eq!(markdown_cell("<b>x</b>"), "\\<b\\>x\\</b\\>");
        assert_eq!(markdown_cell("one\ntwo"), "one two");
    }

    #[test]
    fn ports() {
        let range = |a, b| PortRange::new(a, b).expect("range");
        assert_eq!(
            ports_text(Protocol::Tcp, &[range(80, 9000), range(9443, 9443)]),
            "80-9000;9443"
        );
        assert_eq!(ports_text(Protocol::Tcp, &[PortRange::ALL]), "all");
        assert_eq!(ports_text(Protocol::Icmp, &[PortRange::ALL]), "all");
        assert_eq!(ports_text(Protocol::Udp, &[]), "");
    }
}
