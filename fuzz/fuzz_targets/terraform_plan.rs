//! Terraform plan and state JSON (`terraform show -json`): `import::detect`,
//! `import::load_files` (the planned values, unknown values resolved through the
//! configuration's references) and `import::plan_topologies` (the topologies before and after)
//! never panic, and every topology they give passes the model's check.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sglab_core::diagnostic::Diagnostic;
use sglab_core::model::Topology;

fn assert_checked(topology: &Topology, what: &str) {
    let errors: Vec<Diagnostic> = sglab_core::validate::check(topology)
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    assert!(
        errors.is_empty(),
        "{what} fails the model check: {errors:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = sglab_core::import::detect("plan.json", text);
    if let Ok(loaded) = sglab_core::import::load_files(&[("plan.json", text)]) {
        assert_checked(&loaded.topology, "the imported plan");
    }
    if let Ok(plan) = sglab_core::import::plan_topologies("plan.json", text) {
        assert_checked(&plan.before.topology, "the plan's topology before");
        assert_checked(&plan.after.topology, "the plan's topology after");
    }
});
