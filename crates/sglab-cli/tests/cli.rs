//! The `sglab` binary end to end: golden output of every command over the built-in examples,
//! the scenario corpus and the aliyun fixtures; exit statuses and stderr for every kind of bad
//! input; the export round trip.

use std::process::{Command, Stdio};

use expect_test::{expect, Expect};

mod support;
use support::{check, check_files, check_output, root, scratch, sglab, sglab_in, Output};

const FIXTURES: [&str; 7] = [
    "crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-web.json",
    "crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-db.json",
    "crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-gateway.json",
    "crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-legacy.json",
    "crates/sglab-core/tests/fixtures/aliyun/describe-security-groups.json",
    "crates/sglab-core/tests/fixtures/aliyun/describe-instances.json",
    "crates/sglab-core/tests/fixtures/aliyun/describe-network-interfaces.json",
];

/// A small valid sglab file that bad-input tests edit.
const SMALL: &str = r#"{
  "sglab": 1,
  "name": "small",
  "vpcs": [{ "id": "vpc-1" }],
  "security_groups": [
    { "id": "sg-web", "rules": [
      { "direction": "ingress", "protocol": "tcp", "port_range": "80/80", "cidr": "0.0.0.0/0" },
      { "direction": "ingress", "protocol": "tcp", "port_range": "22/22", "group": "sg-admin" }
    ] },
    { "id": "sg-admin", "rules": [] }
  ],
  "endpoints": [
    { "id": "web-1", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-web"], "public_ip": "198.51.100.30" },
    { "id": "admin-1", "kind": "ecs", "private_ip": "10.0.9.10", "groups": ["sg-admin"] }
  ],
  "expectations": [
    { "from": "admin-1", "to": "web-1", "protocol": "tcp", "port": 22, "verdict": "allow" },
    { "from": "198.51.100.7", "to": "web-1", "protocol": "tcp", "port": 22, "verdict": "deny" }
  ]
}
"#;

fn small_with(from: &str, to: &str) -> String {
    assert_eq!(SMALL.matches(from).count(), 1, "{from:?} must occur once");
    SMALL.replacen(from, to, 1)
}

// ---------------------------------------------------------------------------------------------
// query

