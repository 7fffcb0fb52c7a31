//! The engine's work in the Web Worker: a topology's sglab JSON in, the matrix and the overview
//! out as plain numbers ([`super::transfer`]), the matrix and the group matrix (from which the
//! overview comes) each after an edit derived from the previous ones the worker keeps.

use sglab_core::diagnostic::Diagnostic;
use sglab_core::matrix::{GroupMatrix, Matrix};
use sglab_core::model::Topology;

use super::transfer::{encode, LintFinding, ResultHead, Stage};

/// The worker's engine: the last topology it evaluated, with its results, and the lint's
/// findings of that topology once asked for (kept for the rows the Lint tab asks next).
#[derive(Default)]
pub struct Evaluator {
    last: Option<(Topology, Matrix, Option<GroupMatrix>)>,
    findings: Option<Vec<LintFinding>>,
    evaluations: u64,
}

impl Evaluator {
    /// Evaluates the topology of `json`, calling `stage` as each stage begins and timing them
    /// with `now` (milliseconds). The matrix (and the group matrix, when `groups`) of the
    /// previous topology is reused for what did not change.
    pub fn evaluate(
        &mut self,
        json: &str,
        groups: bool,
        now: &dyn Fn() -> f64,
        stage: &mut dyn FnMut(Stage),
    ) -> Result<(ResultHead, Vec<u32>), String> {
        let started = now();
        stage(Stage::Parse);
        let raw = sglab_core::format::parse_raw(json, None, usize::MAX).map_err(lines)?;
        stage(Stage::Validate);
        let limits = sglab_core::validate::Limits::default();
        let parsed = sglab_core::validate::validate(&raw, None, &limits).map_err(lines)?;
        drop(raw);
        self.evaluate_topology(
            parsed.topology,
            parsed.warnings,
            groups,
            started,
            now,
            stage,
        )
    }

    /// Evaluates the topology last evaluated with `patch` applied, like
    /// [`Evaluator::evaluate`]; also gives the patched topology's sglab JSON (for the page's
    /// autosave) to `json` before the matrix.
    pub fn evaluate_patch(
        &mut self,
        patch: super::patch::Patch,
        groups: bool,
        now: &dyn Fn() -> f64,
        stage: &mut dyn FnMut(Stage),
        json: &mut dyn FnMut(String),
    ) -> Result<(ResultHead, Vec<u32>), String> {
        let started = now();
        stage(Stage::Validate);
        let mut topology = self
            .last
            .as_ref()
            .map(|(topology, _, _)| topology.clone())
            .ok_or("no topology to apply the changes to")?;
        super::patch::apply(&mut topology, patch);
        let problems = sglab_core::validate::check(&topology);
        if problems
            .iter()
            .any(|d| d.severity == sglab_core::diagnostic::Severity::Error)
        {
            return Err(lines(problems));
        }
        json(super::to_json(&topology));
        self.evaluate_topology(topology, problems, groups, started, now, stage)
    }

    fn evaluate_topology(
        &mut self,
        topology: Topology,
        problems: Vec<Diagnostic>,
        groups: bool,
        started: f64,
        now: &dyn Fn() -> f64,
        stage: &mut dyn FnMut(Stage),
    ) -> Result<(ResultHead, Vec<u32>), String> {
        let parse_done = now();
        stage(Stage::Matrix);
        self.findings = None;
        self.evaluations += 1;
        let previous = self.last.take();
        let matrix = match &previous {
            Some((before, matrix, _)) => {
                sglab_core::matrix::matrix_after_edit(before, matrix, &topology)
            }
            None => sglab_core::matrix::matrix(&topology),
        };
        let matrix_done = now();
        let group_matrix = groups.then(|| {
            stage(Stage::Groups);
            match &previous {
                Some((before, before_matrix, Some(before_groups))) => {
                    sglab_core::matrix::group_matrix_after_edit(
                        before,
                        before_matrix,
                        before_groups,
                        &topology,
                        &matrix,
                    )
                }
                _ => sglab_core::matrix::group_matrix_of(&topology, &matrix),
            }
        });
        drop(previous);
        let overview = group_matrix
            .as_ref()
            .map(|groups| super::overview::overview_of_groups(&topology, groups));
        let groups_done = now();
        let (mut head, words) = encode(&matrix, overview.as_ref());
        drop(overview);
        head.parse_millis = parse_done - started;
        head.matrix_millis = matrix_done - parse_done;
        head.problems = problems;
        head.groups_millis = groups_done - matrix_done;
        self.last = Some((topology, matrix, group_matrix));
        Ok((head, words))
    }

