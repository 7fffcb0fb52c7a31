//! Rendering of the core's results as the CLI prints them: JSON, the check report, and the
//! matrix and the group matrix as a text table, CSV, Markdown and JSON, written as rendered.

use std::collections::BTreeSet;
use std::fmt;
use std::io::{self, Write};

use serde::Serialize;
use sglab_core::doctor::Diagnosis;
use sglab_core::explain::Explanation;
use sglab_core::lint::{Finding, Severity};
use sglab_core::matrix::csv::{self, field as csv_field};
use sglab_core::matrix::{Bucket, CountedRange, GroupCell, GroupMatrix, Matrix};
use sglab_core::model::{EndpointId, Expectation, PortRange, Protocol, Topology};

use crate::select::{Buckets, Selection};

/// The ports of a cell in words (`80-9000;8080`, `all`), as the core writes them for text; its CSV
/// says `allowed` instead for a protocol without ports.
pub use sglab_core::matrix::csv::ports_text;

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

/// The labels of the matrix's endpoints, by index: names when every name is distinct and
/// non-empty, else ids.
pub fn labels(topology: &Topology, matrix: &Matrix) -> Vec<String> {
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

/// Calls `row` for each selected ordered pair of distinct endpoints (by index) that allows
/// something, with its allowed ports per protocol in column order; one buffer serves every
/// pair.
fn for_each_row<'m>(
    matrix: &'m Matrix,
    selection: &Selection,
    mut row: impl FnMut(usize, usize, &[&'m [PortRange]]) -> io::Result<()>,
) -> io::Result<()> {
    let protocols = matrix.protocols();
    let mut cells: Vec<&[PortRange]> = Vec::with_capacity(protocols.len());
    for &from in &selection.from {
        for &to in &selection.to {
            if from == to {
                continue;
            }
            cells.clear();
            cells.extend(
                protocols
                    .iter()
                    .map(|protocol| matrix.cell_at(from, to, *protocol).unwrap_or(&[])),
            );
            if cells.iter().any(|ports| !ports.is_empty()) {
                row(from, to, &cells)?;
            }
        }
    }
    Ok(())
}

fn cell_text(protocol: Protocol, ports: &[PortRange]) -> String {
    let text = ports_text(protocol, ports);
    if text.is_empty() {
        "-".to_owned()
    } else {
        text
    }
}

/// Writes rows as columns aligned by their widest cell, two spaces apart, each line starting
/// with `indent`; trailing spaces are trimmed.
pub fn write_table(out: &mut dyn Write, indent: &str, rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        for (column, text) in row.iter().enumerate() {
            let width = text.chars().count();
            match widths.get_mut(column) {
                Some(widest) => *widest = (*widest).max(width),
                None => widths.push(width),
            }
        }
    }
    for row in rows {
        write_row(out, indent, &widths, row)?;
    }
    Ok(())
}

fn write_row(
    out: &mut dyn Write,
    indent: &str,
    widths: &[usize],
    row: &[String],
) -> io::Result<()> {
    let mut line = String::from(indent);
    for (column, text) in row.iter().enumerate() {
        line.push_str(text);
        if column + 1 < row.len() {
            let padding = widths[column].saturating_sub(text.chars().count());
            line.push_str(&" ".repeat(padding + 2));
        }
    }
    writeln!(out, "{}", line.trim_end())
}

/// A readable table: one row per selected pair of endpoints with something allowed, columns
/// aligned.
pub fn matrix_text(
    out: &mut dyn Write,
    topology: &Topology,
    matrix: &Matrix,
    selection: &Selection,
) -> io::Result<()> {
    let labels = labels(topology, matrix);
    let protocols = matrix.protocols();
    // First pass: the column widths.
    let mut widths = vec!["from".len(), "to".len()];
    widths.extend(protocols.iter().map(|protocol| protocol.as_str().len()));
    let mut shown = 0u64;
    for_each_row(matrix, selection, |from, to, cells| {
        shown += 1;
        widths[0] = widths[0].max(labels[from].chars().count());
        widths[1] = widths[1].max(labels[to].chars().count());
        for (column, (protocol, ports)) in protocols.iter().zip(cells).enumerate() {
            widths[column + 2] =
                widths[column + 2].max(cell_text(*protocol, ports).chars().count());
        }
        Ok(())
    })?;
    let mut header = vec!["from".to_owned(), "to".to_owned()];
    header.extend(protocols.iter().map(|protocol| protocol.to_string()));
    write_row(out, "", &widths, &header)?;
    for_each_row(matrix, selection, |from, to, cells| {
        let mut row = vec![labels[from].clone(), labels[to].clone()];
        row.extend(
            protocols
                .iter()
                .zip(cells)
                .map(|(protocol, ports)| cell_text(*protocol, ports)),
        );
        write_row(out, "", &widths, &row)
    })?;
    let pairs = selection.pair_count();
    if pairs > shown {
        writeln!(
            out,
            "({} of {pairs} pairs allow nothing and are not shown)",
            pairs - shown
        )?;
    }
    Ok(())
}

/// RFC 4180 CSV: a header row, then one row per selected (from, to, protocol), CRLF line ends,
/// written row by row by the core's [`csv::write_matrix`].
pub fn matrix_csv(
    out: &mut dyn Write,
    topology: &Topology,
    matrix: &Matrix,
    selection: &Selection,
) -> io::Result<()> {
    let pairs = selection.from.iter().flat_map(|&from| {
        selection
            .to
            .iter()
            .filter(move |to| **to != from)
            .map(move |&to| (from, to))
    });
    let mut writer = IoWriter { out, error: None };
    match csv::write_matrix(&mut writer, topology, matrix, pairs) {
        Ok(()) => Ok(()),
        Err(fmt::Error) => Err(writer
            .error
            .unwrap_or_else(|| io::Error::other("the matrix could not be written as CSV"))),
    }
}

/// A [`fmt::Write`] into an [`io::Write`] that keeps the I/O error, so that the core's writers
/// stream into standard output.
struct IoWriter<'a> {
    out: &'a mut dyn Write,
    error: Option<io::Error>,
}

