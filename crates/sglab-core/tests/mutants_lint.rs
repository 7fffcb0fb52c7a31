//! The lint (`lint/`): the cases that the mutation testing of `lint/` showed no other lint test
//! decided (docs/testing.md, "Mutation testing").

use expect_test::{expect, Expect};
use sglab_core::lint::{added_rule_effect, lint, AddedRuleEffect, Finding, LintCode};
use sglab_core::load::parse_sglab;
use sglab_core::model::{GroupId, Topology};
use sglab_core::validate::Limits;

fn load(text: &str) -> Topology {
    parse_sglab(text, None).expect("a valid topology").topology
}

fn findings(text: &str) -> Vec<Finding> {
    lint(&load(text), &Limits::default())
}

/// The findings of the rules of `sg-web` (place, severity, code, words, fix), those of other
/// groups and of the topology left out.
fn check(text: &str, expect: Expect) {
    let mut out = String::new();
    for finding in findings(text) {
        if finding.security_group.as_ref().map(|group| group.as_str()) != Some("sg-web")
            || finding.rule_index.is_none()
        {
            continue;
        }
        out.push_str(&format!(
            "rule {} {}[{}]: {}\n  fix: {}\n",
            finding.rule_index.map_or(0, |index| index + 1),
            finding.severity,
            finding.code,
            finding.message,
            finding.fix_text
        ));
        if let Some(fix) = &finding.fix {
            out.push_str(&format!("  one-click: {fix}\n"));
        }
        let related: Vec<String> = finding.related.iter().map(ToString::to_string).collect();
        out.push_str(&format!("  related: {}\n", related.join("; ")));
    }
    expect.assert_eq(&out);
}

/// `web` in `sg-web` with `rules` (and the group's `extra` fields), `client` in `sg-client`.
fn web(extra: &str, rules: &str) -> String {
    format!(
        r#"{{"sglab": 1, "vpcs": [{{"id": "vpc-1", "cidr": "10.0.0.0/16"}}],
        "security_groups": [{{"id": "sg-web"{extra}, "rules": [{rules}]}}, {{"id": "sg-client"}}],
        "endpoints": [
          {{"id": "web", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-web"]}},
          {{"id": "client", "kind": "ecs", "private_ip": "10.0.2.10", "groups": ["sg-client"]}}]}}"#
    )
}

#[test]
fn every_code_reads_back_from_its_name() {
    for code in LintCode::ALL {
        assert_eq!(LintCode::parse(code.as_str()), Some(code));
    }
    assert_eq!(LintCode::parse("no-such-code"), None);
}

#[test]
fn a_rule_behind_a_wider_one_is_shadowed_and_named_with_it() {
    let found = findings(
        r#"{"sglab": 1, "vpcs": [{"id": "vpc-1"}],
          "security_groups": [{"id": "sg-web", "rules": [
            {"direction": "ingress", "protocol": "tcp", "port_range": "1/1000", "cidr": "0.0.0.0/0"},
            {"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.0.0/8"}]}],
          "endpoints": [{"id": "web", "kind": "ecs", "private_ip": "10.0.0.5", "groups": ["sg-web"]}]}"#,
    );
    let shadowed: Vec<(LintCode, Option<usize>)> = found
        .iter()
        .map(|finding| (finding.code, finding.rule_index))
        .filter(|(code, _)| *code == LintCode::ShadowedRule)
        .collect();
    assert_eq!(shadowed, [(LintCode::ShadowedRule, Some(1))]);
}

