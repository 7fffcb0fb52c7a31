//! The doctor's answer in the panel: each cause with its evidence and a button applying its
//! fix, which the core checked to allow the side it addresses; advice without a button where
//! a fix alone would not do.

use sglab_core::doctor::Diagnosis;
use yew::prelude::*;

use crate::state::Action;

/// The doctor's section. Open by itself when the query is blocked; on demand otherwise.
pub(super) fn view(diagnoses: &[Diagnosis], allowed: bool, dispatch: &Callback<Action>) -> Html {
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
            { plan(diagnoses, allowed) }
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

/// What the buttons do together for a blocked query whose every cause has a fix: the core
/// checked each one to open the side it addresses, and all of them to allow the connection.
fn plan(diagnoses: &[Diagnosis], allowed: bool) -> Html {
    if allowed || diagnoses.is_empty() || diagnoses.iter().any(|d| d.fix.is_none()) {
        return Html::default();
    }
    html! {
        <p class="doctor-plan" data-testid="doctor-plan">
            { "Each fix below was checked: applied, it opens the side it addresses, and together they allow this connection." }
        </p>
    }
}
