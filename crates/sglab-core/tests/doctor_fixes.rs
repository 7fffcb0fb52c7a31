//! The doctor's one-click fixes checked against the brute-force reference evaluator: every fix
//! shown as a button, applied alone, allows the side it addresses; the first fix of each side,
//! applied together, allow the question when no blocker without a fix remains; and all the
//! fixes together allow it when every diagnosis has one.

use proptest::prelude::*;
use sglab_core::doctor::{diagnose, Diagnosis};
use sglab_core::eval::{explain, resolve_party, Party};
use sglab_core::fix::Fix;
use sglab_core::generate::{generate, GenParams};
use sglab_core::load::parse_sglab;
use sglab_core::model::{Direction, PortSpec, Protocol, Topology, Verdict};
use sglab_core::reference::{reference_verdict, Outcome, ReferenceAnswer};

const PROTOCOLS: [Protocol; 6] = [
    Protocol::Tcp,
    Protocol::Udp,
    Protocol::Icmp,
    Protocol::Icmpv6,
    Protocol::Gre,
    Protocol::All,
];

/// The sides whose rules a fix changes: the direction of each rule it adds or changes, ingress
/// for a gateway authorization.
fn fix_sides(fix: &Fix) -> Vec<Direction> {
    let mut sides = Vec::new();
    collect_sides(fix, &mut sides);
    sides
}

fn collect_sides(fix: &Fix, sides: &mut Vec<Direction>) {
    let side = match fix {
        Fix::AddRule { rule, .. } | Fix::ReplaceRule { rule, .. } => Some(rule.direction),
        Fix::Authorize { .. } => Some(Direction::Ingress),
        Fix::Together { fixes } => {
            for fix in fixes {
                collect_sides(fix, sides);
            }
            None
        }
        Fix::DeleteRule { .. } | Fix::StartService { .. } => None,
    };
    if let Some(side) = side {
        if !sides.contains(&side) {
            sides.push(side);
        }
    }
}

/// Whether the reference finds no blocker of the groups' rules on `side` (the platform's
/// TCP 25 block is no rule, and no fix lifts it).
fn side_allows(answer: &ReferenceAnswer, side: Direction) -> bool {
    !answer.blockers.iter().any(|blocker| {
        blocker.side == Some(side) && !matches!(blocker.outcome, Outcome::Platform(_))
    })
}

/// What went wrong with the doctor's fixes for one question, in words.
#[derive(Debug, Default)]
struct Findings {
    fixes: usize,
    failing_fixes: Vec<String>,
    claimed: usize,
    failing_claims: Vec<String>,
}

/// Checks the fixes of one question against the reference and records what fails.
fn check_question(
    topology: &Topology,
    from: &Party,
    to: &Party,
    protocol: Protocol,
    port: Option<u16>,
    findings: &mut Findings,
) {
    let before = reference_verdict(topology, from, to, protocol, port);
    if before.verdict == Verdict::Allow {
        return;
    }
    let diagnoses = diagnose(topology, from, to, protocol, port);
    let mut first_of_side: Vec<(Direction, &Fix)> = Vec::new();
    for diagnosis in &diagnoses {
        let Some(fix) = &diagnosis.fix else { continue };
        let sides = fix_sides(fix);
        if sides.is_empty() {
            continue;
        }
        findings.fixes += 1;
        let mut alone = topology.clone();
        if let Err(error) = fix.apply(&mut alone) {
            findings
                .failing_fixes
                .push(format!("{fix} does not apply: {error}"));
            continue;
        }
        let after = reference_verdict(&alone, from, to, protocol, port);
        for side in &sides {
            if !side_allows(&after, *side) {
                findings.failing_fixes.push(format!(
                    "{fix} leaves {side} denied: {:?} ({from:?} -> {to:?} {protocol} {port:?})",
                    after.blockers
                ));
            }
        }
        for side in sides {
            if !first_of_side.iter().any(|(seen, _)| *seen == side) {
                first_of_side.push((side, fix));
            }
        }
    }
    // The doctor claims that all its fixes together allow the question when every diagnosis has
    // one.
    if !diagnoses.is_empty() && diagnoses.iter().all(|diagnosis| diagnosis.fix.is_some()) {
        findings.claimed += 1;
        let mut all = topology.clone();
        let applied = diagnoses
            .iter()
            .filter_map(|diagnosis| diagnosis.fix.as_ref())
            .all(|fix| fix.apply(&mut all).is_ok());
        let after = reference_verdict(&all, from, to, protocol, port);
        if !applied || after.verdict != Verdict::Allow {
            findings.failing_claims.push(format!(
                "all fixes together leave {from:?} -> {to:?} {protocol} {port:?} denied: {:?}",
                after.blockers
            ));
        }
    }
    // The doctor claims that the first fix of each side together allow the question when every
    // side the rules deny has a fix and nothing else (no address, the platform) denies.
    let rule_sides: Vec<Direction> = [Direction::Egress, Direction::Ingress]
        .into_iter()
        .filter(|side| !side_allows(&before, *side))
        .collect();
    let only_rules = before
        .blockers
        .iter()
        .all(|blocker| blocker.side.is_some() && !matches!(blocker.outcome, Outcome::Platform(_)));
    let every_side_fixed = rule_sides
        .iter()
        .all(|side| first_of_side.iter().any(|(seen, _)| seen == side));
    if only_rules && every_side_fixed && !rule_sides.is_empty() {
        findings.claimed += 1;
        let mut together = topology.clone();
        for (_, fix) in &first_of_side {
            if fix.apply(&mut together).is_err() {
                findings
                    .failing_claims
                    .push(format!("{fix} does not apply after the others"));
            }
        }
        let after = reference_verdict(&together, from, to, protocol, port);
        if after.verdict != Verdict::Allow {
            findings.failing_claims.push(format!(
                "{:?} together leave {from:?} -> {to:?} {protocol} {port:?} denied: {:?}",
                first_of_side
                    .iter()
                    .map(|(_, fix)| fix.to_string())
                    .collect::<Vec<_>>(),
                after.blockers
            ));
        }
    }
}

