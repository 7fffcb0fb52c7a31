//! The explanation panel: the verdict in colour and words, what decided each side, every
//! blocker, the notes, and a step-through of the rules considered, for teaching.

use sglab_core::doctor::Diagnosis;
use sglab_core::explain::{Explanation, SideResult};
use sglab_core::model::{Direction, Topology, Verdict};
use yew::prelude::*;

use crate::engine::steps;
use crate::state::Action;
use crate::types::{Selection, Shared};

/// Props of [`ExplanationPanel`].
#[derive(PartialEq, Properties)]
pub struct ExplanationProps {
    /// The topology (for names).
    pub topology: Shared<Topology>,
    /// The explanation.
    pub explanation: Shared<Explanation>,
    /// What the doctor found for the same query.
    pub diagnoses: Shared<Vec<Diagnosis>>,
    /// The current step.
    pub step: usize,
    /// The diff against the pinned baseline, for the question's before and after.
    pub compare: Option<Shared<crate::engine::Compare>>,
    /// How many questions were asked: each new one moves the focus to the verdict.
    #[prop_or_default]
    pub questions: u64,
    /// State changes.
    pub dispatch: Callback<Action>,
}

fn verdict_badge(verdict: Verdict, testid: String) -> Html {
    let (class, text) = match verdict {
        Verdict::Allow => ("verdict-badge allow", "\u{2714} allowed"),
        Verdict::Deny => ("verdict-badge deny", "\u{2716} blocked"),
    };
    html! { <span {class} data-testid={testid} data-verdict={verdict.to_string()}>{ text }</span> }
}

/// The panel.
#[component]
pub fn ExplanationPanel(props: &ExplanationProps) -> Html {
    let explanation = &*props.explanation;
    let topology = &*props.topology;
    super::focus::use_answer_focus(props.questions, "[data-testid=\"verdict\"]", ".explanation");
    let name = |id: &sglab_core::model::EndpointId| {
        topology
            .endpoints
            .get(id)
            .map(|e| crate::ui::tree::display_name(&e.name, id.as_str()))
            .unwrap_or_else(|| id.to_string())
    };
    let steps = steps(explanation);
    let step = props.step.min(steps.len().saturating_sub(1));
    let close = props
        .dispatch
        .reform(|_: MouseEvent| Action::CloseExplanation);
    let previous = props
        .dispatch
        .reform(move |_: MouseEvent| Action::Step(step.saturating_sub(1)));
    let next = {
        let last = steps.len().saturating_sub(1);
        props
            .dispatch
            .reform(move |_: MouseEvent| Action::Step((step + 1).min(last)))
    };
    let allowed = explanation.verdict == Verdict::Allow;
    let port = explanation
        .port
        .map(|p| format!(" port {p}"))
        .unwrap_or_default();
    let question = format!(
        "Can {} reach {} on {}{}?",
        name(&explanation.from),
        name(&explanation.to),
        explanation.protocol.as_str().to_ascii_uppercase(),
        port
    );
    let side_view = |title: String, result: &SideResult, testid: &'static str| {
        let select =
            match &result.decided_by {
                sglab_core::explain::Decision::Rule(rule) => {
                    let group = rule.security_group.clone();
                    Some(props.dispatch.reform(move |_: MouseEvent| {
                        Action::Select(Selection::Group(group.clone()))
                    }))
                }
                _ => None,
            };
        html! {
            <div class={classes!("side", if result.verdict == Verdict::Allow { "allow" } else { "deny" })} data-testid={testid}>
                <div class="side-head">
                    <span class="side-title">{ title }</span>
                    { verdict_badge(result.verdict, format!("{testid}-verdict")) }
                </div>
                <div class="side-decision" data-testid={format!("{testid}-decision")}>
                    <span class="decision-kind">{ result.decided_by.kind() }</span>
                    { " " }{ result.decided_by.to_string() }
                </div>
                if let Some(onclick) = select {
                    <button type="button" class="link" {onclick}>{ "Show in its group's rules" }</button>
                }
            </div>
        }
    };

    html! {
        <aside class="explanation" aria-label="Explanation" data-testid="explanation">
            <div class="explanation-head">
                <h2>{ "Why?" }</h2>
                <button type="button" class="icon-button" aria-label="Close the explanation (Escape)" title="Close (Escape)"
                    data-testid="explanation-close" onclick={close}>{ "\u{00d7}" }</button>
            </div>
            <p class="question" data-testid="question">{ question }</p>
            <div class={classes!("verdict", if allowed { "allow" } else { "deny" })} data-testid="verdict" data-verdict={explanation.verdict.to_string()} tabindex="-1">
                <span class="verdict-icon" aria-hidden="true">{ if allowed { "\u{2714}" } else { "\u{2716}" } }</span>
                <span class="verdict-text">{ if allowed { "allowed" } else { "blocked" } }</span>
                <span class="service" data-testid="service">{ format!("service: {}", explanation.service) }</span>
            </div>
            { props.compare.as_ref().map(|c| super::compare::before_after(c, explanation)).unwrap_or_default() }
            { side_view(format!("Outbound from {}", name(&explanation.from)), &explanation.egress, "egress") }
            { side_view(format!("Inbound to {}", name(&explanation.to)), &explanation.ingress, "ingress") }
            if !explanation.blockers.is_empty() {
                <section class="blockers" data-testid="blockers">
                    <h3>{ format!("Blocked by ({})", explanation.blockers.len()) }</h3>
                    <ul>
                        { for explanation.blockers.iter().map(|blocker| html! {
                            <li data-testid="blocker">
                                <span aria-hidden="true">{ "\u{2716} " }</span>
                                { match blocker.side { Some(Direction::Egress) => "outbound: ", Some(Direction::Ingress) => "inbound: ", None => "" } }
                                { blocker.decision.to_string() }
                            </li>
                        }) }
                    </ul>
                </section>
            }
            { doctor_view(&props.diagnoses, allowed, &props.dispatch) }
            if !explanation.notes.is_empty() {
                <section class="notes" data-testid="notes">
                    <h3>{ "Notes" }</h3>
                    <ul>{ for explanation.notes.iter().map(|note| html! { <li>{ note }</li> }) }</ul>
                </section>
            }
            <section class="walk" data-testid="walk">
                <h3>{ "Step through the rules" }</h3>
                if steps.is_empty() {
                    <p class="hint">{ "No rule was considered: the decision above came from a default, the intra-group policy or the platform." }</p>
                } else {
                    <div class="walk-controls">
                        <button type="button" onclick={previous} disabled={step == 0} data-testid="step-previous">{ "\u{25c0} Previous" }</button>
                        <span class="walk-position" data-testid="step-position" aria-live="polite">{ format!("Step {} of {}", step + 1, steps.len()) }</span>
                        <button type="button" onclick={next} disabled={step + 1 >= steps.len()} data-testid="step-next">{ "Next \u{25b6}" }</button>
                    </div>
                    <ol class="walk-list">
                        { for steps.iter().enumerate().map(|(index, s)| {
                            let current = index == step;
                            let onclick = props.dispatch.reform(move |_: MouseEvent| Action::Step(index));
                            html! {
                                <li class={classes!("walk-step", current.then_some("current"), if s.matched { "matched" } else { "skipped" })}
                                    data-testid={format!("step-{index}")} aria-current={current.then_some("step")}>
                                    <button type="button" class="walk-step-button" {onclick}>
                                        <span class="walk-side">{ if s.side == Direction::Egress { "out" } else { "in" } }</span>
                                        <span class="walk-match" aria-hidden="true">{ if s.matched { "\u{2714}" } else { "\u{2013}" } }</span>
                                        <span class="walk-rule">{ s.rule.to_string() }</span>
                                    </button>
                                    if current {
                                        <div class="walk-reason" data-testid="step-reason">
                                            { &s.reason }
                                        </div>
                                    }
                                </li>
                            }
                        }) }
                    </ol>
                }
            </section>
            <details class="as-text">
                <summary>{ "As text" }</summary>
                <pre data-testid="explanation-text">{ crate::engine::explanation_text(explanation) }</pre>
            </details>
        </aside>
    }
}

