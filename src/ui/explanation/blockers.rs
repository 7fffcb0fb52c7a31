//! "Blocked by": for each side, the decision that decided it, then the others that would still
//! block, in the order they would apply, if it were removed.

use sglab_core::explain::{Blocker, Decision, Explanation};
use sglab_core::model::{Direction, Policy};
use yew::prelude::*;

/// The section, absent when nothing blocks.
pub(super) fn view(explanation: &Explanation) -> Html {
    if explanation.blockers.is_empty() {
        return Html::default();
    }
    let decided = |blocker: &Blocker| match blocker.side {
        Some(Direction::Egress) => blocker.decision == explanation.egress.decided_by,
        Some(Direction::Ingress) => blocker.decision == explanation.ingress.decided_by,
        None => true,
    };
    html! {
        <section class="blockers" data-testid="blockers">
            <h3>{ format!("Blocked by ({})", explanation.blockers.len()) }</h3>
            <ul>
                { for explanation.blockers.iter().map(|blocker| {
                    let first = decided(blocker);
                    let (role, class, words) = if first {
                        ("decided", "blocker decided", "Decided by: ")
                    } else {
                        ("still", "blocker still", "Would still block: ")
                    };
                    html! {
                        <li {class} data-testid="blocker" data-role={role}>
                            <span aria-hidden="true">{ if first { "\u{2716} " } else { "\u{21b3} " } }</span>
                            <span class="blocker-role">{ words }</span>
                            { match blocker.side { Some(Direction::Egress) => "outbound: ", Some(Direction::Ingress) => "inbound: ", None => "" } }
                            { decision_words(&blocker.decision) }
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}

/// A blocking decision in words: `drop rule 1 of sg-app (priority 1, ...)`, `the default
/// deny (no rule matched; ...)`.
fn decision_words(decision: &Decision) -> String {
    match decision {
        Decision::Rule(rule) => {
            let policy = match rule.policy {
                Policy::Accept => "accept",
                Policy::Drop => "drop",
            };
            format!("{policy} {rule}")
        }
        Decision::Default { reason, .. } => format!("the default deny ({reason})"),
        other => other.to_string(),
    }
}
