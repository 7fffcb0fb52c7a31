//! The lint view: every finding of the core's priority-aware lint, with where it is, what it
//! means and, where one exists, a button applying the fix.

use sglab_core::lint::{Finding, Severity};
use yew::prelude::*;

use crate::state::Action;
use crate::types::{Selection, Shared};

/// Props of [`LintPanel`].
#[derive(PartialEq, Properties)]
pub struct LintProps {
    /// The findings of the current topology.
    pub findings: Shared<Vec<Finding>>,
    /// State changes.
    pub dispatch: Callback<Action>,
}

/// How many findings are drawn at once; a large topology can have thousands.
const PAGE: usize = 200;

/// Which findings are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Filter {
    All,
    Only(Severity),
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
    let shown_count = use_state(|| PAGE);
    let findings = &*props.findings;
    let count = |severity: Severity| findings.iter().filter(|f| f.severity == severity).count();
    let (errors, warnings, infos) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let on_filter = {
        let filter = filter.clone();
        let shown_count = shown_count.clone();
        Callback::from(move |event: Event| {
            shown_count.set(PAGE);
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
    let shown: Vec<(usize, &Finding)> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| match *filter {
            Filter::All => true,
            Filter::Only(severity) => f.severity == severity,
        })
        .collect();
    let summary = if findings.is_empty() {
        "No findings: no shadowed, redundant or over-broad rule, and every limit is respected."
            .to_owned()
    } else {
        format!(
            "{} findings: {errors} errors, {warnings} warnings, {infos} infos",
            findings.len()
        )
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
            <ul class="findings">
                { for shown.iter().take(*shown_count).map(|(index, finding)| finding_view(*index, finding, &props.dispatch)) }
            </ul>
            if shown.len() > *shown_count {
                <button type="button" data-testid="lint-more"
                    onclick={{
                        let shown_count = shown_count.clone();
                        Callback::from(move |_: MouseEvent| shown_count.set(*shown_count + PAGE))
                    }}>
                    { format!("Show {} more of {}", (shown.len() - *shown_count).min(PAGE), shown.len() - *shown_count) }
                </button>
            }
        </section>
    }
}

fn finding_view(index: usize, finding: &Finding, dispatch: &Callback<Action>) -> Html {
    let (icon, severity) = severity_words(finding.severity);
    let code = finding.code.to_string();
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
            <p class="finding-message">{ &finding.message }</p>
            { crate::ui::widgets::fix_or_advice(finding.fix.as_ref(), &finding.fix_text, format!("lint-fix-{index}"), dispatch) }
        </li>
    }
}
