//! The root component: owns the state, computes derived results, runs the browser effects
//! and lays out the workspace (toolbar, left panel, diagram or matrix, explanation panel).

use std::rc::Rc;

use sglab_core::model::Topology;
use yew::prelude::*;

use sglab_core::explain::Explanation;

use crate::browser::{self, GlobalKey, ScriptApi, Stage};
use crate::engine::{self, Edges, EvaluationKey, Reach};
use crate::layout::{self, Diagram};
use crate::state::{Action, AppState};
use crate::types::{Level, Notice, Origin, Shared, View};
use crate::ui;
use crate::ui::toolbar::Command;

/// How long after the last change validation and the autosave run.
const SETTLE_MILLIS: u32 = 300;
/// How long after a rule is added its effect is checked: after the edit's frame.
const ADDED_RULE_CHECK_MILLIS: u32 = 30;

/// Builds the first state: a share link in the URL wins, then the autosave, then the first
/// example. A corrupted link or autosave leaves a notice and changes nothing else.
fn startup() -> AppState {
    let mut notices = Vec::new();
    let mut chosen: Option<(Topology, Origin, Vec<sglab_core::diagnostic::Diagnostic>)> = None;

    if let Some(fragment) = browser::fragment() {
        if let Some(payload) = crate::codec::payload_of_fragment(&fragment) {
            match engine::topology_from_link(payload) {
                Ok((topology, warnings)) => chosen = Some((topology, Origin::Link, warnings)),
                Err(details) => notices.push(Notice {
                    details,
                    ..Notice::new(
                        Level::Error,
                        "The share link is damaged and was not opened; nothing was changed",
                    )
                }),
            }
            browser::clear_fragment();
        }
    }

    if chosen.is_none() {
        if let Some(text) = browser::read_autosave() {
            match engine::parse_sglab(&text, "autosave") {
                Ok((topology, warnings)) => chosen = Some((topology, Origin::Autosave, warnings)),
                Err(diagnostics) => {
                    browser::keep_unreadable_autosave(&text);
                    notices.push(
                        Notice::with_diagnostics(
                            Level::Error,
                            "Your autosaved topology could not be read, so the example was opened instead. The unreadable save is kept: download it to repair it",
                            &diagnostics,
                        )
                        .downloadable("sglab-unreadable-autosave.json", text),
                    );
                }
            }
        }
    }

    let (topology, origin, warnings) = chosen.unwrap_or_else(|| {
        let (topology, id) = engine::first_example();
        (topology, Origin::Example(id), Vec::new())
    });
    let mut state = AppState::new(topology);
    state.large_type = browser::read_large_type();
    if origin == Origin::Link || !warnings.is_empty() {
        let title = match origin {
            Origin::Link => "Opened the topology from the share link",
            _ => "Restored your last session, with corrections",
        };
        notices.push(Notice::with_diagnostics(
            if warnings.is_empty() {
                Level::Info
            } else {
                Level::Warning
            },
            title,
            &warnings,
        ));
    }
    for notice in notices {
        state.push_notice(notice);
    }
    state
}

