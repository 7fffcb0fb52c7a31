//! The engine's Web Worker: it answers the page's requests ([`crate::engine::transfer`]) with
//! the stage it is in and then the results, computed by [`crate::engine::job::Evaluator`], so
//! that the page never waits for the engine; and it reads the files the page opens
//! ([`crate::engine::import_files`]) and exports topologies ([`crate::engine::export_text`])
//! and lints topologies ([`crate::engine::lint`], [`crate::edit::added_rule_warning`]; the
//! topology it evaluated last is linted where it is, its findings kept for the rows the Lint
//! tab shows) and
//! compares them with the compare mode's baseline ([`crate::engine::compare`]), so that the
//! diff, the lint, the importers (aliyun responses, Terraform plans and .tf files) and the exporters
//! (Terraform, the aliyun CLI) are in the worker's module only, fetched when first needed. The binary
//! `engine_worker` (`main.rs`) calls [`serve`].

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::findings::{LintCounts, LintRows};
use crate::engine::job::Evaluator;
use crate::engine::transfer::{FromWorker, ToWorker};

/// The rows sent with a lint's counts, enough to fill the Lint tab on a tall screen: the page
/// asks for the others as they scroll into view.
const FIRST_LINT_ROWS: usize = 40;

/// Posts an evaluation's outcome: the results' head with the worker's memory and the numbers
/// (the evaluation's words and the evaluator's cells), or the failure's message.
fn post_evaluation(
    job: u64,
    result: Result<(crate::engine::transfer::ResultHead, Vec<u32>), String>,
    evaluator: &Evaluator,
    scope: &web_sys::DedicatedWorkerGlobalScope,
) {
    match result {
        Ok((mut head, words)) => {
            head.memory_mib = crate::browser::memory_pages() as f64 / 16.0;
            post(
                scope,
                &FromWorker::Done { job, head },
                Some((words.as_slice(), evaluator.cells())),
            );
        }
        Err(message) => post(scope, &FromWorker::Failed { job, message }, None),
    }
}

