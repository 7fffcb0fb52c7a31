//! Browser component tests: mount the real `App`, click and type through the DOM, read it back
//! by `data-testid`. Run with
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p sglab-web --target wasm32-unknown-unknown --test web`.

#![cfg(target_arch = "wasm32")]

use sglab_core::eval::{explain, resolve_party};
use sglab_core::examples::examples;
use sglab_core::load::parse_sglab;
use sglab_web::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A mounted app, unmounted and removed on drop.
struct Mounted {
    root: Element,
    handle: Option<yew::AppHandle<App>>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.destroy();
        }
        self.root.remove();
    }
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Mounts the app on a fresh page state (no autosave, no share link) and lets it render.
async fn mount() -> Mounted {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    Mounted {
        root,
        handle: Some(handle),
    }
}

fn find(mounted: &Mounted, testid: &str) -> Option<Element> {
    mounted
        .root
        .query_selector(&format!("[data-testid=\"{testid}\"]"))
        .unwrap()
}

fn get(mounted: &Mounted, testid: &str) -> Element {
    find(mounted, testid).unwrap_or_else(|| panic!("no element with data-testid {testid}"))
}

fn text(mounted: &Mounted, testid: &str) -> String {
    get(mounted, testid).text_content().unwrap_or_default()
}

async fn click(mounted: &Mounted, testid: &str) {
    get(mounted, testid)
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    yew::scheduler::flush().await;
}

fn fire(element: &Element, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict(kind, &init).unwrap();
    element.dispatch_event(&event).unwrap();
}

async fn type_and_commit(mounted: &Mounted, testid: &str, value: &str) {
    let input = get(mounted, testid).unchecked_into::<HtmlInputElement>();
    input.set_value(value);
    fire(&input, "input");
    fire(&input, "change");
    yew::scheduler::flush().await;
}

async fn choose(mounted: &Mounted, testid: &str, value: &str) {
    let select = get(mounted, testid).unchecked_into::<HtmlSelectElement>();
    select.set_value(value);
    fire(&select, "change");
    yew::scheduler::flush().await;
}

/// The current topology as the app's script API returns it.
fn topology_json() -> String {
    let window = web_sys::window().unwrap();
    let api = js_sys::Reflect::get(&window, &"sglab".into()).unwrap();
    let function = js_sys::Reflect::get(&api, &"topology".into())
        .unwrap()
        .unchecked_into::<js_sys::Function>();
    function.call0(&api).unwrap().as_string().unwrap()
}

#[wasm_bindgen_test]
async fn the_example_opens_with_the_gateway_to_pods_edge() {
    let app = mount().await;
    assert!(text(&app, "topology-title").contains("AI gateway"));
    let edge = get(&app, "edge-sg-ai-gateway-service-sg1");
    assert_eq!(
        edge.query_selector("[data-testid=\"edge-label\"]")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "tcp 8080"
    );
    let ecs = text(&app, "edge-sg-ai-gateway-service-sg2");
    assert!(
        ecs.contains("tcp 80-9000"),
        "the ECS backend edge reads {ecs:?}"
    );
}

#[wasm_bindgen_test]
async fn a_reversed_port_range_is_refused_in_the_vendors_words() {
    let app = mount().await;
    let before = topology_json();
    click(&app, "tree-group-service-sg1").await;
    type_and_commit(&app, "rule-service-sg1-0-ports", "200/1").await;
    let error = text(&app, "rule-service-sg1-0-ports-error");
    assert!(
        error.contains("200/1") && error.contains("InvalidParam.PortRange"),
        "error reads {error:?}"
    );
    assert_eq!(topology_json(), before, "the topology is unchanged");
    assert!(
        get(&app, "undo").has_attribute("disabled"),
        "nothing to undo"
    );

    // A valid range is taken, and undo brings the old one back.
    type_and_commit(&app, "rule-service-sg1-0-ports", "8081/8081").await;
    assert!(find(&app, "rule-service-sg1-0-ports-error").is_none());
    assert!(topology_json().contains("8081/8081"));
    click(&app, "undo").await;
    assert_eq!(topology_json(), before);
}

#[wasm_bindgen_test]
async fn choosing_icmp_sets_all_ports_and_priority_zero_is_refused() {
    let app = mount().await;
    click(&app, "tree-group-service-sg2").await;
    choose(&app, "rule-service-sg2-0-protocol", "icmp").await;
    let ports = get(&app, "rule-service-sg2-0-ports").unchecked_into::<HtmlInputElement>();
    assert_eq!(ports.value(), "-1/-1");
    type_and_commit(&app, "rule-service-sg2-0-priority", "0").await;
    let error = text(&app, "rule-service-sg2-0-priority-error");
    assert!(
        error.contains("InvalidPriority.ValueNotSupported"),
        "error reads {error:?}"
    );
}

#[wasm_bindgen_test]
async fn a_query_shows_the_deciding_rule_and_steps_through() {
    let app = mount().await;
    choose(&app, "query-from", "gw-node-1").await;
    choose(&app, "query-to", "pod-app-1").await;
    type_and_commit(&app, "query-port", "8080").await;
    let form = get(&app, "query-bar").unchecked_into::<web_sys::HtmlFormElement>();
    form.request_submit().unwrap();
    yew::scheduler::flush().await;
    assert_eq!(
        get(&app, "verdict")
            .get_attribute("data-verdict")
            .as_deref(),
        Some("allow")
    );
    assert!(text(&app, "verdict").contains("allowed"));
    let decision = text(&app, "ingress-decision");
    assert!(
        decision.contains("rule 1 of service-sg1"),
        "ingress decided by {decision:?}"
    );
    assert_eq!(
        get(&app, "rule-service-sg1-0")
            .get_attribute("data-mark")
            .as_deref(),
        Some("allow")
    );
    assert!(text(&app, "step-position").starts_with("Step 1 of"));

    // Port 8081 is blocked, with every blocker listed.
    type_and_commit(&app, "query-port", "8081").await;
    get(&app, "query-bar")
        .unchecked_into::<web_sys::HtmlFormElement>()
        .request_submit()
        .unwrap();
    yew::scheduler::flush().await;
    assert_eq!(
        get(&app, "verdict")
            .get_attribute("data-verdict")
            .as_deref(),
        Some("deny")
    );
    assert!(text(&app, "verdict").contains("blocked"));
    assert!(find(&app, "blockers").is_some());
}

/// The doctor in the explanation panel: a blocked query lists its cause with a fix; the fix is
/// one edit that re-evaluates the question, and Undo brings the denial back.
#[wasm_bindgen_test]
async fn the_doctors_fix_applies_and_undoes() {
    let app = mount().await;
    choose(&app, "query-from", "gw-node-1").await;
    choose(&app, "query-to", "pod-app-1").await;
    type_and_commit(&app, "query-port", "8081").await;
    get(&app, "query-bar")
        .unchecked_into::<web_sys::HtmlFormElement>()
        .request_submit()
        .unwrap();
    yew::scheduler::flush().await;
    let verdict = |app: &Mounted| get(app, "verdict").get_attribute("data-verdict");
    assert_eq!(verdict(&app).as_deref(), Some("deny"));
    let doctor = get(&app, "doctor");
    assert!(doctor.has_attribute("open"), "open by itself for a denial");
    let cause = text(&app, "diagnosis-port-outside-rule");
    assert!(
        cause.contains("8080"),
        "the cause names the authorized port: {cause:?}"
    );
    let fix = doctor
        .query_selector("[data-testid=\"diagnosis-port-outside-rule\"] button.fix")
        .unwrap()
        .expect("a fix button");
    assert!(
        fix.text_content().unwrap_or_default().contains("8081"),
        "the fix opens 8081: {:?}",
        fix.text_content()
    );
    fix.unchecked_into::<web_sys::HtmlElement>().click();
    yew::scheduler::flush().await;
    assert_eq!(
        verdict(&app).as_deref(),
        Some("allow"),
        "the fix re-evaluates"
    );
    assert!(topology_json().contains("8081/8081"));

    click(&app, "undo").await;
    assert_eq!(
        verdict(&app).as_deref(),
        Some("deny"),
        "Undo takes the fix back"
    );
    assert!(!topology_json().contains("8081/8081"));
}

#[wasm_bindgen_test]
async fn a_share_link_round_trips_through_the_codec_and_core() {
    let (topology, _) = {
        let example = &examples()[0];
        let parsed = parse_sglab(example.json, Some(example.id)).unwrap();
        (parsed.topology, parsed.warnings)
    };
    let payload = sglab_web::engine::link_payload(&topology);
    let (back, warnings) = sglab_web::engine::topology_from_link(&payload).unwrap();
    assert!(warnings.is_empty());
    assert_eq!(back, topology);
    assert!(sglab_web::engine::topology_from_link("not-a-link").is_err());
}

/// Every expectation stored in the built-in examples gives the same verdict in WebAssembly as
/// the native tests check.
#[wasm_bindgen_test]
fn the_examples_expectations_hold_in_wasm() {
    let mut checked = 0;
    for example in examples() {
        let topology = parse_sglab(example.json, Some(example.id))
            .unwrap()
            .topology;
        for expectation in &topology.expectations {
            let from = resolve_party(&topology, &expectation.from).unwrap();
            let to = resolve_party(&topology, &expectation.to).unwrap();
            let explanation = explain(
                &topology,
                &from,
                &to,
                expectation.protocol,
                expectation.port,
            );
            assert_eq!(
                explanation.verdict,
                expectation.verdict,
                "{}: {} -> {} {:?} {:?}",
                example.id,
                expectation.from,
                expectation.to,
                expectation.protocol,
                expectation.port
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} expectations checked");
}

/// Not a timed test: prints how long the app's recompute takes in WebAssembly on the
/// interactive target (500 endpoints, 50 groups, 10,000 rules), for the report.
#[wasm_bindgen_test]
fn recompute_on_the_interactive_target() {
    let topology =
        sglab_core::generate::generate(1, &sglab_core::generate::GenParams::interactive());
    let performance = web_sys::window().unwrap().performance().unwrap();
    let started = performance.now();
    let topology = sglab_web::types::Shared::new(topology);
    let reach = sglab_web::engine::Reach::compute(&topology);
    let edges = sglab_web::engine::Edges::compute(&reach);
    let millis = performance.now() - started;
    let rules: usize = topology.groups.values().map(|g| g.rules.len()).sum();
    console_log!(
        "recompute: {} endpoints, {} groups, {} rules in {:.1} ms ({} group edges)",
        topology.endpoints.len(),
        topology.groups.len(),
        rules,
        millis,
        edges.group_edges.len()
    );
    assert_eq!(reach.matrix.endpoints().len(), topology.endpoints.len());
}

/// The scenario corpus, embedded: every file of `tests/scenarios/` (a new file must be added
/// here too; the native corpus runner reads the directory itself).
macro_rules! scenarios {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("scenarios/", $name)))),*]
    };
}

const SCENARIOS: &[(&str, &str)] = scenarios![
    "01-priority-order.json",
    "02-drop-wins-ties.json",
    "03-first-match.json",
    "04-basic-defaults.json",
    "05-enterprise-defaults.json",
    "06-enterprise-no-intra-group.json",
    "07-intra-group-accept.json",
    "08-inner-drop-explicit-accept.json",
    "09-multi-group-pooling.json",
    "10-legacy-priority-110.json",
    "11-protocol-all-and-gre.json",
    "12-icmp-families.json",
    "13-port-range.json",
    "14-prefix-list.json",
    "15-external-network.json",
    "16-cidr-vs-public-ip.json",
    "17-no-public-ip.json",
    "18-group-peer-other-vpc.json",
    "19-flannel-pod-cidr.json",
    "20-terway-shared-pods.json",
    "21-terway-trunk-same-node.json",
    "22-tcp-25-platform-block.json",
    "23-service-status.json",
    "24-every-blocker.json",
    "25-stateful-and-silent.json",
    "26-gateway-authorization.json",
    "27-gateway-revoke-without-cascade.json",
    "28-faq-rule-in-wrong-group.json",
    "29-faq-node-in-several-groups.json",
    "30-faq-service-port-moved.json",
    "31-faq-service-down.json",
    "32-ack-cluster-group.json",
    "33-ack-legacy-loose-rule.json",
    "34-quintuple-rules.json",
    "35-nic-type-internet.json",
    "36-ipv6-peers.json",
    "37-external-source-no-egress.json",
    "38-cidr-wins-over-group.json",
    "40-doctor-no-rule-allows.json",
    "41-doctor-drop-rule.json",
    "42-doctor-enterprise-egress.json",
    "43-doctor-flannel-pod-cidr.json",
    "44-doctor-tcp-25.json",
    "45-doctor-no-public-address.json",
    "46-doctor-drop-in-other-group.json",
    "47-doctor-rule-in-other-node-group.json",
    "48-doctor-port-outside-rule.json",
    "49-doctor-every-blocker.json",
    "50-lint-shadowed.json",
    "51-lint-partially-shadowed.json",
    "52-lint-redundant.json",
    "53-lint-mergeable.json",
    "54-lint-conflicting-equal-priority.json",
    "55-lint-open-internal.json",
    "56-lint-all-ports-open.json",
    "57-lint-risky-port.json",
    "58-lint-unattached.json",
    "59-lint-too-many-rules.json",
    "60-lint-too-many-group-references.json",
    "61-lint-ack-ssh-blocked.json",
    "62-lint-ack-icmp-missing.json",
    "63-lint-flannel-pod-cidr.json",
];

/// Compares one side of an explanation with the corpus' expected decision.
fn side_problems(
    side: &str,
    actual: &sglab_core::explain::Decision,
    expected: &serde_json::Value,
) -> Vec<String> {
    use sglab_core::explain::Decision;
    let mut problems = Vec::new();
    if expected["kind"].as_str() != Some(actual.kind()) {
        problems.push(format!(
            "{side}: kind {} instead of {}",
            actual.kind(),
            expected["kind"]
        ));
    }
    let (group, index) = match actual {
        Decision::Rule(rule) => (Some(rule.security_group.as_str()), Some(rule.rule_index)),
        Decision::IntraGroup { security_group } => (Some(security_group.as_str()), None),
        _ => (None, None),
    };
    if let Some(expected_group) = expected["security_group"].as_str() {
        if group != Some(expected_group) {
            problems.push(format!(
                "{side}: group {group:?} instead of {expected_group}"
            ));
        }
    }
    if let Some(expected_index) = expected["rule_index"].as_u64() {
        if index != Some(expected_index as usize) {
            problems.push(format!(
                "{side}: rule index {index:?} instead of {expected_index}"
            ));
        }
    }
    if let Some(verdict) = expected["verdict"].as_str() {
        if actual.verdict().to_string() != verdict {
            problems.push(format!(
                "{side}: verdict {} instead of {verdict}",
                actual.verdict()
            ));
        }
    }
    problems
}

/// The scenario corpus gives the same verdicts, deciding decisions, blockers, service status,
/// doctor's diagnoses and lint findings in WebAssembly as the native corpus runner checks.
#[wasm_bindgen_test]
fn the_scenario_corpus_holds_in_wasm() {
    let mut problems = Vec::new();
    let mut cases = 0;
    let mut diagnosed = 0;
    let mut linted = 0;
    for (name, text) in SCENARIOS {
        let topology = match parse_sglab(text, Some(name)) {
            Ok(parsed) => parsed.topology,
            Err(diagnostics) => {
                problems.push(format!(
                    "{name}: does not load: {:?}",
                    diagnostics.first().map(ToString::to_string)
                ));
                continue;
            }
        };
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        for case in value["corpus"]["cases"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            cases += 1;
            let field = |key: &str| case[key].as_str().unwrap_or_default().to_owned();
            let (Ok(from), Ok(to)) = (
                resolve_party(&topology, &field("from")),
                resolve_party(&topology, &field("to")),
            ) else {
                problems.push(format!(
                    "{name}: cannot resolve {} -> {}",
                    field("from"),
                    field("to")
                ));
                continue;
            };
            let protocol = sglab_core::model::Protocol::parse(&field("protocol")).unwrap();
            let port = case["port"].as_u64().map(|port| port as u16);
            let explanation = explain(&topology, &from, &to, protocol, port);
            let label = format!(
                "{name}: {} -> {} {} {:?}",
                field("from"),
                field("to"),
                field("protocol"),
                port
            );
            if explanation.verdict.to_string() != field("verdict") {
                problems.push(format!(
                    "{label}: verdict {} instead of {}",
                    explanation.verdict,
                    field("verdict")
                ));
            }
            for problem in side_problems("egress", &explanation.egress.decided_by, &case["egress"])
                .into_iter()
                .chain(side_problems(
                    "ingress",
                    &explanation.ingress.decided_by,
                    &case["ingress"],
                ))
            {
                problems.push(format!("{label}: {problem}"));
            }
            if let Some(count) = case["blockers"].as_u64() {
                if explanation.blockers.len() as u64 != count {
                    problems.push(format!(
                        "{label}: {} blockers instead of {count}",
                        explanation.blockers.len()
                    ));
                }
            }
            if let Some(service) = case["service"].as_str() {
                if explanation.service.to_string() != service {
                    problems.push(format!(
                        "{label}: service {} instead of {service}",
                        explanation.service
                    ));
                }
            }
            if let Some(expected) = case["diagnoses"].as_array() {
                let expected: Vec<&str> = expected.iter().filter_map(|c| c.as_str()).collect();
                let actual: Vec<String> =
                    sglab_core::doctor::diagnose(&topology, &from, &to, protocol, port)
                        .iter()
                        .map(|d| d.code.to_string())
                        .collect();
                if actual != expected {
                    problems.push(format!(
                        "{label}: diagnoses {actual:?} instead of {expected:?}"
                    ));
                }
                diagnosed += 1;
            }
        }
        if let Some(expected) = value["corpus"]["lints"].as_array() {
            let key = |code: &str, group: Option<&str>, index: Option<u64>| {
                format!("{code} {group:?} {index:?}")
            };
            let mut expected: Vec<String> = expected
                .iter()
                .map(|finding| {
                    key(
                        finding["code"].as_str().unwrap_or_default(),
                        finding["security_group"].as_str(),
                        finding["rule_index"].as_u64(),
                    )
                })
                .collect();
            let mut actual: Vec<String> =
                sglab_core::lint::lint(&topology, &sglab_core::validate::Limits::default())
                    .iter()
                    .map(|finding| {
                        key(
                            finding.code.as_str(),
                            finding.security_group.as_ref().map(|g| g.as_str()),
                            finding.rule_index.map(|i| i as u64),
                        )
                    })
                    .collect();
            expected.sort();
            actual.sort();
            if actual != expected {
                problems.push(format!(
                    "{name}: lint findings {actual:?} instead of {expected:?}"
                ));
            }
            linted += 1;
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {cases} cases differ:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(cases >= 100, "only {cases} corpus cases ran");
    assert!(diagnosed >= 30, "only {diagnosed} cases listed diagnoses");
    assert!(linted >= 14, "only {linted} files listed lint findings");
}

/// The diff corpus, embedded: every case of `tests/diffs/` (a new case must be added here).
macro_rules! diff_cases {
    ($($name:literal),* $(,)?) => {
        &[$((
            $name,
            include_str!(concat!("diffs/", $name, "/old.json")),
            include_str!(concat!("diffs/", $name, "/new.json")),
            include_str!(concat!("diffs/", $name, "/expected.json")),
        )),*]
    };
}

const DIFF_CASES: &[(&str, &str, &str, &str)] = diff_cases![
    "01-drop-raised-to-tie",
    "02-drop-restating-default",
    "03-port-range-moved",
    "04-description-only",
    "05-rule-moved-between-groups",
    "06-new-instance-open-to-internet",
];

/// The diff corpus gives the same verdicts, counts, changes and rule changes in WebAssembly as
/// the native runners check.
#[wasm_bindgen_test]
fn the_diff_corpus_holds_in_wasm() {
    let mut problems = Vec::new();
    for (name, old, new, expected) in DIFF_CASES {
        let old = parse_sglab(old, Some("old.json")).unwrap().topology;
        let new = parse_sglab(new, Some("new.json")).unwrap().topology;
        let expected: serde_json::Value = serde_json::from_str(expected).unwrap();
        let actual = serde_json::to_value(sglab_core::diff::diff(&old, &new)).unwrap();
        for field in ["verdict", "counts"] {
            if actual[field] != expected[field] {
                problems.push(format!("{name}: {field} {}", actual[field]));
            }
        }
        let changes: Vec<serde_json::Value> = actual["changes"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|change| {
                serde_json::json!({
                    "from": change["from"], "to": change["to"], "protocol": change["protocol"],
                    "opened": change["opened"], "closed": change["closed"],
                })
            })
            .collect();
        if serde_json::Value::Array(changes) != expected["changes"] {
            problems.push(format!("{name}: changes {}", actual["changes"]));
        }
        let rule_changes: Vec<serde_json::Value> = actual["rule_changes"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|change| {
                serde_json::json!({
                    "security_group": change["security_group"],
                    "kind": change["kind"],
                    "fields": change["fields"],
                })
            })
            .collect();
        if serde_json::Value::Array(rule_changes) != expected["rule_changes"] {
            problems.push(format!("{name}: rule changes {}", actual["rule_changes"]));
        }
        if let Some(objects) = expected.get("object_changes") {
            if &actual["object_changes"] != objects {
                problems.push(format!(
                    "{name}: object changes {}",
                    actual["object_changes"]
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
