//! The messages between the page and the engine's Web Worker, as plain data: the page sends a
//! topology's sglab JSON, or the texts of files to read; the worker answers a file read with
//! the topology as sglab JSON ([`super::Opened`]) or its problems, and an evaluation with the stage it is in and then with the results,
//! a small [`ResultHead`] (ids and counts) and one flat list of numbers (the interned matrix and
//! the group matrix), which moves between the threads without a copy per pair of endpoints.

use serde::{Deserialize, Serialize};
use sglab_core::matrix::Matrix;
use sglab_core::model::{EndpointId, GroupId, PortRange, Protocol};

use super::overview::{Mark, Overview};

/// A request to the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// Evaluate a topology: its matrix (after an edit, from the worker's previous one) and, when
    /// `groups`, its group matrix and the overview computed from it.
    Evaluate {
        /// The job's number, echoed in every answer.
        job: u64,
        /// The topology as sglab JSON.
        json: String,
        /// Whether the group matrix is wanted too.
        groups: bool,
    },
    /// Evaluate the topology last evaluated with changes applied (see [`super::patch`]).
    Patch {
        /// The job's number, echoed in every answer.
        job: u64,
        /// The [`super::patch::Patch`] as JSON.
        patch: String,
        /// Whether the group matrix is wanted too.
        groups: bool,
    },
    /// Export a topology with one of the core's exporters ([`super::export_text`]).
    Export {
        /// The job's number, echoed in the answer.
        job: u64,
        /// The topology as sglab JSON.
        json: String,
        /// The format wanted.
        format: super::ExportFormat,
    },
    /// Read files into one topology ([`super::import_files`]).
    Open {
        /// The job's number, echoed in the answer.
        job: u64,
        /// Each file's name and text.
        files: Vec<(String, String)>,
    },
    /// Lint a topology ([`super::lint`]).
    Lint {
        /// The job's number, echoed in the answer.
        job: u64,
        /// The topology as sglab JSON.
        json: String,
    },
    /// Lint the topology the worker evaluated last (the page's current topology when it was the
    /// last sent): no JSON goes over, the findings may be ready already, and they stay in the
    /// worker: the answer holds their counts and the first rows ([`FromWorker::LintCounted`]).
    LintEvaluated {
        /// The job's number, echoed in the answer.
        job: u64,
    },
    /// The rows at positions `from..to` of the findings of a [`ToWorker::LintEvaluated`] shown
    /// with `filter`.
    LintRows {
        /// The job's number, echoed in the answer.
        job: u64,
        /// The evaluation the findings are of ([`FromWorker::LintCounted`]).
        evaluation: u64,
        /// The severity shown (`None`: every one).
        filter: Option<LintSeverity>,
        /// The first position.
        from: usize,
        /// The position after the last.
        to: usize,
    },
    /// Whether rule `index` of `group`, just added, changes anything
    /// (the warning the page shows after adding it).
    AddedRule {
        /// The job's number, echoed in the answer.
        job: u64,
        /// The topology with the rule, as sglab JSON.
        json: String,
        /// The group the rule was added to.
        group: GroupId,
        /// The rule's index in the group.
        index: usize,
    },
    /// Time the core's matrix and group matrix on a topology ([`super::bench_matrix`]).
    Bench {
        /// The job's number, echoed in the answer.
        job: u64,
        /// The topology as sglab JSON.
        json: String,
        /// Runs of each.
        runs: u32,
    },
    /// Compare a baseline with the current topology ([`super::compare`]).
    Compare {
        /// The job's number, echoed in the answer.
        job: u64,
        /// The baseline as sglab JSON.
        baseline: String,
        /// The current topology as sglab JSON.
        json: String,
    },
}

/// A stage of an evaluation, as the progress bar names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// Waiting for the worker.
    Queued,
    /// Reading the JSON.
    Parse,
    /// Checking the model.
    Validate,
    /// Endpoint classes and the matrix.
    Matrix,
    /// The group matrix.
    Groups,
    /// The diagram's layout (on the page).
    Layout,
}