#[test]
fn an_accept_behind_a_drop_of_equal_priority_never_decides_and_says_why() {
    check(
        &web(
            "",
            r#"{"direction": "ingress", "policy": "drop", "priority": 5, "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.0.0/8"},
               {"direction": "ingress", "priority": 5, "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.2.0/24"}"#,
        ),
        expect![[r#"
            rule 2 warning[shadowed-rule]: rule 2 of sg-web (priority 5, accept tcp 80/80 from 10.0.2.0/24) never decides anything: rule 1 of sg-web (priority 5, drop tcp 80/80 from 10.0.0.0/8) decides every packet it matches first; at equal priority drop rules are evaluated before accept rules
              fix: delete rule 2 of sg-web: it changes no verdict
              one-click: delete rule 2 of sg-web
              related: rule 1 of sg-web (priority 5, drop tcp 80/80 from 10.0.0.0/8)
        "#]],
    );
}

#[test]
fn an_accept_overlapping_a_drop_of_equal_priority_conflicts() {
    check(
        &web(
            "",
            r#"{"direction": "ingress", "policy": "drop", "priority": 5, "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.2.0/24"},
               {"direction": "ingress", "priority": 5, "protocol": "tcp", "port_range": "80/81", "cidr": "10.0.0.0/8"}"#,
        ),
        expect![[r#"
            rule 2 warning[conflicting-equal-priority]: rule 2 of sg-web (priority 5, accept tcp 80/81 from 10.0.0.0/8) overlaps rule 1 of sg-web (priority 5, drop tcp 80/80 from 10.0.2.0/24) of the same priority 5: at equal priority drop rules are evaluated first, so the drop wins where they overlap
              fix: if the accept rule should win, give rule 2 of sg-web a higher priority (a smaller number) than the drop; otherwise narrow one of the rules so they no longer overlap
              related: rule 1 of sg-web (priority 5, drop tcp 80/80 from 10.0.2.0/24)
        "#]],
    );
}

#[test]
fn a_rule_decided_the_other_way_in_part_is_partly_shadowed() {
    check(
        &web(
            "",
            r#"{"direction": "ingress", "policy": "drop", "priority": 1, "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.2.0/24"},
               {"direction": "ingress", "priority": 2, "protocol": "tcp", "port_range": "80/81", "cidr": "10.0.0.0/8"}"#,
        ),
        expect![[r#"
            rule 2 info[partially-shadowed-rule]: rule 2 of sg-web (priority 2, accept tcp 80/81 from 10.0.0.0/8) is partly shadowed: rule 1 of sg-web (priority 1, drop tcp 80/80 from 10.0.2.0/24) decides part of the traffic it matches first, the other way
              fix: check that rule 2 of sg-web should not apply where the earlier rules decide; narrow it to the traffic it decides, or change priorities
              related: rule 1 of sg-web (priority 1, drop tcp 80/80 from 10.0.2.0/24)
        "#]],
    );
}

#[test]
fn a_drop_the_default_would_replace_is_redundant_and_a_managed_group_is_changed_elsewhere() {
    check(
        &web(
            r#", "managed_by": "Container Service""#,
            r#"{"direction": "ingress", "policy": "drop", "priority": 1, "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.2.0/24"}"#,
        ),
        expect![[r#"
            rule 1 info[redundant-rule]: rule 1 of sg-web (priority 1, drop tcp 80/80 from 10.0.2.0/24) is redundant: without it, the default (ingress is denied by default) would decide every packet it decides the same way
              fix: delete rule 1 of sg-web: it changes no verdict (the group is managed by Container Service and read-only: change it there)
              related: 
        "#]],
    );
}

#[test]
fn group_peers_are_their_members_and_a_group_without_members_matches_nothing() {
    let text = web(
        "",
        r#"{"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "80/80", "group": "sg-client"},
           {"direction": "ingress", "priority": 2, "protocol": "tcp", "port_range": "80/80", "group": "sg-client"},
           {"direction": "ingress", "priority": 3, "protocol": "tcp", "port_range": "80/80", "group": "sg-empty"}"#,
    )
    .replace(r#"{"id": "sg-client"}"#, r#"{"id": "sg-client"}, {"id": "sg-empty"}"#);
    check(
        &text,
        expect![[r#"
        rule 2 warning[shadowed-rule]: rule 2 of sg-web (priority 2, accept tcp 80/80 from group sg-client) never decides anything: rule 1 of sg-web (priority 1, accept tcp 80/80 from group sg-client) decides every packet it matches first (group peers compared with their current members)
          fix: delete rule 2 of sg-web: it changes no verdict
          one-click: delete rule 2 of sg-web
          related: rule 1 of sg-web (priority 1, accept tcp 80/80 from group sg-client)
        rule 3 warning[shadowed-rule]: rule 3 of sg-web (priority 3, accept tcp 80/80 from group sg-empty) never decides anything: it matches no packet on the ENIs that carry its group (group peers compared with their current members)
          fix: delete rule 3 of sg-web: it changes no verdict
          one-click: delete rule 3 of sg-web
          related: 
    "#]],
    );
}

#[test]
fn a_shadowed_rule_is_not_also_reported_as_exposed() {
    // Rule 2 opens SSH to the internet, but rule 1 decides every packet it matches first.
    check(
        &web(
            "",
            r#"{"direction": "ingress", "policy": "drop", "priority": 1, "protocol": "tcp", "port_range": "1/1024", "cidr": "0.0.0.0/0"},
               {"direction": "ingress", "priority": 2, "protocol": "tcp", "port_range": "22/22", "cidr": "0.0.0.0/0"},
               {"direction": "ingress", "priority": 3, "protocol": "tcp", "port_range": "3389/3389", "cidr": "0.0.0.0/0"}"#,
        ),
        expect![[r#"
            rule 2 warning[shadowed-rule]: rule 2 of sg-web (priority 2, accept tcp 22/22 from 0.0.0.0/0) never decides anything: rule 1 of sg-web (priority 1, drop tcp 1/1024 from 0.0.0.0/0) decides every packet it matches first
              fix: delete rule 2 of sg-web: it changes no verdict
              one-click: delete rule 2 of sg-web
              related: rule 1 of sg-web (priority 1, drop tcp 1/1024 from 0.0.0.0/0)
            rule 3 error[risky-port-exposed]: rule 3 of sg-web (priority 3, accept tcp 3389/3389 from 0.0.0.0/0) exposes 3389 (RDP) to the internet (0.0.0.0/0)
              fix: accept these ports only from the addresses that need them: a bastion's group, an office CIDR or the VPC CIDR 10.0.0.0/16
              one-click: change rule 3 of sg-web to: ingress accept priority 3 tcp 3389/3389 from 10.0.0.0/16
              related: 
        "#]],
    );
}

#[test]
fn a_rule_naming_an_empty_prefix_list_is_not_judged() {
    // An empty list matches nothing in the simulation but may in the cloud.
    let text = web(
        "",
        r#"{"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "80/80", "prefix_list": "pl-empty"},
           {"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "80/80", "prefix_list": "pl-office"}"#,
    )
    .replace(
        r#""endpoints""#,
        r#""prefix_lists": [{"id": "pl-empty", "cidrs": []}, {"id": "pl-office", "cidrs": ["192.0.2.0/24"]}],
        "endpoints""#,
    );
    check(&text, expect![[r#""#]]);
}

#[test]
fn an_added_rule_is_unattached_or_already_decided_by_the_rules_that_take_over() {
    let text = web(
        "",
        r#"{"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.2.0/24"},
           {"direction": "ingress", "priority": 2, "protocol": "tcp", "port_range": "1/1000", "cidr": "10.0.0.0/8"}"#,
    )
    .replace(
        r#"{"id": "sg-client"}"#,
        r#"{"id": "sg-client"}, {"id": "sg-lonely", "rules": [
          {"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.0.0/8"}]}"#,
    );
    let topology = load(&text);
    assert_eq!(
        added_rule_effect(&topology, &GroupId::from("sg-lonely"), 0),
        Some(AddedRuleEffect::Unattached)
    );
    match added_rule_effect(&topology, &GroupId::from("sg-web"), 0) {
        Some(AddedRuleEffect::AlreadyDecidedBy { rules }) => {
            let named: Vec<(String, usize)> = rules
                .iter()
                .map(|rule| (rule.security_group.to_string(), rule.rule_index))
                .collect();
            assert_eq!(named, [("sg-web".to_owned(), 1)]);
        }
        other => panic!("expected the rule that takes over, got {other:?}"),
    }
    assert_eq!(
        added_rule_effect(&topology, &GroupId::from("sg-web"), 1),
        Some(AddedRuleEffect::Effective)
    );
}

#[test]
fn many_rules_are_listed_three_and_the_rest_counted() {
    check(
        &web(
            "",
            r#"{"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "1/100", "cidr": "10.0.0.0/8"},
               {"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "101/200", "cidr": "10.0.0.0/8"},
               {"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "201/300", "cidr": "10.0.0.0/8"},
               {"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "301/400", "cidr": "10.0.0.0/8"},
               {"direction": "ingress", "priority": 2, "protocol": "tcp", "port_range": "1/400", "cidr": "10.0.2.0/24"}"#,
        ),
        expect![[r#"
            rule 1 info[mergeable-rules]: rule 1 of sg-web (priority 1, accept tcp 1/100 from 10.0.0.0/8) and rule 2 of sg-web (priority 1, accept tcp 101/200 from 10.0.0.0/8), rule 3 of sg-web (priority 1, accept tcp 201/300 from 10.0.0.0/8) and rule 4 of sg-web (priority 1, accept tcp 301/400 from 10.0.0.0/8) differ only in port ranges that touch or overlap: one rule for 1/400 does the same
              fix: change rule 1 of sg-web to ports 1/400, then delete rule 2 of sg-web, rule 3 of sg-web, rule 4 of sg-web
              one-click: change rule 1 of sg-web to: ingress accept priority 1 tcp 1/400 from 10.0.0.0/8
              related: rule 2 of sg-web (priority 1, accept tcp 101/200 from 10.0.0.0/8); rule 3 of sg-web (priority 1, accept tcp 201/300 from 10.0.0.0/8); rule 4 of sg-web (priority 1, accept tcp 301/400 from 10.0.0.0/8)
            rule 5 warning[shadowed-rule]: rule 5 of sg-web (priority 2, accept tcp 1/400 from 10.0.2.0/24) never decides anything: rule 1 of sg-web (priority 1, accept tcp 1/100 from 10.0.0.0/8), rule 2 of sg-web (priority 1, accept tcp 101/200 from 10.0.0.0/8), rule 3 of sg-web (priority 1, accept tcp 201/300 from 10.0.0.0/8) and 1 more decide every packet it matches first
              fix: delete rule 5 of sg-web: it changes no verdict
              one-click: delete rule 5 of sg-web
              related: rule 1 of sg-web (priority 1, accept tcp 1/100 from 10.0.0.0/8); rule 2 of sg-web (priority 1, accept tcp 101/200 from 10.0.0.0/8); rule 3 of sg-web (priority 1, accept tcp 201/300 from 10.0.0.0/8); rule 4 of sg-web (priority 1, accept tcp 301/400 from 10.0.0.0/8)
        "#]],
    );
}

#[test]
fn an_egress_accept_the_default_would_replace_is_redundant() {
    check(
        &web(
            "",
            r#"{"direction": "egress", "priority": 1, "protocol": "all", "cidr": "0.0.0.0/0"}"#,
        ),
        expect![[r#"
            rule 1 info[redundant-rule]: rule 1 of sg-web (priority 1, accept all -1/-1 to 0.0.0.0/0) is redundant: without it, the default (basic groups allow all egress) would decide every packet it decides the same way
              fix: delete rule 1 of sg-web: it changes no verdict
              one-click: delete rule 1 of sg-web
              related: 
        "#]],
    );
}

#[test]
fn of_two_equal_rules_only_the_second_is_reported() {
    // Without rule 1, rule 2 would decide the same way, but rule 2 is shadowed itself: deleting
    // both would change verdicts, so rule 1 is not redundant.
    check(
        &web(
            "",
            r#"{"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "443/443", "cidr": "10.0.0.0/8"},
               {"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "443/443", "cidr": "10.0.0.0/8"}"#,
        ),
        expect![[r#"
            rule 2 warning[shadowed-rule]: rule 2 of sg-web (priority 1, accept tcp 443/443 from 10.0.0.0/8) never decides anything: rule 1 of sg-web (priority 1, accept tcp 443/443 from 10.0.0.0/8) decides every packet it matches first
              fix: delete rule 2 of sg-web: it changes no verdict
              one-click: delete rule 2 of sg-web
              related: rule 1 of sg-web (priority 1, accept tcp 443/443 from 10.0.0.0/8)
        "#]],
    );
}

#[test]
fn the_rules_past_three_are_counted() {
    let rules: Vec<String> = (0..6)
        .map(|step| {
            format!(
                r#"{{"direction": "ingress", "priority": 1, "protocol": "udp", "port_range": "{}/{}", "cidr": "10.0.0.0/8"}}"#,
                step * 100 + 1,
                step * 100 + 100
            )
        })
        .chain([
            r#"{"direction": "ingress", "priority": 2, "protocol": "udp", "port_range": "1/600", "cidr": "10.0.2.0/24"}"#.to_owned(),
        ])
        .collect();
    let shadowed: Vec<String> = findings(&web("", &rules.join(", ")))
        .into_iter()
        .filter(|finding| finding.code == LintCode::ShadowedRule)
        .map(|finding| finding.message)
        .collect();
    assert_eq!(shadowed.len(), 1, "{shadowed:?}");
    assert!(
        shadowed[0].ends_with("rule 3 of sg-web (priority 1, accept udp 201/300 from 10.0.0.0/8) and 3 more decide every packet it matches first"),
        "{}",
        shadowed[0]
    );
}

#[test]
fn an_enterprise_group_s_egress_drop_is_the_default_s_work() {
    check(
        &web(
            r#", "type": "enterprise""#,
            r#"{"direction": "egress", "policy": "drop", "priority": 1, "protocol": "tcp", "port_range": "443/443", "cidr": "0.0.0.0/0"}"#,
        ),
        expect![[r#"
            rule 1 info[redundant-rule]: rule 1 of sg-web (priority 1, drop tcp 443/443 to 0.0.0.0/0) is redundant: without it, the default (enterprise groups deny all egress by default) would decide every packet it decides the same way
              fix: delete rule 1 of sg-web: it changes no verdict
              one-click: delete rule 1 of sg-web
              related: 
        "#]],
    );
}
