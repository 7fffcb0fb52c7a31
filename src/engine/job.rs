//! The engine's work in the Web Worker: a topology's sglab JSON in, the matrix and the group
//! matrix out as plain numbers ([`super::transfer`]), each after an edit derived from the
//! previous ones the worker keeps.

use sglab_core::matrix::{GroupMatrix, Matrix};
use sglab_core::model::Topology;

use super::transfer::{encode, ResultHead, Stage};

/// The worker's engine: the last topology it evaluated, with its results.
#[derive(Default)]
pub struct Evaluator {
    last: Option<(Topology, Matrix, Option<GroupMatrix>)>,
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
        let lines = |diagnostics: Vec<sglab_core::diagnostic::Diagnostic>| {
            diagnostics
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        };
        let raw = sglab_core::format::parse_raw(json, None, usize::MAX).map_err(lines)?;
        stage(Stage::Validate);
        let limits = sglab_core::validate::Limits::default();
        let parsed = sglab_core::validate::validate(&raw, None, &limits).map_err(lines)?;
        let (topology, problems) = (parsed.topology, parsed.warnings);
        drop(raw);
        let parse_done = now();
        stage(Stage::Matrix);
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
        let groups_done = now();
        let (mut head, words) = encode(&matrix, group_matrix.as_ref());
        head.parse_millis = parse_done - started;
        head.matrix_millis = matrix_done - parse_done;
        head.problems = problems;
        head.groups_millis = groups_done - matrix_done;
        self.last = Some((topology, matrix, group_matrix));
        Ok((head, words))
    }
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
        let back = decode(&head, &words).map(|e| (e.matrix, e.groups));
        assert_eq!(back, Ok((matrix, Some(groups))));
        assert_eq!(head.problems, crate::engine::problems(&topology));

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
        let Ok(back) = decode(&head, &words) else {
            panic!("the edit's results decode");
        };
        let fresh = sglab_core::matrix::matrix(&edited);
        // The same cells, though the interned lists may be numbered differently.
        assert!(back.matrix.cells().eq(fresh.cells()));
        assert!(evaluator
            .evaluate("{", false, &|| 0.0, &mut |_| {})
            .is_err());
    }
}
