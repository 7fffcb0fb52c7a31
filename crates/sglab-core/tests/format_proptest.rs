//! Property tests of the file format: parsing never panics, whatever the input, and every
//! generated valid topology survives `to_sglab_json` then `parse_sglab` unchanged.

use proptest::prelude::*;
use serde_json::{json, Value};
use sglab_core::examples::examples;
use sglab_core::format::to_sglab_json;
use sglab_core::load::parse_sglab;

/// Draws numbers from a proptest-generated pool, so that one `Vec<u32>` drives a whole
/// topology (and shrinks with it).
struct Draw<'a> {
    pool: &'a [u32],
    next: usize,
}

impl Draw<'_> {
    fn number(&mut self) -> u32 {
        let value = self
            .pool
            .get(self.next % self.pool.len().max(1))
            .copied()
            .unwrap_or(7);
        self.next += 1;
        value.rotate_left((self.next % 31) as u32) ^ (self.next as u32).wrapping_mul(2654435761)
    }

    fn below(&mut self, bound: u32) -> u32 {
        if bound == 0 {
            0
        } else {
            self.number() % bound
        }
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }

    fn text(&mut self) -> String {
        const PIECES: &[&str] = &[
            "web",
            " ",
            "Ünïcødé",
            "\"quoted\"",
            "<b>",
            "\\",
            "\n",
            "tab\t",
            "日本",
            "x",
        ];
        (0..self.below(4))
            .map(|_| PIECES[self.below(PIECES.len() as u32) as usize])
            .collect()
    }
}

struct GroupSeed {
    id: String,
    vpc: usize,
    enterprise: bool,
}

fn cidr_v4(draw: &mut Draw) -> String {
    let prefix = draw.below(33) as u8;
    let net = ipnet::Ipv4Net::new(std::net::Ipv4Addr::from(draw.number()), prefix)
        .expect("prefix within range");
    net.trunc().to_string()
}

fn cidr_v6(draw: &mut Draw) -> String {
    let address = (u128::from(draw.number()) << 96) | u128::from(draw.number());
    let prefix = draw.below(129) as u8;
    let net = ipnet::Ipv6Net::new(std::net::Ipv6Addr::from(address), prefix)
        .expect("prefix within range");
    net.trunc().to_string()
}

fn port_range(draw: &mut Draw) -> String {
    let a = 1 + draw.below(65535);
    let b = 1 + draw.below(65535);
    format!("{}/{}", a.min(b), a.max(b))
}

