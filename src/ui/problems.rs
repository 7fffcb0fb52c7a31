//! The problems of the current topology, from the core's validation.

use yew::prelude::*;

use sglab_core::diagnostic::Diagnostic;

use crate::types::Shared;

/// Props of [`Problems`].
#[derive(PartialEq, Properties)]
pub struct ProblemsProps {
    /// The validation diagnostics of the current topology.
    pub problems: Shared<Vec<Diagnostic>>,
}

/// The list of validation problems, hidden when there are none.
#[component]
pub fn Problems(props: &ProblemsProps) -> Html {
    let problems = &*props.problems;
    if problems.is_empty() {
        return html! {};
    }
    html! {
        <section class="problems" aria-label="Problems" data-testid="problems">
            <h3>{ format!("Problems ({})", problems.len()) }</h3>
            <ul>
                { for problems.iter().take(30).map(|problem| html! {
                    <li class={if problem.is_error() { "problem error" } else { "problem warning" }}>
                        <span aria-hidden="true">{ if problem.is_error() { "\u{2716} " } else { "\u{26a0} " } }</span>
                        { problem.to_string() }
                    </li>
                }) }
            </ul>
        </section>
    }
}
