//! The app's browser effects: validation and autosave after the last change, the large-type
//! preference, the check of a rule just added, the expiry of information notices, and the
//! global listeners and script API, installed once.

use std::cell::RefCell;
use std::rc::Rc;

use sglab_core::diagnostic::Diagnostic;
use sglab_core::model::{GroupId, Topology};
use yew::prelude::*;

use super::evaluation::LargeResults;
use super::startup::from_link;
use crate::browser::{self, GlobalKey, Saved, ScriptApi};
use crate::engine::{
    self,
    transfer::{FromWorker, ToWorker},
};
use crate::state::{Action, AppState};
use crate::types::{Level, Notice, Origin, Shared};

/// How long after the last change validation and the autosave run.
const SETTLE_MILLIS: u32 = 300;
/// How long after a rule is added its effect is checked: after the edit's frame.
const ADDED_RULE_CHECK_MILLIS: u32 = 30;
/// How long an information notice stays once nothing holds it.
pub const NOTICE_MILLIS: u32 = 6_000;

/// The validation problems of the topology, and its autosave: both take longer than a frame on
/// large topologies, so they run shortly after the last change rather than on every one. For a
/// topology evaluated in the engine's worker (`large`), the worker validated it and the JSON it
/// was sent is saved, so neither is done again on the page.
///
/// The autosave is written before the page's own evaluation work (validation), and for a
/// topology the worker evaluates as soon as its JSON is sent, so that a reload in the middle of
/// a long evaluation finds the work saved. A refusal of the storage is said once, in a notice.
#[hook]
pub fn use_settled_problems(
    topology: &Shared<Topology>,
    large: Option<LargeResults>,
    dispatcher: UseReducerDispatcher<AppState>,
) -> Shared<Vec<Diagnostic>> {
    let problems = use_state(|| Shared::new(Vec::new()));
    let from_worker = large.as_ref().and_then(|large| large.problems.clone());
    {
        let problems = problems.clone();
        use_effect_with(from_worker, move |from_worker| {
            if let Some(from_worker) = from_worker {
                problems.set(from_worker.clone());
            }
        });
    }
    {
        let problems = problems.clone();
        let coming = large.as_ref().is_some_and(|large| large.json_coming);
        let json = large.map(|large| large.json);
        use_effect_with((topology.clone(), json), move |(topology, json)| {
            let topology = topology.clone();
            let timer = match json.clone() {
                // The JSON the worker was just sent, or sent back after its changes: saved at
                // once, while the worker evaluates.
                Some(Some((of, json))) if of == topology => {
                    autosave(&json, &dispatcher);
                    None
                }
                // The worker sends this topology's JSON shortly.
                Some(_) if coming => None,
                json => Some(browser::after(SETTLE_MILLIS, move || match json {
                    None => {
                        autosave(&engine::to_json(&topology), &dispatcher);
                        problems.set(Shared::new(engine::problems(&topology)));
                    }
                    Some(_) => autosave(&engine::to_json(&topology), &dispatcher),
                })),
            };
            move || drop(timer)
        });
    }
    (*problems).clone()
}

/// Saves the large-type preference when it changes.
#[hook]
pub fn use_large_type_saved(large_type: bool) {
    use_effect_with(large_type, |large| browser::write_large_type(*large));
}

/// The keyboard, paste, share-link and page-hide listeners and `window.sglab`, installed once;
/// `current` is the topology the script API reads.
#[hook]
pub fn use_global_listeners(
    dispatcher: UseReducerDispatcher<AppState>,
    current: Rc<RefCell<Shared<Topology>>>,
) {
    use_effect_with((), move |_| {
        let keys = {
            let dispatcher = dispatcher.clone();
            browser::listen_keys(move |key| match key {
                GlobalKey::Undo => dispatcher.dispatch(Action::Undo),
                GlobalKey::Redo => dispatcher.dispatch(Action::Redo),
                GlobalKey::Escape => dispatcher.dispatch(Action::Escape),
                GlobalKey::Present => dispatcher.dispatch(Action::TogglePresentation),
            })
        };
        let paste = {
            let dispatcher = dispatcher.clone();
            browser::listen_paste(move |text| {
                let dispatcher = dispatcher.clone();
                let dispatch = Callback::from(move |action| dispatcher.dispatch(action));
                super::open::open(vec![("pasted text".to_owned(), Ok(text))], dispatch);
            })
        };
        let fragment = {
            let dispatcher = dispatcher.clone();
            browser::listen_fragment(move |fragment| {
                if let Some(payload) = crate::codec::payload_of_fragment(&fragment) {
                    dispatcher.dispatch(from_link(payload));
                    browser::clear_fragment();
                }
            })
        };
        let page_hide = {
            let current = Rc::clone(&current);
            browser::listen_page_hide(move || {
                // The page is going away: there is no one left to tell of a refusal.
                let _ = browser::write_autosave(&engine::to_json(&current.borrow()));
            })
        };
        let other_tab = {
            let dispatcher = dispatcher.clone();
            let current = Rc::clone(&current);
            browser::listen_other_tab_saves(move || {
                let json = engine::to_json(&current.borrow());
                let kept = browser::write_autosave(&json) == Saved::Written;
                dispatcher.dispatch(Action::Notify(saved_over_notice(json, kept)));
            })
        };
        browser::install_script_api(script_api(dispatcher, current));
        move || {
            drop(keys);
            drop(paste);
            drop(fragment);
            drop(page_hide);
            drop(other_tab);
        }
    });
}

