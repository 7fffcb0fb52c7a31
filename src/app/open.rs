//! Files opened, dropped or pasted. Their texts go to a Web Worker of the engine, whose module
//! holds the importers (aliyun responses, Terraform plans, states and .tf files) so that the
//! page's module need not: the worker answers with the topology as sglab JSON or every problem
//! found, and stops. Its module is fetched the first time a file is opened, never at start.
//! The page reads that JSON as any text it is given ([`super::evaluation::read`]): a large one
//! in the engine's evaluation worker, which sends the model back in parts.

use std::cell::RefCell;
use std::rc::Rc;

use sglab_core::diagnostic::Diagnostic;
use sglab_core::model::Topology;
use yew::prelude::*;

use crate::engine;
use crate::engine::transfer::{FromWorker, ToWorker};
use crate::state::Action;
use crate::types::{Level, Notice, Origin, Shared};

/// Files read into one topology with the load's warnings, or the notice of what was wrong.
pub type Read = Result<(Shared<Topology>, Vec<Diagnostic>), Notice>;

/// A file's name and its text, or why it could not be read.
pub type FileText = (String, Result<String, String>);

/// Reads the files and dispatches the load, or the notice of what was wrong.
pub fn open(files: Vec<FileText>, dispatch: Callback<Action>) {
    let origin = Origin::Files(files.iter().map(|(name, _)| name.clone()).collect());
    read(files, move |read| {
        dispatch.emit(match read {
            Ok((topology, warnings)) => Action::Load {
                topology,
                origin,
                warnings,
            },
            Err(notice) => Action::Notify(notice),
        });
    });
}

/// Reads the files and pins what they hold as the compare mode's baseline, or says why not.
pub fn open_baseline(files: Vec<FileText>, dispatch: Callback<Action>) {
    read(files, move |read| {
        dispatch.emit(match read {
            Ok((topology, _warnings)) => Action::SetBaseline(topology),
            Err(notice) => Action::Notify(notice),
        });
    });
}

/// Reads the files into one topology in the engine's worker and calls `done` once with it.
pub fn read(files: Vec<FileText>, done: impl FnOnce(Read) + 'static) {
    if let Some(notice) = engine::unreadable_files(&files) {
        done(Err(notice));
        return;
    }
    let names: Vec<String> = files.iter().map(|(name, _)| name.clone()).collect();
    let texts: Vec<(String, String)> = files
        .into_iter()
        .filter_map(|(name, text)| text.ok().map(|text| (name, text)))
        .collect();
    let request = ToWorker::Open {
        job: 0,
        files: texts,
    };
    // Called once: from the worker's answer, or at once when no worker starts.
    let done = Rc::new(RefCell::new(Some(done)));
    let asked = {
        let done = Rc::clone(&done);
        super::ask::ask(&request, move |answer| {
            let Some(done) = done.borrow_mut().take() else {
                return;
            };
            match answer {
                Ok(FromWorker::Opened {
                    result: Ok(opened), ..
                }) => {
                    let engine::Opened { json, warnings } = opened;
                    super::evaluation::read(json, "opened files", move |read| {
                        done(match read {
                            Ok((topology, _)) => Ok((topology, warnings)),
                            Err(problems) => engine::opened_topology(&names, Err(problems))
                                .map(|(topology, warnings)| (Shared::new(topology), warnings)),
                        });
                    });
                }
                Ok(FromWorker::Opened {
                    result: Err(problems),
                    ..
                }) => done(
                    engine::opened_topology(&names, Err(problems))
                        .map(|(topology, warnings)| (Shared::new(topology), warnings)),
                ),
                Ok(FromWorker::Failed { message, .. }) | Err(message) => {
                    done(Err(worker_failed(&message)));
                }
                Ok(_) => done(Err(worker_failed(
                    "the engine's worker answered something else",
                ))),
            }
        })
    };
    match asked {
        Some(question) => question.detach(),
        None => {
            if let Some(done) = done.borrow_mut().take() {
                done(Err(worker_failed("this browser cannot start Web Workers")));
            }
        }
    }
}

/// The notice of files that could not be read because the engine's worker failed.
fn worker_failed(message: &str) -> Notice {
    Notice {
        details: vec![message.to_owned()],
        ..Notice::new(
            Level::Error,
            "Nothing was opened: the engine's worker, which reads files, could not run",
        )
    }
}
