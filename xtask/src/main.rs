//! `cargo xtask`: the project's automation, in Rust so that it runs the same everywhere.
//!
//! ```text
//! cargo xtask setup            install what is missing (wasm32 target, trunk, wasm-bindgen-cli,
//!                              npm packages, Debian's chromium and chromium-driver)
//! cargo xtask serve [--port N] set up, build and serve the app on 127.0.0.1:8080
//! cargo xtask test [LAYER...]  set up, then run every test layer (or only the named ones)
//! cargo xtask fuzz [TARGET] [--time S]
//!                              fuzz every target (or one) for S seconds each (default 60)
//!                              with cargo-fuzz on nightly, both installed when missing
//! cargo xtask mutants [FILE...] [-- ARGS...]
//!                              mutation testing of the engine's files (default: portset,
//!                              eval, doctor, lint) with cargo-mutants, installed when missing;
//!                              not a test layer (an hour or more per module)
//! cargo xtask bench            run the engine benchmarks, time every shape of the generator
//!                              (example `shapes`) and the diff against one matrix (example
//!                              `diff_cost`), the CLI's summary of an account-sized aliyun
//!                              export, then the same matrix work in WebAssembly in
//!                              Chromium, and print both with their ratios
//! ```
//!
//! Every install goes through rustup, cargo, npm or apt-get; nothing is downloaded otherwise.

use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

mod bench;
mod fuzz;
mod mutants;
#[cfg(test)]
mod tidy;

/// The trunk release that builds with this machine's rustc (0.22 needs a newer one).
const TRUNK_VERSION: &str = "0.21.14";
/// Debian's browser and driver, the only browser the tests may use.
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The test layers, in the order they run.
const LAYERS: &[&str] = &[
    "fmt",
    "clippy",
    "clippy-wasm",
    "native",
    "fuzz",
    "browser",
    "build",
    "e2e",
];

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let root = project_root();
    if let Err(message) = env::set_current_dir(&root) {
        eprintln!("xtask: cannot enter {}: {message}", root.display());
        return ExitCode::from(2);
    }
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup(&root, Scope::Everything),
        Some("serve") => serve(&root, &args[1..]),
        Some("test") => test(&root, &args[1..]),
        Some("fuzz") => {
            prepend_tool_paths(&root);
            fuzz::fuzz(&args[1..])
        }
        Some("mutants") => {
            prepend_tool_paths(&root);
            mutants::mutants(&args[1..])
        }
        Some("bench") => bench::bench(&root),
        Some("help" | "--help" | "-h") | None => {
            eprintln!("{}", usage());
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}\n\n{}", usage())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> String {
    format!(
        "usage: cargo xtask <command>\n\n\
         commands:\n  \
         setup            install what is missing: wasm32 target, trunk {TRUNK_VERSION}, wasm-bindgen-cli (version from Cargo.lock), npm packages, chromium and chromium-driver\n  \
         serve [--port N] set up, then build and serve the app on http://127.0.0.1:8080 (or port N)\n  \
         test [LAYER...]  set up, then run every test layer: {}\n  \
         fuzz [TARGET] [--time S]  fuzz every target ({}) or one for S seconds each (default 60): cargo-fuzz on nightly, installed when missing\n  \
         mutants [FILE...] [-- ARGS...]  mutation testing of the engine's files (default: {}) with cargo-mutants and .cargo/mutants.toml, installed when missing; not part of `test` (an hour or more per module)\n  \
         bench            run the engine benchmarks (criterion), then time the same matrices natively and in WebAssembly in Chromium (tests/e2e/bench.mjs) and print the ratios",
        LAYERS.join(", "),
        fuzz::TARGETS.join(", "),
        mutants::DEFAULT_FILES.join(", ")
    )
}

fn project_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or(manifest_dir)
}

/// What `setup` must provide: `serve` needs the build tools, `test` also the browser.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    BuildTools,
    Everything,
}

fn setup(root: &Path, scope: Scope) -> Result<(), String> {
    prepend_tool_paths(root);
    ensure_wasm_target()?;
    ensure_trunk()?;
    ensure_wasm_bindgen(root)?;
    ensure_npm_packages(root)?;
    if scope == Scope::Everything {
        ensure_chromium()?;
    }
    step("cargo fetch: dependencies from crates.io for offline builds");
    run(Command::new("cargo").args(["fetch", "--locked"]))?;
    Ok(())
}

/// Puts `~/.cargo/bin` and `node_modules/.bin` first on PATH for every child process, so the
/// tools installed by setup are the ones used.
fn prepend_tool_paths(root: &Path) {
    let mut paths = vec![root.join("node_modules").join(".bin")];
    if let Some(home) = env::var_os("CARGO_HOME") {
        paths.push(PathBuf::from(home).join("bin"));
    } else if let Some(home) = env::var_os("HOME") {
        paths.push(PathBuf::from(home).join(".cargo").join("bin"));
    }
    if let Some(current) = env::var_os("PATH") {
        paths.extend(env::split_paths(&current));
    }
    if let Ok(joined) = env::join_paths(paths) {
        // Single-threaded at this point: no other thread reads the environment.
        env::set_var("PATH", joined);
    }
}

