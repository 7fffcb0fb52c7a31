//! Rendering of the core's results as the CLI prints them: JSON, the check report and the
//! matrix as a text table, CSV and Markdown.

use std::collections::BTreeSet;
use std::io::{self, Write};

use serde::Serialize;
use sglab_core::doctor::Diagnosis;
use sglab_core::explain::Explanation;
use sglab_core::lint::{Finding, Severity};
use sglab_core::matrix::Matrix;
use sglab_core::model::{EndpointId, Expectation, PortRange, Protocol, Topology};

/// What `query --format json` prints: the explanation's fields, then `diagnoses`.
#[derive(Serialize)]
pub struct QueryJson<'a> {
    /// The explanation, whose fields are the top-level fields of the object.
    #[serde(flatten)]
    pub explanation: &'a Explanation,
    /// The doctor's diagnoses; empty when the query is allowed and the service listens.
    pub diagnoses: &'a [Diagnosis],
}

/// Pretty JSON ending in a newline.
pub fn json<T: Serialize>(value: &T) -> String {
    // Serializing plain result data cannot fail: keys are strings, values plain data.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON form of `sglab lint`: `{"findings": [...]}`.
#[derive(Serialize)]
pub struct LintReport<'a> {
    /// The findings, in the lint's order.
    pub findings: &'a [Finding],
}

/// The findings as text: one block per finding (`warning[shadowed-rule]: ...` and its fix),
/// then a count.
pub fn lint_text(findings: &[Finding]) -> String {
    let mut out = String::new();
    for finding in findings {
        out.push_str(&format!(
            "{}[{}]: {}\n  fix: {}\n",
            finding.severity, finding.code, finding.message, finding.fix_text
        ));
    }
    if findings.is_empty() {
        out.push_str("no findings\n");
    } else {
        let count = |severity: Severity| {
            findings
                .iter()
                .filter(|finding| finding.severity == severity)
                .count()
        };
        out.push_str(&format!(
            "{} finding{} ({} errors, {} warnings, {} infos)\n",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" },
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info)
        ));
    }
    out
}

/// One line for a failed expectation: what was asked, what was expected, what decided.
pub fn check_failure(index: usize, expectation: &Expectation, explanation: &Explanation) -> String {
    let what = match expectation.port {
        Some(port) => format!("{} {port}", expectation.protocol),
        None => expectation.protocol.to_string(),
    };
    format!(
        "FAIL expectation {}: {what} from {} to {}: expected {}, got {} (egress: {}, {}; ingress: {}, {})",
        index + 1,
        expectation.from,
        expectation.to,
        expectation.verdict,
        explanation.verdict,
        explanation.egress.verdict,
        explanation.egress.decided_by,
        explanation.ingress.verdict,
        explanation.ingress.decided_by,
    )
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

/// The labels of the matrix's endpoints, by index: names when every name is distinct and
/// non-empty, else ids.
fn labels(topology: &Topology, matrix: &Matrix) -> Vec<String> {
    let names: BTreeSet<&str> = topology
        .endpoints
        .values()
        .map(|endpoint| endpoint.name.as_str())
        .collect();
    let by_name = names.len() == topology.endpoints.len() && !names.contains("");
    matrix
        .endpoints()
        .iter()
        .map(|id| match topology.endpoints.get(id) {
            Some(endpoint) if by_name => endpoint.name.clone(),
            _ => id.to_string(),
        })
        .collect()
}

/// The rows of a table, lazily: each ordered pair of distinct endpoints (by index) that allows
/// something, with its allowed ports per protocol in column order.
fn rows(matrix: &Matrix) -> impl Iterator<Item = (usize, usize, Vec<&[PortRange]>)> + '_ {
    let count = matrix.endpoints().len();
    (0..count)
        .flat_map(move |from| (0..count).map(move |to| (from, to)))
        .filter(|(from, to)| from != to)
        .map(move |(from, to)| {
            let cells = matrix
                .protocols()
                .iter()
                .map(|protocol| matrix.cell_at(from, to, *protocol).unwrap_or(&[]))
                .collect::<Vec<_>>();
            (from, to, cells)
        })
        .filter(|(_, _, cells)| cells.iter().any(|ports| !ports.is_empty()))
}

fn cell_text(protocol: Protocol, ports: &[PortRange]) -> String {
    let text = ports_text(protocol, ports);
    if text.is_empty() {
        "-".to_owned()
    } else {
        text
    }
}

/// How many ordered pairs of distinct endpoints the matrix has.
fn pair_count(matrix: &Matrix) -> usize {
    let count = matrix.endpoints().len();
    count * count.saturating_sub(1)
}