#[test]
fn query_text_allow_through_the_gateway_authorization() {
    check(
        &[
            "query",
            "static/examples/ai-gateway.json",
            "--from",
            "gw-node-1",
            "--to",
            "pod-app-1",
            "--port",
            "8080",
        ],
        expect![[r#"
            exit 0
            --- stdout
            allow: tcp 8080 from AI gateway node 1 (192.168.1.10) to app pod 1 (192.168.2.100)
              egress of AI gateway node 1: allow by default: no rule matched; basic groups allow all egress by default
              ingress of app pod 1: allow by rule 1 of service-sg1 (priority 1, accept tcp 8080/8080 from group sg-ai-gateway)
                * rule 1 of service-sg1 (priority 1, accept tcp 8080/8080 from group sg-ai-gateway): matches (the peer 192.168.1.10 is an ENI of group sg-ai-gateway) and decides
              service: listening
              note: 192.168.1.10 -> 192.168.2.100: private addresses inside VPC vpc-ai
              note: replies pass automatically: security groups are stateful (sessions live up to 910 s)
        "#]],
    );
}

#[test]
fn query_text_deny_lists_blockers() {
    check(
        &[
            "query",
            "static/examples/redis-behind-web.json",
            "--from",
            "client",
            "--to",
            "redis-1",
            "--port",
            "6379",
        ],
        expect![[r#"
            exit 0
            --- stdout
            deny: tcp 6379 from internet client to redis 1
              egress of internet client: not filtered: internet client is outside every VPC: no security group filters its egress
              ingress of redis 1: deny by the platform: redis 1 has no public IP or EIP: unreachable from outside its VPC
              blockers:
                platform: redis 1 has no public IP or EIP: unreachable from outside its VPC
              service: listening
              note: a drop is silent: the client sees a timeout, not a reset
            Why, and what to change:
              - [no-public-address] redis 1 has no public IP or EIP, so internet client, outside its VPC, cannot reach it.
                evidence: redis 1 has no public IP or EIP: unreachable from outside its VPC
                evidence: internet client is outside every VPC
                advice: bind an EIP to redis 1 (and allow the source in its group), or reach it through a gateway or load balancer (SLB) that is in its VPC
        "#]],
    );
}

#[test]
fn query_json() {
    check(
        &[
            "query",
            "static/examples/ssh-allowlist.json",
            "--from",
            "client",
            "--to",
            "app-1",
            "--port",
            "22",
            "--format",
            "json",
        ],
        expect![[r#"
            exit 0
            --- stdout
            {
              "from": "client",
              "from_name": "internet client",
              "from_address": "203.0.113.10",
              "to": "app-1",
              "to_name": "app 1",
              "to_address": "198.51.100.40",
              "protocol": "tcp",
              "port": 22,
              "verdict": "deny",
              "egress": {
                "verdict": "allow",
                "decided_by": {
                  "kind": "not-applicable",
                  "reason": "internet client is outside every VPC: no security group filters its egress"
                },
                "considered": []
              },
              "ingress": {
                "verdict": "deny",
                "decided_by": {
                  "kind": "rule",
                  "security_group": "sg-app",
                  "rule_index": 1,
                  "rule_id": null,
                  "direction": "ingress",
                  "priority": 2,
                  "policy": "drop",
                  "protocol": "tcp",
                  "ports": {
                    "range": "22/22"
                  },
                  "peer": {
                    "cidr": "0.0.0.0/0"
                  }
                },
                "considered": [
                  {
                    "rule": {
                      "security_group": "sg-app",
                      "rule_index": 0,
                      "rule_id": null,
                      "direction": "ingress",
                      "priority": 1,
                      "policy": "accept",
                      "protocol": "tcp",
                      "ports": {
                        "range": "22/22"
                      },
                      "peer": {
                        "cidr": "10.0.0.0/8"
                      }
                    },
                    "matched": false,
                    "reason": "203.0.113.10 is not in 10.0.0.0/8"
                  },
                  {
                    "rule": {
                      "security_group": "sg-app",
                      "rule_index": 2,
                      "rule_id": null,
                      "direction": "ingress",
                      "priority": 1,
                      "policy": "accept",
                      "protocol": "tcp",
                      "ports": {
                        "range": "443/443"
                      },
                      "peer": {
                        "cidr": "0.0.0.0/0"
                      }
                    },
                    "matched": false,
                    "reason": "port 22 is outside 443/443"
                  },
                  {
                    "rule": {
                      "security_group": "sg-app",
                      "rule_index": 1,
                      "rule_id": null,
                      "direction": "ingress",
                      "priority": 2,
                      "policy": "drop",
                      "protocol": "tcp",
                      "ports": {
                        "range": "22/22"
                      },
                      "peer": {
                        "cidr": "0.0.0.0/0"
                      }
                    },
                    "matched": true,
                    "reason": "matches (203.0.113.10 is in 0.0.0.0/0) and decides"
                  }
                ]
              },
              "blockers": [
                {
                  "side": "ingress",
                  "decision": {
                    "kind": "rule",
                    "security_group": "sg-app",
                    "rule_index": 1,
                    "rule_id": null,
                    "direction": "ingress",
                    "priority": 2,
                    "policy": "drop",
                    "protocol": "tcp",
                    "ports": {
                      "range": "22/22"
                    },
                    "peer": {
                      "cidr": "0.0.0.0/0"
                    }
                  }
                },
                {
                  "side": "ingress",
                  "decision": {
                    "kind": "default",
                    "verdict": "deny",
                    "reason": "no rule matched; basic groups deny all ingress by default"
                  }
                }
              ],
              "service": "listening",
              "notes": [
                "203.0.113.10 -> 198.51.100.40: app 1 is reached at its public IP 198.51.100.40 from outside its VPC",
                "a drop is silent: the client sees a timeout, not a reset"
              ],
              "diagnoses": [
                {
                  "code": "blocked-by-drop-rule",
                  "summary": "Rule 2 of sg-app drops tcp 22 from internet client.",
                  "evidence": [
                    "rule 2 of sg-app (priority 2) drops tcp 22/22 from 0.0.0.0/0 matches tcp 22 from internet client to app 1"
                  ],
                  "related": [
                    {
                      "security_group": "sg-app",
                      "rule_index": 1,
                      "rule_id": null,
                      "direction": "ingress",
                      "priority": 2,
                      "policy": "drop",
                      "protocol": "tcp",
                      "ports": {
                        "range": "22/22"
                      },
                      "peer": {
                        "cidr": "0.0.0.0/0"
                      }
                    }
                  ],
                  "fix": {
                    "kind": "add-rule",
                    "security_group": "sg-app",
                    "rule": {
                      "id": null,
                      "direction": "ingress",
                      "policy": "accept",
                      "priority": 1,
                      "protocol": "tcp",
                      "ports": {
                        "range": "22/22"
                      },
                      "peer": {
                        "cidr": "203.0.113.10/32"
                      },
                      "source_ports": null,
                      "local_cidr": null,
                      "nic_type": "intranet",
                      "description": ""
                    }
                  },
                  "fix_text": "add to sg-app: ingress accept priority 1 tcp 22/22 from 203.0.113.10/32 (priority 1 comes before the drop's 2; the drop still applies to everything else)"
                }
              ]
            }
        "#]],
    );
}

/// The four causes of the gateway FAQ (reference §6), one scenario each.
#[test]
fn query_text_diagnoses_the_gateway_faq() {
    let query = |file: &str, to: &str, port: &str| {
        let path = format!("tests/scenarios/{file}");
        let output = sglab(&[
            "query",
            &path,
            "--from",
            "gw-node-1",
            "--to",
            to,
            "--port",
            port,
        ]);
        assert_eq!(output.code, 0, "{}", output.stderr);
        // The diagnoses section is what this test is about.
        let start = output.stdout.find("Why, and what to change:").unwrap_or(0);
        output.stdout[start..].to_owned()
    };
    expect![[r#"
        Why, and what to change:
          - [rule-in-other-node-group] Rule 1 of sg-node-b allows tcp 8080 from gw-node-1, but node-a does not carry sg-node-b.
            evidence: rule 1 of sg-node-b (priority 1) allows tcp 8080/8080 from group sg-gw matches tcp 8080 from gw-node-1
            evidence: sg-node-b is carried by node-b
            evidence: the service app runs on node-a, which carries sg-node-a
            fix: authorize sg-node-a on gateway gw for TCP 8080/8080 (the same authorization as sg-node-b; when a node carries several groups, the documents advise authorizing each)
    "#]].assert_eq(&query("28-faq-rule-in-wrong-group.json", "node-a", "8080"));
    expect![[r#"
        Why, and what to change:
          - [drop-in-other-group] Rule 1 of sg-lockdown drops tcp 8080 before rule 1 of sg-svc, another group of svc, can allow it.
            evidence: rule 1 of sg-lockdown (priority 1) drops tcp 1/65535 from 10.0.0.0/24 matches tcp 8080 from gw-node-1 to svc
            evidence: rule 1 of sg-svc (priority 1) allows tcp 8080/8080 from group sg-gw would allow it, but comes after the drop in evaluation order
            evidence: both rules have priority 1: at equal priority drop rules are evaluated before accept rules, so the drop wins the tie
            evidence: svc carries both sg-lockdown and sg-svc; rules of all its groups are pooled and sorted by priority
            fix: change rule 1 of sg-lockdown to: ingress drop priority 2 tcp 1/65535 from 10.0.0.0/24 (an accept cannot come before a drop at priority 1: at equal priority the drop wins, so the drop moves to priority 2, after the accept at 1)
    "#]].assert_eq(&query("29-faq-node-in-several-groups.json", "svc", "8080"));
    expect![[r#"
        Why, and what to change:
          - [port-outside-rule] The service app listens on 8081, but rule 1 of sg-svc (priority 1) allows tcp 8080/8080 from group sg-gw.
            evidence: svc carries sg-svc; rule 1 of sg-svc (priority 1) allows tcp 8080/8080 from group sg-gw matches gw-node-1 but not port 8081
            evidence: svc declares the service app on tcp 8081
            fix: authorize sg-svc on gateway gw for TCP 8081/8081 (the rule is the gateway's authorization: adding the port to the authorization keeps the gateway's list and the group in step; the documents suggest a wider range such as 1/65535 to avoid this)
    "#]].assert_eq(&query("30-faq-service-port-moved.json", "svc", "8081"));
    expect![[r#"
        Why, and what to change:
          - [service-down] The groups allow tcp 8080 to svc, but the service app there is down.
            evidence: the groups allow tcp 8080 from gw-node-1 to svc (rule 1 of sg-svc (priority 1, accept tcp 8080/8080 from group sg-gw))
            evidence: the service app on svc listens on tcp 8080/8080 and is down
            fix: start service 1 on svc (app); to tell a service problem from a network one, test it with curl from svc-peer, another node in the same security group, as the gateway documents suggest
    "#]].assert_eq(&query("31-faq-service-down.json", "svc", "8080"));
}

#[test]
fn query_json_has_the_contract_fields() {
    let output = sglab(&[
        "query",
        "static/examples/redis-behind-web.json",
        "--from",
        "web-1",
        "--to",
        "redis-1",
        "--port",
        "6379",
        "--format",
        "json",
    ]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let value: serde_json::Value = serde_json::from_str(&output.stdout).expect("one JSON object");
    assert_eq!(value["verdict"], "allow");
    for side in ["egress", "ingress"] {
        assert!(value[side]["verdict"].is_string());
        assert!(value[side]["decided_by"]["kind"].is_string());
    }
    let rule = &value["ingress"]["decided_by"];
    assert_eq!(rule["kind"], "rule");
    assert_eq!(rule["security_group"], "sg-redis");
    assert_eq!(rule["rule_index"], 0);
    assert_eq!(rule["priority"], 1);
    assert_eq!(rule["policy"], "accept");
    assert!(value["blockers"].as_array().expect("blockers").is_empty());
    assert_eq!(value["service"], "listening");
    // Allowed and listening: the doctor has nothing to say.
    assert_eq!(value["diagnoses"], serde_json::json!([]));
}

#[test]
fn query_by_ip_address_and_other_protocols() {
    check(
        &[
            "query",
            "static/examples/redis-behind-web.json",
            "--from",
            "203.0.113.99",
            "--to",
            "198.51.100.30",
            "--protocol",
            "icmp",
        ],
        expect![[r#"
            exit 0
            --- stdout
            deny: icmp from 203.0.113.99 to web 1 (198.51.100.30)
              egress of 203.0.113.99: not filtered: 203.0.113.99 is outside every VPC: no security group filters its egress
              ingress of web 1: deny by default: no rule matched; basic groups deny all ingress by default
                - rule 1 of sg-web (priority 1, accept tcp 80/80 from 0.0.0.0/0): protocol tcp does not cover icmp
                - rule 2 of sg-web (priority 1, accept tcp 443/443 from 0.0.0.0/0): protocol tcp does not cover icmp
              blockers:
                ingress: no rule matched; basic groups deny all ingress by default
              service: unknown
              note: 203.0.113.99 -> 198.51.100.30: web 1 is reached at its public IP 198.51.100.30 from outside its VPC
              note: a drop is silent: the client sees a timeout, not a reset
            Why, and what to change:
              - [no-rule-allows] No rule of web 1's groups allows icmp from 203.0.113.99, and security groups deny all ingress by default.
                evidence: web 1 carries sg-web; none of their ingress rules matches icmp from 203.0.113.99
                evidence: 203.0.113.99 is outside the VPC of web 1: it is seen at 203.0.113.99, and group references do not match it
                fix: add to sg-web: ingress accept priority 1 icmp -1/-1 from 203.0.113.99/32 (the narrowest rule: this source, this protocol)
        "#]],
    );
}

#[test]
fn query_imported_aliyun_fixtures() {
    let mut args = vec!["query"];
    args.extend(FIXTURES);
    args.extend(["--from", "web-1", "--to", "db-1", "--port", "3306"]);
    check(
        &args,
        expect![[r#"
            exit 0
            --- stdout
            allow: tcp 3306 from web-1 (10.0.1.11) to db-1 (10.0.2.21)
              egress of web-1: allow by default: no rule matched; basic groups allow all egress by default
                - rule 7 (sgr-bp12kewq32dfwrdi0007) of sg-bp1fg655nh68xyz9web1 (priority 1, drop tcp 25/25 to 0.0.0.0/0): port 3306 is outside 25/25
                - rule 8 (sgr-bp12kewq32dfwrdi0008) of sg-bp1fg655nh68xyz9web1 (priority 100, accept all -1/-1 to ::/0): 10.0.2.21 is not of the family of ::/0
              ingress of db-1: allow by rule 1 (sgr-bp1d3k0p6a3mysql0001) of sg-bp1fg655nh68xyz9dbs2 (priority 1, accept tcp 3306/3306 from group sg-bp1fg655nh68xyz9web1)
                * rule 1 (sgr-bp1d3k0p6a3mysql0001) of sg-bp1fg655nh68xyz9dbs2 (priority 1, accept tcp 3306/3306 from group sg-bp1fg655nh68xyz9web1): matches (the peer 10.0.1.11 is an ENI of group sg-bp1fg655nh68xyz9web1) and decides
                - rule 2 (sgr-bp1d3k0p6a3mysql0002) of sg-bp1fg655nh68xyz9dbs2 (priority 1, accept tcp 6379/6379 from group sg-bp1fg655nh68xyz9web1): port 3306 is outside 6379/6379
                - rule 3 (sgr-bp1d3k0p6a3mysql0003) of sg-bp1fg655nh68xyz9dbs2 (priority 1, accept tcp 22/22 from prefix list pl-bp1x1j1k5ykzqlixabc): port 3306 is outside 22/22
              service: unknown
              note: 10.0.1.11 -> 10.0.2.21: private addresses inside VPC vpc-bp1opxu1zkhn00gzv9x1q
              note: replies pass automatically: security groups are stateful (sessions live up to 910 s)
            --- stderr
            warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-legacy.json: security group sg-bp1legacy0console0110, rule 1, field Priority: legacy priority 110 from the old console: imported as lower than 100; the API accepts 1 to 100 only
            warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-legacy.json: security group sg-bp1legacy0console0110, rule 2, field Direction: Direction is missing: read as ingress from the peer fields
            warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-groups.json: security group sg-bp1fg655nh68xyz9ent4: the rules of security group sg-bp1fg655nh68xyz9ent4 are unknown, so it is imported without rules: add the output of aliyun ecs DescribeSecurityGroupAttribute --SecurityGroupId sg-bp1fg655nh68xyz9ent4
            warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-db.json: security group sg-bp1fg655nh68xyz9dbs2, rule 3: the entries of prefix list pl-bp1x1j1k5ykzqlixabc are unknown, so rules naming it match no address: add the prefix list to an sglab file
        "#]],
    );
}

// ---------------------------------------------------------------------------------------------
// matrix

#[test]
fn matrix_text() {
    check(
        &["matrix", "static/examples/redis-behind-web.json"],
        expect![[r#"
            exit 0
            --- stdout
            from             to               tcp            udp  icmp
            batch 1          web 1            80;443         -    -
            batch 1          web 2            80;443         -    -
            internet client  web 1            80;443         -    -
            internet client  web 2            80;443         -    -
            redis 1          web 1            80;443         -    -
            redis 1          web 2            80;443         -    -
            web 1            internet client  1-24;26-65535  all  all
            web 1            redis 1          6379           -    -
            web 1            web 2            all            all  all
            web 2            internet client  1-24;26-65535  all  all
            web 2            redis 1          6379           -    -
            web 2            web 1            all            all  all
            (8 of 20 pairs allow nothing and are not shown)
        "#]],
    );
}

#[test]
fn matrix_csv() {
    check(
        &[
            "matrix",
            "static/examples/ssh-allowlist.json",
            "--format",
            "csv",
        ],
        expect![[r#"
            exit 0
            --- stdout
            from,from_name,to,to_name,protocol,ports\r
            app-1,app 1,bastion,bastion,tcp,\r
            app-1,app 1,bastion,bastion,udp,\r
            app-1,app 1,bastion,bastion,icmp,\r
            app-1,app 1,client,internet client,tcp,1-24;26-65535\r
            app-1,app 1,client,internet client,udp,all\r
            app-1,app 1,client,internet client,icmp,allowed\r
            bastion,bastion,app-1,app 1,tcp,22;443\r
            bastion,bastion,app-1,app 1,udp,\r
            bastion,bastion,app-1,app 1,icmp,\r
            bastion,bastion,client,internet client,tcp,\r
            bastion,bastion,client,internet client,udp,\r
            bastion,bastion,client,internet client,icmp,\r
            client,internet client,app-1,app 1,tcp,443\r
            client,internet client,app-1,app 1,udp,\r
            client,internet client,app-1,app 1,icmp,\r
            client,internet client,bastion,bastion,tcp,\r
            client,internet client,bastion,bastion,udp,\r
            client,internet client,bastion,bastion,icmp,\r
        "#]],
    );
}

#[test]
fn matrix_markdown() {
    check(
        &[
            "matrix",
            "static/examples/ai-gateway.json",
            "--format",
            "md",
        ],
        expect![[r#"
            exit 0
            --- stdout
            | from | to | tcp | udp | icmp |
            | --- | --- | --- | --- | --- |
            | ACK node 1 | ACK node 2 | all | all | all |
            | ACK node 1 | AI gateway node 1 | 80;443 | - | - |
            | ACK node 1 | AI gateway node 2 | 80;443 | - | - |
            | ACK node 1 | app pod 1 | all | all | all |
            | ACK node 1 | app pod 2 | all | all | all |
            | ACK node 2 | ACK node 1 | all | all | all |
            | ACK node 2 | AI gateway node 1 | 80;443 | - | - |
            | ACK node 2 | AI gateway node 2 | 80;443 | - | - |
            | ACK node 2 | app pod 1 | all | all | all |
            | ACK node 2 | app pod 2 | all | all | all |
            | internet client | AI gateway node 1 | 80;443 | - | - |
            | internet client | AI gateway node 2 | 80;443 | - | - |
            | ECS backend | AI gateway node 1 | 80;443 | - | - |
            | ECS backend | AI gateway node 2 | 80;443 | - | - |
            | AI gateway node 1 | ACK node 1 | 8080 | - | - |
            | AI gateway node 1 | ACK node 2 | 8080 | - | - |
            | AI gateway node 1 | internet client | 1-24;26-65535 | all | all |
            | AI gateway node 1 | ECS backend | 80-9000 | - | - |
            | AI gateway node 1 | AI gateway node 2 | all | all | all |
            | AI gateway node 1 | app pod 1 | 8080 | - | - |
            | AI gateway node 1 | app pod 2 | 8080 | - | - |
            | AI gateway node 2 | ACK node 1 | 8080 | - | - |
            | AI gateway node 2 | ACK node 2 | 8080 | - | - |
            | AI gateway node 2 | internet client | 1-24;26-65535 | all | all |
            | AI gateway node 2 | ECS backend | 80-9000 | - | - |
            | AI gateway node 2 | AI gateway node 1 | all | all | all |
            | AI gateway node 2 | app pod 1 | 8080 | - | - |
            | AI gateway node 2 | app pod 2 | 8080 | - | - |
            | app pod 1 | ACK node 1 | all | all | all |
            | app pod 1 | ACK node 2 | all | all | all |
            | app pod 1 | AI gateway node 1 | 80;443 | - | - |
            | app pod 1 | AI gateway node 2 | 80;443 | - | - |
            | app pod 1 | app pod 2 | all | all | all |
            | app pod 2 | ACK node 1 | all | all | all |
            | app pod 2 | ACK node 2 | all | all | all |
            | app pod 2 | AI gateway node 1 | 80;443 | - | - |
            | app pod 2 | AI gateway node 2 | 80;443 | - | - |
            | app pod 2 | app pod 1 | all | all | all |

            18 of 56 pairs allow nothing and are not shown.
        "#]],
    );
}

#[test]
fn matrix_json() {
    check(
        &[
            "matrix",
            "static/examples/drop-wins-tie.json",
            "--format",
            "json",
        ],
        expect![[r#"
            exit 0
            --- stdout
            {
              "protocols": ["tcp","udp","icmp"],
              "cells": [
                {"from":"client-1","to":"server-1","protocol":"tcp","ports":["443/443"]},
                {"from":"client-1","to":"server-1","protocol":"udp","ports":[]},
                {"from":"client-1","to":"server-1","protocol":"icmp","ports":[]},
                {"from":"server-1","to":"client-1","protocol":"tcp","ports":[]},
                {"from":"server-1","to":"client-1","protocol":"udp","ports":[]},
                {"from":"server-1","to":"client-1","protocol":"icmp","ports":[]}
              ]
            }
        "#]],
    );
}

#[test]
fn matrix_quotes_and_escapes_user_text() {
    let awkward = small_with(
        r#""id": "admin-1","#,
        r#""id": "admin-1", "name": "ops, \"admin\" | <b>1</b>","#,
    );
    let awkward = awkward.replacen(
        r#""id": "web-1","#,
        r#""id": "web-1", "name": "web *one*","#,
        1,
    );
    check_files(
        "matrix_quotes",
        &[("awkward.json", &awkward)],
        &["matrix", "awkward.json", "--format", "csv"],
        expect![[r#"
            exit 0
            --- stdout
            from,from_name,to,to_name,protocol,ports\r
            admin-1,"ops, ""admin"" | <b>1</b>",web-1,web *one*,tcp,22;80\r
            admin-1,"ops, ""admin"" | <b>1</b>",web-1,web *one*,udp,\r
            admin-1,"ops, ""admin"" | <b>1</b>",web-1,web *one*,icmp,\r
            web-1,web *one*,admin-1,"ops, ""admin"" | <b>1</b>",tcp,\r
            web-1,web *one*,admin-1,"ops, ""admin"" | <b>1</b>",udp,\r
            web-1,web *one*,admin-1,"ops, ""admin"" | <b>1</b>",icmp,\r
        "#]],
    );
    check_files(
        "matrix_escapes",
        &[("awkward.json", &awkward)],
        &["matrix", "awkward.json", "--format", "md"],
        expect![[r#"
            exit 0
            --- stdout
            | from | to | tcp | udp | icmp |
            | --- | --- | --- | --- | --- |
            | ops, "admin" \| \<b\>1\</b\> | web \*one\* | 22;80 | - | - |

            1 of 2 pairs allow nothing and are not shown.
        "#]],
    );
}

#[test]
fn matrix_of_imported_fixtures() {
    let mut args = vec!["matrix"];
    args.extend(FIXTURES);
    check(
        &args,
        expect![[r#"
        exit 0
        --- stdout
        from                     to                       tcp             udp  icmp
        eni-bp1gwnode0000000005  web-1                    22;80;443;8080  -    all
        eni-bp1gwnode0000000005  web-2                    22;80;443;8080  -    all
        db-1                     eni-bp1gwnode0000000005  443             -    -
        db-1                     web-1                    22;80;443       -    all
        db-1                     web-2                    22;80;443       -    all
        web-1                    eni-bp1gwnode0000000005  443             -    -
        web-1                    db-1                     3306;6379       -    -
        web-1                    web-2                    all             all  all
        web-2                    eni-bp1gwnode0000000005  443             -    -
        web-2                    db-1                     3306;6379       -    -
        web-2                    web-1                    all             all  all
        (1 of 12 pairs allow nothing and are not shown)
        --- stderr
        warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-legacy.json: security group sg-bp1legacy0console0110, rule 1, field Priority: legacy priority 110 from the old console: imported as lower than 100; the API accepts 1 to 100 only
        warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-legacy.json: security group sg-bp1legacy0console0110, rule 2, field Direction: Direction is missing: read as ingress from the peer fields
        warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-groups.json: security group sg-bp1fg655nh68xyz9ent4: the rules of security group sg-bp1fg655nh68xyz9ent4 are unknown, so it is imported without rules: add the output of aliyun ecs DescribeSecurityGroupAttribute --SecurityGroupId sg-bp1fg655nh68xyz9ent4
        warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-db.json: security group sg-bp1fg655nh68xyz9dbs2, rule 3: the entries of prefix list pl-bp1x1j1k5ykzqlixabc are unknown, so rules naming it match no address: add the prefix list to an sglab file
    "#]],
    );
}

/// Checks a `matrix --format summary` run; its last line gives the times, which vary: it is
/// checked for its form and left out of the golden.
fn check_summary(args: &[&str], expect: Expect) {
    let output = sglab(args);
    let mut lines: Vec<&str> = output.stdout.lines().collect();
    let time = lines.pop().unwrap_or_default();
    let well_formed = time.starts_with("time: load ")
        && time.contains(", matrix ")
        && time.contains(", summary ")
        && time.ends_with(" s");
    assert!(well_formed, "the last line gives the times: {time:?}");
    let stdout = lines.iter().map(|line| format!("{line}\n")).collect();
    check_output(&Output { stdout, ..output }, expect);
}

#[test]
fn matrix_summary() {
    check_summary(
        &[
            "matrix",
            "static/examples/ssh-allowlist.json",
            "--format",
            "summary",
        ],
        expect![[r#"
            exit 0
            --- stdout
            endpoints: 3 (1 external)
            classes: 3
            distinct port sets: 5
            reachable ordered pairs (some port allowed), of 6:
              tcp   3  (50.0%)
              udp   1  (16.7%)
              icmp  1  (16.7%)
              any   3  (50.0%)
            widest exposures to external endpoints (top 1 of 1, by endpoints reached, then ports):
              from             block            endpoints  tcp ports  udp ports  icmp
              internet client  203.0.113.10/32  1          1          0          0
        "#]],
    );
}

#[test]
fn matrix_summary_by_group_with_filters() {
    check_summary(
        &[
            "matrix",
            "static/examples/ai-gateway.json",
            "--format",
            "summary",
            "--by",
            "group",
        ],
        expect![[r#"
            exit 0
            --- stdout
            endpoints: 8 (1 external)
            classes: 4
            distinct port sets: 6
            reachable ordered pairs (some port allowed), of 56:
              tcp   38  (67.9%)
              udp   16  (28.6%)
              icmp  16  (28.6%)
              any   38  (67.9%)
            widest exposures to external endpoints (top 1 of 1, by endpoints reached, then ports):
              from             block            endpoints  tcp ports  udp ports  icmp
              internet client  203.0.113.10/32  2          4          0          0
            buckets: 4 (3 groups, 1 endpoint in no group)
            bucket pairs that allow something, of 14 holding pairs:
              tcp   8  (57.1%)
              udp   3  (21.4%)
              icmp  3  (21.4%)
              any   8  (57.1%)
        "#]],
    );
    check_summary(
        &[
            "matrix",
            "static/examples/ai-gateway.json",
            "--format",
            "summary",
            "--by",
            "group",
            "--to",
            "sg-ai-gateway",
        ],
        expect![[r#"
            exit 0
            --- stdout
            endpoints: 8 (1 external)
            classes: 4
            distinct port sets: 6
            selected: 8 sources, 2 targets
            reachable ordered pairs (some port allowed), of 14:
              tcp   14  (100.0%)
              udp   2   (14.3%)
              icmp  2   (14.3%)
              any   14  (100.0%)
            widest exposures to external endpoints (top 1 of 1, by endpoints reached, then ports):
              from             block            endpoints  tcp ports  udp ports  icmp
              internet client  203.0.113.10/32  2          4          0          0
            buckets: 4 (3 groups, 1 endpoint in no group)
            bucket pairs that allow something, of 4 holding pairs:
              tcp   4  (100.0%)
              udp   1  (25.0%)
              icmp  1  (25.0%)
              any   4  (100.0%)
        "#]],
    );
}

#[test]
fn matrix_by_group_text() {
    check(
        &["matrix", "static/examples/ai-gateway.json", "--by", "group"],
        expect![[r#"
            exit 0
            --- stdout
            from               to                 pairs  tcp            udp  icmp
            service-sg1 (4)    service-sg1 (4)    12     all            all  all
            service-sg1 (4)    sg-ai-gateway (2)  8      80;443         -    -
            service-sg2 (1)    sg-ai-gateway (2)  2      80;443         -    -
            sg-ai-gateway (2)  service-sg1 (4)    8      8080           -    -
            sg-ai-gateway (2)  service-sg2 (1)    2      80-9000        -    -
            sg-ai-gateway (2)  sg-ai-gateway (2)  2      all            all  all
            sg-ai-gateway (2)  internet client    2      1-24;26-65535  all  all
            internet client    sg-ai-gateway (2)  2      80;443         -    -
            (6 of 14 pairs of buckets allow nothing and are not shown)
        "#]],
    );
    // Pairs of one group that allow different ports: (n/m) says how many of the pairs do.
    check(
        &[
            "matrix",
            "static/examples/flannel-missing-pod-cidr.json",
            "--by",
            "group",
        ],
        expect![[r#"
            exit 0
            --- stdout
            from              to                pairs  tcp                                    udp         icmp
            sg-k8s-nodes (4)  sg-k8s-nodes (4)  12     1-21 (6/12);22 (8/12);23-65535 (6/12)  all (6/12)  all (8/12)
        "#]],
    );
}

#[test]
fn matrix_by_group_csv_json_markdown() {
    let args = |format| {
        vec![
            "matrix",
            "static/examples/redis-behind-web.json",
            "--by",
            "group",
            "--format",
            format,
        ]
    };
    check(
        &args("csv"),
        expect![[r#"
        exit 0
        --- stdout
        from_kind,from,from_name,from_members,to_kind,to,to_name,to_members,protocol,pairs,ports\r
        group,sg-batch,batch jobs,1,group,sg-web,web servers,2,tcp,2,80:2;443:2\r
        group,sg-redis,Redis cluster,1,group,sg-web,web servers,2,tcp,2,80:2;443:2\r
        group,sg-web,web servers,2,group,sg-redis,Redis cluster,1,tcp,2,6379:2\r
        group,sg-web,web servers,2,group,sg-web,web servers,2,tcp,2,all:2\r
        group,sg-web,web servers,2,group,sg-web,web servers,2,udp,2,all:2\r
        group,sg-web,web servers,2,group,sg-web,web servers,2,icmp,2,allowed:2\r
        group,sg-web,web servers,2,endpoint,client,internet client,1,tcp,2,1-24:2;26-65535:2\r
        group,sg-web,web servers,2,endpoint,client,internet client,1,udp,2,all:2\r
        group,sg-web,web servers,2,endpoint,client,internet client,1,icmp,2,allowed:2\r
        endpoint,client,internet client,1,group,sg-web,web servers,2,tcp,2,80:2;443:2\r
    "#]],
    );
    check(
        &args("json"),
        expect![[r#"
        exit 0
        --- stdout
        {
          "protocols": ["tcp","udp","icmp"],
          "buckets": [
            {"kind":"group","id":"sg-batch","name":"batch jobs","from_members":1,"to_members":1},
            {"kind":"group","id":"sg-redis","name":"Redis cluster","from_members":1,"to_members":1},
            {"kind":"group","id":"sg-web","name":"web servers","from_members":2,"to_members":2},
            {"kind":"endpoint","id":"client","name":"internet client","from_members":1,"to_members":1}
          ],
          "cells": [
            {"from":{"kind":"group","id":"sg-batch"},"to":{"kind":"group","id":"sg-web"},"protocol":"tcp","pairs":2,"allowed":[{"ports":"80/80","pairs":2},{"ports":"443/443","pairs":2}]},
            {"from":{"kind":"group","id":"sg-redis"},"to":{"kind":"group","id":"sg-web"},"protocol":"tcp","pairs":2,"allowed":[{"ports":"80/80","pairs":2},{"ports":"443/443","pairs":2}]},
            {"from":{"kind":"group","id":"sg-web"},"to":{"kind":"group","id":"sg-redis"},"protocol":"tcp","pairs":2,"allowed":[{"ports":"6379/6379","pairs":2}]},
            {"from":{"kind":"group","id":"sg-web"},"to":{"kind":"group","id":"sg-web"},"protocol":"tcp","pairs":2,"allowed":[{"ports":"1/65535","pairs":2}]},
            {"from":{"kind":"group","id":"sg-web"},"to":{"kind":"group","id":"sg-web"},"protocol":"udp","pairs":2,"allowed":[{"ports":"1/65535","pairs":2}]},
            {"from":{"kind":"group","id":"sg-web"},"to":{"kind":"group","id":"sg-web"},"protocol":"icmp","pairs":2,"allowed":[{"ports":"1/65535","pairs":2}]},
            {"from":{"kind":"group","id":"sg-web"},"to":{"kind":"endpoint","id":"client"},"protocol":"tcp","pairs":2,"allowed":[{"ports":"1/24","pairs":2},{"ports":"26/65535","pairs":2}]},
            {"from":{"kind":"group","id":"sg-web"},"to":{"kind":"endpoint","id":"client"},"protocol":"udp","pairs":2,"allowed":[{"ports":"1/65535","pairs":2}]},
            {"from":{"kind":"group","id":"sg-web"},"to":{"kind":"endpoint","id":"client"},"protocol":"icmp","pairs":2,"allowed":[{"ports":"1/65535","pairs":2}]},
            {"from":{"kind":"endpoint","id":"client"},"to":{"kind":"group","id":"sg-web"},"protocol":"tcp","pairs":2,"allowed":[{"ports":"80/80","pairs":2},{"ports":"443/443","pairs":2}]}
          ]
        }
    "#]],
    );
    check(
        &args("md"),
        expect![[r#"
        exit 0
        --- stdout
        | from | to | pairs | tcp | udp | icmp |
        | --- | --- | --- | --- | --- | --- |
        | sg-batch (1) | sg-web (2) | 2 | 80;443 | - | - |
        | sg-redis (1) | sg-web (2) | 2 | 80;443 | - | - |
        | sg-web (2) | sg-redis (1) | 2 | 6379 | - | - |
        | sg-web (2) | sg-web (2) | 2 | all | all | all |
        | sg-web (2) | internet client | 2 | 1-24;26-65535 | all | all |
        | internet client | sg-web (2) | 2 | 80;443 | - | - |

        7 of 13 pairs of buckets allow nothing and are not shown.
    "#]],
    );
}

#[test]
fn matrix_by_group_with_filters() {
    check(
        &[
            "matrix",
            "static/examples/flannel-missing-pod-cidr.json",
            "--by",
            "group",
            "--from",
            "172.20.0.0/16",
            "--format",
            "csv",
        ],
        expect![[r#"
            exit 0
            --- stdout
            from_kind,from,from_name,from_members,to_kind,to,to_name,to_members,protocol,pairs,ports\r
            group,sg-k8s-nodes,cluster nodes,2,group,sg-k8s-nodes,cluster nodes,4,tcp,6,all:2\r
            group,sg-k8s-nodes,cluster nodes,2,group,sg-k8s-nodes,cluster nodes,4,udp,6,all:2\r
            group,sg-k8s-nodes,cluster nodes,2,group,sg-k8s-nodes,cluster nodes,4,icmp,6,allowed:2\r
        "#]],
    );
    check(
        &[
            "matrix",
            "static/examples/ai-gateway.json",
            "--by",
            "group",
            "--from",
            "client",
            "--from",
            "sg-ai-gateway",
            "--to",
            "service-sg1",
            "--format",
            "json",
        ],
        expect![[r#"
            exit 0
            --- stdout
            {
              "protocols": ["tcp","udp","icmp"],
              "buckets": [
                {"kind":"group","id":"service-sg1","name":"ACK node pool","from_members":0,"to_members":4},
                {"kind":"group","id":"sg-ai-gateway","name":"AI gateway managed group","from_members":2,"to_members":0},
                {"kind":"endpoint","id":"client","name":"internet client","from_members":1,"to_members":0}
              ],
              "cells": [
                {"from":{"kind":"group","id":"sg-ai-gateway"},"to":{"kind":"group","id":"service-sg1"},"protocol":"tcp","pairs":8,"allowed":[{"ports":"8080/8080","pairs":8}]}
              ]
            }
        "#]],
    );
}

#[test]
fn matrix_from_and_to_select_endpoints() {
    // An external block inside a CIDR, an endpoint id; a public IP.
    check(
        &[
            "matrix",
            "static/examples/ssh-allowlist.json",
            "--from",
            "203.0.113.0/24",
            "--from",
            "bastion",
            "--to",
            "198.51.100.40",
        ],
        expect![[r#"
            exit 0
            --- stdout
            from             to     tcp     udp  icmp
            bastion          app 1  22;443  -    -
            internet client  app 1  443     -    -
        "#]],
    );
    // A group selects the pods on its nodes too (Terway-shared); a name, a private IP;
    // Markdown.
    check(
        &[
            "matrix",
            "static/examples/ai-gateway.json",
            "--from",
            "service-sg1",
            "--to",
            "AI gateway node 1",
            "--to",
            "192.168.3.10",
            "--format",
            "md",
        ],
        expect![[r#"
            exit 0
            --- stdout
            | from | to | tcp | udp | icmp |
            | --- | --- | --- | --- | --- |
            | ACK node 1 | AI gateway node 1 | 80;443 | - | - |
            | ACK node 2 | AI gateway node 1 | 80;443 | - | - |
            | app pod 1 | AI gateway node 1 | 80;443 | - | - |
            | app pod 2 | AI gateway node 1 | 80;443 | - | - |

            4 of 8 pairs allow nothing and are not shown.
        "#]],
    );
    // CSV and JSON hold the selected cells only.
    check(
        &[
            "matrix",
            "static/examples/drop-wins-tie.json",
            "--from",
            "client-1",
            "--format",
            "csv",
        ],
        expect![[r#"
            exit 0
            --- stdout
            from,from_name,to,to_name,protocol,ports\r
            client-1,client,server-1,server,tcp,443\r
            client-1,client,server-1,server,udp,\r
            client-1,client,server-1,server,icmp,\r
        "#]],
    );
    check(
        &[
            "matrix",
            "static/examples/drop-wins-tie.json",
            "--to",
            "client-1",
            "--format",
            "json",
        ],
        expect![[r#"
            exit 0
            --- stdout
            {
              "protocols": ["tcp","udp","icmp"],
              "cells": [
                {"from":"server-1","to":"client-1","protocol":"tcp","ports":[]},
                {"from":"server-1","to":"client-1","protocol":"udp","ports":[]},
                {"from":"server-1","to":"client-1","protocol":"icmp","ports":[]}
              ]
            }
        "#]],
    );
}

#[test]
fn matrix_filters_that_select_nothing_exit_2() {
    check(
        &[
            "matrix",
            "static/examples/ssh-allowlist.json",
            "--from",
            "nobody",
            "--from",
            "bastion",
            "--to",
            "10.9.0.0/16",
        ],
        expect![[r#"
            exit 2
            --- stderr
            error: --from: "nobody" is no endpoint id, endpoint name, security group id, IP address or CIDR block: use one of those
            error: --to: 10.9.0.0/16 selects no endpoint: no private, public or pod address is in 10.9.0.0/16, and no external block inside it
        "#]],
    );
    let with_empty_group = small_with(
        r#"{ "id": "sg-admin", "rules": [] }"#,
        r#"{ "id": "sg-admin", "rules": [] },
    { "id": "sg-unused", "rules": [] }"#,
    );
    check_files(
        "matrix_filter_empty_group",
        &[("small.json", &with_empty_group)],
        &["matrix", "small.json", "--by", "group", "--to", "sg-unused"],
        expect![[r#"
            exit 2
            --- stderr
            error: --to: security group sg-unused selects no endpoint: no ENI is in it
        "#]],
    );
}

/// The summary's counts, and the group matrix of a selection, agree with the endpoint cells on
/// a generated Kubernetes topology (pods on shared nodes, pairs that no group filters).
#[test]
fn matrix_summary_and_group_filters_agree_with_the_cells() {
    use sglab_core::generate::{generate, GenParams, Shape};
    let topology = generate(7, &GenParams::of_shape(Shape::Kubernetes, 90, 9, 300));
    let dir = scratch("matrix_summary_agrees");
    std::fs::write(
        dir.join("k8s.json"),
        sglab_core::format::to_sglab_json(&topology),
    )
    .expect("write");
    let run = |args: &[&str]| {
        let output = sglab_in(&dir, args, None);
        assert_eq!(output.code, 0, "{}", output.stderr);
        output.stdout
    };
    let group = topology.groups.keys().next().expect("a group").to_string();
    for filters in [
        vec![],
        vec!["--from", group.as_str()],
        vec!["--to", "10.0.0.0/8"],
    ] {
        let mut csv_args = vec!["matrix", "k8s.json", "--format", "csv"];
        csv_args.extend(&filters);
        let csv = run(&csv_args);
        let (mut pairs, mut reachable) = (0u64, [0u64; 3]);
        let mut any = std::collections::BTreeSet::new();
        for (row, line) in csv.lines().skip(1).enumerate() {
            let fields: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
            let ports = fields.last().expect("ports");
            if row % 3 == 0 {
                pairs += 1;
            }
            if !ports.is_empty() {
                reachable[row % 3] += 1;
                any.insert((fields[0].to_owned(), fields[2].to_owned()));
            }
        }
        let mut summary_args = vec!["matrix", "k8s.json", "--format", "summary"];
        summary_args.extend(&filters);
        let summary = run(&summary_args);
        let expected = format!(
            "reachable ordered pairs (some port allowed), of {pairs}:\n  tcp   {}",
            reachable[0]
        );
        assert!(summary.contains(&expected), "{expected}\n---\n{summary}");
        for (name, count) in [
            ("udp", reachable[1]),
            ("icmp", reachable[2]),
            ("any", any.len() as u64),
        ] {
            let line = summary
                .lines()
                .find(|line| line.trim_start().starts_with(&format!("{name} ")))
                .expect("a line per protocol");
            let numbers: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(numbers[1], count.to_string(), "{name}: {summary}");
        }
        // The group matrix of the selection counts the same pairs as its endpoint cells.
        let mut json_args = vec!["matrix", "k8s.json", "--by", "group", "--format", "json"];
        json_args.extend(&filters);
        let groups: serde_json::Value =
            serde_json::from_str(&run(&json_args)).expect("one JSON object");
        let buckets = groups["buckets"].as_array().expect("buckets");
        assert!(!buckets.is_empty());
        for cell in groups["cells"].as_array().expect("cells") {
            let pairs = cell["pairs"].as_u64().expect("pairs");
            for range in cell["allowed"].as_array().expect("allowed") {
                let allowing = range["pairs"].as_u64().expect("pairs");
                assert!(allowing >= 1 && allowing <= pairs, "{cell}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// check

#[test]
fn check_passes_on_every_example() {
    let examples = std::fs::read_dir(root().join("static/examples")).expect("examples");
    let mut names: Vec<String> = examples
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let mut report = String::new();
    for name in names {
        let path = format!("static/examples/{name}");
        let output = sglab(&["check", &path]);
        report.push_str(&format!("{path}: exit {}: {}", output.code, output.stdout));
        report.push_str(&output.stderr);
    }
    expect![[r#"
        static/examples/ai-gateway.json: exit 0: 6 passed, 0 failed
        static/examples/basic-vs-enterprise.json: exit 0: 6 passed, 0 failed
        static/examples/drop-wins-tie.json: exit 0: 2 passed, 0 failed
        static/examples/flannel-missing-pod-cidr.json: exit 0: 2 passed, 0 failed
        static/examples/mse-gateway.json: exit 0: 6 passed, 0 failed
        static/examples/redis-behind-web.json: exit 0: 8 passed, 0 failed
        static/examples/ssh-allowlist.json: exit 0: 4 passed, 0 failed
    "#]]
    .assert_eq(&report);
}

/// The scenario corpus: each file's path relative to the workspace root (as the tests pass it
/// to the binary) and its parsed JSON, sorted by name.
fn corpus_files() -> Vec<(String, serde_json::Value)> {
    let corpus = root().join("tests/scenarios");
    let mut files: Vec<(String, serde_json::Value)> = std::fs::read_dir(&corpus)
        .expect("the scenario corpus")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().and_then(|ext| ext.to_str()) == Some("json"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable");
            let relative = format!(
                "tests/scenarios/{}",
                path.file_name().expect("name").to_string_lossy()
            );
            (relative, serde_json::from_str(&text).expect("JSON"))
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

#[test]
fn check_runs_the_scenario_corpus() {
    let mut checked = 0;
    for (relative, _) in corpus_files() {
        let output = sglab(&["check", &relative]);
        assert_eq!(
            output.code, 0,
            "{relative}\n{}{}",
            output.stdout, output.stderr
        );
        assert!(output.stdout.ends_with(" 0 failed\n"), "{}", output.stdout);
        checked += 1;
    }
    assert!(checked > 0, "the corpus holds scenario files");
}

/// Every case of the corpus through `sglab query --format json`: the verdict, the deciding
/// decision of each side, the number of blockers and the service status the corpus expects.
#[test]
fn query_json_agrees_with_every_corpus_case() {
    let mut cases_checked = 0;
    for (relative, file) in corpus_files() {
        let Some(cases) = file["corpus"]["cases"].as_array() else {
            continue;
        };
        for case in cases {
            let text_of = |key: &str| case[key].as_str().expect("a string").to_owned();
            let mut args = vec![
                "query".to_owned(),
                relative.clone(),
                "--from".to_owned(),
                text_of("from"),
                "--to".to_owned(),
                text_of("to"),
                "--protocol".to_owned(),
                text_of("protocol"),
                "--format".to_owned(),
                "json".to_owned(),
            ];
            if let Some(port) = case["port"].as_u64() {
                args.extend(["--port".to_owned(), port.to_string()]);
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let output = sglab(&args);
            let label = format!("{relative}: {case}");
            assert_eq!(output.code, 0, "{label}: {}", output.stderr);
            let answer: serde_json::Value =
                serde_json::from_str(&output.stdout).expect("one JSON object");
            assert_eq!(answer["verdict"], case["verdict"], "{label}");
            for side in ["egress", "ingress"] {
                if let Some(expected) = case[side].as_object() {
                    for (key, value) in expected {
                        let actual = if key == "verdict" {
                            &answer[side]["verdict"]
                        } else {
                            &answer[side]["decided_by"][key]
                        };
                        assert_eq!(actual, value, "{label}: {side}.{key}");
                    }
                }
            }
            if let Some(blockers) = case["blockers"].as_u64() {
                let count = answer["blockers"].as_array().expect("blockers").len();
                assert_eq!(count as u64, blockers, "{label}: blockers");
            }
            if let Some(service) = case["service"].as_str() {
                assert_eq!(answer["service"], service, "{label}: service");
            }
            if let Some(expected) = case["diagnoses"].as_array() {
                let codes: Vec<&serde_json::Value> = answer["diagnoses"]
                    .as_array()
                    .expect("diagnoses")
                    .iter()
                    .map(|diagnosis| &diagnosis["code"])
                    .collect();
                assert_eq!(
                    codes,
                    expected.iter().collect::<Vec<_>>(),
                    "{label}: diagnoses"
                );
            }
            if let Some(note) = case["note"].as_str() {
                let notes = answer["notes"].as_array().expect("notes");
                assert!(
                    notes
                        .iter()
                        .any(|text| text.as_str().is_some_and(|text| text.contains(note))),
                    "{label}: a note containing {note:?}"
                );
            }
            cases_checked += 1;
        }
    }
    assert!(cases_checked > 0, "the corpus holds cases");
}

// ---------------------------------------------------------------------------------------------
// lint

#[test]
fn lint_text() {
    check(
        &["lint", "tests/scenarios/57-lint-risky-port.json"],
        expect![[r#"
        exit 0
        --- stdout
        error[risky-port-exposed]: rule 1 of sg-web (priority 1, accept tcp 22/22 from 0.0.0.0/0) exposes 22 (SSH) to the internet (0.0.0.0/0)
          fix: accept these ports only from the addresses that need them: a bastion's group, an office CIDR or the VPC CIDR 10.0.0.0/16
        error[risky-port-exposed]: rule 2 of sg-web (priority 1, accept tcp 3300/3400 from 0.0.0.0/0) exposes 3306 (MySQL), 3389 (RDP) to the internet (0.0.0.0/0)
          fix: accept these ports only from the addresses that need them: a bastion's group, an office CIDR or the VPC CIDR 10.0.0.0/16
        warning[shadowed-rule]: rule 4 of sg-web (priority 2, accept tcp 6379/6379 from 0.0.0.0/0) never decides anything: rule 3 of sg-web (priority 1, drop tcp 6379/6379 from 0.0.0.0/0) decides every packet it matches first
          fix: delete rule 4 of sg-web: it changes no verdict
        3 findings (2 errors, 1 warnings, 0 infos)
    "#]],
    );
}

#[test]
fn lint_text_without_findings() {
    check(
        &["lint", "tests/scenarios/04-basic-defaults.json"],
        expect![[r#"
        exit 0
        --- stdout
        no findings
    "#]],
    );
}

#[test]
fn lint_json() {
    check(
        &[
            "lint",
            "--format",
            "json",
            "tests/scenarios/50-lint-shadowed.json",
        ],
        expect![[r#"
            exit 0
            --- stdout
            {
              "findings": [
                {
                  "code": "shadowed-rule",
                  "severity": "warning",
                  "security_group": "sg-web",
                  "rule_index": 1,
                  "endpoint": null,
                  "message": "rule 2 of sg-web (priority 5, accept tcp 80/80 from 10.0.2.0/24) never decides anything: rule 1 of sg-web (priority 1, accept tcp 1/1000 from 10.0.0.0/16) decides every packet it matches first",
                  "fix_text": "delete rule 2 of sg-web: it changes no verdict",
                  "fix": {
                    "kind": "delete-rule",
                    "security_group": "sg-web",
                    "rule_index": 1
                  },
                  "related": [
                    {
                      "security_group": "sg-web",
                      "rule_index": 0,
                      "rule_id": null,
                      "direction": "ingress",
                      "priority": 1,
                      "policy": "accept",
                      "protocol": "tcp",
                      "ports": {
                        "range": "1/1000"
                      },
                      "peer": {
                        "cidr": "10.0.0.0/16"
                      }
                    }
                  ]
                }
              ]
            }
        "#]],
    );
}

#[test]
fn lint_of_the_examples_and_imported_fixtures() {
    check(
        &["lint", "static/examples/ai-gateway.json"],
        expect![[r#"
        exit 0
        --- stdout
        warning[ack-ssh-blocked]: node ack-node-1 of cluster ack-prod: no rule of its groups accepts TCP 22 from the VPC 192.168.0.0/16, which Container Service needs to initialise nodes
          fix: add to service-sg1: ingress accept priority 1 tcp 22/22 from 192.168.0.0/16
        info[ack-icmp-missing]: node ack-node-1 of cluster ack-prod: no rule of its groups accepts ICMP from the VPC 192.168.0.0/16; Container Service keeps ICMP open for node-to-node troubleshooting
          fix: add to service-sg1: ingress accept priority 1 icmp -1/-1 from 192.168.0.0/16
        2 findings (0 errors, 1 warnings, 1 infos)
    "#]],
    );
    let mut args = vec!["lint"];
    args.extend(FIXTURES);
    check(
        &args,
        expect![[r#"
            exit 0
            --- stdout
            info[redundant-rule]: rule 4 (sgr-bp1d3k0p6a3mysql0004) of sg-bp1fg655nh68xyz9dbs2 (priority 1, accept udp 53/53 to 100.100.2.136/32) is redundant: without it, the default (basic groups allow all egress) would decide every packet it decides the same way
              fix: delete rule 4 of sg-bp1fg655nh68xyz9dbs2: it changes no verdict
            info[unattached-group]: security group sg-bp1fg655nh68xyz9ent4 is attached to no ENI, pod or gateway: its rules protect nothing
              fix: attach sg-bp1fg655nh68xyz9ent4 to the instances it should protect, or delete it
            info[redundant-rule]: rule 4 (sgr-bp12kewq32dfwrdi0004) of sg-bp1fg655nh68xyz9web1 (priority 2, drop tcp 22/22 from 0.0.0.0/0) is redundant: without it, the default (ingress is denied by default) would decide every packet it decides the same way
              fix: delete rule 4 of sg-bp1fg655nh68xyz9web1: it changes no verdict
            info[redundant-rule]: rule 8 (sgr-bp12kewq32dfwrdi0008) of sg-bp1fg655nh68xyz9web1 (priority 100, accept all -1/-1 to ::/0) is redundant: without it, the default (basic groups allow all egress) would decide every packet it decides the same way
              fix: delete rule 8 of sg-bp1fg655nh68xyz9web1: it changes no verdict
            info[unattached-group]: security group sg-bp1legacy0console0110 is attached to no ENI, pod or gateway: its rules protect nothing
              fix: attach sg-bp1legacy0console0110 to the instances it should protect, or delete it
            error[all-ports-open]: rule 1 of sg-bp1legacy0console0110 (priority 110 legacy, accept tcp 1/65535 from 0.0.0.0/0) accepts every port from 0.0.0.0/0, that is every address
              fix: allow only the ports the service needs, from the addresses that need them: a group, an office CIDR or the VPC CIDR
            6 findings (1 errors, 0 warnings, 5 infos)
            --- stderr
            warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-legacy.json: security group sg-bp1legacy0console0110, rule 1, field Priority: legacy priority 110 from the old console: imported as lower than 100; the API accepts 1 to 100 only
            warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-legacy.json: security group sg-bp1legacy0console0110, rule 2, field Direction: Direction is missing: read as ingress from the peer fields
            warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-groups.json: security group sg-bp1fg655nh68xyz9ent4: the rules of security group sg-bp1fg655nh68xyz9ent4 are unknown, so it is imported without rules: add the output of aliyun ecs DescribeSecurityGroupAttribute --SecurityGroupId sg-bp1fg655nh68xyz9ent4
            warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-db.json: security group sg-bp1fg655nh68xyz9dbs2, rule 3: the entries of prefix list pl-bp1x1j1k5ykzqlixabc are unknown, so rules naming it match no address: add the prefix list to an sglab file
        "#]],
    );
}

#[test]
fn lint_of_a_bad_file_exits_2() {
    check_files(
        "lint_of_a_bad_file_exits_2",
        &[(
            "bad.json",
            &small_with(r#""port_range": "80/80""#, r#""port_range": "200/1""#),
        )],
        &["lint", "bad.json"],
        expect![[r#"
            exit 2
            --- stderr
            error: bad.json: security group sg-web, rule 1, field port_range: port range 200/1 is reversed: the start port must not exceed the end port (InvalidParam.PortRange)
        "#]],
    );
}

/// `sglab lint --format json` on every corpus file that lists its lints finds exactly those.
#[test]
fn lint_json_agrees_with_every_corpus_file() {
    let mut files_checked = 0;
    for (relative, file) in corpus_files() {
        let Some(expected) = file["corpus"]["lints"].as_array() else {
            continue;
        };
        let output = sglab(&["lint", "--format", "json", &relative]);
        assert_eq!(output.code, 0, "{relative}: {}", output.stderr);
        let answer: serde_json::Value =
            serde_json::from_str(&output.stdout).expect("one JSON object");
        let key = |value: &serde_json::Value| {
            format!(
                "{} {} {}",
                value["code"],
                value
                    .get("security_group")
                    .unwrap_or(&serde_json::Value::Null),
                value.get("rule_index").unwrap_or(&serde_json::Value::Null)
            )
        };
        let mut actual: Vec<String> = answer["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(key)
            .collect();
        let mut wanted: Vec<String> = expected.iter().map(key).collect();
        actual.sort();
        actual.dedup();
        wanted.sort();
        assert_eq!(actual, wanted, "{relative}");
        files_checked += 1;
    }
    assert!(
        files_checked >= 14,
        "only {files_checked} corpus files list lints"
    );
}

#[test]
fn check_failure_exits_1_with_one_line_per_failure() {
    let wrong = small_with(
        r#""port": 22, "verdict": "allow""#,
        r#""port": 22, "verdict": "deny""#,
    );
    let wrong = wrong.replacen(
        r#""port": 22, "verdict": "deny" }
  ]"#,
        r#""port": 22, "verdict": "allow" },
    { "from": "web-1", "to": "admin-1", "protocol": "icmp", "verdict": "allow" }
  ]"#,
        1,
    );
    check_files(
        "check_failure",
        &[("wrong.json", &wrong)],
        &["check", "wrong.json"],
        expect![[r#"
            exit 1
            --- stdout
            FAIL expectation 1: tcp 22 from admin-1 to web-1: expected deny, got allow (egress: allow, no rule matched; basic groups allow all egress by default; ingress: allow, rule 2 of sg-web (priority 1, accept tcp 22/22 from group sg-admin))
            FAIL expectation 2: tcp 22 from 198.51.100.7 to web-1: expected allow, got deny (egress: allow, 198.51.100.7 is outside every VPC: no security group filters its egress; ingress: deny, no rule matched; basic groups deny all ingress by default)
            FAIL expectation 3: icmp from web-1 to admin-1: expected allow, got deny (egress: allow, no rule matched; basic groups allow all egress by default; ingress: deny, no rule matched; basic groups deny all ingress by default)
            0 passed, 3 failed
        "#]],
    );
}

#[test]
fn check_of_imported_files_without_expectations() {
    let mut args = vec!["check"];
    args.extend(FIXTURES);
    check(
        &args,
        expect![[r#"
            exit 0
            --- stdout
            0 passed, 0 failed
            --- stderr
            warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-legacy.json: security group sg-bp1legacy0console0110, rule 1, field Priority: legacy priority 110 from the old console: imported as lower than 100; the API accepts 1 to 100 only
            warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-legacy.json: security group sg-bp1legacy0console0110, rule 2, field Direction: Direction is missing: read as ingress from the peer fields
            warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-groups.json: security group sg-bp1fg655nh68xyz9ent4: the rules of security group sg-bp1fg655nh68xyz9ent4 are unknown, so it is imported without rules: add the output of aliyun ecs DescribeSecurityGroupAttribute --SecurityGroupId sg-bp1fg655nh68xyz9ent4
            warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-db.json: security group sg-bp1fg655nh68xyz9dbs2, rule 3: the entries of prefix list pl-bp1x1j1k5ykzqlixabc are unknown, so rules naming it match no address: add the prefix list to an sglab file
            warning: the files hold no expectations: add an "expectations" list to an sglab file
        "#]],
    );
}

// ---------------------------------------------------------------------------------------------
// export

#[test]
fn export_terraform() {
    check(
        &[
            "export",
            "static/examples/redis-behind-web.json",
            "--format",
            "terraform",
        ],
        expect![[r#"
            exit 0
            --- stdout
            # Generated by sglab from Redis behind a web tier.
            # Security groups and rules for the aliyun/alicloud Terraform provider.

            terraform {
              required_providers {
                alicloud = {
                  source = "aliyun/alicloud"
                }
              }
            }

            # sg-batch
            resource "alicloud_security_group" "batch_jobs" {
              security_group_name = "batch jobs"
              vpc_id              = "vpc-shop"
              security_group_type = "normal"
              inner_access_policy = "Accept"
            }

            # sg-redis
            resource "alicloud_security_group" "redis_cluster" {
              security_group_name = "Redis cluster"
              vpc_id              = "vpc-shop"
              security_group_type = "normal"
              inner_access_policy = "Accept"
              description         = "Only the web tier may reach Redis: authorized by group, not by CIDR"
            }

            resource "alicloud_security_group_rule" "redis_cluster_ingress_1" {
              type                     = "ingress"
              ip_protocol              = "tcp"
              policy                   = "accept"
              priority                 = 1
              port_range               = "6379/6379"
              nic_type                 = "intranet"
              security_group_id        = alicloud_security_group.redis_cluster.id
              source_security_group_id = alicloud_security_group.web_servers.id
              description              = "Redis from the web tier"
            }

            # sg-web
            resource "alicloud_security_group" "web_servers" {
              security_group_name = "web servers"
              vpc_id              = "vpc-shop"
              security_group_type = "normal"
              inner_access_policy = "Accept"
            }

            resource "alicloud_security_group_rule" "web_servers_ingress_1" {
              type              = "ingress"
              ip_protocol       = "tcp"
              policy            = "accept"
              priority          = 1
              port_range        = "80/80"
              nic_type          = "intranet"
              security_group_id = alicloud_security_group.web_servers.id
              cidr_ip           = "0.0.0.0/0"
              description       = "HTTP from the internet"
            }

            resource "alicloud_security_group_rule" "web_servers_ingress_2" {
              type              = "ingress"
              ip_protocol       = "tcp"
              policy            = "accept"
              priority          = 1
              port_range        = "443/443"
              nic_type          = "intranet"
              security_group_id = alicloud_security_group.web_servers.id
              cidr_ip           = "0.0.0.0/0"
              description       = "HTTPS from the internet"
            }
        "#]],
    );
}

#[test]
fn export_aliyun_cli() {
    check(
        &[
            "export",
            "static/examples/ai-gateway.json",
            "--format",
            "aliyun-cli",
        ],
        expect![[r#"
            exit 0
            --- stdout
            #!/bin/sh
            # Generated by sglab from AI gateway with two backend groups.
            # Creates the security-group rules of the topology in the existing groups.
            set -eu
            : "${REGION:?set REGION to the region id of the groups, for example cn-hangzhou}"

            # Security group service-sg1 (ACK node pool, normal, vpc-ai)
            # To create it in another account, run this and use the new id below:
            # aliyun ecs CreateSecurityGroup --RegionId "$REGION" --VpcId vpc-ai --SecurityGroupName 'ACK node pool' --SecurityGroupType normal --Description 'Nodes of the ACK cluster whose pods serve on 8080'
            aliyun ecs AuthorizeSecurityGroup --RegionId "$REGION" --SecurityGroupId service-sg1 \
                --Permissions.1.Policy accept --Permissions.1.Priority 1 --Permissions.1.IpProtocol tcp --Permissions.1.PortRange 8080/8080 --Permissions.1.SourceGroupId sg-ai-gateway --Permissions.1.NicType intranet --Permissions.1.Description 'AI gateway authorization'

            # Security group service-sg2 (ECS backend, normal, vpc-ai)
            # To create it in another account, run this and use the new id below:
            # aliyun ecs CreateSecurityGroup --RegionId "$REGION" --VpcId vpc-ai --SecurityGroupName 'ECS backend' --SecurityGroupType normal --Description 'ECS instance serving on ports 80 to 9000'
            aliyun ecs AuthorizeSecurityGroup --RegionId "$REGION" --SecurityGroupId service-sg2 \
                --Permissions.1.Policy accept --Permissions.1.Priority 1 --Permissions.1.IpProtocol tcp --Permissions.1.PortRange 80/9000 --Permissions.1.SourceGroupId sg-ai-gateway --Permissions.1.NicType intranet --Permissions.1.Description 'AI gateway authorization'

            # Security group sg-ai-gateway (AI gateway managed group, normal, vpc-ai)
            # Managed by AI Gateway: read-only, so its rules are not exported.
        "#]],
    );
}

#[test]
fn export_sglab_of_imported_fixtures() {
    let mut args = vec!["export"];
    args.extend(FIXTURES);
    args.extend(["--format", "sglab"]);
    check(
        &args,
        expect![[r#"
            exit 0
            --- stdout
            {
              "sglab": 1,
              "name": "Imported from describe-security-group-attribute-web.json, describe-security-group-attribute-db.json, describe-security-group-attribute-gateway.json, describe-security-group-attribute-legacy.json, describe-security-groups.json, describe-instances.json, describe-network-interfaces.json",
              "vpcs": [
                {
                  "id": "vpc-bp1opxu1zkhn00gzv9x1q",
                  "name": "vpc-bp1opxu1zkhn00gzv9x1q"
                }
              ],
              "security_groups": [
                {
                  "id": "sg-bp1fg655nh68xyz9agw3",
                  "name": "ai-gateway-managed-sg",
                  "vpc": "vpc-bp1opxu1zkhn00gzv9x1q",
                  "type": "basic",
                  "managed_by": "cloud service 1688000000000000",
                  "description": "Managed by AI Gateway",
                  "rules": [
                    {
                      "id": "sgr-bp1gwmanaged00000001",
                      "direction": "ingress",
                      "policy": "accept",
                      "priority": 1,
                      "protocol": "tcp",
                      "port_range": "443/443",
                      "cidr": "0.0.0.0/0",
                      "description": "gateway listener"
                    }
                  ]
                },
                {
                  "id": "sg-bp1fg655nh68xyz9dbs2",
                  "name": "db",
                  "vpc": "vpc-bp1opxu1zkhn00gzv9x1q",
                  "type": "basic",
                  "inner_access_policy": "drop",
                  "description": "MySQL and Redis",
                  "tags": {
                    "env": "prod"
                  },
                  "rules": [
                    {
                      "id": "sgr-bp1d3k0p6a3mysql0001",
                      "direction": "ingress",
                      "policy": "accept",
                      "priority": 1,
                      "protocol": "tcp",
                      "port_range": "3306/3306",
                      "group": "sg-bp1fg655nh68xyz9web1",
                      "description": "MySQL from web"
                    },
                    {
                      "id": "sgr-bp1d3k0p6a3mysql0002",
                      "direction": "ingress",
                      "policy": "accept",
                      "priority": 1,
                      "protocol": "tcp",
                      "port_range": "6379/6379",
                      "group": "sg-bp1fg655nh68xyz9web1",
                      "description": "Redis from web"
                    },
                    {
                      "id": "sgr-bp1d3k0p6a3mysql0003",
                      "direction": "ingress",
                      "policy": "accept",
                      "priority": 1,
                      "protocol": "tcp",
                      "port_range": "22/22",
                      "prefix_list": "pl-bp1x1j1k5ykzqlixabc",
                      "description": "SSH from the bastion prefix list"
                    },
                    {
                      "id": "sgr-bp1d3k0p6a3mysql0004",
                      "direction": "egress",
                      "policy": "accept",
                      "priority": 1,
                      "protocol": "udp",
                      "port_range": "53/53",
                      "cidr": "100.100.2.136/32",
                      "source_port_range": "1024/65535",
                      "description": "DNS"
                    }
                  ]
                },
                {
                  "id": "sg-bp1fg655nh68xyz9ent4",
                  "name": "batch",
                  "vpc": "vpc-bp1opxu1zkhn00gzv9x1q",
                  "type": "enterprise",
                  "description": "Batch workers",
                  "rules": []
                },
                {
                  "id": "sg-bp1fg655nh68xyz9web1",
                  "name": "web",
                  "vpc": "vpc-bp1opxu1zkhn00gzv9x1q",
                  "type": "basic",
                  "description": "Web servers behind the SLB",
                  "tags": {
                    "env": "prod",
                    "team": "shop"
                  },
                  "rules": [
                    {
                      "id": "sgr-bp12kewq32dfwrdi0001",
                      "direction": "ingress",
                      "policy": "accept",
                      "priority": 1,
                      "protocol": "tcp",
                      "port_range": "80/80",
                      "cidr": "0.0.0.0/0",
                      "description": "HTTP from anywhere"
                    },
                    {
                      "id": "sgr-bp12kewq32dfwrdi0002",
                      "direction": "ingress",
                      "policy": "accept",
                      "priority": 1,
                      "protocol": "tcp",
                      "port_range": "443/443",
                      "cidr": "0.0.0.0/0",
                      "description": "HTTPS from anywhere"
                    },
                    {
                      "id": "sgr-bp12kewq32dfwrdi0003",
                      "direction": "ingress",
                      "policy": "accept",
                      "priority": 1,
                      "protocol": "tcp",
                      "port_range": "22/22",
                      "cidr": "10.0.0.0/8",
                      "description": "SSH from the office VPN"
                    },
                    {
                      "id": "sgr-bp12kewq32dfwrdi0004",
                      "direction": "ingress",
                      "policy": "drop",
                      "priority": 2,
                      "protocol": "tcp",
                      "port_range": "22/22",
                      "cidr": "0.0.0.0/0",
                      "description": "no SSH from elsewhere"
                    },
                    {
                      "id": "sgr-bp12kewq32dfwrdi0005",
                      "direction": "ingress",
                      "policy": "accept",
                      "priority": 100,
                      "protocol": "icmp",
                      "port_range": "-1/-1",
                      "cidr": "0.0.0.0/0",
                      "description": "ping"
                    },
                    {
                      "id": "sgr-bp12kewq32dfwrdi0006",
                      "direction": "ingress",
                      "policy": "accept",
                      "priority": 1,
                      "protocol": "tcp",
                      "port_range": "8080/8080",
                      "group": "sg-bp1fg655nh68xyz9agw3",
                      "description": "authorized by AI gateway gw-7x9"
                    },
                    {
                      "id": "sgr-bp12kewq32dfwrdi0007",
                      "direction": "egress",
                      "policy": "drop",
                      "priority": 1,
                      "protocol": "tcp",
                      "port_range": "25/25",
                      "cidr": "0.0.0.0/0",
                      "description": "no outbound mail"
                    },
                    {
                      "id": "sgr-bp12kewq32dfwrdi0008",
                      "direction": "egress",
                      "policy": "accept",
                      "priority": 100,
                      "protocol": "all",
                      "port_range": "-1/-1",
                      "ipv6_cidr": "::/0"
                    }
                  ]
                },
                {
                  "id": "sg-bp1legacy0console0110",
                  "name": "old-console",
                  "vpc": "vpc-bp1opxu1zkhn00gzv9x1q",
                  "type": "basic",
                  "description": "created in the old console",
                  "rules": [
                    {
                      "direction": "ingress",
                      "policy": "accept",
                      "priority": 110,
                      "protocol": "tcp",
                      "port_range": "1/65535",
                      "cidr": "0.0.0.0/0"
                    },
                    {
                      "direction": "ingress",
                      "policy": "accept",
                      "priority": 1,
                      "protocol": "all",
                      "port_range": "-1/-1",
                      "group": "sg-bp1fg655nh68xyz9web1"
                    },
                    {
                      "direction": "ingress",
                      "policy": "drop",
                      "priority": 5,
                      "protocol": "udp",
                      "port_range": "161/162",
                      "cidr": "192.168.1.0/24",
                      "description": "no SNMP"
                    }
                  ]
                }
              ],
              "endpoints": [
                {
                  "id": "eni-bp1gwnode0000000005",
                  "name": "eni-bp1gwnode0000000005",
                  "kind": "ecs",
                  "vpc": "vpc-bp1opxu1zkhn00gzv9x1q",
                  "enis": [
                    {
                      "id": "eni-bp1gwnode0000000005",
                      "private_ips": [
                        "10.0.9.5"
                      ],
                      "groups": [
                        "sg-bp1fg655nh68xyz9agw3"
                      ]
                    }
                  ]
                },
                {
                  "id": "i-bp67acfmxazb4ph00db1",
                  "name": "db-1",
                  "kind": "ecs",
                  "vpc": "vpc-bp1opxu1zkhn00gzv9x1q",
                  "enis": [
                    {
                      "id": "eni-bp1db1primary000003",
                      "private_ips": [
                        "10.0.2.21"
                      ],
                      "groups": [
                        "sg-bp1fg655nh68xyz9dbs2"
                      ]
                    },
                    {
                      "id": "eni-bp1db1secondary0004",
                      "private_ips": [
                        "10.0.2.22"
                      ],
                      "groups": [
                        "sg-bp1fg655nh68xyz9dbs2",
                        "sg-bp1fg655nh68xyz9web1"
                      ]
                    }
                  ]
                },
                {
                  "id": "i-bp67acfmxazb4ph0web1",
                  "name": "web-1",
                  "kind": "ecs",
                  "vpc": "vpc-bp1opxu1zkhn00gzv9x1q",
                  "enis": [
                    {
                      "id": "eni-bp1web1primary00001",
                      "private_ips": [
                        "10.0.1.11"
                      ],
                      "groups": [
                        "sg-bp1fg655nh68xyz9web1"
                      ]
                    }
                  ],
                  "public_ip": "47.96.10.11"
                },
                {
                  "id": "i-bp67acfmxazb4ph0web2",
                  "name": "web-2",
                  "kind": "ecs",
                  "vpc": "vpc-bp1opxu1zkhn00gzv9x1q",
                  "enis": [
                    {
                      "id": "eni-bp1web2primary00002",
                      "private_ips": [
                        "10.0.1.12"
                      ],
                      "groups": [
                        "sg-bp1fg655nh68xyz9web1"
                      ]
                    }
                  ],
                  "public_ip": "47.96.10.12"
                }
              ],
              "prefix_lists": [
                {
                  "id": "pl-bp1x1j1k5ykzqlixabc",
                  "name": "pl-bp1x1j1k5ykzqlixabc",
                  "cidrs": []
                }
              ]
            }
            --- stderr
            warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-legacy.json: security group sg-bp1legacy0console0110, rule 1, field Priority: legacy priority 110 from the old console: imported as lower than 100; the API accepts 1 to 100 only
            warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-legacy.json: security group sg-bp1legacy0console0110, rule 2, field Direction: Direction is missing: read as ingress from the peer fields
            warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-groups.json: security group sg-bp1fg655nh68xyz9ent4: the rules of security group sg-bp1fg655nh68xyz9ent4 are unknown, so it is imported without rules: add the output of aliyun ecs DescribeSecurityGroupAttribute --SecurityGroupId sg-bp1fg655nh68xyz9ent4
            warning: crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-db.json: security group sg-bp1fg655nh68xyz9dbs2, rule 3: the entries of prefix list pl-bp1x1j1k5ykzqlixabc are unknown, so rules naming it match no address: add the prefix list to an sglab file
        "#]],
    );
}

#[test]
fn export_sglab_round_trips() {
    let dir = scratch("export_sglab_round_trips");
    for example in ["ai-gateway", "mse-gateway", "flannel-missing-pod-cidr"] {
        let source = root().join(format!("static/examples/{example}.json"));
        let source = source.to_string_lossy();
        let first = sglab_in(&dir, &["export", &source, "--format", "sglab"], None);
        assert_eq!(first.code, 0, "{}", first.stderr);
        std::fs::write(dir.join("exported.json"), &first.stdout).expect("write");
        let second = sglab_in(
            &dir,
            &["export", "exported.json", "--format", "sglab"],
            None,
        );
        assert_eq!(
            second.stdout, first.stdout,
            "{example}: export is a fixed point"
        );
        for command in ["matrix", "check"] {
            let original = sglab_in(&dir, &[command, &source], None);
            let again = sglab_in(&dir, &[command, "exported.json"], None);
            assert_eq!(original.stdout, again.stdout, "{example}: {command}");
            assert_eq!(original.code, again.code, "{example}: {command}");
        }
    }
}

/// Runs the generated aliyun CLI script with a fake `aliyun` on the PATH that records its
/// arguments, one per line, so that the shell's own quoting is what is checked.
#[test]
fn export_aliyun_cli_script_runs_in_a_real_shell() {
    let dir = scratch("aliyun_cli_shell");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let fake = bin.join("aliyun");
    std::fs::write(
        &fake,
        "#!/bin/sh\nfor arg in \"$@\"; do printf '[%s]\\n' \"$arg\" >> \"$CALLS\"; done\necho '---' >> \"$CALLS\"\n",
    )
    .expect("fake aliyun");
    let mut permissions = std::fs::metadata(&fake).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&fake, permissions).expect("chmod");
    let awkward = small_with(
        r#""port_range": "80/80", "cidr": "0.0.0.0/0" }"#,
        r#""port_range": "80/80", "cidr": "0.0.0.0/0", "description": "it's \"web\" $HOME `id` -x\nsecond line" }"#,
    );
    std::fs::write(dir.join("awkward.json"), &awkward).expect("write");
    let script = sglab_in(
        &dir,
        &["export", "awkward.json", "--format", "aliyun-cli"],
        None,
    );
    assert_eq!(script.code, 0, "{}", script.stderr);
    std::fs::write(dir.join("script.sh"), &script.stdout).expect("write");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = Command::new("sh")
        .arg("script.sh")
        .current_dir(&dir)
        .env("PATH", path)
        .env("REGION", "cn-hangzhou")
        .env("CALLS", dir.join("calls.txt"))
        .output()
        .expect("sh runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let calls = std::fs::read_to_string(dir.join("calls.txt")).expect("calls");
    expect![[r#"
        [ecs]
        [AuthorizeSecurityGroup]
        [--RegionId]
        [cn-hangzhou]
        [--SecurityGroupId]
        [sg-web]
        [--Permissions.1.Policy]
        [accept]
        [--Permissions.1.Priority]
        [1]
        [--Permissions.1.IpProtocol]
        [tcp]
        [--Permissions.1.PortRange]
        [80/80]
        [--Permissions.1.SourceCidrIp]
        [0.0.0.0/0]
        [--Permissions.1.NicType]
        [intranet]
        [--Permissions.1.Description]
        [it's "web" $HOME `id` -x
        second line]
        [--Permissions.2.Policy]
        [accept]
        [--Permissions.2.Priority]
        [1]
        [--Permissions.2.IpProtocol]
        [tcp]
        [--Permissions.2.PortRange]
        [22/22]
        [--Permissions.2.SourceGroupId]
        [sg-admin]
        [--Permissions.2.NicType]
        [intranet]
        ---
    "#]]
    .assert_eq(&calls);
    // Without REGION the script stops before calling anything.
    let run = Command::new("sh")
        .arg("script.sh")
        .current_dir(&dir)
        .env_remove("REGION")
        .output()
        .expect("sh runs");
    assert!(!run.status.success());
}

// ---------------------------------------------------------------------------------------------
// Bad input: exit 2, a message on stderr naming the file, the object, the rule and the field

#[test]
fn reversed_port_range() {
    let bad = small_with(r#""port_range": "80/80""#, r#""port_range": "200/1""#);
    check_files(
        "reversed",
        &[("bad.json", &bad)],
        &["check", "bad.json"],
        expect![[r#"
            exit 2
            --- stderr
            error: bad.json: security group sg-web, rule 1, field port_range: port range 200/1 is reversed: the start port must not exceed the end port (InvalidParam.PortRange)
        "#]],
    );
}

#[test]
fn reversed_port_range_in_an_aliyun_response() {
    let text = std::fs::read_to_string(root().join(FIXTURES[2])).expect("fixture");
    let bad = text.replacen(r#""PortRange": "443/443""#, r#""PortRange": "200/1""#, 1);
    check_files(
        "reversed_aliyun",
        &[("gateway.json", &bad)],
        &["matrix", "gateway.json"],
        expect![[r#"
            exit 2
            --- stderr
            error: gateway.json: security group sg-bp1fg655nh68xyz9agw3, rule 1, field PortRange: port range 200/1 is reversed: the start port must not exceed the end port (InvalidParam.PortRange)
        "#]],
    );
}

#[test]
fn priority_zero() {
    let bad = small_with(
        r#""protocol": "tcp", "port_range": "80/80""#,
        r#""priority": 0, "protocol": "tcp", "port_range": "80/80""#,
    );
    check_files(
        "priority_zero",
        &[("bad.json", &bad)],
        &["matrix", "bad.json"],
        expect![[r#"
            exit 2
            --- stderr
            error: bad.json: security group sg-web, rule 1, field priority: priority 0 is out of range: use 1 (highest) to 100 (InvalidPriority.ValueNotSupported)
        "#]],
    );
}

#[test]
fn icmp_with_ports() {
    let bad = small_with(
        r#""protocol": "tcp", "port_range": "80/80""#,
        r#""protocol": "icmp", "port_range": "80/80""#,
    );
    check_files(
        "icmp_ports",
        &[("bad.json", &bad)],
        &["export", "bad.json", "--format", "terraform"],
        expect![[r#"
            exit 2
            --- stderr
            error: bad.json: security group sg-web, rule 1, field port_range: protocol icmp takes no ports: write -1/-1 instead of 80/80 (OperationDenied)
        "#]],
    );
}

#[test]
fn malformed_cidr() {
    let bad = small_with(r#""cidr": "0.0.0.0/0""#, r#""cidr": "10.0.0.300/8""#);
    check_files(
        "malformed_cidr",
        &[("bad.json", &bad)],
        &[
            "query", "bad.json", "--from", "admin-1", "--to", "web-1", "--port", "80",
        ],
        expect![[r#"
            exit 2
            --- stderr
            error: bad.json: security group sg-web, rule 1, field cidr: CIDR block "10.0.0.300/8" is malformed: "10.0.0.300" is not an IP address: write a block such as 10.0.0.0/8
        "#]],
    );
}

#[test]
fn unknown_group() {
    let bad = small_with(r#""group": "sg-admin""#, r#""group": "sg-nowhere""#);
    check_files(
        "unknown_group",
        &[("bad.json", &bad)],
        &["check", "bad.json"],
        expect![[r#"
            exit 2
            --- stderr
            error: bad.json: security group sg-web, rule 2, field group: security group sg-nowhere does not exist (InvalidSecurityGroupId.NotFound)
        "#]],
    );
    // An aliyun response that names a group no file describes.
    check(
        &["check", FIXTURES[0]],
        expect![[r#"
        exit 2
        --- stderr
        error: crates/sglab-core/tests/fixtures/aliyun/describe-security-group-attribute-web.json: security group sg-bp1fg655nh68xyz9web1, rule 6, field SourceGroupId: security group sg-bp1fg655nh68xyz9agw3 is in none of the files: add the output of aliyun ecs DescribeSecurityGroupAttribute --SecurityGroupId sg-bp1fg655nh68xyz9agw3 (InvalidSecurityGroupId.NotFound)
    "#]],
    );
}

#[test]
fn malformed_json() {
    check_files(
        "malformed_json",
        &[("bad.json", "{\"sglab\": 1,\n  \"vpcs\": [}\n")],
        &["check", "bad.json"],
        expect![[r#"
            exit 2
            --- stderr
            error: bad.json:2:12: malformed JSON: expected value
        "#]],
    );
}

#[test]
fn missing_file_directory_and_empty_file() {
    check(
        &["matrix", "no-such-file.json"],
        expect![[r#"
            exit 2
            --- stderr
            error: no-such-file.json: cannot read the file: No such file or directory (os error 2)
        "#]],
    );
    check(
        &["matrix", "static"],
        expect![[r#"
        exit 2
        --- stderr
        error: static: is a directory: give a file
    "#]],
    );
    check_files(
        "empty",
        &[("empty.json", "")],
        &["matrix", "empty.json"],
        expect![[r#"
            exit 2
            --- stderr
            error: empty.json: the file is empty: give sglab JSON or the JSON printed by an aliyun ecs Describe... command
        "#]],
    );
}

#[test]
fn every_bad_file_is_reported_at_once() {
    let bad = small_with(r#""port_range": "80/80""#, r#""port_range": "200/1""#);
    check_files(
        "several",
        &[("bad.json", &bad), ("junk.json", "not json")],
        &["check", "bad.json", "junk.json", "missing.json"],
        expect![[r#"
            exit 2
            --- stderr
            error: missing.json: cannot read the file: No such file or directory (os error 2)
            error: bad.json: security group sg-web, rule 1, field port_range: port range 200/1 is reversed: the start port must not exceed the end port (InvalidParam.PortRange)
            error: junk.json:1:2: malformed JSON: expected ident
        "#]],
    );
}

#[test]
fn junk_binary_and_huge_input_never_panic() {
    let dir = scratch("junk");
    let junk: Vec<u8> = (0..10_000_000u32)
        .map(|i| b"{[\"]}:,0a-\\ \n\x00\xff"[(i * 7 % 15) as usize])
        .collect();
    std::fs::write(dir.join("junk.bin"), &junk).expect("write");
    let text_junk: String = (0..10_000_000u32)
        .map(|i| char::from(b"{[\"]}:,0a-\\ \n"[(i * 7 % 13) as usize]))
        .collect();
    std::fs::write(dir.join("junk.json"), &text_junk).expect("write");
    for (file, expected) in [
        ("junk.bin", "is not UTF-8 text"),
        ("junk.json", "junk.json"),
    ] {
        let output = sglab_in(&dir, &["matrix", file], None);
        assert_eq!(output.code, 2, "{file}: {}", output.stderr);
        assert!(
            output.stderr.contains(expected),
            "{file}: {}",
            output.stderr
        );
        assert!(!output.stderr.contains("panicked"), "{}", output.stderr);
    }
    let huge = vec![b' '; 64 * 1024 * 1024 + 10];
    let output = sglab_in(&dir, &["matrix", "-"], Some(&huge));
    assert_eq!(output.code, 2);
    check_output(
        &output,
        expect![[r#"
        exit 2
        --- stderr
        error: <stdin>: the file is larger than 64 MiB: give a smaller file
    "#]],
    );
}

/// JSON nested 100,000 deep, in an sglab file and in an aliyun response, is refused with the
/// parser's recursion limit (128 levels) instead of overflowing the stack; a document that is
/// one deep array is no known format at all.
#[test]
fn deeply_nested_json_is_refused() {
    let depth = 100_000;
    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    check_files(
        "deeply_nested",
        &[
            (
                "sglab.json",
                &format!(r#"{{"sglab": 1, "name": {nested}}}"#),
            ),
            (
                "attribute.json",
                &format!(r#"{{"SecurityGroupId": "sg-1", "Permissions": {nested}}}"#),
            ),
            ("array.json", &nested),
        ],
        &["check", "sglab.json", "attribute.json", "array.json"],
        expect![[r#"
            exit 2
            --- stderr
            error: sglab.json:1:148: malformed JSON: arrays and objects are nested more than 128 levels deep: no sglab or aliyun file nests that deep
            error: attribute.json:1:170: malformed JSON: arrays and objects are nested more than 128 levels deep: no sglab or aliyun file nests that deep
            error: array.json: a JSON array is not recognised: give sglab JSON (with a "sglab" key) or the JSON printed by aliyun ecs DescribeSecurityGroupAttribute, DescribeSecurityGroups, DescribeInstances or DescribeNetworkInterfaces
        "#]],
    );
}

#[test]
fn standard_input() {
    let output = sglab_in(&root(), &["check", "-"], Some(SMALL.as_bytes()));
    check_output(
        &output,
        expect![[r#"
        exit 0
        --- stdout
        2 passed, 0 failed
    "#]],
    );
}

// ---------------------------------------------------------------------------------------------
// Usage: exit 2

#[test]
fn usage_errors() {
    check(
        &[
            "query",
            "static/examples/ai-gateway.json",
            "--from",
            "gw-node-1",
            "--to",
            "pod-app-1",
        ],
        expect![[r#"
            exit 2
            --- stderr
            error: --port is required for tcp: give the destination port, for example --port 8080

            Usage: sglab query [OPTIONS] --from <EP> --to <EP> <FILES>...

            For more information, try '--help'.
        "#]],
    );
    check(
        &[
            "query",
            "static/examples/ai-gateway.json",
            "--from",
            "gw-node-1",
            "--to",
            "pod-app-1",
            "--protocol",
            "icmp",
            "--port",
            "8",
        ],
        expect![[r#"
            exit 2
            --- stderr
            error: --port 8 does not apply to icmp, which has no ports: leave --port out

            Usage: sglab query [OPTIONS] --from <EP> --to <EP> <FILES>...

            For more information, try '--help'.
        "#]],
    );
    check(
        &[
            "query",
            "static/examples/ai-gateway.json",
            "--from",
            "nobody",
            "--to",
            "pod-app-1",
            "--port",
            "80",
        ],
        expect![[r#"
            exit 2
            --- stderr
            error: --from: "nobody" is no endpoint id, endpoint name or IP address: use one of those
        "#]],
    );
    check(
        &["export", "static/examples/ai-gateway.json"],
        expect![[r#"
        exit 2
        --- stderr
        error: the following required arguments were not provided:
          --format <FORMAT>

        Usage: sglab export --format <FORMAT> <FILES>...

        For more information, try '--help'.
    "#]],
    );
    check(
        &["matrix"],
        expect![[r#"
        exit 2
        --- stderr
        error: the following required arguments were not provided:
          <FILES>...

        Usage: sglab matrix <FILES>...

        For more information, try '--help'.
    "#]],
    );
    check(
        &["plan", "static/examples/ai-gateway.json"],
        expect![[r#"
        exit 2
        --- stderr
        error: unrecognized subcommand 'plan'

        Usage: sglab <COMMAND>

        For more information, try '--help'.
    "#]],
    );
    check(
        &["query", "x.json", "--from", "a", "--to", "b", "--port", "0"],
        expect![[r#"
            exit 2
            --- stderr
            error: invalid value '0' for '--port <N>': 0 is not in 1..=65535

            For more information, try '--help'.
        "#]],
    );
}

#[test]
fn help_lists_exactly_the_six_commands() {
    check(
        &["--help"],
        expect![[r#"
            exit 0
            --- stdout
            Simulates Alibaba Cloud ECS security groups: which endpoint reaches which, on which ports, and which rule decided.

            FILES are any mix of these formats, detected by content: sglab JSON; the JSON printed by `aliyun ecs DescribeSecurityGroupAttribute`, `DescribeSecurityGroups`, `DescribeInstances` and `DescribeNetworkInterfaces`; Terraform plan or state JSON (`terraform show -json`); Terraform .tf and .tfvars files (evaluated together as one root module, with -var and -var-file). `-` reads standard input.

            Usage: sglab <COMMAND>

            Commands:
              query   Can one endpoint reach another on a protocol and port? Explains the verdict
              matrix  The reachability matrix: the ports allowed between every pair of endpoints
              lint    Shadowed, redundant and over-broad rules, unattached groups, limits and cluster checks
              check   Checks the expectations stored in the files; exit status 1 when one fails
              export  Writes the topology as sglab JSON, Terraform or aliyun CLI commands
              diff    What a change opens and closes: the verdict, the pairs and ports, the rule edits
              help    Print this message or the help of the given subcommand(s)

            Options:
              -h, --help
                      Print help (see a summary with '-h')

              -V, --version
                      Print version
        "#]],
    );
}

#[test]
fn every_command_names_the_input_formats() {
    check(
        &["query", "--help"],
        expect![[r#"
        exit 0
        --- stdout
        Can one endpoint reach another on a protocol and port? Explains the verdict

        Usage: sglab query [OPTIONS] --from <EP> --to <EP> <FILES>...

        Arguments:
          <FILES>...  Input files, any mix detected by content: sglab JSON, aliyun API responses (DescribeSecurityGroupAttribute, DescribeSecurityGroups, DescribeInstances, DescribeNetworkInterfaces), Terraform plan or state JSON (terraform show -json), .tf and .tfvars files; - reads standard input

        Options:
              --var <NAME=VALUE>     A value for a variable of the .tf files, as NAME=VALUE; repeat for more (Terraform's -var, also accepted with one dash)
              --var-file <FILE>      A .tfvars file of variable values; repeat for more (Terraform's -var-file, also accepted with one dash)
              --from <EP>            The source: an endpoint id or name, or an IP address
              --to <EP>              The target: an endpoint id or name, or an IP address
              --protocol <PROTOCOL>  The protocol [default: tcp] [possible values: tcp, udp, icmp, icmpv6, gre, all]
              --port <N>             The destination port; required for tcp and udp, refused for the others
              --format <FORMAT>      Output format [default: text] [possible values: text, json]
          -h, --help                 Print help
    "#]],
    );
    for command in ["matrix", "lint", "check", "export", "diff"] {
        let output = Command::new(env!("CARGO_BIN_EXE_sglab"))
            .args([command, "--help"])
            .output()
            .expect("runs");
        let help = String::from_utf8_lossy(&output.stdout);
        for format in [
            "sglab JSON",
            "aliyun API responses",
            "Terraform plan or state JSON",
            ".tf and .tfvars",
        ] {
            assert!(
                help.contains(format),
                "{command} --help names {format}: {help}"
            );
        }
    }
}

#[test]
fn closed_pipe_is_not_an_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sglab"))
        .args([
            "export",
            "static/examples/ai-gateway.json",
            "--format",
            "aliyun-cli",
        ])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("finishes");
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}