impl Stage {
    /// The stages of a recompute in order, for a progress bar.
    pub const ALL: [Stage; 6] = [
        Stage::Queued,
        Stage::Parse,
        Stage::Validate,
        Stage::Matrix,
        Stage::Groups,
        Stage::Layout,
    ];

    /// How many stages come before this one.
    pub fn done(self) -> u32 {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0) as u32
    }

    /// The stage in words.
    pub fn words(self) -> &'static str {
        match self {
            Stage::Queued => "starting",
            Stage::Parse => "parse",
            Stage::Validate => "validate",
            Stage::Matrix => "classes and matrix",
            Stage::Groups => "group matrix",
            Stage::Layout => "layout",
        }
    }
}

/// An answer of the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// The worker is listening.
    Ready,
    /// The job reached a stage.
    Stage {
        /// The job.
        job: u64,
        /// Its stage.
        stage: Stage,
    },
    /// The job is done; the numbers come with the message (see [`encode`]).
    Done {
        /// The job.
        job: u64,
        /// Ids and counts of the results.
        head: ResultHead,
    },
    /// The sglab JSON of the topology a [`ToWorker::Patch`] made, sent before its results
    /// (for the page's autosave).
    Json {
        /// The job.
        job: u64,
        /// The topology as sglab JSON.
        json: String,
    },
    /// The files of an [`ToWorker::Open`], read.
    Opened {
        /// The job.
        job: u64,
        /// The topology with its warnings, or every problem found.
        result: Result<super::Opened, Vec<sglab_core::diagnostic::Diagnostic>>,
    },
    /// The text of an [`ToWorker::Export`] (a failure is [`FromWorker::Failed`]).
    Exported {
        /// The job.
        job: u64,
        /// The exported text.
        text: String,
    },
    /// The answer to a [`ToWorker::LintEvaluated`]: the findings' counts and first rows.
    LintCounted {
        /// The job.
        job: u64,
        /// The evaluation the findings are of, which asks for more rows.
        evaluation: u64,
        /// How many findings of each severity.
        counts: super::findings::LintCounts,
        /// The first rows of the whole list.
        rows: super::findings::LintRows,
    },
    /// The answer to a [`ToWorker::LintRows`]; `None` when the worker has evaluated another
    /// topology since.
    LintRows {
        /// The job.
        job: u64,
        /// The rows.
        rows: Option<super::findings::LintRows>,
    },
    /// The findings of a [`ToWorker::Lint`].
    Linted {
        /// The job.
        job: u64,
        /// The findings, in the lint's order.
        findings: Vec<LintFinding>,
    },
    /// The answer to a [`ToWorker::AddedRule`]: the warning, when the rule changes nothing.
    AddedRule {
        /// The job.
        job: u64,
        /// The notice's words, if any.
        warning: Option<String>,
    },
    /// The answer to a [`ToWorker::Bench`].
    Benched {
        /// The job.
        job: u64,
        /// The timings ([`super::MatrixBench`]) as JSON, handed to the script as they are.
        bench: String,
    },
    /// The answer to a [`ToWorker::Compare`].
    Compared {
        /// The job.
        job: u64,
        /// The diff in words, for the banner, the marks and the before and after.
        compare: super::Compare,
    },
    /// The topology could not be read (the page validated it, so this is not expected), or
    /// not exported.
    Failed {
        /// The job.
        job: u64,
        /// What went wrong.
        message: String,
    },
}

/// How much a lint finding matters (the core lint's severity, as the page shows it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LintSeverity {
    /// The cloud refuses it, or it exposes the network to the internet.
    Error,
    /// Probably not what was meant, or over the vendor's advice.
    Warning,
    /// Worth tidying.
    Info,
}

/// One finding of the core's lint, as the Lint tab shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LintFinding {
    /// The stable code.
    pub code: String,
    /// Error, warning or info.
    pub severity: LintSeverity,
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
    pub fix: Option<sglab_core::fix::Fix>,
}