/// A readable table: one row per pair of endpoints with something allowed, columns aligned.
pub fn matrix_text(out: &mut dyn Write, topology: &Topology, matrix: &Matrix) -> io::Result<()> {
    let labels = labels(topology, matrix);
    let protocols = matrix.protocols();
    // First pass: the column widths.
    let mut widths = vec!["from".len(), "to".len()];
    widths.extend(protocols.iter().map(|protocol| protocol.as_str().len()));
    let mut shown = 0usize;
    for (from, to, cells) in rows(matrix) {
        shown += 1;
        widths[0] = widths[0].max(labels[from].chars().count());
        widths[1] = widths[1].max(labels[to].chars().count());
        for (column, (protocol, ports)) in protocols.iter().zip(&cells).enumerate() {
            widths[column + 2] =
                widths[column + 2].max(cell_text(*protocol, ports).chars().count());
        }
    }
    let write_row = |out: &mut dyn Write, row: &[String]| -> io::Result<()> {
        let mut line = String::new();
        for (column, text) in row.iter().enumerate() {
            line.push_str(text);
            if column + 1 < row.len() {
                let padding = widths[column].saturating_sub(text.chars().count());
                line.push_str(&" ".repeat(padding + 2));
            }
        }
        writeln!(out, "{}", line.trim_end())
    };
    let mut header = vec!["from".to_owned(), "to".to_owned()];
    header.extend(protocols.iter().map(|protocol| protocol.to_string()));
    write_row(out, &header)?;
    for (from, to, cells) in rows(matrix) {
        let mut row = vec![labels[from].clone(), labels[to].clone()];
        row.extend(
            protocols
                .iter()
                .zip(&cells)
                .map(|(protocol, ports)| cell_text(*protocol, ports)),
        );
        write_row(out, &row)?;
    }
    let pairs = pair_count(matrix);
    if pairs > shown {
        writeln!(
            out,
            "({} of {pairs} pairs allow nothing and are not shown)",
            pairs - shown
        )?;
    }
    Ok(())
}

/// RFC 4180 CSV: a header row, then one row per (from, to, protocol), CRLF line ends.
pub fn matrix_csv(out: &mut dyn Write, topology: &Topology, matrix: &Matrix) -> io::Result<()> {
    out.write_all(b"from,from_name,to,to_name,protocol,ports\r\n")?;
    let names: Vec<String> = matrix
        .endpoints()
        .iter()
        .map(|id| {
            topology
                .endpoints
                .get(id)
                .map_or_else(String::new, |endpoint| csv_field(&endpoint.name))
        })
        .collect();
    let ids: Vec<String> = matrix
        .endpoints()
        .iter()
        .map(|id| csv_field(id.as_str()))
        .collect();
    let count = ids.len();
    for from in 0..count {
        for to in (0..count).filter(|to| *to != from) {
            for protocol in matrix.protocols() {
                let ports = matrix.cell_at(from, to, *protocol).unwrap_or(&[]);
                write!(
                    out,
                    "{},{},{},{},{},{}\r\n",
                    ids[from],
                    names[from],
                    ids[to],
                    names[to],
                    protocol,
                    csv_field(&ports_text(*protocol, ports))
                )?;
            }
        }
    }
    Ok(())
}

/// JSON: `{"protocols": [...], "cells": [{"from", "to", "protocol", "ports": ["80/80"]}]}`,
/// every ordered pair of distinct endpoints, written cell by cell.
pub fn matrix_json(out: &mut dyn Write, matrix: &Matrix) -> io::Result<()> {
    let protocols: Vec<&str> = matrix.protocols().iter().map(|p| p.as_str()).collect();
    writeln!(out, "{{")?;
    writeln!(out, "  \"protocols\": {},", to_json(&protocols))?;
    write!(out, "  \"cells\": [")?;
    let mut first = true;
    for cell in matrix.cells() {
        let ports: Vec<String> = cell.allowed.iter().map(|range| range.to_string()).collect();
        let object = CellJson {
            from: cell.from,
            to: cell.to,
            protocol: cell.protocol,
            ports,
        };
        write!(
            out,
            "{}\n    {}",
            if first { "" } else { "," },
            to_json(&object)
        )?;
        first = false;
    }
    writeln!(out, "{}]", if first { "" } else { "\n  " })?;
    writeln!(out, "}}")
}

/// One cell as `matrix --format json` writes it, fields in this order.
#[derive(Serialize)]
struct CellJson<'m> {
    from: &'m EndpointId,
    to: &'m EndpointId,
    protocol: Protocol,
    ports: Vec<String>,
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
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
pub fn matrix_markdown(
    out: &mut dyn Write,
    topology: &Topology,
    matrix: &Matrix,
) -> io::Result<()> {
    let labels = labels(topology, matrix);
    let protocols = matrix.protocols();
    let mut header = String::from("| from | to |");
    let mut rule = String::from("| --- | --- |");
    for protocol in protocols {
        header.push_str(&format!(" {protocol} |"));
        rule.push_str(" --- |");
    }
    writeln!(out, "{header}\n{rule}")?;
    let mut shown = 0usize;
    for (from, to, cells) in rows(matrix) {
        shown += 1;
        let mut line = format!(
            "| {} | {} |",
            markdown_cell(&labels[from]),
            markdown_cell(&labels[to])
        );
        for (protocol, ports) in protocols.iter().zip(&cells) {
            line.push_str(&format!(
                " {} |",
                markdown_cell(&cell_text(*protocol, ports))
            ));
        }
        writeln!(out, "{line}")?;
    }
    let pairs = pair_count(matrix);
    if pairs > shown {
        write!(
            out,
            "\n{} of {pairs} pairs allow nothing and are not shown.\n",
            pairs - shown
        )?;
    }
    Ok(())
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