/// A valid sglab file built from the pool.
fn topology_json(pool: &[u32]) -> Value {
    let mut draw = Draw { pool, next: 0 };
    let vpc_count = 1 + draw.below(2) as usize;
    let vpcs: Vec<Value> = (0..vpc_count)
        .map(|index| {
            let mut vpc = json!({"id": format!("vpc-{index}"), "name": draw.text()});
            if draw.chance(50) {
                vpc["cidr"] = json!(cidr_v4(&mut draw));
            }
            vpc
        })
        .collect();
    let prefix_lists: Vec<Value> = (0..draw.below(3))
        .map(|index| {
            let cidrs: Vec<String> = (0..draw.below(3)).map(|_| cidr_v4(&mut draw)).collect();
            json!({"id": format!("pl-{index}"), "name": draw.text(), "cidrs": cidrs})
        })
        .collect();
    let seeds: Vec<GroupSeed> = (0..1 + draw.below(5))
        .map(|index| GroupSeed {
            id: format!("sg-{index}"),
            vpc: draw.below(vpc_count as u32) as usize,
            enterprise: draw.chance(20),
        })
        .collect();
    let mut rule_id = 0;
    let groups: Vec<Value> = seeds
        .iter()
        .enumerate()
        .map(|(index, seed)| {
            let rules: Vec<Value> = (0..draw.below(6))
                .map(|_| {
                    let protocols = ["tcp", "udp", "icmp", "icmpv6", "gre", "all"];
                    let mut protocol = protocols[draw.below(6) as usize];
                    let mut rule = json!({
                        "direction": if draw.chance(50) { "ingress" } else { "egress" },
                        "policy": if draw.chance(70) { "accept" } else { "drop" },
                        "priority": if draw.chance(5) { 110 } else { 1 + draw.below(100) },
                    });
                    match draw.below(4) {
                        0 => {
                            let target = &seeds[draw.below(seeds.len() as u32) as usize];
                            let allowed = target.id != seed.id
                                && target.vpc == seed.vpc
                                && !target.enterprise
                                && !seed.enterprise;
                            if allowed {
                                rule["group"] = json!(target.id);
                                if draw.chance(20) {
                                    rule["group_owner_account"] = json!("1234567890");
                                }
                            } else {
                                rule["cidr"] = json!(cidr_v4(&mut draw));
                            }
                        }
                        1 => {
                            rule["ipv6_cidr"] = json!(cidr_v6(&mut draw));
                            if protocol == "icmp" {
                                protocol = "icmpv6";
                            }
                        }
                        2 if !prefix_lists.is_empty() => {
                            rule["prefix_list"] =
                                json!(format!("pl-{}", draw.below(prefix_lists.len() as u32)));
                        }
                        _ => {
                            rule["cidr"] = json!(cidr_v4(&mut draw));
                            if protocol == "icmpv6" {
                                protocol = "icmp";
                            }
                        }
                    }
                    // ICMP is IPv4 only and ICMPv6 IPv6 only.
                    if rule.get("cidr").is_some() && protocol == "icmpv6" {
                        protocol = "icmp";
                    }
                    if rule.get("ipv6_cidr").is_some() && protocol == "icmp" {
                        protocol = "icmpv6";
                    }
                    rule["protocol"] = json!(protocol);
                    rule["port_range"] = json!(if matches!(protocol, "tcp" | "udp") {
                        port_range(&mut draw)
                    } else {
                        "-1/-1".to_owned()
                    });
                    if draw.chance(10) {
                        rule["source_port_range"] = json!(port_range(&mut draw));
                    }
                    if draw.chance(10) {
                        rule["local_cidr"] = json!(cidr_v4(&mut draw));
                    }
                    if draw.chance(10) {
                        rule["nic_type"] = json!("internet");
                    }
                    if draw.chance(30) {
                        rule_id += 1;
                        rule["id"] = json!(format!("sgr-{rule_id}"));
                    }
                    rule["description"] = json!(draw.text());
                    rule
                })
                .collect();
            let mut group = json!({
                "id": seed.id,
                "name": draw.text(),
                "vpc": format!("vpc-{}", seed.vpc),
                "type": if seed.enterprise { "enterprise" } else { "basic" },
                "description": draw.text(),
                "rules": rules,
            });
            if draw.chance(30) {
                group["inner_access_policy"] =
                    json!(if seed.enterprise { "drop" } else { "accept" });
            } else if !seed.enterprise && draw.chance(30) {
                group["inner_access_policy"] = json!("drop");
            }
            if draw.chance(20) {
                group["tags"] = json!({"team": draw.text(), format!("k{index}"): "v"});
            }
            if index == 0 && draw.chance(20) {
                group["managed_by"] = json!("Container Service");
            }
            group
        })
        .collect();
    let mut endpoints = Vec::new();
    let mut ecs_ids = Vec::new();
    for index in 0..draw.below(5) {
        let seed = &seeds[draw.below(seeds.len() as u32) as usize];
        let same: Vec<&GroupSeed> = seeds
            .iter()
            .filter(|other| other.vpc == seed.vpc && other.enterprise == seed.enterprise)
            .collect();
        let count = 1 + draw.below(same.len().min(3) as u32) as usize;
        let groups: Vec<&str> = same
            .iter()
            .take(count)
            .map(|group| group.id.as_str())
            .collect();
        let id = format!("ecs-{index}");
        let mut endpoint = json!({"id": id, "name": draw.text(), "kind": "ecs", "vpc": format!("vpc-{}", seed.vpc)});
        if draw.chance(70) {
            endpoint["private_ip"] = json!(format!("10.{}.0.{}", seed.vpc, index + 1));
            endpoint["groups"] = json!(groups);
        } else {
            endpoint["enis"] = json!([
                {"id": format!("eni-{index}"), "private_ips": [format!("10.{}.1.{}", seed.vpc, index + 1), "2001:db8::1"], "groups": groups},
                {"private_ips": [], "groups": [groups[0]]}
            ]);
        }
        if draw.chance(30) {
            endpoint["public_ip"] = json!(format!("198.51.100.{}", index + 1));
        }
        if draw.chance(50) {
            endpoint["services"] = json!([
                {"name": draw.text(), "protocol": "tcp", "port": 1 + draw.below(65535)},
                {"protocol": "udp", "port_range": port_range(&mut draw), "up": false},
                {"protocol": "icmp"}
            ]);
        } else if draw.chance(20) {
            endpoint["services"] = json!([]);
        }
        if seed.vpc == 0 && !seed.enterprise {
            ecs_ids.push(id);
        }
        endpoints.push(endpoint);
    }
    endpoints.push(json!({"id": "internet", "kind": "external", "cidr": cidr_v4(&mut draw)}));
    let mut clusters = Vec::new();
    if let Some(node) = ecs_ids.first() {
        let modes = ["flannel", "terway_shared", "terway_trunk"];
        let mode = modes[draw.below(3) as usize];
        clusters.push(
            json!({"id": "c", "vpc": "vpc-0", "pod_cidr": "172.20.0.0/16", "network_mode": mode}),
        );
        let mut pod = json!({"id": "pod", "kind": "pod", "cluster": "c", "node": node});
        if mode == "terway_trunk" {
            let group = seeds
                .iter()
                .find(|group| group.vpc == 0 && !group.enterprise)
                .map(|group| group.id.clone());
            pod["private_ip"] = json!("10.0.9.9");
            pod["groups"] = json!([group]);
        } else {
            pod["pod_ip"] = json!("172.20.3.4");
        }
        endpoints.push(pod);
    }
    let mut gateways = Vec::new();
    let backend = seeds
        .iter()
        .find(|group| group.vpc == 0 && !group.enterprise && group.id != "sg-0");
    if let Some(backend) = backend {
        if !seeds[0].enterprise && seeds[0].vpc == 0 && draw.chance(60) {
            gateways.push(
                json!({"id": "gw", "kind": "ai_gateway", "vpc": "vpc-0", "managed_group": "sg-0"}),
            );
            endpoints.push(json!({"id": "gw-node", "kind": "gateway_node", "gateway": "gw", "private_ip": "10.0.5.5"}));
            let _ = backend;
        }
    }
    let mut expectations = Vec::new();
    for endpoint in &endpoints {
        let id = endpoint["id"].as_str().unwrap_or_default().to_owned();
        if draw.chance(30) {
            expectations.push(json!({"from": "internet", "to": id, "protocol": "tcp", "port": 1 + draw.below(65535), "verdict": "allow"}));
        }
        if draw.chance(10) {
            expectations.push(
                json!({"from": id, "to": "203.0.113.1", "protocol": "icmp", "verdict": "deny"}),
            );
        }
    }
    let mut layout = serde_json::Map::new();
    for endpoint in &endpoints {
        if draw.chance(50) {
            let id = endpoint["id"].as_str().unwrap_or_default().to_owned();
            layout.insert(
                id,
                json!({"x": f64::from(draw.below(4000)) / 2.0, "y": -f64::from(draw.below(100))}),
            );
        }
    }
    let mut file = json!({
        "sglab": 1,
        "name": draw.text(),
        "vpcs": vpcs,
        "security_groups": groups,
        "endpoints": endpoints,
        "layout": layout,
        "expectations": expectations,
        "prefix_lists": prefix_lists,
        "clusters": clusters,
        "gateways": gateways,
    });
    if gateways_present(&file) {
        // Authorize through the core operation so the backend rule exists too.
        file["gateways"][0]["authorizations"] = json!([]);
    }
    file
}

