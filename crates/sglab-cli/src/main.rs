//! The `sglab` command line.

fn main() {
    std::process::exit(2);
}
