//! The conventions nothing else enforces, checked over the source tree as a test (in the
//! manner of rust-analyzer's `xtask/src/tidy.rs`), so that `cargo test --workspace` keeps them:
//!
//! - the web app's components (`src/ui/`) reach the core's parsing and validation only through
//!   the view model (`src/engine/`): they never name `sglab_core::validate`,
//!   `sglab_core::format` or `sglab_core::import`;
//! - the web app sorts only through the core's shared routine (`sglab_core::sort`), never with
//!   the standard library's sorts or by collecting into a `BTreeSet`/`BTreeMap` with a turbofish,
//!   each of which compiles one more sorting routine into the WebAssembly bundle;
//! - no file is over its size limit ([`size_limit`]);
//! - the web app never writes HTML (`inner_html`) and never calls `unwrap()`;
//! - the web app's modules depend on each other one way: every `crate::` path points to a lower
//!   layer of [`LAYERS`], so there is no cycle;
//! - the core's top-level modules form no cycle either (code outside tests, not doc links).
//!
//! Each check is a function of (path, text) pairs, tested here on synthetic input, and run on
//! the tree by [`tidy`].

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The web app's top-level modules from the bottom layer up; a module may use only modules of
/// lower layers. Modules of one layer do not use each other.
const LAYERS: &[&[&str]] = &[
    &["types", "codec", "browser"],
    &["engine"],
    &["layout"],
    &["edit"],
    &["state"],
    &["ui"],
    &["app", "worker"],
];

/// Lines allowed in a component of `src/ui/` (a component is about 200 lines at most).
const UI_LINES: usize = 250;
/// Lines allowed in any other file of the web app.
const WEB_LINES: usize = 600;
/// Lines allowed in a file of the core.
const CORE_LINES: usize = 2_600;

/// Core modules the components must not name: the view model calls them.
const CORE_DOORS: &[&str] = &[
    "sglab_core::validate",
    "sglab_core::format",
    "sglab_core::import",
];

/// Sorts that compile a routine per element type.
const STANDARD_SORTS: &[&str] = &[
    ".sort()",
    ".sort_by(",
    ".sort_by_key(",
    ".sort_by_cached_key(",
    ".sort_unstable(",
    ".sort_unstable_by(",
    ".sort_unstable_by_key(",
    "collect::<BTreeSet",
    "collect::<BTreeMap",
    "collect::<std::collections::BTreeSet",
    "collect::<std::collections::BTreeMap",
];

/// One source file: its path from the project root, with `/` separators, and its text.
struct Source {
    path: String,
    text: String,
}

#[test]
fn tidy() {
    let root = super::project_root();
    let web = sources(&root, "src");
    let core = sources(&root, "crates/sglab-core");
    assert!(web.len() > 10 && core.len() > 10, "the tree was not found");
    let mut problems = Vec::new();
    problems.extend(components_use_the_view_model(&web));
    problems.extend(shared_sort_only(&web));
    problems.extend(sizes(web.iter().chain(&core)));
    problems.extend(no_html_no_unwrap(&web));
    problems.extend(layered(&web));
    problems.extend(acyclic(&core, "crates/sglab-core/src/"));
    assert!(problems.is_empty(), "tidy:\n{}", problems.join("\n"));
}

/// The components name no core module that parses or validates.
fn components_use_the_view_model(sources: &[Source]) -> Vec<String> {
    let mut problems = Vec::new();
    for source in sources.iter().filter(|s| s.path.starts_with("src/ui/")) {
        for (number, line) in numbered(&source.text) {
            for door in CORE_DOORS.iter().filter(|door| line.contains(**door)) {
                problems.push(format!(
                    "{}:{number}: names {door}; call a function of src/engine/ instead",
                    source.path
                ));
            }
        }
    }
    problems
}

/// The web app sorts only through `sglab_core::sort`.
fn shared_sort_only(sources: &[Source]) -> Vec<String> {
    let mut problems = Vec::new();
    for source in sources {
        for (number, line) in numbered(&source.text) {
            for sort in STANDARD_SORTS.iter().filter(|sort| line.contains(**sort)) {
                problems.push(format!(
                    "{}:{number}: `{sort}`; sort with sglab_core::sort (one routine in the bundle)",
                    source.path
                ));
            }
        }
    }
    problems
}

