//! Criterion benchmarks of the engine (written in a later step).

fn main() {}
