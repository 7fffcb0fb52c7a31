//! Edits (`edit::apply`) on structured random topologies: a sequence of up to 8 edits drawn by
//! `sglab_fuzz::edit`, naming the topology's objects or unknown ones, never panics, and an edit
//! refused leaves the topology equal to what it was.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fn check(u: &mut Unstructured) -> arbitrary::Result<()> {
    let mut topology = sglab_fuzz::topology(u)?;
    for _ in 0..u.int_in_range(1..=8)? {
        let edit = sglab_fuzz::edit(u, &topology)?;
        let before = topology.clone();
        if let Err(error) = sglab_core::edit::apply(&mut topology, &edit) {
            assert!(
                topology == before,
                "the refused edit {edit:?} ({error}) changed the topology"
            );
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = check(&mut Unstructured::new(data));
});
