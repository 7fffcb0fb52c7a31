//! Files opened, dropped or pasted: the page keeps the files it could not read for a notice,
//! the engine's Web Worker reads the others into one topology ([`import_files`], the only
//! caller of the core's importers, so that they are not in the page's module), and the page
//! loads the answer ([`opened_topology`]).

use sglab_core::diagnostic::Diagnostic;
use sglab_core::model::Topology;

use super::{parse_sglab, to_json};
use crate::types::{Level, Notice};

/// The notice for files that could not be read, when any could not; `None` when every file
/// has its text.
pub fn unreadable_files(files: &[(String, Result<String, String>)]) -> Option<Notice> {
    let unreadable: Vec<String> = files
        .iter()
        .filter_map(|(name, contents)| {
            contents
                .as_ref()
                .err()
                .map(|error| format!("{name}: could not be read: {error}"))
        })
        .collect();
    (!unreadable.is_empty()).then(|| Notice {
        details: unreadable,
        ..Notice::new(Level::Error, "Nothing was opened: a file could not be read")
    })
}

/// Reads the texts of files opened, dropped or pasted (sglab JSON, aliyun responses, Terraform
/// plans, states, .tf and .tfvars files) into one topology, given back as sglab JSON with the
/// load's warnings, or every problem with its file, object, rule and field. The engine's Web
/// Worker runs it, so that the importers stay out of the page's module.
pub fn import_files(files: &[(String, String)]) -> Result<Opened, Vec<Diagnostic>> {
    sglab_core::import::load_files(files).map(|loaded| Opened {
        json: to_json(&loaded.topology),
        warnings: loaded.warnings,
    })
}

/// Files read into one topology, as the worker gives it to the page.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Opened {
    /// The topology as sglab JSON.
    pub json: String,
    /// The warnings of the load.
    pub warnings: Vec<Diagnostic>,
}

/// The topology and warnings of an [`import_files`] answer, or the notice listing every
/// problem, naming the files. The caller turns either into an action; the topology is left as
/// it was on a refusal.
pub fn opened_topology(
    names: &[String],
    answer: Result<Opened, Vec<Diagnostic>>,
) -> Result<(Topology, Vec<Diagnostic>), Notice> {
    let refused = |diagnostics: &[Diagnostic]| {
        Notice::with_diagnostics(
            Level::Error,
            format!(
                "Nothing was opened: {} has problems; the current topology is unchanged",
                names.join(", ")
            ),
            diagnostics,
        )
    };
    let opened = answer.map_err(|diagnostics| refused(&diagnostics))?;
    // The worker validated the topology; its own sglab JSON reads back without a problem.
    let (topology, _) = parse_sglab(&opened.json, "opened files").map_err(|d| refused(&d))?;
    Ok((topology, opened.warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(path: &str) -> (String, String) {
        let root = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/crates/sglab-core/tests/fixtures/"
        );
        let text = std::fs::read_to_string(format!("{root}{path}"));
        let name = path.rsplit('/').next().unwrap_or(path).to_owned();
        (name, text.unwrap_or_else(|error| panic!("{path}: {error}")))
    }

    fn names(files: &[(String, String)]) -> Vec<String> {
        files.iter().map(|(name, _)| name.clone()).collect()
    }

    /// What the worker answers loads on the page as the very topology the core imports.
    #[test]
    fn opened_files_arrive_as_the_core_reads_them() {
        let sets = [
            vec![
                fixture("aliyun/describe-security-groups.json"),
                fixture("aliyun/describe-security-group-attribute-web.json"),
                fixture("aliyun/describe-security-group-attribute-db.json"),
                fixture("aliyun/describe-instances.json"),
                fixture("aliyun/describe-network-interfaces.json"),
            ],
            vec![
                fixture("terraform/literal/network.tf"),
                fixture("terraform/literal/security.tf"),
                fixture("terraform/literal/servers.tf"),
                fixture("terraform/literal/variables.tf"),
                fixture("terraform/literal/office.tfvars"),
            ],
            vec![fixture("terraform/module/plan.json")],
        ];
        for files in sets {
            let Ok(core) = sglab_core::import::load_files(&files) else {
                panic!("the core reads {:?}", names(&files));
            };
            let answer = import_files(&files);
            let page = opened_topology(&names(&files), answer);
            assert_eq!(
                page,
                Ok((core.topology, core.warnings)),
                "{:?}",
                names(&files)
            );
        }
    }

    /// A refusal names the files and keeps every diagnostic with its file and line.
    #[test]
    fn refused_files_keep_their_file_and_line() {
        let files = vec![fixture("terraform/module/main.tf")];
        let Err(diagnostics) = sglab_core::import::load_files(&files) else {
            panic!("a module call is refused");
        };
        let Err(notice) = opened_topology(&names(&files), import_files(&files)) else {
            panic!("the page shows the refusal");
        };
        assert!(
            notice.title.contains("main.tf has problems"),
            "{}",
            notice.title
        );
        let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(notice.details, lines);
    }

    #[test]
    fn unreadable_files_are_named() {
        let files = vec![
            ("a.json".to_owned(), Ok("{}".to_owned())),
            ("b.tf".to_owned(), Err("permission denied".to_owned())),
        ];
        let notice = unreadable_files(&files).map(|notice| notice.details);
        assert_eq!(
            notice,
            Some(vec!["b.tf: could not be read: permission denied".to_owned()])
        );
        assert_eq!(unreadable_files(&files[..1]), None);
    }
}
