//! The `sglab` command line: query, matrix, lint, check, export and diff over the sglab core.
//!
//! ```text
//! sglab query  FILES... --from EP --to EP [--protocol tcp|udp|icmp|icmpv6|gre|all] [--port N] [--format text|json]
//! sglab matrix FILES... [--by endpoint|group] [--from SEL]... [--to SEL]... [--format text|json|csv|md|summary]
//! sglab lint   FILES... [--format text|json]
//! sglab check  FILES...
//! sglab export FILES... --format sglab|terraform|aliyun-cli
//! sglab diff   --old FILES... --new FILES... [--format text|json|md] [--fail-on opened|changed]
//! sglab diff   --plan PLAN.json [--format text|json|md] [--fail-on opened|changed]
//! ```
//!
//! FILES are any mix of sglab JSON, aliyun API responses, Terraform plan or state JSON
//! (`terraform show -json`) and .tf and .tfvars files, detected by content.
//!
//! Every command also takes `-var NAME=VALUE` and `-var-file FILE.tfvars` (or `--var`,
//! `--var-file`) for the variables of .tf files, as Terraform does.
//!
//! Exit status: 0 evaluated (whatever the verdict), 1 a `check` expectation failed or a diff's
//! `--fail-on` applies, 2 bad input or usage, with a message on stderr naming the file, the
//! object, the rule and the field.

mod diff;
mod group;
mod pairs;
mod render;
mod select;
mod summary;

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use sglab_core::diagnostic::Diagnostic;
use sglab_core::eval::{explain, resolve_party, Party};
use sglab_core::model::{Protocol, Topology};

/// The help of the FILES argument of every command.
const FILES_HELP: &str = "Input files, any mix detected by content: sglab JSON, aliyun API responses (DescribeSecurityGroupAttribute, DescribeSecurityGroups, DescribeInstances, DescribeNetworkInterfaces), Terraform plan or state JSON (terraform show -json), .tf and .tfvars files; - reads standard input";

/// Files larger than this are refused before reading them whole.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Simulates Alibaba Cloud ECS security groups: which endpoint reaches which, on which ports,
/// and which rule decided.
///
/// FILES are any mix of these formats, detected by content: sglab JSON; the JSON printed by
/// `aliyun ecs DescribeSecurityGroupAttribute`, `DescribeSecurityGroups`, `DescribeInstances`
/// and `DescribeNetworkInterfaces`; Terraform plan or state JSON (`terraform show -json`);
/// Terraform .tf and .tfvars files (evaluated together as one root module, with -var and
/// -var-file). `-` reads standard input.
#[derive(Debug, Parser)]
#[command(name = "sglab", version, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Can one endpoint reach another on a protocol and port? Explains the verdict.
    Query(QueryArgs),
    /// The reachability matrix: the ports allowed between every pair of endpoints.
    Matrix(MatrixArgs),
    /// Shadowed, redundant and over-broad rules, unattached groups, limits and cluster checks.
    Lint(LintArgs),
    /// Checks the expectations stored in the files; exit status 1 when one fails.
    Check(CheckArgs),
    /// Writes the topology as sglab JSON, Terraform or aliyun CLI commands.
    Export(ExportArgs),
    /// What a change opens and closes: the verdict, the pairs and ports, the rule edits.
    Diff(DiffArgs),
}

#[derive(Debug, clap::Args)]
struct QueryArgs {
    #[arg(required = true, value_name = "FILES", help = FILES_HELP)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    vars: VarArgs,
    /// The source: an endpoint id or name, or an IP address.
    #[arg(long, value_name = "EP")]
    from: String,
    /// The target: an endpoint id or name, or an IP address.
    #[arg(long, value_name = "EP")]
    to: String,
    /// The protocol.
    #[arg(long, value_enum, default_value_t = ProtocolArg::Tcp)]
    protocol: ProtocolArg,
    /// The destination port; required for tcp and udp, refused for the others.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    port: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = QueryFormat::Text)]
    format: QueryFormat,
}

