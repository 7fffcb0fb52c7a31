//! The explanation panel: the verdict in colour and words, what decided each side, every
//! blocker, the notes, and a step-through of the rules considered, for teaching.

use sglab_core::doctor::Diagnosis;
use sglab_core::explain::{Explanation, SideResult};
use sglab_core::model::{Topology, Verdict};
use yew::prelude::*;

use crate::engine::steps;
use crate::state::Action;
use crate::types::{Selection, Shared};

mod blockers;
mod doctor;
mod walk;

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
            { blockers::view(explanation) }
            { doctor::view(&props.diagnoses, allowed, &props.dispatch) }
            if !explanation.notes.is_empty() {
                <section class="notes" data-testid="notes">
                    <h3>{ "Notes" }</h3>
                    <ul>{ for explanation.notes.iter().map(|note| html! { <li>{ note }</li> }) }</ul>
                </section>
            }
            { walk::view(&steps, step, &props.dispatch) }
            <details class="as-text">
                <summary>{ "As text" }</summary>
                <pre data-testid="explanation-text">{ crate::engine::explanation_text(explanation) }</pre>
            </details>
        </aside>
    }
}
