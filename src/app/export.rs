//! Exports by the core's exporters (Terraform, the aliyun CLI script): the topology's sglab
//! JSON goes to a Web Worker of the engine, whose module holds the exporters so that the page's
//! module need not; the answer downloads as a file, or a notice says why it could not, and the
//! worker stops.

use yew::prelude::*;

use crate::browser;
use crate::engine::transfer::{FromWorker, ToWorker};
use crate::engine::ExportFormat;
use crate::state::Action;
use crate::types::{Level, Notice};

/// Exports the topology (its sglab JSON) to `format` in the engine's worker and downloads the
/// text as [`ExportFormat::file_name`]; a failure becomes a notice.
pub fn export(json: String, format: ExportFormat, dispatch: Callback<Action>) {
    let request = ToWorker::Export {
        job: 0,
        json,
        format,
    };
    let asked = {
        let dispatch = dispatch.clone();
        super::ask::ask(&request, move |answer| match answer {
            Ok(FromWorker::Exported { text, .. }) => {
                browser::download_text(format.file_name(), format.mime(), &text)
            }
            Ok(FromWorker::Failed { message, .. }) | Err(message) => {
                dispatch.emit(not_exported(format, &message))
            }
            Ok(_) => dispatch.emit(not_exported(
                format,
                "the engine's worker answered something else",
            )),
        })
    };
    match asked {
        Some(question) => question.detach(),
        None => dispatch.emit(not_exported(
            format,
            "this browser cannot start Web Workers",
        )),
    }
}

/// The notice of an export that did not happen.
fn not_exported(format: ExportFormat, message: &str) -> Action {
    Action::Notify(Notice {
        details: message.lines().map(str::to_owned).collect(),
        ..Notice::new(
            Level::Error,
            format!(
                "Nothing was exported: the {} export could not run",
                format.words()
            ),
        )
    })
}