/// The root component.
#[component]
pub fn App() -> Html {
    let state = use_reducer(startup);
    // The current topology for the script API, which lives outside Yew.
    let current = use_mut_ref(|| Shared::clone(&state.topology));
    *current.borrow_mut() = Shared::clone(&state.topology);

    // Derived results, each recomputed only when what it reads changed and only when the
    // shown view needs it: the matrix when the evaluated part of the topology changed (not
    // after a move or a rename); the diagram's layout and edges only while it is shown.
    browser::begin_evaluation(state.revision, || {
        (
            state.topology.endpoints.len(),
            state.topology.groups.values().map(|g| g.rules.len()).sum(),
        )
    });
    // The last matrix, from which the next one after an edit of rules is derived.
    let last_reach = use_mut_ref(|| None::<Rc<Reach>>);
    let reach: Rc<Reach> = {
        let last_reach = Rc::clone(&last_reach);
        use_memo(EvaluationKey(state.topology.clone()), move |key| {
            let previous = last_reach.borrow().clone();
            browser::timed(Stage::Matrix, || match previous {
                Some(previous) => Reach::after_edit(&previous, &key.0),
                None => Reach::compute(&key.0),
            })
        })
    };
    *last_reach.borrow_mut() = Some(Rc::clone(&reach));
    let diagram_shown = state.view == View::Diagram;
    // The last edges with the matrix they came from, from which the next ones are derived.
    let last_edges = use_mut_ref(|| None::<(Rc<Reach>, Shared<Edges>)>);
    let edges: Rc<Option<Shared<Edges>>> = {
        let last_edges = Rc::clone(&last_edges);
        use_memo(
            (Shared(Rc::clone(&reach)), diagram_shown),
            move |(reach, shown)| {
                shown.then(|| {
                    let previous = last_edges.borrow().clone();
                    let edges = browser::timed(Stage::Edges, || match previous {
                        Some((previous_reach, previous)) => {
                            let edges = Edges::after_edit(&previous_reach, &previous, reach);
                            // Unchanged edges keep their identity: the diagram is not drawn
                            // again.
                            if edges.same_as(&previous) {
                                previous
                            } else {
                                Shared::new(edges)
                            }
                        }
                        None => Shared::new(Edges::compute(reach)),
                    });
                    *last_edges.borrow_mut() = Some((Rc::clone(&reach.0), edges.clone()));
                    edges
                })
            },
        )
    };
    let diagram: Rc<Option<Shared<Diagram>>> = use_memo(
        (layout::LayoutKey(state.topology.clone()), diagram_shown),
        |(key, shown)| {
            shown.then(|| Shared::new(browser::timed(Stage::Layout, || layout::layout(&key.0))))
        },
    );

    let explanation: Rc<Option<Shared<Explanation>>> = use_memo(
        (state.topology.clone(), state.query.clone()),
        |(topology, query)| {
            query
                .as_ref()
                .map(|query| Shared::new(engine::explain(topology, query)))
        },
    );

    let diagnoses: Rc<Option<Shared<Vec<sglab_core::doctor::Diagnosis>>>> = use_memo(
        (state.topology.clone(), state.query.clone()),
        |(topology, query)| {
            query
                .as_ref()
                .map(|query| Shared::new(engine::diagnose(topology, query)))
        },
    );
    let findings: Rc<Option<Shared<Vec<sglab_core::lint::Finding>>>> = use_memo(
        (state.topology.clone(), state.view == View::Lint),
        |(topology, shown)| shown.then(|| Shared::new(engine::lint(topology))),
    );

    // Validation and autosave take longer than a frame on large topologies, so they run
    // shortly after the last change rather than on every one.
    let problems = use_state(|| Shared::new(Vec::new()));
    {
        let problems = problems.clone();
        use_effect_with(state.topology.clone(), move |topology| {
            let topology = topology.clone();
            let timer = browser::after(SETTLE_MILLIS, move || {
                problems.set(Shared::new(engine::problems(&topology)));
                browser::write_autosave(&engine::to_json(&topology));
            });
            move || drop(timer)
        });
    }
    use_effect_with(state.large_type, |large| browser::write_large_type(*large));

    // Global listeners and the script API, installed once.
    {
        let dispatcher = state.dispatcher();
        let current = Rc::clone(&current);
        use_effect_with((), move |_| {
            let keys = {
                let dispatcher = dispatcher.clone();
                browser::listen_keys(move |key| match key {
                    GlobalKey::Undo => dispatcher.dispatch(Action::Undo),
                    GlobalKey::Redo => dispatcher.dispatch(Action::Redo),
                    GlobalKey::Escape => dispatcher.dispatch(Action::Escape),
                })
            };
            let paste = {
                let dispatcher = dispatcher.clone();
                browser::listen_paste(move |text| {
                    dispatcher.dispatch(opened(&[("pasted text".to_owned(), Ok(text))]));
                })
            };
            let fragment = {
                let dispatcher = dispatcher.clone();
                browser::listen_fragment(move |fragment| {
                    if let Some(payload) = crate::codec::payload_of_fragment(&fragment) {
                        dispatcher.dispatch(match engine::topology_from_link(payload) {
                            Ok((topology, warnings)) => Action::Load { topology, origin: Origin::Link, warnings },
                            Err(details) => Action::Notify(Notice {
                                details,
                                ..Notice::new(Level::Error, "The share link is damaged and was not opened; nothing was changed")
                            }),
                        });
                        browser::clear_fragment();
                    }
                })
            };
            let page_hide = {
                let current = Rc::clone(&current);
                browser::listen_page_hide(move || {
                    browser::write_autosave(&engine::to_json(&current.borrow()))
                })
            };
            let load_dispatcher = dispatcher.clone();
            browser::install_script_api(ScriptApi {
                load: Box::new(move |text: String| {
                    match engine::parse_sglab(&text, "sglab.load") {
                        Ok((topology, warnings)) => {
                            let out = browser::to_js(&engine::diagnostics_json(&warnings));
                            load_dispatcher.dispatch(Action::Load {
                                topology,
                                origin: Origin::Script,
                                warnings,
                            });
                            out
                        }
                        Err(diagnostics) => browser::to_js(&engine::diagnostics_json(&diagnostics)),
                    }
                }),
                topology: {
                    let current = Rc::clone(&current);
                    Box::new(move || engine::to_json(&current.borrow()))
                },
                bench_matrix: Box::new(move |runs| {
                    let topology = Shared::clone(&current.borrow());
                    browser::to_js(&engine::bench_matrix(
                        &topology,
                        runs as usize,
                        browser::now,
                    ))
                }),
            });
            move || {
                drop(keys);
                drop(paste);
                drop(fragment);
                drop(page_hide);
            }
        });
    }

    // One callback for the whole session, so that components whose other props did not change
    // are not rendered again.
    let dispatch: Callback<Action> = {
        let dispatcher = state.dispatcher();
        (*use_memo((), move |_| {
            Callback::from(move |action: Action| dispatcher.dispatch(action))
        }))
        .clone()
    };

    // Whether a rule just added changes anything: on 10,000 rules the check takes longer than
    // a frame, so it runs just after the edit is drawn, and only if nothing changed since.
    {
        let dispatch = dispatch.clone();
        let topology = state.topology.clone();
        use_effect_with(
            (state.added_rule.clone(), state.revision),
            move |(added, _)| {
                let timer = added.clone().map(|(group, index)| {
                    browser::after(ADDED_RULE_CHECK_MILLIS, move || {
                        if let Some(warning) =
                            crate::edit::added_rule_warning(&topology, &group, index)
                        {
                            dispatch.emit(Action::Notify(crate::types::Notice::new(
                                crate::types::Level::Warning,
                                warning,
                            )));
                        }
                    })
                });
                move || drop(timer)
            },
        );
    }

    let on_close_share = dispatch.reform(|_| Action::CloseShareLink);

    // Every browser command of the toolbar runs here.
    let on_command = {
        let dispatch = dispatch.clone();
        let topology = state.topology.clone();
        let reach = Rc::clone(&reach);
        Callback::from(move |command: Command| match command {
            Command::ExportJson => {
                browser::download_text(
                    &file_stem(&topology, "json"),
                    "application/json",
                    &engine::to_json(&topology),
                );
            }
            Command::ExportSvg => {
                if let Some(svg) = browser::diagram_svg() {
                    browser::download_svg(&file_stem(&topology, "svg"), &svg);
                } else {
                    dispatch.emit(Action::Notify(Notice::new(
                        Level::Info,
                        "Open the diagram tab to export the diagram",
                    )));
                }
            }
            Command::ExportPng => {
                if let Some(svg) = browser::diagram_svg() {
                    browser::download_png(&file_stem(&topology, "png"), &svg);
                } else {
                    dispatch.emit(Action::Notify(Notice::new(
                        Level::Info,
                        "Open the diagram tab to export the diagram",
                    )));
                }
            }
            Command::ExportCsv => {
                browser::download_text(&file_stem(&topology, "csv"), "text/csv", &reach.csv());
            }
            Command::Share => {
                let url = browser::url_with_fragment(&format!(
                    "{}{}",
                    crate::codec::FRAGMENT_KEY,
                    engine::link_payload(&topology)
                ));
                browser::copy_to_clipboard(&url);
                dispatch.emit(Action::ShowShareLink(url));
            }
            Command::Open(files) => {
                let dispatch = dispatch.clone();
                browser::read_files(files, move |contents| dispatch.emit(opened(&contents)));
            }
            Command::Example(id) => match engine::example(&id) {
                Ok(topology) => dispatch.emit(Action::Load {
                    topology,
                    origin: Origin::Example(id),
                    warnings: Vec::new(),
                }),
                Err(diagnostics) => dispatch.emit(Action::Notify(Notice::with_diagnostics(
                    Level::Error,
                    format!("The example {id} could not be opened"),
                    &diagnostics,
                ))),
            },
        })
    };
    let on_download = Callback::from(|(name, contents): (String, String)| {
        browser::download_text(&name, "application/json", &contents)
    });

    // Files dropped anywhere on the workspace are opened.
    let ondragover = Callback::from(|event: DragEvent| event.prevent_default());
    let ondrop = {
        let on_command = on_command.clone();
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            let files = browser::files_of(event.data_transfer().and_then(|d| d.files()));
            if !files.is_empty() {
                on_command.emit(Command::Open(files));
            }
        })
    };

    let main_view = match (state.view, (*diagram).clone(), (*edges).clone()) {
        (View::Diagram, Some(diagram), Some(edges)) => html! {
            <ui::diagram::DiagramView
                topology={state.topology.clone()}
                {diagram}
                {edges}
                explanation={(*explanation).clone()}
                selection={state.selection.clone()}
                large_type={state.large_type}
                dispatch={dispatch.clone()}
            />
        },
        (View::Lint, _, _) => match (*findings).clone() {
            Some(findings) => html! {
                <ui::lint::LintPanel
                    {findings}
                    dispatch={dispatch.clone()}
                />
            },
            None => html! {},
        },
        _ => html! {
            <ui::matrix::MatrixView
                topology={state.topology.clone()}
                reach={Shared(Rc::clone(&reach))}
                dispatch={dispatch.clone()}
            />
        },
    };

    let class = classes!("app", state.large_type.then_some("large-type"));
    html! {
        <div {class} data-testid="app">
            <ui::toolbar::Toolbar
                topology={state.topology.clone()}
                can_undo={!state.undo.is_empty()}
                can_redo={!state.redo.is_empty()}
                large_type={state.large_type}
                share_url={state.share_link.clone().map(AttrValue::from)}
                dispatch={dispatch.clone()}
                {on_command}
                {on_close_share}
            />
            <ui::notices::Notices notices={Rc::new(state.notices.clone())} dispatch={dispatch.clone()} {on_download} />
            <div class="workspace" {ondragover} {ondrop}>
                <aside class="left-panel" aria-label="Topology">
                    <ui::tree::Tree
                        topology={state.topology.clone()}
                        selection={state.selection.clone()}
                        dispatch={dispatch.clone()}
                    />
                    <ui::inspector::Inspector
                        topology={state.topology.clone()}
                        selection={state.selection.clone()}
                        dispatch={dispatch.clone()}
                    />
                    <ui::problems::Problems problems={(*problems).clone()} />
                </aside>
                <main class="center">
                    <ui::query::QueryBar
                        topology={state.topology.clone()}
                        query={state.query.clone()}
                        dispatch={dispatch.clone()}
                    />
                    <div class="tabs" role="tablist" aria-label="View">
                        { tab(View::Diagram, "Diagram", "tab-diagram", state.view, &dispatch) }
                        { tab(View::Matrix, "Matrix", "tab-matrix", state.view, &dispatch) }
                        { tab(View::Lint, "Lint", "tab-lint", state.view, &dispatch) }
                    </div>
                    <div class="view">{ main_view }</div>
                    <ui::rules::RulesDock
                        topology={state.topology.clone()}
                        selection={state.selection.clone()}
                        explanation={(*explanation).clone()}
                        step={state.step}
                        dispatch={dispatch.clone()}
                    />
                </main>
                if let (Some(explanation), Some(diagnoses)) = ((*explanation).clone(), (*diagnoses).clone()) {
                    <ui::explanation::ExplanationPanel
                        topology={state.topology.clone()}
                        {explanation}
                        {diagnoses}
                        step={state.step}
                        dispatch={dispatch.clone()}
                    />
                }
            </div>
        </div>
    }
}

/// The action for files opened, dropped or pasted: a load, or the notice of what was wrong.
fn opened(files: &[(String, Result<String, String>)]) -> Action {
    match engine::open_files(files) {
        Ok((topology, warnings)) => Action::Load {
            topology,
            origin: Origin::Files(files.iter().map(|(name, _)| name.clone()).collect()),
            warnings,
        },
        Err(notice) => Action::Notify(notice),
    }
}

fn tab(
    view: View,
    label: &'static str,
    testid: &'static str,
    current: View,
    dispatch: &Callback<Action>,
) -> Html {
    let selected = view == current;
    let onclick = dispatch.reform(move |_| Action::SetView(view));
    html! {
        <button type="button" role="tab" class={classes!("tab", selected.then_some("selected"))}
            aria-selected={selected.to_string()} data-testid={testid} {onclick}>
            { label }
        </button>
    }
}

/// A download name from the topology's title.
fn file_stem(topology: &Topology, extension: &str) -> String {
    let stem: String = topology
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let stem = stem.trim_matches('-');
    format!(
        "{}.{extension}",
        if stem.is_empty() { "sglab" } else { stem }
    )
}
