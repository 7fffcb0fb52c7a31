//! `sglab diff` end to end: golden output of each format, `--fail-on` and the exit statuses,
//! bad input on either side, a mix of formats, and the diff corpus (`tests/diffs/`).

use std::path::PathBuf;

use expect_test::{expect, Expect};
use serde_json::Value;

mod support;
use support::{check, root, scratch, sglab, sglab_in};

/// The arguments of `sglab diff` on a case of the corpus, then `extra`.
fn case_args<'a>(case: &'a str, extra: &[&'a str]) -> Vec<String> {
    let mut args = vec![
        "diff".to_owned(),
        "--old".to_owned(),
        format!("tests/diffs/{case}/old.json"),
        "--new".to_owned(),
        format!("tests/diffs/{case}/new.json"),
    ];
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    args
}

fn check_case(case: &str, extra: &[&str], expect: Expect) {
    let args = case_args(case, extra);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    check(&args, expect);
}

#[test]
fn diff_text() {
    check_case(
        "01-drop-raised-to-tie",
        &[],
        expect![[r#"
        exit 0
        --- stdout
        less-permissive: 0 pairs opened, 1 pair closed (tcp 1 port)

        by group:
          sg-client  ->  sg-srv  tcp  0 opened, 1 closed  closed 80

        by pair:
          c1 -> srv tcp: closed 80
            before: allow at port 80; egress: no rule matched; basic groups allow all egress by default; ingress: rule 1 of sg-srv (priority 5, accept tcp 80/80 from 10.0.5.0/24)
            after:  deny at port 80; egress: no rule matched; basic groups allow all egress by default; ingress: rule 2 of sg-srv (priority 5, drop tcp 80/80 from 10.0.5.0/24)

        rule changes:
          changed priority: rule 2 of sg-srv (priority 10, drop tcp 80/80 from 10.0.5.0/24) -> rule 2 of sg-srv (priority 5, drop tcp 80/80 from 10.0.5.0/24)
    "#]],
    );
}

#[test]
fn diff_text_of_a_new_endpoint_exposed_to_the_internet() {
    check_case(
        "06-new-instance-open-to-internet",
        &["--format", "text"],
        expect![[r#"
            exit 0
            --- stdout
            more-permissive: 1 pair opened (tcp 1 port), 0 pairs closed
            external peers compared: 0.0.0.0/0

            by group:
              0.0.0.0/0  ->  sg-web  tcp  1 opened, 0 closed  opened 443

            by pair:
              0.0.0.0/0 -> web-2 tcp: opened 443
                before: absent (the endpoint does not exist)
                after:  allow at port 443; egress: 0.0.0.0/0 is outside every VPC: no security group filters its egress; ingress: rule 1 of sg-web (priority 1, accept tcp 443/443 from 0.0.0.0/0)

            groups and endpoints:
              endpoint web-2 added
        "#]],
    );
}

#[test]
fn diff_json() {
    check_case(
        "03-port-range-moved",
        &["--format", "json"],
        expect![[r#"
            exit 0
            --- stdout
            {
              "verdict": "mixed",
              "counts": {
                "pairs_opened": 1,
                "pairs_closed": 1,
                "ports_opened": {
                  "tcp": 1
                },
                "ports_closed": {
                  "tcp": 1
                }
              },
              "changes": [
                {
                  "from": "c1",
                  "to": "app",
                  "protocol": "tcp",
                  "opened": [
                    "8090/8090"
                  ],
                  "closed": [
                    "8080/8080"
                  ],
                  "before": {
                    "port": 8090,
                    "verdict": "deny",
                    "egress": {
                      "kind": "default",
                      "verdict": "allow",
                      "reason": "no rule matched; basic groups allow all egress by default"
                    },
                    "ingress": {
                      "kind": "default",
                      "verdict": "deny",
                      "reason": "no rule matched; basic groups deny all ingress by default"
                    }
                  },
                  "after": {
                    "port": 8090,
                    "verdict": "allow",
                    "egress": {
                      "kind": "default",
                      "verdict": "allow",
                      "reason": "no rule matched; basic groups allow all egress by default"
                    },
                    "ingress": {
                      "kind": "rule",
                      "security_group": "sg-app",
                      "rule_index": 0,
                      "rule_id": null,
                      "direction": "ingress",
                      "priority": 1,
                      "policy": "accept",
                      "protocol": "tcp",
                      "ports": {
                        "range": "8081/8090"
                      },
                      "peer": {
                        "group": {
                          "id": "sg-client",
                          "owner_account": null
                        }
                      }
                    }
                  }
                }
              ],
              "rollup": [
                {
                  "from": {
                    "kind": "group",
                    "id": "sg-client"
                  },
                  "to": {
                    "kind": "group",
                    "id": "sg-app"
                  },
                  "protocol": "tcp",
                  "pairs_opened": 1,
                  "pairs_closed": 1,
                  "opened": [
                    "8090/8090"
                  ],
                  "closed": [
                    "8080/8080"
                  ]
                }
              ],
              "rule_changes": [
                {
                  "security_group": "sg-app",
                  "direction": "ingress",
                  "kind": "changed",
                  "old_index": 0,
                  "new_index": 0,
                  "old": {
                    "id": null,
                    "direction": "ingress",
                    "policy": "accept",
                    "priority": 1,
                    "protocol": "tcp",
                    "ports": {
                      "range": "8080/8089"
                    },
                    "peer": {
                      "group": {
                        "id": "sg-client",
                        "owner_account": null
                      }
                    },
                    "source_ports": null,
                    "local_cidr": null,
                    "nic_type": "intranet",
                    "description": ""
                  },
                  "new": {
                    "id": null,
                    "direction": "ingress",
                    "policy": "accept",
                    "priority": 1,
                    "protocol": "tcp",
                    "ports": {
                      "range": "8081/8090"
                    },
                    "peer": {
                      "group": {
                        "id": "sg-client",
                        "owner_account": null
                      }
                    },
                    "source_ports": null,
                    "local_cidr": null,
                    "nic_type": "intranet",
                    "description": ""
                  },
                  "fields": [
                    "ports"
                  ]
                }
              ],
              "object_changes": [],
              "external_peers": []
            }
        "#]],
    );
}

#[test]
fn diff_markdown_fails_on_opened() {
    check_case(
        "03-port-range-moved",
        &["--format", "md", "--fail-on", "opened"],
        expect![[r#"
            exit 1
            --- stdout
            ### sglab diff: **mixed**

            1 pair opened (tcp 1 port), 1 pair closed (tcp 1 port)

            | From | To | Protocol | Pairs opened | Opened | Pairs closed | Closed |
            |---|---|---|---:|---|---:|---|
            | sg-client | sg-app | tcp | 1 | 8090 | 1 | 8080 |

            <details><summary>1 pair and protocol changed</summary>

            | From | To | Protocol | Opened | Closed | Before | After |
            |---|---|---|---|---|---|---|
            | c1 | app | tcp | 8090 | 8080 | deny at port 8090; egress: no rule matched; basic groups allow all egress by default; ingress: no rule matched; basic groups deny all ingress by default | allow at port 8090; egress: no rule matched; basic groups allow all egress by default; ingress: rule 1 of sg-app (priority 1, accept tcp 8081/8090 from group sg-client) |

            </details>

            <details><summary>1 rule, group or endpoint change</summary>

            - changed ports: rule 1 of sg-app (priority 1, accept tcp 8080/8089 from group sg-client) -\> rule 1 of sg-app (priority 1, accept tcp 8081/8090 from group sg-client)

            </details>
        "#]],
    );
}

#[test]
fn fail_on_applies_by_verdict() {
    let code = |case: &str, fail_on: &str| {
        let args = case_args(case, &["--format", "json", "--fail-on", fail_on]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        sglab(&args).code
    };
    // equivalent, less-permissive, mixed, more-permissive
    assert_eq!(code("04-description-only", "opened"), 0);
    assert_eq!(code("04-description-only", "changed"), 0);
    assert_eq!(code("01-drop-raised-to-tie", "opened"), 0);
    assert_eq!(code("01-drop-raised-to-tie", "changed"), 1);
    assert_eq!(code("03-port-range-moved", "opened"), 1);
    assert_eq!(code("06-new-instance-open-to-internet", "opened"), 1);
    assert_eq!(code("06-new-instance-open-to-internet", "changed"), 1);
}

#[test]
fn bad_input_on_either_side_is_reported_at_once() {
    let dir = scratch("bad_input");
    std::fs::write(dir.join("broken.json"), "{\"sglab\": 1, \"vpcs\": [").expect("write");
    let old = root().join("tests/diffs/03-port-range-moved/old.json");
    let old = old.to_string_lossy();
    let output = sglab_in(
        &dir,
        &[
            "diff",
            "--old",
            "missing.json",
            "--new",
            &old,
            "broken.json",
        ],
        None,
    );
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(output.stdout.is_empty());
    assert!(
        output.stderr.contains("missing.json: cannot read the file"),
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains("broken.json"), "{}", output.stderr);
}

#[test]
fn usage_errors() {
    check(
        &["diff", "--old", "tests/diffs/03-port-range-moved/old.json"],
        expect![[r#"
            exit 2
            --- stderr
            error: the following required arguments were not provided:
              --new <FILES>...

            Usage: sglab diff --old <FILES>... --new <FILES>...

            For more information, try '--help'.
        "#]],
    );
    check_case(
        "03-port-range-moved",
        &["--fail-on", "sometimes"],
        expect![[r#"
            exit 2
            --- stderr
            error: invalid value 'sometimes' for '--fail-on <WHEN>'
              [possible values: opened, changed]

            For more information, try '--help'.
        "#]],
    );
}

/// The aliyun API responses diffed with their own sglab export: equivalent, whatever the
/// formats of each side.
#[test]
fn a_mix_of_formats_diffs_with_its_own_export() {
    let fixtures = [
        "crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-web.json",
        "crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-db.json",
        "crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-gateway.json",
        "crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-legacy.json",
        "crates/sglab-core/tests/fixtures/aliyun/describe-security-groups.json",
        "crates/sglab-core/tests/fixtures/aliyun/describe-instances.json",
        "crates/sglab-core/tests/fixtures/aliyun/describe-network-interfaces.json",
    ];
    let mut args = vec!["export"];
    args.extend(fixtures);
    args.extend(["--format", "sglab"]);
    let exported = sglab(&args);
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let dir = scratch("mix_of_formats");
    let file = dir.join("exported.json");
    std::fs::write(&file, &exported.stdout).expect("write");
    let file = file.to_string_lossy().into_owned();
    let mut args = vec!["diff", "--old"];
    args.extend(fixtures);
    args.extend(["--new", &file, "--format", "json", "--fail-on", "changed"]);
    let output = sglab(&args);
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    let json: Value = serde_json::from_str(&output.stdout).expect("JSON");
    assert_eq!(json["verdict"], "equivalent");
}

/// Every case of the diff corpus, through `sglab diff --format json`.
#[test]
fn every_diff_case_holds_in_the_cli() {
    let directory = root().join("tests/diffs");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&directory)
        .expect("tests/diffs")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 6);
    let mut failures = Vec::new();
    for case in cases {
        let name = case
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(case.join("expected.json")).expect("expected.json"),
        )
        .expect("expected.json is JSON");
        let args = case_args(&name, &["--format", "json"]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = sglab(&args);
        if output.code != 0 {
            failures.push(format!("{name}: exit {}: {}", output.code, output.stderr));
            continue;
        }
        let actual: Value = serde_json::from_str(&output.stdout).expect("JSON");
        for field in ["verdict", "counts"] {
            if actual[field] != expected[field] {
                failures.push(format!(
                    "{name}: {field} {} != {}",
                    actual[field], expected[field]
                ));
            }
        }
        let changes: Vec<Value> = actual["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|change| {
                assert!(change.get("before").is_some() && change.get("after").is_some());
                let keep = ["from", "to", "protocol", "opened", "closed"];
                Value::Object(
                    keep.iter()
                        .map(|key| ((*key).to_owned(), change[*key].clone()))
                        .collect(),
                )
            })
            .collect();
        if Value::Array(changes.clone()) != expected["changes"] {
            failures.push(format!(
                "{name}: changes {changes:?} != {}",
                expected["changes"]
            ));
        }
        let rule_changes: Vec<Value> = actual["rule_changes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|change| {
                serde_json::json!({
                    "security_group": change["security_group"],
                    "kind": change["kind"],
                    "fields": change["fields"],
                })
            })
            .collect();
        if Value::Array(rule_changes.clone()) != expected["rule_changes"] {
            failures.push(format!(
                "{name}: rule changes {rule_changes:?} != {}",
                expected["rule_changes"]
            ));
        }
        if let Some(objects) = expected.get("object_changes") {
            if &actual["object_changes"] != objects {
                failures.push(format!(
                    "{name}: object changes {} != {objects}",
                    actual["object_changes"]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