fn ensure_wasm_target() -> Result<(), String> {
    step("rust target wasm32-unknown-unknown");
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if installed
        .lines()
        .any(|line| line.trim() == "wasm32-unknown-unknown")
    {
        done("already installed");
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn ensure_trunk() -> Result<(), String> {
    step(&format!("trunk {TRUNK_VERSION}"));
    let wanted = format!("trunk {TRUNK_VERSION}");
    match output(Command::new("trunk").arg("--version")) {
        Ok(version) if version.trim() == wanted => {
            done("already installed");
            return Ok(());
        }
        Ok(version) => done(&format!("found {}, replacing it", version.trim())),
        Err(_) => done("not found, installing with cargo (several minutes)"),
    }
    run(Command::new("cargo").args([
        "install",
        "--locked",
        "--force",
        "trunk",
        "--version",
        TRUNK_VERSION,
    ]))
}

/// The wasm-bindgen version that `Cargo.lock` resolved; the CLI must match it exactly.
fn locked_wasm_bindgen_version(root: &Path) -> Result<String, String> {
    let lock = fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines.next().and_then(|next| {
                next.trim()
                    .strip_prefix("version = \"")
                    .and_then(|rest| rest.strip_suffix('"'))
            }) {
                return Ok(version.to_owned());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".to_owned())
}

fn ensure_wasm_bindgen(root: &Path) -> Result<(), String> {
    let version = locked_wasm_bindgen_version(root)?;
    step(&format!(
        "wasm-bindgen-cli {version} (the version in Cargo.lock)"
    ));
    let wanted = format!("wasm-bindgen {version}");
    let cli = output(Command::new("wasm-bindgen").arg("--version"));
    let runner = output(Command::new("wasm-bindgen-test-runner").arg("--version"));
    match (&cli, &runner) {
        (Ok(cli), Ok(_)) if cli.trim() == wanted => {
            done("already installed");
            return Ok(());
        }
        (Ok(cli), _) => done(&format!("found {}, replacing it", cli.trim())),
        (Err(_), _) => done("not found, installing with cargo (a few minutes)"),
    }
    // Without --locked: the locked dependency set of wasm-bindgen-cli asks for crate versions
    // that this registry mirror lacks.
    run(Command::new("cargo").args([
        "install",
        "--force",
        "wasm-bindgen-cli",
        "--version",
        &version,
    ]))
}

/// The exact versions `package.json` pins in devDependencies.
fn pinned_npm_packages(root: &Path) -> Result<Vec<(String, String)>, String> {
    let manifest = fs::read_to_string(root.join("package.json"))
        .map_err(|e| format!("cannot read package.json: {e}"))?;
    let section = manifest
        .split("\"devDependencies\"")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .ok_or("package.json has no devDependencies")?;
    Ok(section
        .split(',')
        .filter_map(|entry| {
            let mut quoted = entry.split('"').skip(1).step_by(2);
            Some((quoted.next()?.to_owned(), quoted.next()?.to_owned()))
        })
        .collect())
}

fn installed_npm_version(root: &Path, package: &str) -> Option<String> {
    let manifest =
        fs::read_to_string(root.join("node_modules").join(package).join("package.json")).ok()?;
    let after = manifest.split("\"version\"").nth(1)?;
    after.split('"').nth(1).map(str::to_owned)
}

fn ensure_npm_packages(root: &Path) -> Result<(), String> {
    let packages = pinned_npm_packages(root)?;
    let names: Vec<String> = packages.iter().map(|(n, v)| format!("{n}@{v}")).collect();
    step(&format!("npm packages {}", names.join(", ")));
    let missing: Vec<&str> = packages
        .iter()
        .filter(|(name, version)| installed_npm_version(root, name).as_deref() != Some(version))
        .map(|(name, _)| name.as_str())
        .collect();
    if missing.is_empty() {
        done("already installed");
        return Ok(());
    }
    done(&format!(
        "missing or other version: {}; running npm ci",
        missing.join(", ")
    ));
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"))
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u")).is_ok_and(|uid| uid.trim() == "0")
}

fn ensure_chromium() -> Result<(), String> {
    step("Debian chromium and chromium-driver");
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        done("already installed");
        return Ok(());
    }
    if !is_root() {
        return Err(format!(
            "{CHROMIUM} or {CHROMEDRIVER} is missing and installing them needs root; run:\n\n    \
             sudo apt-get update && sudo apt-get install -y chromium chromium-driver\n"
        ));
    }
    done("not found, installing with apt-get");
    run(Command::new("apt-get")
        .arg("update")
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    // --reinstall also restores a binary that went missing from an installed package.
    run(Command::new("apt-get")
        .args([
            "install",
            "-y",
            "--reinstall",
            "--no-install-recommends",
            "chromium",
            "chromium-driver",
        ])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

fn serve(root: &Path, args: &[String]) -> Result<(), String> {
    let port = match args {
        [] => "8080".to_owned(),
        [flag, port] if flag == "--port" && port.parse::<u16>().is_ok_and(|p| p > 0) => {
            port.clone()
        }
        _ => return Err("usage: cargo xtask serve [--port N] (N from 1 to 65535)".to_owned()),
    };
    setup(root, Scope::BuildTools)?;
    step(&format!(
        "trunk serve on http://127.0.0.1:{port}/ (rebuilds on change: reload the page; Ctrl+C stops it)"
    ));
    // No auto-reload: trunk injects it as an inline script, which the page's
    // Content-Security-Policy (no inline script) refuses. Reload the page after a rebuild.
    run(Command::new("trunk").args([
        "serve",
        "--address",
        "127.0.0.1",
        "--port",
        &port,
        "--no-autoreload",
    ]))
}

fn test(root: &Path, args: &[String]) -> Result<(), String> {
    let selected: Vec<&str> = if args.is_empty() {
        LAYERS.to_vec()
    } else {
        for arg in args {
            if !LAYERS.contains(&arg.as_str()) {
                return Err(format!(
                    "unknown test layer {arg:?}; the layers are {}",
                    LAYERS.join(", ")
                ));
            }
        }
        LAYERS
            .iter()
            .copied()
            .filter(|layer| args.iter().any(|arg| arg == layer))
            .collect()
    };
    let started = Instant::now();
    setup(root, Scope::Everything)?;
    let mut summary = Vec::new();
    let mut failed = false;
    let mut built = true;
    for layer in selected {
        step(&format!("test layer: {layer}"));
        let layer_started = Instant::now();
        let result = if layer == "e2e" && !built {
            Err("skipped: the release build failed".to_owned())
        } else {
            run_layer(layer)
        };
        if layer == "build" {
            built = result.is_ok();
        }
        let seconds = layer_started.elapsed().as_secs_f64();
        let line = match &result {
            Ok(()) => format!("ok     {layer:<12} {seconds:>7.1} s  {}", describe(layer)),
            Err(message) => {
                failed = true;
                format!("FAILED {layer:<12} {seconds:>7.1} s  {message}")
            }
        };
        eprintln!("{line}");
        summary.push(line);
    }
    eprintln!(
        "\n== sglab test summary ({:.0} s in all) ==",
        started.elapsed().as_secs_f64()
    );
    for line in &summary {
        eprintln!("{line}");
    }
    if failed {
        Err("some test layers failed (see above)".to_owned())
    } else {
        Ok(())
    }
}

fn describe(layer: &str) -> &'static str {
    match layer {
        "fmt" => "cargo fmt --check",
        "clippy" => "clippy -D warnings, host workspace, all targets",
        "clippy-wasm" => "clippy -D warnings, web crate and core on wasm32",
        "native" => "cargo test --workspace (corpus, reference, proptest, CLI goldens)",
        "fuzz" => "cargo-fuzz smoke run, each target a few seconds (nightly)",
        "browser" => "wasm-bindgen-test component tests in headless Chromium",
        "build" => "trunk build --release",
        "e2e" => "Playwright specs in Chromium against dist/ on 127.0.0.1",
        _ => "",
    }
}

fn run_layer(layer: &str) -> Result<(), String> {
    match layer {
        "fmt" => run(Command::new("cargo").args(["fmt", "--all", "--check"])),
        "clippy" => run(Command::new("cargo").args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ])),
        "clippy-wasm" => run(Command::new("cargo").args([
            "clippy",
            "-p",
            "sglab-web",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ])),
        "native" => run(Command::new("cargo").args(["test", "--workspace", "--locked"])),
        "fuzz" => fuzz::smoke(),
        "browser" => run(Command::new("cargo")
            .args([
                "test",
                "-p",
                "sglab-web",
                "--target",
                "wasm32-unknown-unknown",
                "--locked",
                "--test",
                "web",
            ])
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120")),
        "build" => run(Command::new("trunk").args(["build", "--release", "--locked"])),
        "e2e" => run(Command::new("node").args(["tests/e2e/run.mjs"])),
        _ => Err(format!("unknown layer {layer}")),
    }
}

fn step(message: &str) {
    eprintln!("==> {message}");
}

fn done(message: &str) {
    eprintln!("    {message}");
}

fn describe_command(command: &Command) -> String {
    let mut words: Vec<OsString> = vec![command.get_program().to_owned()];
    words.extend(command.get_args().map(|arg| arg.to_owned()));
    words
        .iter()
        .map(|word| word.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs a command with inherited stdio; a non-zero exit becomes an error naming the command.
fn run(command: &mut Command) -> Result<(), String> {
    let description = describe_command(command);
    let status = command
        .status()
        .map_err(|e| format!("cannot run `{description}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{description}` failed ({status})"))
    }
}

/// Runs a command and returns its standard output; a missing program or a failure is an error.
fn output(command: &mut Command) -> Result<String, String> {
    let description = describe_command(command);
    let out = command
        .output()
        .map_err(|e| format!("cannot run `{description}`: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!("`{description}` failed ({})", out.status))
    }
}