/// The questions asked of one topology: `count` picks of a source, a target, a protocol and a
/// port, drawn from `seed`.
fn questions(topology: &Topology, seed: u64, count: usize) -> Vec<(Party, Party, Protocol, u16)> {
    let mut parties: Vec<Party> = topology
        .endpoints
        .keys()
        .cloned()
        .map(Party::Endpoint)
        .collect();
    parties.push(Party::Address("198.51.100.77".parse().expect("an address")));
    let boundaries = rule_boundaries(topology);
    let mut state = seed ^ 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        usize::try_from((z ^ (z >> 31)) % 1_000_003).unwrap_or(0)
    };
    (0..count)
        .map(|_| {
            let from = parties[next() % parties.len()].clone();
            let to = parties[next() % parties.len()].clone();
            let protocol = PROTOCOLS[next() % PROTOCOLS.len()];
            let port = match next() % 2 {
                0 => u16::try_from(1 + next() % 70).unwrap_or(1),
                _ => boundaries[next() % boundaries.len()],
            };
            (from, to, protocol, port)
        })
        .collect()
}

/// Every port where a rule's range starts or ends, and its neighbours: where drops and accepts
/// meet.
fn rule_boundaries(topology: &Topology) -> Vec<u16> {
    let mut ports: Vec<u16> = vec![1, 22, 25, 65535];
    for group in topology.groups.values() {
        for rule in &group.rules {
            if let PortSpec::Range(range) = rule.ports {
                for port in [
                    range.start().saturating_sub(1),
                    range.start(),
                    range.end(),
                    range.end().saturating_add(1),
                ] {
                    if port >= 1 && !ports.contains(&port) {
                        ports.push(port);
                    }
                }
            }
        }
    }
    ports
}

fn diagnosed(json: &str, from: &str, to: &str, port: u16) -> (Topology, Vec<Diagnosis>) {
    let topology = parse_sglab(json, None).expect("a valid topology").topology;
    let from = resolve_party(&topology, from).expect("from resolves");
    let to = resolve_party(&topology, to).expect("to resolves");
    let diagnoses = diagnose(&topology, &from, &to, Protocol::Udp, Some(port));
    (topology, diagnoses)
}

/// Ingress blocked by a drop at priority 1 and by the basic group's default: an accept at
/// priority 1 changes nothing, since the drop wins the tie.
const DROP_AT_1: &str = r#"{"sglab": 1,
  "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
  "security_groups": [
    {"id": "sg-app", "rules": [
      {"direction": "ingress", "policy": "drop", "priority": 1, "protocol": "udp",
       "port_range": "1/65535", "cidr": "198.51.100.0/24"}]}
  ],
  "endpoints": [
    {"id": "app", "kind": "ecs", "private_ip": "10.0.1.10", "public_ip": "47.0.0.1",
     "groups": ["sg-app"]}
  ]}"#;

