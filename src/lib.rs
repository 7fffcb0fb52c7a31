//! The sglab web app: a Yew front end over `sglab-core`.

use yew::prelude::*;

/// The root component.
#[component]
pub fn App() -> Html {
    html! { <main data-testid="app"><h1>{ "sglab" }</h1></main> }
}