/// Saves the topology's text, and says once when the browser's storage refuses it.
fn autosave(json: &str, dispatcher: &UseReducerDispatcher<AppState>) {
    if browser::write_autosave(json) == Saved::FirstFailure {
        dispatcher.dispatch(Action::Notify(Notice::new(
            Level::Warning,
            "The browser's storage is full, so this topology is no longer autosaved. Your work is kept in this tab: to keep it for later, use Export \u{2192} sglab JSON (or Share) before closing the tab",
        )));
    }
}

/// The notice of another tab saving over this tab's autosave: this tab's work is kept apart.
fn saved_over_notice(json: String, kept: bool) -> Notice {
    let title = if kept {
        format!("sglab is open in another tab, which just saved over this tab's autosave. Nothing is lost: this tab's work stays here and is now saved apart (as {}), and the next start offers it for download. To keep it now, download it or use Export \u{2192} sglab JSON", browser::OTHER_TAB_KEY)
    } else {
        "sglab is open in another tab, which just saved over this tab's autosave. This tab's work stays here but could not be saved apart (the storage is full): download it or use Export \u{2192} sglab JSON to keep it".to_owned()
    };
    Notice::new(Level::Warning, title).downloadable("sglab-this-tab.json", json)
}

/// Whether a rule just added changes anything: on 10,000 rules the check takes longer than a
/// frame, so it runs just after the edit is drawn, and only if nothing changed since, in the
/// engine's worker (the lint is not part of the page's module); an answer for an older
/// revision is dropped with its worker.
#[hook]
pub fn use_added_rule_check(
    added: Option<(GroupId, usize)>,
    revision: u64,
    topology: &Shared<Topology>,
    dispatch: &Callback<Action>,
) {
    let dispatch = dispatch.clone();
    let topology = topology.clone();
    use_effect_with((added, revision), move |(added, _)| {
        let question: Rc<RefCell<Option<super::ask::Question>>> = Rc::default();
        let timer = added.clone().map(|(group, index)| {
            let question = Rc::clone(&question);
            browser::after(ADDED_RULE_CHECK_MILLIS, move || {
                let request = ToWorker::AddedRule {
                    job: 0,
                    json: crate::engine::to_json(&topology),
                    group,
                    index,
                };
                *question.borrow_mut() = super::ask::ask(&request, move |answer| {
                    if let Ok(FromWorker::AddedRule {
                        warning: Some(warning),
                        ..
                    }) = answer
                    {
                        dispatch.emit(Action::Notify(Notice::new(Level::Warning, warning)));
                    }
                });
            })
        });
        move || {
            drop(timer);
            drop(question.borrow_mut().take());
        }
    });
}

/// Information notices go [`NOTICE_MILLIS`] after the newest of them came, unless the pointer
/// or the focus is on the notices (`held`): then their time starts again once it leaves.
#[hook]
pub fn use_notice_expiry(notices: &[Notice], held: bool, dispatch: &Callback<Action>) {
    let expiring: Vec<u64> = notices
        .iter()
        .filter(|notice| notice.expires())
        .map(|notice| notice.id)
        .collect();
    let dispatch = dispatch.clone();
    use_effect_with((expiring, held), move |(expiring, held)| {
        let timer = (!*held && !expiring.is_empty()).then(|| {
            let expiring = expiring.clone();
            browser::after(NOTICE_MILLIS, move || {
                dispatch.emit(Action::Expire(expiring))
            })
        });
        move || drop(timer)
    });
}

/// `window.sglab`: load a topology, read the current one, time the matrix.
fn script_api(
    dispatcher: UseReducerDispatcher<AppState>,
    current: Rc<RefCell<Shared<Topology>>>,
) -> ScriptApi {
    ScriptApi {
        // A promise of the diagnostics: a large text is read in the engine's worker.
        load: Box::new(move |text: String| {
            let dispatcher = dispatcher.clone();
            browser::promise(move |resolve| {
                super::evaluation::read(text, "sglab.load", move |read| {
                    let diagnostics = match read {
                        Ok((topology, warnings)) => {
                            let out = browser::to_js(&engine::diagnostics_json(&warnings));
                            dispatcher.dispatch(Action::Load {
                                topology,
                                origin: Origin::Script,
                                warnings,
                            });
                            out
                        }
                        Err(diagnostics) => browser::to_js(&engine::diagnostics_json(&diagnostics)),
                    };
                    resolve(diagnostics);
                });
            })
        }),
        topology: {
            let current = Rc::clone(&current);
            Box::new(move || engine::to_json(&current.borrow()))
        },
        // In a worker of the engine of its own, where the engine runs.
        bench_matrix: Box::new(move |runs| {
            let request = ToWorker::Bench {
                job: 0,
                json: engine::to_json(&current.borrow()),
                runs,
            };
            browser::promise(move |resolve| {
                let asked = super::ask::ask(&request, move |answer| {
                    resolve(match answer {
                        Ok(FromWorker::Benched { bench, .. }) => {
                            js_sys::JSON::parse(&bench).unwrap_or(wasm_bindgen::JsValue::NULL)
                        }
                        _ => wasm_bindgen::JsValue::NULL,
                    })
                });
                if let Some(question) = asked {
                    question.detach();
                }
            })
        }),
    }
}