/// The ids and counts of an evaluation's results, and what it cost in the worker.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ResultHead {
    /// The matrix's endpoints, sorted.
    pub endpoints: Vec<EndpointId>,
    /// The matrix's protocols.
    pub protocols: Vec<Protocol>,
    /// Endpoint classes.
    pub class_count: usize,
    /// The overview's nodes without their members (key, label, and the managing product of
    /// a managed group), when it was computed (the marks, the members and the links are
    /// numbers, see [`encode`]).
    pub overview: Option<Vec<(String, String, Option<String>)>>,
    /// Milliseconds reading and validating the JSON.
    pub parse_millis: f64,
    /// Milliseconds of the matrix.
    pub matrix_millis: f64,
    /// Milliseconds of the group matrix.
    pub groups_millis: f64,
    /// The worker's WebAssembly memory, in MiB.
    pub memory_mib: f64,
    /// The validation warnings of the topology (what `engine::problems` gives).
    pub problems: Vec<sglab_core::diagnostic::Diagnostic>,
}

/// What the page gets back: the matrix and, when asked for, the overview (computed in the
/// worker from the group matrix, which stays there).
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluated {
    /// The matrix.
    pub matrix: Matrix,
    /// The overview.
    pub overview: Option<Overview>,
}

/// The numbers of a matrix and an overview, with the head they go with, all but the class
/// pairs (`matrix.parts().cells`, the bulk at account scale), which travel in a buffer of their
/// own. `head` comes with the costs set to zero; the caller fills them in. The overview's
/// members are numbered by the matrix's endpoints, its protocols by the matrix's protocols.
pub fn encode(matrix: &Matrix, overview: Option<&Overview>) -> (ResultHead, Vec<u32>) {
    let parts = matrix.parts();
    let mut words = Vec::with_capacity(parts.class_of.len() + 1024);
    words.extend_from_slice(parts.class_of);
    push_len(&mut words, parts.port_sets.len());
    for set in parts.port_sets {
        push_len(&mut words, set.len());
        words.extend(set.iter().map(|range| pack(*range)));
    }
    push_len(&mut words, parts.combos.len());
    words.extend_from_slice(parts.combos);
    push_len(&mut words, parts.local_pairs.len());
    for (from, to) in parts.local_pairs {
        words.extend([*from, *to]);
    }
    let mut head = ResultHead {
        endpoints: parts.endpoints.to_vec(),
        protocols: parts.protocols.to_vec(),
        class_count: parts.class_count,
        ..ResultHead::default()
    };
    if let Some(overview) = overview {
        let endpoints = parts.endpoints;
        let protocols = parts.protocols;
        push_len(&mut words, overview.nodes.len());
        for node in &overview.nodes {
            words.push(match node.mark {
                Mark::Basic => 0,
                Mark::Enterprise => 1,
                Mark::Managed(_) => 2,
                Mark::Ungrouped => 3,
            });
            push_len(&mut words, node.members.len());
            words.extend(node.members.iter().map(|member| {
                endpoints
                    .binary_search(member)
                    .map_or(u32::MAX, |at| at as u32)
            }));
        }
        push_len(&mut words, overview.links.len());
        for link in &overview.links {
            words.extend([link.from as u32, link.to as u32]);
            push_u64(&mut words, link.open_pairs);
            push_u64(&mut words, link.pairs);
            push_len(&mut words, link.allowed.len());
            for (protocol, ranges) in &link.allowed {
                let protocol = protocols.iter().position(|p| p == protocol);
                words.push(protocol.map_or(u32::MAX, |at| at as u32));
                push_len(&mut words, ranges.len());
                words.extend(ranges.iter().map(|range| pack(*range)));
            }
        }
        head.overview = Some(
            overview
                .nodes
                .iter()
                .map(|node| {
                    let product = match &node.mark {
                        Mark::Managed(product) => Some(product.clone()),
                        _ => None,
                    };
                    (node.key.clone(), node.label.clone(), product)
                })
                .collect(),
        );
    }
    (head, words)
}

