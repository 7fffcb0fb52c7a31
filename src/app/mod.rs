//! The root component: owns the state, derives results ([`derived`]), runs the browser
//! effects ([`effects`], [`commands`]) and lays out the workspace ([`panes`]): toolbar,
//! skip links, notices, left panel, diagram or matrix or lint, explanation panel.

use std::rc::Rc;

use yew::prelude::*;

use crate::browser;
use crate::engine::transfer::Stage;
use crate::state::Action;
use crate::types::{Level, Notice, Shared};
use crate::ui;
use crate::ui::toolbar::Command;

pub mod ask;
pub mod commands;
pub mod compare;
pub mod derived;
pub mod effects;
pub mod evaluation;
pub mod export;
pub mod lint;
pub mod open;
pub mod panes;
pub mod present;
pub mod release;
pub mod startup;

/// The root component.
#[component]
pub fn App() -> Html {
    let state = use_reducer(startup::startup);
    // The current topology for the script API, which lives outside Yew.
    let current = use_mut_ref(|| Shared::clone(&state.topology));
    *current.borrow_mut() = Shared::clone(&state.topology);

    let derived = derived::use_derived(&state);
    let problems =
        effects::use_settled_problems(&state.topology, derived.large.clone(), state.dispatcher());
    effects::use_large_type_saved(state.large_type);
    compare::use_baseline_saved(&state.baseline);
    effects::use_global_listeners(state.dispatcher(), Rc::clone(&current));

    // One callback for the whole session, so that components whose other props did not change
    // are not rendered again.
    let dispatch: Callback<Action> = {
        let dispatcher = state.dispatcher();
        (*use_memo((), move |_| {
            Callback::from(move |action: Action| dispatcher.dispatch(action))
        }))
        .clone()
    };
    effects::use_notice_expiry(&state.notices, state.notices_held, &dispatch);
    effects::use_added_rule_check(
        state.added_rule.clone(),
        state.revision,
        &state.topology,
        &dispatch,
    );

    let progress = derived.progress.clone().map(|progress| {
        let cancel = Rc::clone(&derived.cancel);
        let dispatch = dispatch.clone();
        let on_cancel = Callback::from(move |_| {
            if cancel() {
                // The topology the results belong to comes back.
                dispatch.emit(Action::Undo);
                dispatch.emit(Action::Notify(Notice::new(
                    Level::Info,
                    "Cancelled: the evaluation stopped and the previous topology is back",
                )));
            }
        });
        html! {
            <ui::progress::ProgressBar
                stage={progress.stage.words()}
                done={progress.stage.done()}
                stages={Stage::ALL.len() as u32}
                endpoints={progress.endpoints}
                {on_cancel}
            />
        }
    });
    let on_close_share = dispatch.reform(|_| Action::CloseShareLink);
    let on_command = commands::on_command(&dispatch, &state.topology, &derived.reach);
    let on_download = Callback::from(|(name, contents): (String, String)| {
        browser::download_text(&name, "application/json", &contents);
        // A version kept apart is forgotten once the user has it as a file (unless another
        // version was kept since the notice was made).
        if let Some(kept) = browser::Kept::of_file(&name) {
            if browser::read_kept(kept).as_deref() == Some(contents.as_str()) {
                browser::forget_kept(kept);
            }
        }
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

    present::use_presenting_remembered(state.presenting, &dispatch);
    // The left panel's drawer on narrow screens: open or closed is this window's business.
    let left_open = use_state(|| false);
    let toggle_left = {
        let left_open = left_open.clone();
        Callback::from(move |_: MouseEvent| left_open.set(!*left_open))
    };
    let class = classes!(
        "app",
        state.large_type.then_some("large-type"),
        state.presenting.then_some("presenting")
    );
    let workspace = classes!("workspace", left_open.then_some("left-open"));
    html! {
        <div {class} data-testid="app">
            { ui::focus::skip_links() }
            <ui::toolbar::Toolbar
                topology={state.topology.clone()}
                can_undo={!state.undo.is_empty()}
                can_redo={!state.redo.is_empty()}
                large_type={state.large_type}
                presenting={state.presenting}
                share_url={state.share_link.clone().map(AttrValue::from)}
                share_copied={state.share_copied}
                dispatch={dispatch.clone()}
                {on_command}
                {on_close_share}
            />
            <ui::compare::CompareBar
                pinned={state.baseline.is_some()}
                compare={derived.compare.clone()}
                pending={derived.compare_pending}
                dispatch={dispatch.clone()}
                on_open_baseline={compare::on_open_baseline(&dispatch)}
            />
            <ui::notices::Notices notices={Rc::new(state.notices.clone())} dispatch={dispatch.clone()} {on_download} />
            { for progress }
            <div class={workspace} {ondragover} {ondrop}>
                { panes::left_panel(&state, problems, &dispatch, &toggle_left) }
                { panes::center(&state, &derived, &dispatch, (*left_open, &toggle_left)) }
                { panes::explanation_panel(&state, &derived, &dispatch) }
            </div>
        </div>
    }
}