/// No file is over its limit.
fn sizes<'a>(sources: impl IntoIterator<Item = &'a Source>) -> Vec<String> {
    sources
        .into_iter()
        .filter_map(|source| {
            let limit = size_limit(&source.path)?;
            let lines = source.text.lines().count();
            (lines > limit).then(|| {
                format!(
                    "{}: {lines} lines, over the limit of {limit}; split it by concern",
                    source.path
                )
            })
        })
        .collect()
}

/// The most lines a file may have, or `None` when it has no limit.
fn size_limit(path: &str) -> Option<usize> {
    if path.starts_with("crates/sglab-core/") {
        Some(CORE_LINES)
    } else if path.starts_with("src/ui/") {
        Some(UI_LINES)
    } else if path.starts_with("src/") {
        Some(WEB_LINES)
    } else {
        None
    }
}

/// The web app writes no HTML and calls no `unwrap()`.
fn no_html_no_unwrap(sources: &[Source]) -> Vec<String> {
    let mut problems = Vec::new();
    for source in sources {
        for (number, line) in numbered(&source.text) {
            if line.contains("inner_html") {
                problems.push(format!(
                    "{}:{number}: inner_html; user text is rendered only as text nodes",
                    source.path
                ));
            }
            if line.contains(".unwrap()") {
                problems.push(format!(
                    "{}:{number}: unwrap(); handle the case, or `expect` a reason in a test",
                    source.path
                ));
            }
        }
    }
    problems
}

/// Every `crate::` path of a top-level module points to a lower layer.
fn layered(sources: &[Source]) -> Vec<String> {
    let layer_of: BTreeMap<&str, usize> = LAYERS
        .iter()
        .enumerate()
        .flat_map(|(layer, modules)| modules.iter().map(move |module| (*module, layer)))
        .collect();
    let mut problems = BTreeSet::new();
    for source in sources {
        let Some(module) = top_module(&source.path) else {
            continue;
        };
        let Some(&layer) = layer_of.get(module.as_str()) else {
            problems.insert(format!(
                "{}: module `{module}` is in no layer of tidy.rs LAYERS",
                source.path
            ));
            continue;
        };
        for used in crate_uses(&source.text) {
            if used == module {
                continue;
            }
            match layer_of.get(used.as_str()) {
                Some(&used_layer) if used_layer < layer => {}
                _ => {
                    problems.insert(format!(
                        "{}: `{module}` uses `crate::{used}`, which is not below it",
                        source.path
                    ));
                }
            }
        }
    }
    problems.into_iter().collect()
}

/// The top-level modules of the crate under `prefix` use each other without a cycle: each cycle
/// found is named with its path of modules. Comments and `#[cfg(test)]` modules do not count.
fn acyclic(sources: &[Source], prefix: &str) -> Vec<String> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in sources {
        let Some(inside) = source.path.strip_prefix(prefix) else {
            continue;
        };
        let Some(module) = top_module(&format!("src/{inside}")) else {
            continue;
        };
        let code = source
            .text
            .split("#[cfg(test)]\nmod ")
            .next()
            .unwrap_or_default();
        let code: String = numbered(code)
            .map(|(_, line)| format!("{line}\n"))
            .collect();
        let uses: Vec<String> = crate_uses(&code)
            .into_iter()
            .filter(|used| *used != module)
            .collect();
        graph.entry(module).or_default().extend(uses);
    }
    let mut problems = Vec::new();
    let mut done = BTreeSet::new();
    for start in graph.keys() {
        let mut path = vec![start.clone()];
        find_cycle(&graph, &mut path, &mut done, &mut problems);
    }
    problems
}

