//! The lint view: every finding of the core's priority-aware lint, with where it is, what it
//! means and, where one exists, a button applying the fix. Only the findings on screen are
//! drawn, and only they need to be on the page: the others are asked for as they scroll into
//! view (a large topology's findings stay in the engine's worker).

use yew::prelude::*;

use crate::engine::findings::{LintView, RowsWanted};
use crate::engine::transfer::{LintFinding as Finding, LintSeverity as Severity};
use crate::state::Action;
use crate::types::{Selection, Shared};
use crate::ui::overview::scroll::VirtualList;

/// Props of [`LintPanel`].
#[derive(PartialEq, Properties)]
pub struct LintProps {
    /// The findings of the current topology: their counts and the rows taken in.
    pub findings: Shared<LintView>,
    /// Asks for rows not taken in yet.
    pub ask_rows: Callback<RowsWanted>,
    /// State changes.
    pub dispatch: Callback<Action>,
}

/// The height of a finding while the list is virtualised: a large topology has thousands,
/// and only those on screen are drawn.
const ROW: f64 = 132.0;

/// Which findings are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Filter {
    All,
    Only(Severity),
}

impl Filter {
    fn severity(self) -> Option<Severity> {
        match self {
            Filter::All => None,
            Filter::Only(severity) => Some(severity),
        }
    }
}

fn severity_words(severity: Severity) -> (&'static str, &'static str) {
    match severity {
        Severity::Error => ("\u{2716}", "error"),
        Severity::Warning => ("\u{26a0}", "warning"),
        Severity::Info => ("\u{2139}", "info"),
    }
}

/// The panel.
#[component]
pub fn LintPanel(props: &LintProps) -> Html {
    let filter = use_state(|| Filter::All);
    let drawn = use_state(|| (0usize, 0usize));
    let view = &*props.findings;
    let counts = view.counts;
    let (errors, warnings, infos) = (counts.errors, counts.warnings, counts.infos);
    {
        // The rows drawn that are not in yet are asked for, once per window, filter and
        // findings.
        let (view, ask_rows) = (props.findings.clone(), props.ask_rows.clone());
        let severity = filter.severity();
        use_effect_with(
            (severity, *drawn, view.findings),
            move |(severity, (from, to), _)| {
                if !view.has(*severity, *from, *to) {
                    ask_rows.emit((*severity, *from, *to));
                }
            },
        );
    }
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<web_sys::HtmlSelectElement>() {
                filter.set(match select.value().as_str() {
                    "error" => Filter::Only(Severity::Error),
                    "warning" => Filter::Only(Severity::Warning),
                    "info" => Filter::Only(Severity::Info),
                    _ => Filter::All,
                });
            }
        })
    };
    let summary = if counts.total() == 0 {
        "No findings: no shadowed, redundant or over-broad rule, and every limit is respected."
            .to_owned()
    } else {
        format!(
            "{} findings: {errors} errors, {warnings} warnings, {infos} infos",
            counts.total()
        )
    };
    let on_window = {
        let drawn = drawn.clone();
        Callback::from(move |window: (usize, usize)| drawn.set(window))
    };
    html! {
        <section class="lint" aria-label="Lint" data-testid="lint">
            <div class="lint-head">
                <p class="lint-summary" data-testid="lint-summary" aria-live="polite">{ summary }</p>
                <label for="lint-filter">{ "Show" }</label>
                <select id="lint-filter" onchange={on_filter} data-testid="lint-filter">
                    <option value="all" selected={*filter == Filter::All}>{ "all" }</option>
                    <option value="error" selected={*filter == Filter::Only(Severity::Error)}>{ "errors" }</option>
                    <option value="warning" selected={*filter == Filter::Only(Severity::Warning)}>{ "warnings" }</option>
                    <option value="info" selected={*filter == Filter::Only(Severity::Info)}>{ "infos" }</option>
                </select>
            </div>
            <VirtualList class="findings" count={counts.shown(filter.severity())} row_height={ROW} {on_window} render={{
                let (findings, dispatch, severity) = (props.findings.clone(), props.dispatch.clone(), filter.severity());
                Callback::from(move |at: usize| match findings.row(severity, at) {
                    Some((index, finding)) => finding_view(index, finding, &dispatch),
                    None => html! {
                        <li class="finding finding-pending" aria-busy="true">{ "Loading the finding\u{2026}" }</li>
                    },
                })
            }} />
        </section>
    }
}

fn finding_view(index: usize, finding: &Finding, dispatch: &Callback<Action>) -> Html {
    let (icon, severity) = severity_words(finding.severity);
    let code = finding.code.clone();
    let location = match (&finding.security_group, finding.rule_index) {
        (Some(group), Some(rule)) => Some((group.clone(), format!("rule {} of {group}", rule + 1))),
        (Some(group), None) => Some((group.clone(), group.to_string())),
        _ => None,
    };
    html! {
        <li class={classes!("finding", severity)} data-testid={format!("finding-{index}")} data-code={code.clone()}>
            <div class="finding-head">
                <span class="severity" aria-hidden="true">{ icon }</span>
                <span class="finding-severity">{ severity }</span>
                <code class="finding-code">{ code }</code>
                if let Some((group, text)) = location {
                    <button type="button" class="link" title="Show the group's rules"
                        onclick={dispatch.reform(move |_: MouseEvent| Action::Select(Selection::Group(group.clone())))}>
                        { text }
                    </button>
                } else if let Some(endpoint) = &finding.endpoint {
                    <span class="finding-where">{ endpoint.to_string() }</span>
                }
            </div>
            <p class="finding-message" title={finding.message.clone()}>{ &finding.message }</p>
            { crate::ui::widgets::fix_or_advice(finding.fix.as_ref(), &finding.fix_text, format!("lint-fix-{index}"), dispatch) }
        </li>
    }
}