/// Answers the page's messages until the page terminates the worker; says `Ready` first, so
/// that the page sends nothing before the handler is installed.
pub fn serve() {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let evaluator = RefCell::new(Evaluator::default());
    let answer_scope = scope.clone();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let post = |message: &FromWorker, words: Option<(&[u32], &[u32])>| {
                post(&answer_scope, message, words)
            };
            let Ok(request) = serde_wasm_bindgen::from_value::<ToWorker>(event.data()) else {
                return;
            };
            match request {
                ToWorker::Evaluate { job, json, groups } => {
                    let now = || js_sys::Date::now();
                    let result =
                        evaluator
                            .borrow_mut()
                            .evaluate(&json, groups, &now, &mut |stage| {
                                post(&FromWorker::Stage { job, stage }, None)
                            });
                    drop(json);
                    post_evaluation(job, result, &evaluator.borrow(), &answer_scope);
                }
                ToWorker::Patch { job, patch, groups } => {
                    let now = || js_sys::Date::now();
                    let result = serde_json::from_str(&patch)
                        .map_err(|error| error.to_string())
                        .and_then(|patch| {
                            evaluator.borrow_mut().evaluate_patch(
                                patch,
                                groups,
                                &now,
                                &mut |stage| post(&FromWorker::Stage { job, stage }, None),
                                &mut |json| post(&FromWorker::Json { job, json }, None),
                            )
                        });
                    post_evaluation(job, result, &evaluator.borrow(), &answer_scope);
                }
                ToWorker::Export { job, json, format } => {
                    let answer = match crate::engine::export_text(&json, format) {
                        Ok(text) => FromWorker::Exported { job, text },
                        Err(problems) => FromWorker::Failed {
                            job,
                            message: problems.join("\n"),
                        },
                    };
                    drop(json);
                    post(&answer, None);
                }
                ToWorker::LintEvaluated { job } => {
                    let mut evaluator = evaluator.borrow_mut();
                    let evaluation = evaluator.evaluation();
                    let answer = match evaluator.findings() {
                        Some(findings) => FromWorker::LintCounted {
                            job,
                            evaluation,
                            counts: LintCounts::of(findings),
                            rows: LintRows::of(findings, None, 0, FIRST_LINT_ROWS),
                        },
                        None => FromWorker::Failed {
                            job,
                            message: "no topology evaluated".to_owned(),
                        },
                    };
                    drop(evaluator);
                    post(&answer, None);
                }
                ToWorker::LintRows {
                    job,
                    evaluation,
                    filter,
                    from,
                    to,
                } => {
                    let mut evaluator = evaluator.borrow_mut();
                    let rows = (evaluator.evaluation() == evaluation)
                        .then(|| evaluator.findings())
                        .flatten()
                        .map(|findings| LintRows::of(findings, filter, from, to));
                    drop(evaluator);
                    post(&FromWorker::LintRows { job, rows }, None);
                }
                ToWorker::Lint { job, json } => {
                    let answer = match crate::engine::parse_sglab(&json, "topology") {
                        Ok((topology, _)) => FromWorker::Linted {
                            job,
                            findings: crate::engine::lint(&topology),
                        },
                        Err(problems) => failed(job, &problems),
                    };
                    drop(json);
                    post(&answer, None);
                }
                ToWorker::AddedRule {
                    job,
                    json,
                    group,
                    index,
                } => {
                    let answer = match crate::engine::parse_sglab(&json, "topology") {
                        Ok((topology, _)) => FromWorker::AddedRule {
                            job,
                            warning: crate::edit::added_rule_warning(&topology, &group, index),
                        },
                        Err(problems) => failed(job, &problems),
                    };
                    drop(json);
                    post(&answer, None);
                }
                ToWorker::Compare {
                    job,
                    baseline,
                    json,
                } => {
                    let baseline = crate::engine::parse_sglab(&baseline, "baseline");
                    let current = crate::engine::parse_sglab(&json, "topology");
                    drop(json);
                    let answer = match (baseline, current) {
                        (Ok((baseline, _)), Ok((current, _))) => FromWorker::Compared {
                            job,
                            compare: crate::engine::compare(&baseline, &current),
                        },
                        (Err(problems), _) | (_, Err(problems)) => failed(job, &problems),
                    };
                    post(&answer, None);
                }
                ToWorker::Bench { job, json, runs } => {
                    let answer = match crate::engine::parse_sglab(&json, "topology") {
                        Ok((topology, _)) => FromWorker::Benched {
                            job,
                            bench: serde_json::to_string(&crate::engine::bench_matrix(
                                &topology,
                                runs as usize,
                                || worker_now(&answer_scope),
                            ))
                            .unwrap_or_default(),
                        },
                        Err(problems) => failed(job, &problems),
                    };
                    drop(json);
                    post(&answer, None);
                }
                ToWorker::Open { job, files } => {
                    let result = crate::engine::import_files(&files);
                    drop(files);
                    post(&FromWorker::Opened { job, result }, None);
                }
            }
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the handler.
    on_message.forget();
    post(&scope, &FromWorker::Ready, None);
}

/// Milliseconds from the worker's time origin.
fn worker_now(scope: &web_sys::DedicatedWorkerGlobalScope) -> f64 {
    scope
        .performance()
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// The answer to a request whose topology could not be read.
fn failed(job: u64, problems: &[sglab_core::diagnostic::Diagnostic]) -> FromWorker {
    FromWorker::Failed {
        job,
        message: problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// Posts `{ message, words, cells }`, handing the numbers' buffers (the class pairs apart)
/// over without a copy.
fn post(
    scope: &web_sys::DedicatedWorkerGlobalScope,
    message: &FromWorker,
    numbers: Option<(&[u32], &[u32])>,
) {
    let object = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &object,
        &JsValue::from_str("message"),
        &serde_wasm_bindgen::to_value(message).unwrap_or(JsValue::NULL),
    );
    let transfer = js_sys::Array::new();
    if let Some((words, cells)) = numbers {
        for (key, numbers) in [("words", words), ("cells", cells)] {
            let array = js_sys::Uint32Array::from(numbers);
            transfer.push(&array.buffer());
            let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), &array);
        }
    }
    let _ = scope.post_message_with_transfer(&object, &transfer);
}
