//! What every end-to-end test of the `sglab` binary shares: running it in a directory with
//! optional standard input, scratch directories, and the one rendering of a run (exit status,
//! stdout and stderr) that the goldens compare.
//!
//! Each test binary uses a part of it.
#![allow(dead_code)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use expect_test::Expect;

/// The workspace root: commands run there so that file names in messages are short and stable.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh scratch directory for files written by a test, named after the test binary and the
/// test.
pub fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("sglab-cli")
        .join(env!("CARGO_CRATE_NAME"))
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// What one run of the binary printed, and how it ended.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `sglab` with `args` in `dir`, with `stdin` as its standard input (none: `/dev/null`).
pub fn sglab_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sglab"))
        .args(args)
        .current_dir(dir)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sglab binary runs");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        // The binary may stop reading early (a file over the size limit); that is fine.
        let _ = pipe.write_all(input);
    }
    let output = child.wait_with_output().expect("sglab finishes");
    Output {
        code: output.status.code().expect("an exit code, not a signal"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

/// Runs `sglab` with `args` at the workspace root.
pub fn sglab(args: &[&str]) -> Output {
    sglab_in(&root(), args, None)
}

/// The exit status, stdout and stderr as one text; carriage returns are shown as `\r` so that
/// CSV line ends are visible in the goldens (and survive editors).
pub fn render(output: &Output) -> String {
    let mut actual = format!("exit {}\n", output.code);
    if !output.stdout.is_empty() {
        actual.push_str("--- stdout\n");
        actual.push_str(&output.stdout.replace('\r', "\\r"));
    }
    if !output.stderr.is_empty() {
        actual.push_str("--- stderr\n");
        actual.push_str(&output.stderr);
    }
    actual
}

/// Checks a run's exit status, stdout and stderr together.
pub fn check_output(output: &Output, expect: Expect) {
    expect.assert_eq(&render(output));
}

/// Runs `sglab` with `args` at the workspace root and checks the run.
pub fn check(args: &[&str], expect: Expect) {
    check_output(&sglab(args), expect);
}

/// Runs `sglab` with `args` in `dir` and checks the run.
pub fn check_in(dir: &Path, args: &[&str], expect: Expect) {
    check_output(&sglab_in(dir, args, None), expect);
}

/// Writes `files` into a scratch directory named after `test` and checks `sglab` run there.
pub fn check_files(test: &str, files: &[(&str, &str)], args: &[&str], expect: Expect) {
    let dir = scratch(test);
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write");
    }
    check_in(&dir, args, expect);
}