impl fmt::Write for IoWriter<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.out.write_all(text.as_bytes()).map_err(|error| {
            self.error = Some(error);
            fmt::Error
        })
    }
}

/// JSON: `{"protocols": [...], "cells": [{"from", "to", "protocol", "ports": ["80/80"]}]}`,
/// every selected ordered pair of distinct endpoints, written cell by cell.
pub fn matrix_json(out: &mut dyn Write, matrix: &Matrix, selection: &Selection) -> io::Result<()> {
    let protocols: Vec<&str> = matrix.protocols().iter().map(|p| p.as_str()).collect();
    writeln!(out, "{{")?;
    writeln!(out, "  \"protocols\": {},", to_json(&protocols))?;
    write!(out, "  \"cells\": [")?;
    let mut first = true;
    for &from in &selection.from {
        for &to in selection.to.iter().filter(|to| **to != from) {
            for protocol in matrix.protocols() {
                let allowed = matrix.cell_at(from, to, *protocol).unwrap_or(&[]);
                let object = CellJson {
                    from: &matrix.endpoints()[from],
                    to: &matrix.endpoints()[to],
                    protocol: *protocol,
                    ports: allowed.iter().map(|range| range.to_string()).collect(),
                };
                write!(
                    out,
                    "{}\n    {}",
                    if first { "" } else { "," },
                    to_json(&object)
                )?;
                first = false;
            }
        }
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

/// A Markdown table that renders in a README: one row per selected pair with something
/// allowed.
pub fn matrix_markdown(
    out: &mut dyn Write,
    topology: &Topology,
    matrix: &Matrix,
    selection: &Selection,
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
    let mut shown = 0u64;
    for_each_row(matrix, selection, |from, to, cells| {
        shown += 1;
        let mut line = format!(
            "| {} | {} |",
            markdown_cell(&labels[from]),
            markdown_cell(&labels[to])
        );
        for (protocol, ports) in protocols.iter().zip(cells) {
            line.push_str(&format!(
                " {} |",
                markdown_cell(&cell_text(*protocol, ports))
            ));
        }
        writeln!(out, "{line}")
    })?;
    let pairs = selection.pair_count();
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
pub fn markdown_cell(text: &str) -> String {
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

// ---------------------------------------------------------------------------------------------
// The group matrix

/// The group matrix with what the CLI prints beside it: labels, member counts and how many
/// pairs of buckets hold pairs of selected endpoints.
pub struct GroupView<'a> {
    /// The group matrix of the selected pairs.
    pub matrix: &'a GroupMatrix,
    /// Its rows and columns.
    pub buckets: &'a Buckets,
    /// Per bucket, its selected sources.
    pub from_members: Vec<u64>,
    /// Per bucket, its selected targets.
    pub to_members: Vec<u64>,
    /// Per bucket, its label in text and Markdown: a group's id, an endpoint's label.
    pub labels: Vec<String>,
    /// Per bucket, a group's name or an endpoint's name.
    pub names: Vec<String>,
    /// Pairs of buckets that hold an ordered pair of distinct selected endpoints.
    pub bucket_pairs: u64,
}

impl<'a> GroupView<'a> {
    /// The view of a group matrix.
    pub fn new(
        topology: &Topology,
        matrix: &Matrix,
        group_matrix: &'a GroupMatrix,
        buckets: &'a Buckets,
        selection: &Selection,
    ) -> GroupView<'a> {
        let endpoint_labels = labels(topology, matrix);
        let (labels, names) = buckets
            .buckets
            .iter()
            .map(|bucket| match bucket {
                Bucket::Group(id) => (
                    id.to_string(),
                    topology
                        .groups
                        .get(id)
                        .map_or_else(String::new, |group| group.name.clone()),
                ),
                Bucket::Endpoint(id) => (
                    matrix
                        .endpoint_index(id)
                        .map_or_else(|| id.to_string(), |index| endpoint_labels[index].clone()),
                    topology
                        .endpoints
                        .get(id)
                        .map_or_else(String::new, |endpoint| endpoint.name.clone()),
                ),
            })
            .unzip();
        GroupView {
            matrix: group_matrix,
            buckets,
            from_members: buckets.members(&selection.from),
            to_members: buckets.members(&selection.to),
            labels,
            names,
            bucket_pairs: buckets.pair_count(selection),
        }
    }

    fn index(&self, bucket: &Bucket) -> usize {
        self.buckets.index(bucket).unwrap_or_default()
    }

    /// A bucket in a table: a group's id and its members in parentheses, an endpoint's label.
    fn label(&self, bucket: &Bucket, members: &[u64]) -> String {
        let index = self.index(bucket);
        match bucket {
            Bucket::Group(_) => format!("{} ({})", self.labels[index], members[index]),
            Bucket::Endpoint(_) => self.labels[index].clone(),
        }
    }

    /// The rows: the cells of each pair of buckets, consecutive in the group matrix.
    fn rows(&self) -> impl Iterator<Item = &'a [GroupCell]> + 'a {
        self.matrix
            .cells
            .chunk_by(|a, b| a.from == b.from && a.to == b.to)
    }

    /// One row's cells in column order, `-` for a protocol that allows nothing.
    fn row_texts(&self, cells: &[GroupCell]) -> Vec<String> {
        self.matrix
            .protocols
            .iter()
            .map(|protocol| {
                cells
                    .iter()
                    .find(|cell| cell.protocol == *protocol)
                    .map_or_else(
                        || "-".to_owned(),
                        |cell| counted_text(*protocol, &cell.allowed, cell.pairs),
                    )
            })
            .collect()
    }
}

/// Counted ranges in words: each range as `ports_text` writes it, followed by `(n/m)` when only
/// n of the m pairs allow it: `22 (1/2);80`.
fn counted_text(protocol: Protocol, allowed: &[CountedRange], pairs: u64) -> String {
    allowed
        .iter()
        .map(|range| {
            let ports = ports_text(protocol, &[range.ports]);
            if range.pairs == pairs {
                ports
            } else {
                format!("{ports} ({}/{pairs})", range.pairs)
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// The group matrix as a table: one row per pair of buckets with something allowed.
pub fn group_text(out: &mut dyn Write, view: &GroupView) -> io::Result<()> {
    let mut header = vec!["from".to_owned(), "to".to_owned(), "pairs".to_owned()];
    header.extend(view.matrix.protocols.iter().map(|p| p.to_string()));
    let mut rows = vec![header];
    for cells in view.rows() {
        let mut row = vec![
            view.label(&cells[0].from, &view.from_members),
            view.label(&cells[0].to, &view.to_members),
            cells[0].pairs.to_string(),
        ];
        row.extend(view.row_texts(cells));
        rows.push(row);
    }
    write_table(out, "", &rows)?;
    let shown = rows.len() as u64 - 1;
    if view.bucket_pairs > shown {
        writeln!(
            out,
            "({} of {} pairs of buckets allow nothing and are not shown)",
            view.bucket_pairs - shown,
            view.bucket_pairs
        )?;
    }
    Ok(())
}

/// The group matrix as a Markdown table.
pub fn group_markdown(out: &mut dyn Write, view: &GroupView) -> io::Result<()> {
    let mut header = String::from("| from | to | pairs |");
    let mut rule = String::from("| --- | --- | --- |");
    for protocol in &view.matrix.protocols {
        header.push_str(&format!(" {protocol} |"));
        rule.push_str(" --- |");
    }
    writeln!(out, "{header}\n{rule}")?;
    let mut shown = 0u64;
    for cells in view.rows() {
        shown += 1;
        let mut line = format!(
            "| {} | {} | {} |",
            markdown_cell(&view.label(&cells[0].from, &view.from_members)),
            markdown_cell(&view.label(&cells[0].to, &view.to_members)),
            cells[0].pairs
        );
        for text in view.row_texts(cells) {
            line.push_str(&format!(" {} |", markdown_cell(&text)));
        }
        writeln!(out, "{line}")?;
    }
    if view.bucket_pairs > shown {
        write!(
            out,
            "\n{} of {} pairs of buckets allow nothing and are not shown.\n",
            view.bucket_pairs - shown,
            view.bucket_pairs
        )?;
    }
    Ok(())
}

/// The group matrix as CSV: one row per (from bucket, to bucket, protocol) allowing something;
/// `ports` lists each range with the number of pairs allowing it, `80:2;443:4`.
pub fn group_csv(out: &mut dyn Write, view: &GroupView) -> io::Result<()> {
    out.write_all(
        b"from_kind,from,from_name,from_members,to_kind,to,to_name,to_members,protocol,pairs,ports\r\n",
    )?;
    for cell in &view.matrix.cells {
        let (from, to) = (view.index(&cell.from), view.index(&cell.to));
        let ports = cell
            .allowed
            .iter()
            .map(|range| {
                format!(
                    "{}:{}",
                    csv::cell_text(cell.protocol, &[range.ports]),
                    range.pairs
                )
            })
            .collect::<Vec<_>>()
            .join(";");
        write!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{}\r\n",
            bucket_kind(&cell.from),
            csv_field(bucket_id(&cell.from)),
            csv_field(&view.names[from]),
            view.from_members[from],
            bucket_kind(&cell.to),
            csv_field(bucket_id(&cell.to)),
            csv_field(&view.names[to]),
            view.to_members[to],
            cell.protocol,
            cell.pairs,
            csv_field(&ports)
        )?;
    }
    Ok(())
}

fn bucket_kind(bucket: &Bucket) -> &'static str {
    match bucket {
        Bucket::Group(_) => "group",
        Bucket::Endpoint(_) => "endpoint",
    }
}

fn bucket_id(bucket: &Bucket) -> &str {
    match bucket {
        Bucket::Group(id) => id.as_str(),
        Bucket::Endpoint(id) => id.as_str(),
    }
}

/// One bucket as `matrix --by group --format json` lists it.
#[derive(Serialize)]
struct BucketJson<'a> {
    kind: &'static str,
    id: &'a str,
    name: &'a str,
    from_members: u64,
    to_members: u64,
}

/// The group matrix as JSON: `{"protocols", "buckets": [{"kind", "id", "name",
/// "from_members", "to_members"}], "cells": [{"from": {"kind", "id"}, "to", "protocol",
/// "pairs", "allowed": [{"ports": "80/80", "pairs"}]}]}`, the cells that allow something,
/// written one by one.
pub fn group_json(out: &mut dyn Write, view: &GroupView) -> io::Result<()> {
    let protocols: Vec<&str> = view.matrix.protocols.iter().map(|p| p.as_str()).collect();
    writeln!(out, "{{")?;
    writeln!(out, "  \"protocols\": {},", to_json(&protocols))?;
    write!(out, "  \"buckets\": [")?;
    let mut first = true;
    for (index, bucket) in view.buckets.buckets.iter().enumerate() {
        if view.from_members[index] == 0 && view.to_members[index] == 0 {
            continue;
        }
        let object = BucketJson {
            kind: bucket_kind(bucket),
            id: bucket_id(bucket),
            name: &view.names[index],
            from_members: view.from_members[index],
            to_members: view.to_members[index],
        };
        write!(
            out,
            "{}\n    {}",
            if first { "" } else { "," },
            to_json(&object)
        )?;
        first = false;
    }
    writeln!(out, "{}],", if first { "" } else { "\n  " })?;
    write!(out, "  \"cells\": [")?;
    let mut first = true;
    for cell in &view.matrix.cells {
        write!(
            out,
            "{}\n    {}",
            if first { "" } else { "," },
            to_json(cell)
        )?;
        first = false;
    }
    writeln!(out, "{}]", if first { "" } else { "\n  " })?;
    writeln!(out, "}}")
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
