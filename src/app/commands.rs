//! The toolbar's browser commands: exports, the share link, opening files and examples.

use std::rc::Rc;

use sglab_core::model::Topology;
use yew::prelude::*;

use crate::browser;
use crate::engine::{self, Reach};
use crate::state::Action;
use crate::types::{Level, Notice, Origin, Shared};
use crate::ui::toolbar::Command;

/// Runs every browser command of the toolbar on `topology` (and its matrix `reach`).
pub fn on_command(
    dispatch: &Callback<Action>,
    topology: &Shared<Topology>,
    reach: &Rc<Reach>,
) -> Callback<Command> {
    let dispatch = dispatch.clone();
    let topology = topology.clone();
    let reach = Rc::clone(reach);
    Callback::from(move |command: Command| match command {
        Command::ExportJson => {
            let json = engine::to_json(&topology);
            browser::download_text(&file_stem(&topology, "json"), "application/json", &json);
        }
        Command::ExportSvg => match browser::diagram_svg() {
            Some(svg) => browser::download_svg(&file_stem(&topology, "svg"), &svg),
            None => dispatch.emit(open_the_diagram()),
        },
        Command::ExportPng => match browser::diagram_svg() {
            Some(svg) => browser::download_png(&file_stem(&topology, "png"), &svg),
            None => dispatch.emit(open_the_diagram()),
        },
        Command::ExportCsv => {
            browser::download_text(&file_stem(&topology, "csv"), "text/csv", &reach.csv());
        }
        Command::Export(format) => {
            super::export::export(engine::to_json(&topology), format, dispatch.clone());
        }
        Command::Share => {
            let payload = engine::link_payload(&topology);
            // A link the app would refuse to open is not offered.
            if let Err(too_long) = crate::codec::check_length(&payload) {
                dispatch.emit(Action::Notify(Notice {
                    details: vec![too_long.to_string()],
                    ..Notice::new(
                        Level::Warning,
                        "No share link was made: this topology is too large for one",
                    )
                }));
            } else {
                let url =
                    browser::url_with_fragment(&format!("{}{payload}", crate::codec::FRAGMENT_KEY));
                dispatch.emit(Action::ShowShareLink(url.clone()));
                let dispatch = dispatch.clone();
                browser::copy_to_clipboard(&url, move |copied| {
                    dispatch.emit(Action::ShareCopied(copied));
                    if !copied {
                        // The box stays open with the link selected, for copying by hand.
                        browser::select_input_text("share-url");
                    }
                });
            }
        }
        Command::Open(files) => {
            let dispatch = dispatch.clone();
            browser::read_files(files, move |contents| super::open::open(contents, dispatch));
        }
        Command::Example(id) => dispatch.emit(match engine::example(&id) {
            Ok(topology) => Action::Load {
                topology: Shared::new(topology),
                origin: Origin::Example(id),
                warnings: Vec::new(),
            },
            Err(diagnostics) => Action::Notify(Notice::with_diagnostics(
                Level::Error,
                format!("The example {id} could not be opened"),
                &diagnostics,
            )),
        }),
    })
}

/// The notice of an export of the diagram while another tab is shown.
fn open_the_diagram() -> Action {
    Action::Notify(Notice::new(
        Level::Info,
        "Open the diagram tab to export the diagram",
    ))
}

/// A download name from the topology's title.
pub fn file_stem(topology: &Topology, extension: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_come_from_the_title() {
        let named = |name: &str| Topology {
            name: name.to_owned(),
            ..Topology::default()
        };
        assert_eq!(
            file_stem(&named("AI gateway (prod)"), "json"),
            "ai-gateway--prod.json"
        );
        assert_eq!(file_stem(&named("  "), "csv"), "sglab.csv");
        assert_eq!(file_stem(&named("\u{00e9}t\u{00e9}"), "svg"), "t.svg");
    }
}