/// Depth-first search from the last module of `path`; a module met again on the path is a
/// cycle, recorded once.
fn find_cycle(
    graph: &BTreeMap<String, BTreeSet<String>>,
    path: &mut Vec<String>,
    done: &mut BTreeSet<String>,
    problems: &mut Vec<String>,
) {
    let Some(module) = path.last().cloned() else {
        return;
    };
    if done.contains(&module) {
        return;
    }
    for used in graph.get(&module).into_iter().flatten() {
        if !graph.contains_key(used) {
            continue;
        }
        if let Some(at) = path.iter().position(|seen| seen == used) {
            let mut cycle = path[at..].to_vec();
            cycle.push(used.clone());
            problems.push(format!("module cycle: {}", cycle.join(" -> ")));
        } else {
            path.push(used.clone());
            find_cycle(graph, path, done, problems);
            path.pop();
        }
    }
    done.insert(module);
}

/// The top-level module a file of `src/` belongs to (`src/ui/diagram/mod.rs` is `ui`); `None`
/// for the crate roots.
fn top_module(path: &str) -> Option<String> {
    let inside = path.strip_prefix("src/")?;
    let first = inside.split('/').next()?;
    let module = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(module, "lib" | "main")).then(|| module.to_owned())
}

/// The top-level modules a text names through `crate::`: `crate::engine::x`, and each member
/// of `use crate::{engine, layout::Rect}`.
fn crate_uses(text: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for member in group[..end].split(',') {
                used.extend(identifier(member.trim()));
            }
        } else {
            used.extend(identifier(rest));
        }
    }
    used
}

/// The identifier at the start of `text`, if any.
fn identifier(text: &str) -> Option<String> {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    (end > 0).then(|| text[..end].to_owned())
}

/// Lines with their numbers from 1, without `//` comments.
fn numbered(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(index, line)| {
        let code = line.trim_start();
        (!code.starts_with("//")).then_some((index + 1, line))
    })
}

/// Every `.rs` file under `dir` (relative to `root`), in path order.
fn sources(root: &Path, dir: &str) -> Vec<Source> {
    let mut files = Vec::new();
    collect_files(&root.join(dir), &mut files);
    let mut sources: Vec<Source> = files
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .filter_map(|path| {
            let text = fs::read_to_string(&path).ok()?;
            let relative = path.strip_prefix(root).ok()?;
            let path = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            Some(Source { path, text })
        })
        .collect();
    sources.sort_by(|a, b| a.path.cmp(&b.path));
    sources
}

fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, files);
        } else {
            files.push(path);
        }
    }
}

#[cfg(test)]
mod checks {
    use super::*;

    fn source(path: &str, text: &str) -> Source {
        Source {
            path: path.to_owned(),
            text: text.to_owned(),
        }
    }

    #[test]
    fn components_may_not_validate_on_their_own() {
        let bad = [source(
            "src/ui/inspector/vpc.rs",
            "let cidr = sglab_core::validate::check_cidr_field(&text);",
        )];
        assert_eq!(
            components_use_the_view_model(&bad),
            ["src/ui/inspector/vpc.rs:1: names sglab_core::validate; call a function of src/engine/ instead"]
        );
        // The view model may, and a comment may say so.
        let good = [
            source(
                "src/engine/fields.rs",
                "sglab_core::validate::check_ip_field(text)",
            ),
            source("src/ui/a.rs", "// not sglab_core::validate but the engine"),
        ];
        assert!(components_use_the_view_model(&good).is_empty());
    }