    /// The lint's findings of the topology last evaluated, computed on the first call after
    /// each evaluation; `None` before any evaluation.
    pub fn findings(&mut self) -> Option<&[LintFinding]> {
        let (topology, _, _) = self.last.as_ref()?;
        Some(
            self.findings
                .get_or_insert_with(|| super::lint(topology))
                .as_slice(),
        )
    }

    /// The number of the last evaluation (counted from 1), which names the topology the
    /// findings are of.
    pub fn evaluation(&self) -> u64 {
        self.evaluations
    }

    /// The class pairs of the last matrix (`matrix.parts().cells`), which go to the page in a
    /// buffer of their own.
    pub fn cells(&self) -> &[u32] {
        self.last
            .as_ref()
            .map_or(&[], |(_, matrix, _)| matrix.parts().cells)
    }
}

/// Diagnostics on one line.
fn lines(diagnostics: Vec<Diagnostic>) -> String {
    diagnostics
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::transfer::decode;
    use sglab_core::generate::{generate, GenParams};

    #[test]
    fn the_worker_answers_what_the_page_would_compute() {
        let topology = generate(4, &GenParams::small(40, 6, 150));
        let json = crate::engine::to_json(&topology);
        let mut evaluator = Evaluator::default();
        let mut stages = Vec::new();
        let result = evaluator.evaluate(&json, true, &|| 0.0, &mut |stage| stages.push(stage));
        let Ok((head, words)) = result else {
            panic!("the worker reads the page's JSON: {result:?}");
        };
        assert_eq!(
            stages,
            [Stage::Parse, Stage::Validate, Stage::Matrix, Stage::Groups]
        );
        let matrix = sglab_core::matrix::matrix(&topology);
        let groups = sglab_core::matrix::group_matrix_of(&topology, &matrix);
        let overview = crate::engine::overview::overview_of_groups(&topology, &groups);
        let back = decode(&head, words, evaluator.cells()).map(|e| (e.matrix, e.overview));
        assert_eq!(back, Ok((matrix.clone(), Some(overview))));
        assert_eq!(head.problems, crate::engine::problems(&topology));
        assert_eq!(
            evaluator.findings(),
            Some(crate::engine::lint(&topology).as_slice())
        );

        // After an edit, from the previous results.
        let mut edited = topology.clone();
        if let Some(group) = edited.groups.values_mut().find(|g| !g.rules.is_empty()) {
            group.rules.remove(0);
        }
        let json = crate::engine::to_json(&edited);
        let result = evaluator.evaluate(&json, false, &|| 0.0, &mut |_| {});
        let Ok((head, words)) = result else {
            panic!("the edit is evaluated: {result:?}");
        };
        let Ok(back) = decode(&head, words, evaluator.cells()) else {
            panic!("the edit's results decode");
        };
        let fresh = sglab_core::matrix::matrix(&edited);
        // The same cells, though the interned lists may be numbered differently.
        assert!(back.matrix.cells().eq(fresh.cells()));

        // Another edit, sent as a patch: the same cells as a fresh build, and the JSON.
        let mut again = edited.clone();
        if let Some(group) = again.groups.values_mut().find(|g| g.rules.len() > 1) {
            group.rules.remove(1);
        }
        let Some(patch) = crate::engine::patch::patch(&edited, &again) else {
            panic!("one group changed");
        };
        let mut sent = None;
        let result = evaluator.evaluate_patch(patch, true, &|| 0.0, &mut |_| {}, &mut |json| {
            sent = Some(json)
        });
        let Ok((head, words)) = result else {
            panic!("the patch is evaluated: {result:?}");
        };
        let Ok(back) = decode(&head, words, evaluator.cells()) else {
            panic!("the patch's results decode");
        };
        let fresh = sglab_core::matrix::matrix(&again);
        assert!(back.matrix.cells().eq(fresh.cells()));
        assert_eq!(sent, Some(crate::engine::to_json(&again)));
        // The findings are of the patched topology, not the first one's.
        assert_eq!(
            evaluator.findings(),
            Some(crate::engine::lint(&again).as_slice())
        );
        assert!(evaluator
            .evaluate("{", false, &|| 0.0, &mut |_| {})
            .is_err());
    }
}
