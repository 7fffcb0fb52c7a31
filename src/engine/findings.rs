//! The lint's findings as the Lint tab takes them: their counts by severity and the findings
//! of a window of the list (all of them, or one severity's), so that a topology with tens of
//! thousands of findings sends the page only those on screen; the rest stay where they were
//! computed (the engine's worker).

use serde::{Deserialize, Serialize};

use super::transfer::{LintFinding, LintSeverity};

/// Rows of a list the Lint tab asks for: the filter (`None`: every severity), the first
/// position and the one after the last.
pub type RowsWanted = (Option<LintSeverity>, usize, usize);

/// How many findings of each severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LintCounts {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Infos.
    pub infos: usize,
}

impl LintCounts {
    /// Counts `findings`.
    pub fn of(findings: &[LintFinding]) -> LintCounts {
        let mut counts = LintCounts::default();
        for finding in findings {
            match finding.severity {
                LintSeverity::Error => counts.errors += 1,
                LintSeverity::Warning => counts.warnings += 1,
                LintSeverity::Info => counts.infos += 1,
            }
        }
        counts
    }

    /// Every finding.
    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }

    /// The findings shown with `filter` (`None`: every one).
    pub fn shown(&self, filter: Option<LintSeverity>) -> usize {
        match filter {
            None => self.total(),
            Some(LintSeverity::Error) => self.errors,
            Some(LintSeverity::Warning) => self.warnings,
            Some(LintSeverity::Info) => self.infos,
        }
    }
}

/// Some findings of the list shown with `filter`: each at its position in that list, with its
/// index in the lint's order (which names it on the page).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LintRows {
    /// The severity shown (`None`: every one).
    pub filter: Option<LintSeverity>,
    /// Position in the filtered list, index in the lint's order, the finding.
    pub rows: Vec<(usize, usize, LintFinding)>,
}

impl LintRows {
    /// The findings at positions `from..to` of the list of `findings` shown with `filter`.
    pub fn of(
        findings: &[LintFinding],
        filter: Option<LintSeverity>,
        from: usize,
        to: usize,
    ) -> LintRows {
        let rows = findings
            .iter()
            .enumerate()
            .filter(|(_, finding)| filter.is_none_or(|severity| finding.severity == severity))
            .enumerate()
            .skip(from)
            .take(to.saturating_sub(from))
            .map(|(position, (index, finding))| (position, index, finding.clone()))
            .collect();
        LintRows { filter, rows }
    }
}

/// What the Lint tab shows of a topology's findings: their counts and the rows taken in so
/// far for one filter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LintView {
    /// Which findings these are: a number the page gives each answer of the lint, so that a
    /// view of new findings is told from the same findings with more rows.
    pub findings: u64,
    /// How many findings of each severity.
    pub counts: LintCounts,
    /// The filter the rows are of.
    pub filter: Option<LintSeverity>,
    /// The rows taken in, sorted by position in the filtered list.
    pub rows: Vec<(usize, usize, LintFinding)>,
}

/// Rows kept at most: past it, a view keeps only the rows last taken in.
const KEPT_ROWS: usize = 2_000;

impl LintView {
    /// A view of findings number `findings`, of `counts`, with `rows`.
    pub fn new(findings: u64, counts: LintCounts, rows: LintRows) -> LintView {
        LintView {
            findings,
            counts,
            filter: None,
            rows: Vec::new(),
        }
        .with(rows)
    }

    /// This view with `rows` taken in (replacing the rows of another filter).
    pub fn with(&self, rows: LintRows) -> LintView {
        let mut view = if rows.filter == self.filter && self.rows.len() < KEPT_ROWS {
            self.clone()
        } else {
            LintView {
                rows: Vec::new(),
                ..self.clone_head()
            }
        };
        view.filter = rows.filter;
        for row in rows.rows {
            match view.rows.binary_search_by_key(&row.0, |kept| kept.0) {
                Ok(at) => view.rows[at] = row,
                Err(at) => view.rows.insert(at, row),
            }
        }
        view
    }

    /// The row at `position` of the list shown with `filter`, when it is in: its index in the
    /// lint's order and the finding.
    pub fn row(
        &self,
        filter: Option<LintSeverity>,
        position: usize,
    ) -> Option<(usize, &LintFinding)> {
        if self.filter != filter {
            return None;
        }
        let at = self
            .rows
            .binary_search_by_key(&position, |kept| kept.0)
            .ok()?;
        self.rows
            .get(at)
            .map(|(_, index, finding)| (*index, finding))
    }

    /// Whether the rows at positions `from..to` of the list shown with `filter` are all in.
    pub fn has(&self, filter: Option<LintSeverity>, from: usize, to: usize) -> bool {
        let to = to.min(self.counts.shown(filter));
        (from..to).all(|position| self.row(filter, position).is_some())
    }

    fn clone_head(&self) -> LintView {
        LintView {
            findings: self.findings,
            counts: self.counts,
            filter: self.filter,
            rows: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_of_the_filtered_list_names_each_finding_by_its_index() {
        let topology = crate::engine::example("drop-wins-tie").unwrap_or_default();
        let findings = crate::engine::lint(&topology);
        assert!(findings.len() > 1);
        let counts = LintCounts::of(&findings);
        assert_eq!(counts.total(), findings.len());
        let all = LintRows::of(&findings, None, 0, usize::MAX);
        let view = LintView::new(1, counts, all);
        assert!(view.has(None, 0, usize::MAX));
        for (position, index, finding) in &view.rows {
            assert_eq!((position, finding), (index, &findings[*index]));
        }
        assert_eq!(view.row(None, 1), Some((1, &findings[1])));
        assert_eq!(view.row(Some(findings[1].severity), 1), None);
        // One severity's list, a window at a time.
        let severity = findings[findings.len() - 1].severity;
        let wanted: Vec<usize> = (0..findings.len())
            .filter(|&index| findings[index].severity == severity)
            .collect();
        let mut view = LintView::new(1, counts, LintRows::default());
        assert!(!view.has(Some(severity), 0, 1));
        for from in 0..wanted.len() {
            view = view.with(LintRows::of(&findings, Some(severity), from, from + 1));
        }
        assert!(view.has(Some(severity), 0, usize::MAX));
        assert_eq!(counts.shown(Some(severity)), wanted.len());
        let indices: Vec<usize> = view.rows.iter().map(|(_, index, _)| *index).collect();
        assert_eq!(indices, wanted);
        // Another filter's rows replace them.
        let view = view.with(LintRows::of(&findings, None, 0, 1));
        assert_eq!(view.rows.len(), 1);
        assert!(LintRows::of(&findings, None, 5, 2).rows.is_empty());
    }
}