#[derive(Debug, clap::Args)]
struct MatrixArgs {
    #[arg(required = true, value_name = "FILES", help = FILES_HELP)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    vars: VarArgs,
    /// Rows and columns: each endpoint, or each security group (with an endpoint in no group
    /// on its own).
    #[arg(long, value_enum, default_value_t = MatrixBy::Endpoint)]
    by: MatrixBy,
    /// Only these sources: an endpoint id or name, a security group id, an IP address or a
    /// CIDR block; repeat for more.
    #[arg(long, value_name = "SEL")]
    from: Vec<String>,
    /// Only these targets, given as for --from; repeat for more.
    #[arg(long, value_name = "SEL")]
    to: Vec<String>,
    /// Output format; summary counts reachable pairs and external exposures, and times the run.
    #[arg(long, value_enum, default_value_t = MatrixFormat::Text)]
    format: MatrixFormat,
}

#[derive(Debug, clap::Args)]
struct LintArgs {
    #[arg(required = true, value_name = "FILES", help = FILES_HELP)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    vars: VarArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = QueryFormat::Text)]
    format: QueryFormat,
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    #[arg(required = true, value_name = "FILES", help = FILES_HELP)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    vars: VarArgs,
}

#[derive(Debug, clap::Args)]
struct ExportArgs {
    #[arg(required = true, value_name = "FILES", help = FILES_HELP)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    vars: VarArgs,
    /// Output format.
    #[arg(long, value_enum)]
    format: ExportFormat,
}

