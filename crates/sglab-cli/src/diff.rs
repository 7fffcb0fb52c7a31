//! `sglab diff --old FILES... --new FILES...`: what a change opens and closes, as text for a
//! terminal, JSON, or Markdown sized for a pull-request comment.
//!
//! The JSON form is the core's [`sglab_core::diff::Diff`] as is: `verdict`, `counts`,
//! `changes` (each with `from`, `to`, `protocol`, `opened`, `closed`, `before`, `after`),
//! `rollup`, `rule_changes`, `object_changes` and `external_peers`.

use std::fmt::Write as _;

use sglab_core::diff::{
    plural, ChangeKind, Deciding, Diff, GroupPairChange, ObjectChange, ObjectKind, RuleChange,
    RuleField, Verdict,
};
use sglab_core::explain::RuleRef;
use sglab_core::matrix::Bucket;
use sglab_core::model::{Protocol, Rule};

use crate::render::{markdown_cell, ports_text, write_table};

/// The pairs listed in text before the rest is only counted.
const TEXT_PAIRS: usize = 50;
/// The rows of the group table of the Markdown form.
const MD_GROUP_ROWS: usize = 10;
/// The pairs listed in the folded details of the Markdown form.
const MD_PAIRS: usize = 100;

/// When `--fail-on` makes `sglab diff` exit with status 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// The verdict is more-permissive or mixed: something opened.
    Opened,
    /// The verdict is anything but equivalent.
    Changed,
}

impl FailOn {
    /// Whether a diff with this verdict fails.
    pub fn applies(self, verdict: Verdict) -> bool {
        match self {
            FailOn::Opened => matches!(verdict, Verdict::MorePermissive | Verdict::Mixed),
            FailOn::Changed => verdict != Verdict::Equivalent,
        }
    }
}

/// The output formats of `sglab diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Text for a terminal.
    Text,
    /// The whole diff as JSON.
    Json,
    /// Markdown for a pull-request comment.
    Md,
}

/// The diff in the chosen format.
pub fn render(diff: &Diff, format: DiffFormat) -> String {
    match format {
        DiffFormat::Text => text(diff),
        DiffFormat::Json => crate::render::json(diff),
        DiffFormat::Md => markdown(diff),
    }
}

/// The verdict and counts in one line: `mixed: 1 pair opened (tcp 1 port), 1 pair closed
/// (tcp 1 port)`.
fn headline(diff: &Diff) -> String {
    format!("{}: {}", diff.verdict, counts_text(diff))
}

/// The counts in words: `1 pair opened (tcp 1 port), 1 pair closed (tcp 1 port)`.
fn counts_text(diff: &Diff) -> String {
    diff.counts.words()
}

fn bucket_label(bucket: &Bucket) -> &str {
    match bucket {
        Bucket::Group(id) => id.as_str(),
        Bucket::Endpoint(id) => id.as_str(),
    }
}

/// `opened 8090, closed 8080`, leaving out an empty side.
fn ports_change(
    protocol: Protocol,
    opened: &[sglab_core::model::PortRange],
    closed: &[sglab_core::model::PortRange],
) -> String {
    let mut parts = Vec::new();
    if !opened.is_empty() {
        parts.push(format!("opened {}", ports_text(protocol, opened)));
    }
    if !closed.is_empty() {
        parts.push(format!("closed {}", ports_text(protocol, closed)));
    }
    parts.join(", ")
}

/// What decided a pair on one side of the change, in one line.
fn deciding_text(deciding: Option<&Deciding>) -> String {
    let Some(deciding) = deciding else {
        return "absent (the endpoint does not exist)".to_owned();
    };
    let at = deciding
        .port
        .map(|port| format!(" at port {port}"))
        .unwrap_or_default();
    format!(
        "{}{at}; egress: {}; ingress: {}",
        deciding.verdict, deciding.egress, deciding.ingress
    )
}

fn rule_text(
    group: &sglab_core::model::GroupId,
    index: Option<usize>,
    rule: Option<&Rule>,
) -> String {
    match (index, rule) {
        (Some(index), Some(rule)) => RuleRef::new(group, index, rule).to_string(),
        _ => String::new(),
    }
}

/// A rule change in one line, with the old and new values of the fields that changed.
fn rule_change_text(change: &RuleChange) -> String {
    let RuleChange {
        security_group,
        direction: _,
        kind,
        old_index,
        new_index,
        old,
        new,
        fields,
    } = change;
    let old_text = rule_text(security_group, *old_index, old.as_ref());
    let new_text = rule_text(security_group, *new_index, new.as_ref());
    match kind {
        ChangeKind::Added => format!("added {new_text}"),
        ChangeKind::Removed => format!("removed {old_text}"),
        ChangeKind::Changed => {
            let names: Vec<&str> = fields.iter().map(|field| field.as_str()).collect();
            let mut line = format!("changed {}: {old_text} -> {new_text}", names.join(", "));
            if fields.contains(&RuleField::Description) {
                let words = |rule: &Option<Rule>| {
                    rule.as_ref()
                        .map(|rule| rule.description.clone())
                        .unwrap_or_default()
                };
                let _ = write!(line, "; description {:?} -> {:?}", words(old), words(new));
            }
            if fields == &[RuleField::Description] {
                line.push_str(" (changes nothing)");
            }
            line
        }
    }
}

fn object_change_text(change: &ObjectChange) -> String {
    let object = match change.object {
        ObjectKind::Group => "group",
        ObjectKind::Endpoint => "endpoint",
    };
    match change.kind {
        ChangeKind::Added => format!("{object} {} added", change.id),
        ChangeKind::Removed => format!("{object} {} removed", change.id),
        ChangeKind::Changed => format!(
            "{object} {} changed: {}",
            change.id,
            change.fields.join(", ")
        ),
    }
}