/// The matrix and group matrix from a head, its numbers and the class pairs, at once (see
/// [`super::receive::Receiving`] for the same a slice at a time); an error names what did not
/// fit.
pub fn decode(head: &ResultHead, words: Vec<u32>, cells: &[u32]) -> Result<Evaluated, String> {
    let mut receiving = super::receive::Receiving::new(head.clone(), words, cells.len())?;
    loop {
        let step = receiving.step(&|| 0.0, f64::INFINITY, &mut |at, into| {
            into.copy_from_slice(&cells[at..at + into.len()]);
        });
        if let Some(done) = step {
            return done;
        }
    }
}

pub(super) fn push_len(words: &mut Vec<u32>, len: usize) {
    words.push(u32::try_from(len).unwrap_or(u32::MAX));
}

pub(super) fn push_u64(words: &mut Vec<u32>, value: u64) {
    words.extend([(value >> 32) as u32, value as u32]);
}

pub(super) fn pack(range: PortRange) -> u32 {
    (u32::from(range.start()) << 16) | u32::from(range.end())
}

pub(super) fn unpack(word: u32) -> Result<PortRange, String> {
    PortRange::new((word >> 16) as u16, word as u16).map_err(|error| error.to_string())
}

/// Reads the numbers in order.
pub(super) struct Reader<'w> {
    pub(super) words: &'w [u32],
    pub(super) at: usize,
}

impl<'w> Reader<'w> {
    pub(super) fn take(&mut self, count: usize) -> Result<&'w [u32], String> {
        let end = self
            .at
            .checked_add(count)
            .ok_or("a length is out of range")?;
        let slice = self
            .words
            .get(self.at..end)
            .ok_or_else(|| "the results end early".to_owned())?;
        self.at = end;
        Ok(slice)
    }

    pub(super) fn array<const N: usize>(&mut self) -> Result<[u32; N], String> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(super) fn len(&mut self) -> Result<usize, String> {
        let [len] = self.array()?;
        Ok(len as usize)
    }

    pub(super) fn u64(&mut self) -> Result<u64, String> {
        let [high, low] = self.array()?;
        Ok((u64::from(high) << 32) | u64::from(low))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sglab_core::generate::{generate, GenParams};

    #[test]
    fn the_results_come_back_as_they_left() {
        let topology = generate(2, &GenParams::small(30, 6, 120));
        let matrix = sglab_core::matrix::matrix(&topology);
        let groups = sglab_core::matrix::group_matrix_of(&topology, &matrix);
        let overview = super::super::overview::overview_of_groups(&topology, &groups);
        assert!(!overview.links.is_empty());
        let (head, words) = encode(&matrix, Some(&overview));
        let cells = matrix.parts().cells;
        let back = decode(&head, words.clone(), cells);
        assert_eq!(
            back,
            Ok(Evaluated {
                matrix: matrix.clone(),
                overview: Some(overview)
            })
        );
        let (head, words) = encode(&matrix, None);
        assert_eq!(
            decode(&head, words.clone(), cells).map(|e| e.overview),
            Ok(None)
        );
        assert!(decode(&head, words[..words.len() - 1].to_vec(), cells).is_err());
        assert!(decode(&head, words, &cells[1..]).is_err());
    }

    #[test]
    fn lint_findings_and_their_fixes_come_back_as_they_left() {
        let topology = crate::engine::example("drop-wins-tie").unwrap_or_default();
        let findings = crate::engine::lint(&topology);
        assert!(findings.iter().any(|finding| finding.fix.is_some()));
        let answer = FromWorker::Linted { job: 3, findings };
        let text = serde_json::to_string(&answer).unwrap_or_default();
        assert_eq!(serde_json::from_str::<FromWorker>(&text).ok(), Some(answer));
    }
}