#[test]
fn an_accept_that_a_drop_at_priority_1_beats_is_not_a_one_click_fix() {
    let (topology, diagnoses) = diagnosed(DROP_AT_1, "198.51.100.7", "app", 8081);
    let from = resolve_party(&topology, "198.51.100.7").expect("from resolves");
    let to = resolve_party(&topology, "app").expect("to resolves");
    let mut findings = Findings::default();
    check_question(
        &topology,
        &from,
        &to,
        Protocol::Udp,
        Some(8081),
        &mut findings,
    );
    assert!(findings.failing_fixes.is_empty(), "{findings:#?}");
    let accept = diagnoses
        .iter()
        .find(|diagnosis| {
            diagnosis
                .fix_text
                .contains("accept priority 1 udp 8081/8081")
        })
        .expect("the accept is still named");
    assert!(accept.fix.is_none(), "{accept:#?}");
    assert!(
        accept.fix_text.contains("rule 1 of sg-app"),
        "the advice names the drop that still decides: {}",
        accept.fix_text
    );
    let explanation = explain(&topology, &from, &to, Protocol::Udp, Some(8081));
    assert_eq!(explanation.verdict, Verdict::Deny);
}

/// Two drops in two groups before an accept: the fix of the later drop alone leaves the
/// earlier one deciding.
const TWO_DROPS: &str = r#"{"sglab": 1,
  "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
  "security_groups": [
    {"id": "sg-client"},
    {"id": "sg-svc", "rules": [
      {"direction": "ingress", "priority": 10, "protocol": "udp", "port_range": "1/100", "group": "sg-client"},
      {"direction": "ingress", "policy": "drop", "priority": 5, "protocol": "udp", "port_range": "1/100", "cidr": "10.0.0.0/16"}]},
    {"id": "sg-lock", "rules": [
      {"direction": "ingress", "policy": "drop", "priority": 3, "protocol": "udp", "port_range": "1/100", "cidr": "10.0.1.0/24"}]}
  ],
  "endpoints": [
    {"id": "client", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-client"]},
    {"id": "svc", "kind": "ecs", "private_ip": "10.0.2.10", "groups": ["sg-svc", "sg-lock"]}
  ]}"#;

#[test]
fn every_one_click_fix_of_two_drops_allows_the_side() {
    let (topology, diagnoses) = diagnosed(TWO_DROPS, "client", "svc", 53);
    assert_eq!(diagnoses.len(), 2, "{diagnoses:#?}");
    let from = resolve_party(&topology, "client").expect("from resolves");
    let to = resolve_party(&topology, "svc").expect("to resolves");
    let mut findings = Findings::default();
    check_question(
        &topology,
        &from,
        &to,
        Protocol::Udp,
        Some(53),
        &mut findings,
    );
    assert!(findings.fixes >= 1, "{diagnoses:#?}");
    assert!(findings.failing_fixes.is_empty(), "{findings:#?}");
    assert!(findings.failing_claims.is_empty(), "{findings:#?}");
}

/// 150 topologies of the varied shape, 24 questions each: no one-click fix fails its side and
/// no claim of the first fixes together fails the question.
#[test]
fn fixes_fix_on_150_topologies() {
    let mut findings = Findings::default();
    for seed in 0..150u64 {
        let endpoints = 2 + usize::try_from(seed % 7).unwrap_or(0);
        let groups = 1 + usize::try_from(seed % 5).unwrap_or(0);
        let rules = usize::try_from(seed * 7 % 60).unwrap_or(0);
        let topology = generate(seed, &GenParams::small(endpoints, groups, rules));
        for (from, to, protocol, port) in questions(&topology, seed, 24) {
            check_question(&topology, &from, &to, protocol, Some(port), &mut findings);
        }
    }
    assert!(
        findings.failing_fixes.is_empty() && findings.failing_claims.is_empty(),
        "{} of {} one-click fixes leave their side denied; {} of {} claims of the first fixes together fail:\n{}\n{}",
        findings.failing_fixes.len(),
        findings.fixes,
        findings.failing_claims.len(),
        findings.claimed,
        findings.failing_fixes.join("\n"),
        findings.failing_claims.join("\n"),
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Every one-click fix of a denied question, applied alone, allows its side, and the first
    /// fix of each side together allow the question, by the reference evaluator.
    #[test]
    fn one_click_fixes_allow_their_side(
        seed in any::<u64>(),
        endpoints in 2usize..9,
        groups in 1usize..6,
        rules in 0usize..40,
        pick in any::<u64>(),
    ) {
        let topology = generate(seed, &GenParams::small(endpoints, groups, rules));
        let mut findings = Findings::default();
        for (from, to, protocol, port) in questions(&topology, pick, 4) {
            check_question(&topology, &from, &to, protocol, Some(port), &mut findings);
        }
        prop_assert!(findings.failing_fixes.is_empty(), "{:#?}", findings.failing_fixes);
        prop_assert!(findings.failing_claims.is_empty(), "{:#?}", findings.failing_claims);
    }
}