fn gateways_present(file: &Value) -> bool {
    file["gateways"]
        .as_array()
        .is_some_and(|gateways| !gateways.is_empty())
}

/// Interesting replacement values for mutations.
fn junk(selector: u32) -> Value {
    match selector % 16 {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(-1),
        3 => json!(0),
        4 => json!(65536),
        5 => json!(1.5),
        6 => json!(""),
        7 => json!("200/1"),
        8 => json!("-1/-1"),
        9 => json!("10.0.0.0/33"),
        10 => json!("::/0"),
        11 => json!("sg-0"),
        12 => json!({}),
        13 => json!([]),
        14 => json!(u64::MAX),
        _ => json!("x".repeat(600)),
    }
}

/// Applies one mutation at the `target`-th node of a depth-first walk.
fn mutate(value: &mut Value, target: &mut u32, kind: u32) -> bool {
    if *target == 0 {
        match kind % 4 {
            0 | 1 => *value = junk(kind / 4),
            2 => {
                if let Value::Object(map) = value {
                    if let Some(key) = map
                        .keys()
                        .nth((kind / 4) as usize % map.len().max(1))
                        .cloned()
                    {
                        map.remove(&key);
                    }
                } else {
                    *value = junk(kind / 4);
                }
            }
            _ => {
                if let Value::Array(items) = value {
                    if let Some(first) = items.first().cloned() {
                        items.push(first);
                    }
                } else if let Value::Object(map) = value {
                    map.insert("extra".to_owned(), junk(kind / 4));
                }
            }
        }
        return true;
    }
    *target -= 1;
    match value {
        Value::Object(map) => map.values_mut().any(|child| mutate(child, target, kind)),
        Value::Array(items) => items.iter_mut().any(|child| mutate(child, target, kind)),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parse_never_panics_on_random_text(text in ".{0,400}") {
        let _ = parse_sglab(&text, Some("random.json"));
    }

    #[test]
    fn parse_never_panics_on_json_like_text(text in r#"[\{\}\[\]":, 0-9a-z_/.\-]{0,300}"#) {
        let _ = parse_sglab(&format!("{{\"sglab\": 1, {text}"), None);
        let _ = parse_sglab(&text, None);
    }

    #[test]
    fn parse_never_panics_on_mutated_examples(
        example in 0..examples().len(),
        mutations in proptest::collection::vec((any::<u32>(), any::<u32>()), 1..6),
    ) {
        let mut value: Value = serde_json::from_str(examples()[example].json).unwrap();
        for (target, kind) in mutations {
            let mut target = target % 400;
            mutate(&mut value, &mut target, kind);
        }
        let text = value.to_string();
        match parse_sglab(&text, Some("mutated.json")) {
            Ok(parsed) => {
                // Whatever was accepted must also round-trip.
                let again = parse_sglab(&to_sglab_json(&parsed.topology), None);
                prop_assert_eq!(again.map(|again| again.topology), Ok(parsed.topology));
            }
            Err(diagnostics) => {
                prop_assert!(!diagnostics.is_empty());
                for diagnostic in diagnostics {
                    prop_assert!(!diagnostic.message.ends_with('.'), "{}", diagnostic.message);
                }
            }
        }
    }

    #[test]
    fn generated_topologies_round_trip(pool in proptest::collection::vec(any::<u32>(), 1..300)) {
        let text = topology_json(&pool).to_string();
        let parsed = match parse_sglab(&text, Some("generated.json")) {
            Ok(parsed) => parsed,
            Err(diagnostics) => {
                let rendered: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
                return Err(TestCaseError::fail(format!("generated file rejected: {rendered:#?}\n{text}")));
            }
        };
        let mut topology = parsed.topology;
        if let Some(gateway) = topology.gateways.keys().next().cloned() {
            let backend = topology
                .groups
                .values()
                .find(|group| group.vpc.as_str() == "vpc-0" && group.id.as_str() != "sg-0"
                    && group.group_type == sglab_core::model::GroupType::Basic && group.managed_by.is_none())
                .map(|group| group.id.clone());
            if let Some(backend) = backend {
                let range = sglab_core::model::PortRange::new(8080, 8090).unwrap();
                sglab_core::gateway::authorize(&mut topology, &gateway, &backend, &[range], "gw").unwrap();
            }
        }
        let written = to_sglab_json(&topology);
        let again = parse_sglab(&written, None);
        prop_assert!(again.is_ok(), "{:?}\n{}", again.err(), written);
        let again = again.unwrap_or_else(|_| unreachable!());
        prop_assert_eq!(&again.topology, &topology);
        prop_assert_eq!(to_sglab_json(&again.topology), written);
    }
}