fn group_row(entry: &GroupPairChange) -> Vec<String> {
    vec![
        bucket_label(&entry.from).to_owned(),
        "->".to_owned(),
        bucket_label(&entry.to).to_owned(),
        entry.protocol.to_string(),
        format!(
            "{} opened, {} closed",
            entry.pairs_opened, entry.pairs_closed
        ),
        ports_change(entry.protocol, &entry.opened, &entry.closed),
    ]
}

/// Text for a terminal: the headline, then the changes by group pair, per pair with the
/// deciding decisions before and after, the rule changes and the objects added or removed.
fn text(diff: &Diff) -> String {
    let mut out = headline(diff);
    out.push('\n');
    if !diff.external_peers.is_empty() {
        let blocks: Vec<String> = diff
            .external_peers
            .iter()
            .map(ToString::to_string)
            .collect();
        let _ = writeln!(out, "external peers compared: {}", blocks.join(", "));
    }
    if !diff.rollup.is_empty() {
        out.push_str("\nby group:\n");
        let rows: Vec<Vec<String>> = diff.rollup.iter().map(group_row).collect();
        let mut bytes = Vec::new();
        let _ = write_table(&mut bytes, "  ", &rows);
        out.push_str(&String::from_utf8_lossy(&bytes));
    }
    if !diff.changes.is_empty() {
        out.push_str("\nby pair:\n");
        for (change, decided) in diff.changes.iter_decided().take(TEXT_PAIRS) {
            let _ = writeln!(
                out,
                "  {} -> {} {}: {}",
                change.from,
                change.to,
                change.protocol,
                ports_change(change.protocol, change.opened, change.closed)
            );
            let _ = writeln!(
                out,
                "    before: {}",
                deciding_text(decided.before.as_deref())
            );
            let _ = writeln!(
                out,
                "    after:  {}",
                deciding_text(decided.after.as_deref())
            );
        }
        if diff.changes.len() > TEXT_PAIRS {
            let _ = writeln!(
                out,
                "  ... and {} more (--format json lists every pair)",
                diff.changes.len() - TEXT_PAIRS
            );
        }
    }
    if !diff.rule_changes.is_empty() {
        out.push_str("\nrule changes:\n");
        for change in &diff.rule_changes {
            let _ = writeln!(out, "  {}", rule_change_text(change));
        }
    }
    if !diff.object_changes.is_empty() {
        out.push_str("\ngroups and endpoints:\n");
        for change in &diff.object_changes {
            let _ = writeln!(out, "  {}", object_change_text(change));
        }
    }
    out
}

/// Markdown for a pull-request comment: the verdict and counts, a table of the largest
/// group-level changes, and the pairs and rule changes folded in `<details>`.
fn markdown(diff: &Diff) -> String {
    let mut out = format!("### sglab diff: **{}**\n\n", diff.verdict);
    let _ = writeln!(out, "{}\n", markdown_cell(&counts_text(diff)));
    if !diff.rollup.is_empty() {
        out.push_str("| From | To | Protocol | Pairs opened | Opened | Pairs closed | Closed |\n");
        out.push_str("|---|---|---|---:|---|---:|---|\n");
        for entry in diff.rollup.iter().take(MD_GROUP_ROWS) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                markdown_cell(bucket_label(&entry.from)),
                markdown_cell(bucket_label(&entry.to)),
                entry.protocol,
                entry.pairs_opened,
                markdown_cell(&ports_text(entry.protocol, &entry.opened)),
                entry.pairs_closed,
                markdown_cell(&ports_text(entry.protocol, &entry.closed)),
            );
        }
        if diff.rollup.len() > MD_GROUP_ROWS {
            let _ = writeln!(
                out,
                "\n{} more group pairs changed.",
                diff.rollup.len() - MD_GROUP_ROWS
            );
        }
        out.push('\n');
    }
    if !diff.changes.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} changed</summary>\n",
            plural(diff.changes.len() as u64, "pair and protocol")
        );
        out.push_str("| From | To | Protocol | Opened | Closed | Before | After |\n");
        out.push_str("|---|---|---|---|---|---|---|\n");
        for (change, decided) in diff.changes.iter_decided().take(MD_PAIRS) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                markdown_cell(change.from.as_str()),
                markdown_cell(change.to.as_str()),
                change.protocol,
                markdown_cell(&ports_text(change.protocol, change.opened)),
                markdown_cell(&ports_text(change.protocol, change.closed)),
                markdown_cell(&deciding_text(decided.before.as_deref())),
                markdown_cell(&deciding_text(decided.after.as_deref())),
            );
        }
        if diff.changes.len() > MD_PAIRS {
            let _ = writeln!(
                out,
                "\n{} more (`sglab diff --format json` lists every pair).",
                diff.changes.len() - MD_PAIRS
            );
        }
        out.push_str("\n</details>\n\n");
    }
    let edits = diff.rule_changes.len() + diff.object_changes.len();
    if edits > 0 {
        let _ = writeln!(
            out,
            "<details><summary>{}</summary>\n",
            plural(edits as u64, "rule, group or endpoint change")
        );
        for change in &diff.rule_changes {
            let _ = writeln!(out, "- {}", markdown_cell(&rule_change_text(change)));
        }
        for change in &diff.object_changes {
            let _ = writeln!(out, "- {}", markdown_cell(&object_change_text(change)));
        }
        out.push_str("\n</details>\n");
    }
    out
}