/// Values for the variables of .tf files.
#[derive(Debug, clap::Args)]
struct VarArgs {
    /// A value for a variable of the .tf files, as NAME=VALUE; repeat for more (Terraform's
    /// -var, also accepted with one dash).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    var: Vec<String>,
    /// A .tfvars file of variable values; repeat for more (Terraform's -var-file, also
    /// accepted with one dash).
    #[arg(long = "var-file", value_name = "FILE")]
    var_file: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct DiffArgs {
    /// The files before the change: any mix of sglab JSON, aliyun API responses, Terraform plan
    /// or state JSON, .tf and .tfvars files, as for the other commands.
    #[arg(long, required_unless_present = "plan", num_args = 1.., value_name = "FILES")]
    old: Vec<PathBuf>,
    /// The files after the change, in the same formats.
    #[arg(long, required_unless_present = "plan", num_args = 1.., value_name = "FILES")]
    new: Vec<PathBuf>,
    /// A Terraform plan (`terraform show -json PLAN`): the change it makes, from the resources
    /// before it to its planned values, instead of --old and --new.
    #[arg(long, value_name = "PLAN.json", conflicts_with_all = ["old", "new"])]
    plan: Option<PathBuf>,
    /// Output format; md is sized for a pull-request comment.
    #[arg(long, value_enum, default_value_t = diff::DiffFormat::Text)]
    format: diff::DiffFormat,
    /// Exit with status 1 when something opened (more-permissive or mixed), or when anything
    /// changed (any verdict but equivalent).
    #[arg(long, value_enum, value_name = "WHEN")]
    fail_on: Option<diff::FailOn>,
    #[command(flatten)]
    vars: VarArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ProtocolArg {
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    Gre,
    All,
}

impl From<ProtocolArg> for Protocol {
    fn from(value: ProtocolArg) -> Protocol {
        match value {
            ProtocolArg::Tcp => Protocol::Tcp,
            ProtocolArg::Udp => Protocol::Udp,
            ProtocolArg::Icmp => Protocol::Icmp,
            ProtocolArg::Icmpv6 => Protocol::Icmpv6,
            ProtocolArg::Gre => Protocol::Gre,
            ProtocolArg::All => Protocol::All,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum QueryFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum MatrixFormat {
    Text,
    Json,
    Csv,
    Md,
    Summary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum MatrixBy {
    Endpoint,
    Group,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ExportFormat {
    Sglab,
    Terraform,
    AliyunCli,
}

/// Why a command did not succeed.
enum Failure {
    /// Bad input or usage: exit status 2. Each line is printed to stderr.
    BadInput(Vec<String>),
    /// A `check` expectation failed, or a diff's `--fail-on` applies: exit status 1 (the
    /// report is already on stdout).
    CheckFailed,
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Failure {
        Failure::BadInput(vec![format!("error: {error:#}")])
    }
}

fn main() -> ExitCode {
    // Terraform spells its options with one dash (`-var`, `-var-file`); clap wants two.
    let args = std::env::args_os().map(|arg| {
        let text = arg.to_string_lossy();
        for option in ["-var", "-var-file"] {
            if text == option || text.starts_with(&format!("{option}=")) {
                return format!("-{text}").into();
            }
        }
        arg
    });
    let cli = Cli::parse_from(args);
    let result = match cli.command {
        Command::Query(args) => query(args),
        Command::Matrix(args) => matrix(args),
        Command::Lint(args) => lint(args),
        Command::Check(args) => check(args),
        Command::Export(args) => export(args),
        Command::Diff(args) => diff(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::CheckFailed) => ExitCode::from(1),
        Err(Failure::BadInput(lines)) => {
            let mut stderr = io::stderr().lock();
            for line in lines {
                let _ = writeln!(stderr, "{line}");
            }
            ExitCode::from(2)
        }
    }
}

fn query(args: QueryArgs) -> Result<(), Failure> {
    let protocol = Protocol::from(args.protocol);
    match (protocol.has_ports(), args.port) {
        (true, None) => usage_error(
            clap::error::ErrorKind::MissingRequiredArgument,
            &format!(
                "--port is required for {protocol}: give the destination port, for example --port 8080"
            ),
        ),
        (false, Some(port)) => usage_error(
            clap::error::ErrorKind::ArgumentConflict,
            &format!("--port {port} does not apply to {protocol}, which has no ports: leave --port out"),
        ),
        _ => {}
    }
    let topology = load(&args.files, &args.vars)?;
    let from = resolve(&topology, "--from", &args.from)?;
    let to = resolve(&topology, "--to", &args.to)?;
    let explanation = explain(&topology, &from, &to, protocol, args.port);
    let diagnoses = sglab_core::doctor::diagnose(&topology, &from, &to, protocol, args.port);
    let text = match args.format {
        QueryFormat::Text => {
            let mut text = sglab_core::explain::render_text(&explanation);
            text.push_str(&sglab_core::doctor::render_text(&diagnoses));
            text
        }
        QueryFormat::Json => render::json(&render::QueryJson {
            explanation: &explanation,
            diagnoses: &diagnoses,
        }),
    };
    emit(&text)
}

fn matrix(args: MatrixArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let topology = load(&args.files, &args.vars)?;
    let load_time = started.elapsed();
    let started = Instant::now();
    let matrix = sglab_core::matrix::matrix(&topology);
    let matrix_time = started.elapsed();
    let selection = select::Selection::of(&topology, &matrix, &args.from, &args.to)
        .map_err(|error| Failure::BadInput(vec![error]))?;
    let mut group_time = None;
    let by_group = match args.by {
        MatrixBy::Endpoint => None,
        MatrixBy::Group => {
            let started = Instant::now();
            let buckets = select::Buckets::new(&topology, &matrix);
            let group_matrix = if selection.filtered {
                let index = pairs::PairIndex::new(&topology, &matrix);
                group::group_matrix_selected(&matrix, &index, &buckets, &selection)
            } else {
                sglab_core::matrix::group_matrix_of(&topology, &matrix)
            };
            group_time = Some(started.elapsed());
            Some((group_matrix, buckets))
        }
    };
    // A large matrix is written as it is rendered, never held whole in memory.
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = match (args.format, &by_group) {
        (MatrixFormat::Summary, _) => {
            let started = Instant::now();
            let counts = summary::count(&topology, &matrix, &selection);
            let times = summary::Times {
                load: load_time,
                matrix: matrix_time,
                group_matrix: group_time,
                count: started.elapsed(),
            };
            let by_group = by_group
                .as_ref()
                .map(|(group_matrix, buckets)| summary::ByGroup {
                    matrix: group_matrix,
                    buckets,
                });
            summary::write(
                &mut out,
                &topology,
                &matrix,
                &selection,
                &counts,
                by_group.as_ref(),
                &times,
            )
        }
        (format, Some((group_matrix, buckets))) => {
            let view =
                render::GroupView::new(&topology, &matrix, group_matrix, buckets, &selection);
            match format {
                // The summary is written above.
                MatrixFormat::Text | MatrixFormat::Summary => render::group_text(&mut out, &view),
                MatrixFormat::Json => render::group_json(&mut out, &view),
                MatrixFormat::Csv => render::group_csv(&mut out, &view),
                MatrixFormat::Md => render::group_markdown(&mut out, &view),
            }
        }
        (MatrixFormat::Text, None) => render::matrix_text(&mut out, &topology, &matrix, &selection),
        (MatrixFormat::Json, None) => render::matrix_json(&mut out, &matrix, &selection),
        (MatrixFormat::Csv, None) => render::matrix_csv(&mut out, &topology, &matrix, &selection),
        (MatrixFormat::Md, None) => {
            render::matrix_markdown(&mut out, &topology, &matrix, &selection)
        }
    };
    finish(result.and_then(|()| out.flush()))
}

fn lint(args: LintArgs) -> Result<(), Failure> {
    let topology = load(&args.files, &args.vars)?;
    let findings = sglab_core::lint::lint(&topology, &sglab_core::validate::Limits::default());
    let text = match args.format {
        QueryFormat::Text => render::lint_text(&findings),
        QueryFormat::Json => render::json(&render::LintReport {
            findings: &findings,
        }),
    };
    emit(&text)
}

fn check(args: CheckArgs) -> Result<(), Failure> {
    let topology = load(&args.files, &args.vars)?;
    let mut report = String::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut errors = Vec::new();
    for (index, expectation) in topology.expectations.iter().enumerate() {
        let parties = (
            resolve_party(&topology, &expectation.from),
            resolve_party(&topology, &expectation.to),
        );
        let (from, to) = match parties {
            (Ok(from), Ok(to)) => (from, to),
            (from, to) => {
                for (side, result) in [("from", from.err()), ("to", to.err())] {
                    if let Some(error) = result {
                        errors.push(format!(
                            "error: expectation {}, field {side}: {error}",
                            index + 1
                        ));
                    }
                }
                continue;
            }
        };
        let explanation = explain(
            &topology,
            &from,
            &to,
            expectation.protocol,
            expectation.port,
        );
        if explanation.verdict == expectation.verdict {
            passed += 1;
        } else {
            failed += 1;
            report.push_str(&render::check_failure(index, expectation, &explanation));
            report.push('\n');
        }
    }
    if !errors.is_empty() {
        return Err(Failure::BadInput(errors));
    }
    if topology.expectations.is_empty() {
        let _ = writeln!(
            io::stderr(),
            "warning: the files hold no expectations: add an \"expectations\" list to an sglab file"
        );
    }
    report.push_str(&format!("{passed} passed, {failed} failed\n"));
    emit(&report)?;
    if failed > 0 {
        Err(Failure::CheckFailed)
    } else {
        Ok(())
    }
}

fn export(args: ExportArgs) -> Result<(), Failure> {
    let topology = load(&args.files, &args.vars)?;
    let text = match args.format {
        ExportFormat::Sglab => sglab_core::format::to_sglab_json(&topology),
        ExportFormat::Terraform => sglab_core::export::terraform(&topology),
        ExportFormat::AliyunCli => sglab_core::export::aliyun_cli(&topology),
    };
    emit(&text)
}

fn diff(args: DiffArgs) -> Result<(), Failure> {
    let (old, new) = match &args.plan {
        Some(plan) => load_plan(plan)?,
        None => load_sides(&args)?,
    };
    let result = sglab_core::diff::diff(&old, &new);
    emit(&diff::render(&result, args.format))?;
    match args.fail_on {
        Some(fail_on) if fail_on.applies(result.verdict) => Err(Failure::CheckFailed),
        _ => Ok(()),
    }
}

/// The two topologies of a Terraform plan: before it and as it leaves them.
fn load_plan(path: &Path) -> Result<(Topology, Topology), Failure> {
    let name = display_name(path);
    let contents =
        read(path).map_err(|error| Failure::BadInput(vec![format!("error: {error:#}")]))?;
    match sglab_core::import::plan_topologies(&name, &contents) {
        Ok(plan) => {
            // Warnings of the plan as a whole come with both sides: print each once.
            let mut warnings = plan.before.warnings.clone();
            for warning in &plan.after.warnings {
                if !warnings.contains(warning) {
                    warnings.push(warning.clone());
                }
            }
            print_diagnostics(&warnings);
            Ok((plan.before.topology, plan.after.topology))
        }
        Err(diagnostics) => Err(Failure::BadInput(
            diagnostics.iter().map(diagnostic_line).collect(),
        )),
    }
}

/// The topologies of `--old` and `--new`.
fn load_sides(args: &DiffArgs) -> Result<(Topology, Topology), Failure> {
    // Both sides are read before failing, so that every problem is reported at once.
    match (load(&args.old, &args.vars), load(&args.new, &args.vars)) {
        (Ok(old), Ok(new)) => Ok((old, new)),
        (old, new) => {
            let mut lines = Vec::new();
            for result in [old.err(), new.err()] {
                if let Some(Failure::BadInput(errors)) = result {
                    lines.extend(errors);
                }
            }
            Err(Failure::BadInput(lines))
        }
    }
}

/// Prints a clap usage error and exits with status 2.
fn usage_error(kind: clap::error::ErrorKind, message: &str) -> ! {
    let mut command = Cli::command();
    // Built like this, the query subcommand shows its own usage line under the message.
    command.build();
    match command.find_subcommand_mut("query") {
        Some(query) => query.error(kind, message).exit(),
        None => command.error(kind, message).exit(),
    }
}

fn resolve(topology: &Topology, flag: &str, text: &str) -> Result<Party, Failure> {
    resolve_party(topology, text)
        .map_err(|error| Failure::BadInput(vec![format!("error: {flag}: {error}")]))
}

/// Reads and merges the files; warnings go to stderr, errors make the failure.
fn load(paths: &[PathBuf], vars: &VarArgs) -> Result<Topology, Failure> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut variables = Vec::new();
    for var in &vars.var {
        match var.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                variables.push((name.trim().to_owned(), value.to_owned()));
            }
            _ => errors.push(format!(
                "error: -var {var:?}: give NAME=VALUE, for example -var region=cn-hangzhou"
            )),
        }
    }
    for path in paths.iter().chain(&vars.var_file) {
        match read(path) {
            Ok(contents) => files.push((display_name(path), contents)),
            Err(error) => errors.push(format!("error: {error:#}")),
        }
    }
    // Files that could be read are still parsed, so that every problem is reported at once.
    match sglab_core::import::load_files_with(&files, &variables) {
        Ok(loaded) if errors.is_empty() => {
            print_diagnostics(&loaded.warnings);
            Ok(loaded.topology)
        }
        Ok(_) => Err(Failure::BadInput(errors)),
        Err(diagnostics) => {
            errors.extend(diagnostics.iter().map(diagnostic_line));
            Err(Failure::BadInput(errors))
        }
    }
}

fn display_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Reads a whole file as UTF-8 text, refusing directories and files over the size limit.
fn read(path: &Path) -> anyhow::Result<String> {
    let name = display_name(path);
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        io::stdin()
            .lock()
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("{name}: cannot read standard input"))?;
    } else {
        let metadata =
            std::fs::metadata(path).with_context(|| format!("{name}: cannot read the file"))?;
        if metadata.is_dir() {
            bail!("{name}: is a directory: give a file");
        }
        File::open(path)
            .and_then(|file| file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
            .with_context(|| format!("{name}: cannot read the file"))?;
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        bail!(
            "{name}: the file is larger than {} MiB: give a smaller file",
            MAX_FILE_BYTES / 1024 / 1024
        );
    }
    String::from_utf8(bytes).map_err(|error| {
        anyhow::anyhow!(
            "{name}: the file is not UTF-8 text (invalid byte at offset {}): give a JSON file",
            error.utf8_error().valid_up_to()
        )
    })
}

fn diagnostic_line(diagnostic: &Diagnostic) -> String {
    format!("{}: {diagnostic}", diagnostic.severity)
}

fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let mut stderr = io::stderr().lock();
    for diagnostic in diagnostics {
        let _ = writeln!(stderr, "{}", diagnostic_line(diagnostic));
    }
}

/// Writes the whole output at once.
fn emit(text: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    finish(
        stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush()),
    )
}

/// The outcome of writing the output; a closed pipe (`sglab matrix ... | head`) is not an
/// error.
fn finish(result: io::Result<()>) -> Result<(), Failure> {
    match result {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(Failure::BadInput(vec![format!(
            "error: cannot write the output: {error}"
        )])),
    }
}
