//! Port sets (`portset::port_set`): cases that the mutation testing of `portset.rs` showed no
//! other test decided (docs/testing.md, "Mutation testing").