/// The doctor's answer: each cause with its evidence and a button applying its fix. Open by
/// itself when the query is blocked; on demand otherwise.
fn doctor_view(diagnoses: &[Diagnosis], allowed: bool, dispatch: &Callback<Action>) -> Html {
    let title = if diagnoses.is_empty() {
        "What to change".to_owned()
    } else {
        format!("What to change ({})", diagnoses.len())
    };
    html! {
        <details class="doctor" open={!allowed || !diagnoses.is_empty()} data-testid="doctor">
            <summary data-testid="doctor-toggle">{ title }</summary>
            if diagnoses.is_empty() {
                <p class="hint" data-testid="doctor-none">{ "Nothing to fix: the groups allow this connection and no declared service is down." }</p>
            }
            <ol class="diagnoses">
                { for diagnoses.iter().enumerate().map(|(index, diagnosis)| {
                    let code = diagnosis.code.to_string();
                    html! {
                        <li class="diagnosis" data-testid={format!("diagnosis-{code}")}>
                            <div class="diagnosis-head">
                                <span class="diagnosis-code">{ code.clone() }</span>
                                <span class="diagnosis-summary">{ &diagnosis.summary }</span>
                            </div>
                            if !diagnosis.evidence.is_empty() {
                                <ul class="evidence">
                                    { for diagnosis.evidence.iter().map(|line| html! { <li>{ line }</li> }) }
                                </ul>
                            }
                            { crate::ui::widgets::fix_or_advice(diagnosis.fix.as_ref(), &diagnosis.fix_text, format!("fix-{index}"), dispatch) }
                        </li>
                    }
                }) }
            </ol>
        </details>
    }
}