    #[test]
    fn the_web_app_sorts_through_the_shared_routine() {
        let bad = [source(
            "src/ui/matrix.rs",
            "labels.sort();\nrows.sort_by(|a, b| a.cmp(b));\nlet s = v.iter().collect::<BTreeSet<_>>();",
        )];
        let problems = shared_sort_only(&bad);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[1].starts_with("src/ui/matrix.rs:2: `.sort_by(`"));
        let good = [source(
            "src/ui/matrix.rs",
            "sglab_core::sort::sort(&mut labels);\nsglab_core::sort::sort_by_key(&mut rows, |r| r.0);",
        )];
        assert!(shared_sort_only(&good).is_empty());
    }

    #[test]
    fn files_over_their_limit_are_named() {
        let long = |lines: usize| "x\n".repeat(lines);
        let sources = [
            source("src/ui/big.rs", &long(UI_LINES + 1)),
            source("src/ui/fine.rs", &long(UI_LINES)),
            source("src/engine/mod.rs", &long(WEB_LINES + 1)),
            source("src/edit.rs", &long(WEB_LINES)),
            source("crates/sglab-core/src/matrix.rs", &long(CORE_LINES + 1)),
            source("crates/sglab-core/src/lint.rs", &long(CORE_LINES)),
        ];
        let problems = sizes(&sources);
        let named: Vec<&str> = problems
            .iter()
            .filter_map(|problem| problem.split(':').next())
            .collect();
        assert_eq!(
            named,
            [
                "src/ui/big.rs",
                "src/engine/mod.rs",
                "crates/sglab-core/src/matrix.rs"
            ]
        );
    }

    #[test]
    fn html_and_unwrap_are_refused() {
        let bad = [source(
            "src/browser.rs",
            "element.set_inner_html(&text);\nlet x = y.unwrap();\nlet z = y.unwrap_or(1);",
        )];
        let problems = no_html_no_unwrap(&bad);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("src/browser.rs:1: inner_html"));
        assert!(problems[1].starts_with("src/browser.rs:2: unwrap()"));
    }

    #[test]
    fn crate_paths_are_read_from_use_lines_and_code() {
        let text = "use crate::{engine, layout::Rect};\nuse crate::types::Shared;\nlet x = crate::edit::Edit::AutoLayout;";
        let used: Vec<String> = crate_uses(text).into_iter().collect();
        assert_eq!(used, ["edit", "engine", "layout", "types"]);
        assert_eq!(top_module("src/ui/diagram/mod.rs").as_deref(), Some("ui"));
        assert_eq!(top_module("src/state.rs").as_deref(), Some("state"));
        assert_eq!(top_module("src/lib.rs"), None);
    }

    #[test]
    fn a_cycle_of_core_modules_fails_and_a_doc_link_or_a_test_does_not() {
        let prefix = "crates/sglab-core/src/";
        let cycle = [
            source(
                "crates/sglab-core/src/format/mod.rs",
                "pub use crate::load::parse;",
            ),
            source(
                "crates/sglab-core/src/load.rs",
                "use crate::validate::check;",
            ),
            source(
                "crates/sglab-core/src/validate/mod.rs",
                "use crate::format::Raw;",
            ),
        ];
        assert_eq!(
            acyclic(&cycle, prefix),
            ["module cycle: format -> load -> validate -> format"]
        );
        let fine = [
            source(
                "crates/sglab-core/src/format/mod.rs",
                "/// See [`crate::load`].",
            ),
            source(
                "crates/sglab-core/src/load.rs",
                "use crate::validate::check;",
            ),
            source(
                "crates/sglab-core/src/validate/mod.rs",
                "use crate::format::Raw;\n#[cfg(test)]\nmod tests {\n    use crate::load;\n}",
            ),
        ];
        assert!(acyclic(&fine, prefix).is_empty());
    }

    #[test]
    fn a_cycle_or_an_upward_use_fails() {
        // The engine building reducer actions: state -> edit -> engine -> state.
        let cycle = [
            source("src/engine/mod.rs", "use crate::state::Action;"),
            source("src/state.rs", "use crate::edit::{self, Edit};"),
            source("src/edit.rs", "use crate::engine;"),
        ];
        assert_eq!(
            layered(&cycle),
            ["src/engine/mod.rs: `engine` uses `crate::state`, which is not below it"]
        );
        // Two modules of one layer using each other.
        let sideways = [
            source("src/codec.rs", "use crate::types::Shared;"),
            source("src/types.rs", "use crate::codec;"),
        ];
        assert_eq!(layered(&sideways).len(), 2);
        let unknown = [source("src/extra.rs", "")];
        assert_eq!(layered(&unknown).len(), 1);
        let fine = [
            source(
                "src/ui/tree.rs",
                "use crate::ui::widgets;\nuse crate::state::Action;",
            ),
            source(
                "src/layout/mod.rs",
                "use crate::engine::Edges;\nuse crate::types::Shared;",
            ),
        ];
        assert!(layered(&fine).is_empty());
    }
}
