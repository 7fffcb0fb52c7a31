//! Explanations as people read them (golden text of `render_text`), party resolution, and the
//! JSON contract of `sglab query --format json`.

use expect_test::{expect, Expect};
use sglab_core::eval::{explain, resolve_party, Party, ResolveError};
use sglab_core::explain::render_text;
use sglab_core::load::parse_sglab;
use sglab_core::model::{EndpointId, Protocol, Topology};

fn scenario(name: &str) -> Topology {
    let path = format!(
        "{}/../../tests/scenarios/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("a scenario");
    parse_sglab(&text, Some(name))
        .expect("a valid scenario")
        .topology
}

fn check(
    topology: &Topology,
    from: &str,
    to: &str,
    protocol: Protocol,
    port: Option<u16>,
    expect: Expect,
) {
    let from = resolve_party(topology, from).expect("from resolves");
    let to = resolve_party(topology, to).expect("to resolves");
    expect.assert_eq(&render_text(&explain(topology, &from, &to, protocol, port)));
}

#[test]
fn gateway_to_backend_allowed_by_the_authorization_rule() {
    check(
        &scenario("26-gateway-authorization.json"),
        "gw-node-1",
        "svc-1",
        Protocol::Tcp,
        Some(8080),
        expect![[r#"
            allow: tcp 8080 from gw-node-1 (10.0.0.10) to svc-1 (10.0.2.10)
              egress of gw-node-1: allow by default: no rule matched; basic groups allow all egress by default
              ingress of svc-1: allow by rule 1 of sg-svc1 (priority 1, accept tcp 8080/8080 from group sg-gw)
                * rule 1 of sg-svc1 (priority 1, accept tcp 8080/8080 from group sg-gw): matches (the peer 10.0.0.10 is an ENI of group sg-gw) and decides
              service: listening
              note: 10.0.0.10 -> 10.0.2.10: private addresses inside VPC vpc-1
              note: replies pass automatically: security groups are stateful (sessions live up to 910 s)
        "#]],
    );
}

#[test]
fn drop_wins_a_tie_and_every_blocker_is_listed() {
    check(
        &scenario("24-every-blocker.json"),
        "e1",
        "t",
        Protocol::Tcp,
        Some(80),
        expect![[r#"
            deny: tcp 80 from e1 (10.0.5.5) to t (10.0.1.10)
              egress of e1: deny by default: no rule matched; enterprise groups deny all egress by default
              ingress of t: deny by rule 1 of sg-t (priority 1, drop tcp 80/80 from 10.0.0.0/16)
                * rule 1 of sg-t (priority 1, drop tcp 80/80 from 10.0.0.0/16): matches (10.0.5.5 is in 10.0.0.0/16) and decides
                * rule 2 of sg-t (priority 2, drop tcp 1/65535 from 10.0.5.0/24): matches (10.0.5.5 is in 10.0.5.0/24), but an earlier rule decided
                * rule 3 of sg-t (priority 3, accept tcp 80/80 from 0.0.0.0/0): matches (10.0.5.5 is in 0.0.0.0/0), but an earlier rule decided
              blockers:
                egress: no rule matched; enterprise groups deny all egress by default
                ingress: rule 1 of sg-t (priority 1, drop tcp 80/80 from 10.0.0.0/16)
                ingress: rule 2 of sg-t (priority 2, drop tcp 1/65535 from 10.0.5.0/24)
              service: unknown
              note: 10.0.5.5 -> 10.0.1.10: private addresses inside VPC vpc-1
              note: a drop is silent: the client sees a timeout, not a reset
        "#]],
    );
}

#[test]
fn platform_blocks_outbound_smtp() {
    check(
        &scenario("22-tcp-25-platform-block.json"),
        "app",
        "mail",
        Protocol::Tcp,
        Some(25),
        expect![[r#"
            deny: tcp 25 from app (47.0.1.10) to mail (203.0.113.25)
              egress of app: deny by the platform: outbound TCP 25 to addresses outside the VPC is blocked by the platform whatever the rules say
                * rule 1 of sg-app (priority 1, accept tcp 25/25 to 0.0.0.0/0): matches (203.0.113.25 is in 0.0.0.0/0) and decides
              ingress of mail: not filtered: mail is outside every VPC: no security group filters its ingress
              blockers:
                egress: platform: outbound TCP 25 to addresses outside the VPC is blocked by the platform whatever the rules say
              service: unknown
              note: 47.0.1.10 -> 203.0.113.25: app is seen at its public address 47.0.1.10 outside its VPC
              note: a drop is silent: the client sees a timeout, not a reset
        "#]],
    );
}

/// A TCP query without a port asks about every port, 25 among them: leaving the VPC, the
/// platform blocks it, as the port set (which leaves out 25) says.
#[test]
fn platform_blocks_every_port_query_outside_the_vpc() {
    check(
        &scenario("22-tcp-25-platform-block.json"),
        "app",
        "mail",
        Protocol::Tcp,
        None,
        expect![[r#"
            deny: tcp from app (47.0.1.10) to mail (203.0.113.25)
              egress of app: deny by the platform: outbound TCP 25 to addresses outside the VPC is blocked by the platform whatever the rules say
                - rule 1 of sg-app (priority 1, accept tcp 25/25 to 0.0.0.0/0): the query names no port, which only a rule covering every port matches, and 25/25 does not
              ingress of mail: not filtered: mail is outside every VPC: no security group filters its ingress
              blockers:
                egress: platform: outbound TCP 25 to addresses outside the VPC is blocked by the platform whatever the rules say
              service: unknown
              note: 47.0.1.10 -> 203.0.113.25: app is seen at its public address 47.0.1.10 outside its VPC
              note: a drop is silent: the client sees a timeout, not a reset
        "#]],
    );
}

#[test]
fn unreachable_without_public_ip() {
    check(
        &scenario("17-no-public-ip.json"),
        "internet",
        "web-private",
        Protocol::Tcp,
        Some(80),
        expect![[r#"
            deny: tcp 80 from internet to web-private
              egress of internet: not filtered: internet is outside every VPC: no security group filters its egress
              ingress of web-private: deny by the platform: web-private has no public IP or EIP: unreachable from outside its VPC
              blockers:
                platform: web-private has no public IP or EIP: unreachable from outside its VPC
              service: unknown
              note: a drop is silent: the client sees a timeout, not a reset
        "#]],
    );
}

#[test]
fn intra_group_and_service_down() {
    check(
        &scenario("31-faq-service-down.json"),
        "svc-peer",
        "svc",
        Protocol::Tcp,
        Some(8080),
        expect![[r#"
            allow: tcp 8080 from svc-peer (10.0.2.11) to svc (10.0.2.10)
              egress of svc-peer: allow by intra-group access: both ENIs are in basic group sg-svc, whose InnerAccessPolicy is Accept
              ingress of svc: allow by intra-group access: both ENIs are in basic group sg-svc, whose InnerAccessPolicy is Accept
                - rule 1 of sg-svc (priority 1, accept tcp 8080/8080 from group sg-gw): the peer's ENI is not in group sg-gw
              service: down
              note: 10.0.2.11 -> 10.0.2.10: private addresses inside VPC vpc-1
              note: intra-group access: both ENIs are in basic group sg-svc, whose InnerAccessPolicy is Accept; it lets private traffic through whatever the rules say, and sglab applies it to egress as well as ingress (the documents do not say whether it overrides an explicit egress drop)
              note: replies pass automatically: security groups are stateful (sessions live up to 910 s)
              note: the network allows the connection, but the service on svc is down: nothing listens
        "#]],
    );
}

#[test]
fn flannel_pod_without_pod_cidr_rule() {
    check(
        &scenario("19-flannel-pod-cidr.json"),
        "pod-a1",
        "pod-b1",
        Protocol::Tcp,
        Some(8080),
        expect![[r#"
            deny: tcp 8080 from pod-a1 (172.18.1.5) to pod-b1 (172.18.2.5)
              egress of pod-a1: allow by default: no rule matched; basic groups allow all egress by default
              ingress of pod-b1: deny by default: no rule matched; basic groups deny all ingress by default
              blockers:
                ingress: no rule matched; basic groups deny all ingress by default
              service: unknown
              note: 172.18.1.5 -> 172.18.2.5: private addresses inside VPC vpc-1
              note: pod-a1 is a Flannel pod: the groups of its node filter its traffic and see its pod IP, which group references and intra-group access do not match; the node's groups need a rule for the pod CIDR
              note: pod-b1 is a Flannel pod: the groups of its node filter its traffic and see its pod IP, which group references and intra-group access do not match; the node's groups need a rule for the pod CIDR
              note: a drop is silent: the client sees a timeout, not a reset
        "#]],
    );
}

#[test]
fn json_contract_of_query() {
    let topology = scenario("02-drop-wins-ties.json");
    let explanation = explain(
        &topology,
        &"c1".into(),
        &"srv".into(),
        Protocol::Tcp,
        Some(80),
    );
    let json: serde_json::Value = serde_json::to_value(&explanation).expect("serializes");
    assert_eq!(json["verdict"], "deny");
    assert_eq!(json["egress"]["verdict"], "allow");
    assert_eq!(json["egress"]["decided_by"]["kind"], "default");
    assert_eq!(json["ingress"]["verdict"], "deny");
    let decided = &json["ingress"]["decided_by"];
    assert_eq!(decided["kind"], "rule");
    assert_eq!(decided["security_group"], "sg-srv");
    assert_eq!(decided["rule_index"], 1);
    assert_eq!(decided["priority"], 5);
    assert_eq!(decided["policy"], "drop");
    assert!(decided.get("rule_id").is_some());
    assert_eq!(json["blockers"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["blockers"][0]["side"], "ingress");
    assert_eq!(json["service"], "unknown");
    assert_eq!(json["from_address"], "10.0.5.5");
    let topology = scenario("23-service-status.json");
    for (port, status) in [(8080, "down"), (22, "listening"), (9999, "none declared")] {
        let explanation = explain(
            &topology,
            &"c".into(),
            &"srv".into(),
            Protocol::Tcp,
            Some(port),
        );
        assert_eq!(
            serde_json::to_value(&explanation).expect("serializes")["service"],
            status
        );
    }
}

#[test]
fn parties_resolve_by_id_name_and_address() {
    let mut topology = scenario("20-terway-shared-pods.json");
    assert_eq!(
        resolve_party(&topology, "n1"),
        Ok(Party::Endpoint(EndpointId::from("n1")))
    );
    // A pod's VPC address names the pod.
    assert_eq!(
        resolve_party(&topology, "10.0.1.50"),
        Ok(Party::Endpoint(EndpointId::from("p1")))
    );
    // An address no endpoint owns is an ad-hoc external host.
    assert_eq!(
        resolve_party(&topology, "198.51.100.1"),
        Ok(Party::Address("198.51.100.1".parse().expect("an address")))
    );
    assert_eq!(
        resolve_party(&topology, "nobody"),
        Err(ResolveError::NotFound("nobody".to_owned()))
    );
    // Names are matched after ids; two endpoints with one name are ambiguous.
    for id in ["n1", "n2"] {
        if let Some(endpoint) = topology.endpoints.get_mut(&EndpointId::from(id)) {
            endpoint.name = "node".to_owned();
        }
    }
    let error = resolve_party(&topology, "node").expect_err("ambiguous");
    assert_eq!(
        error,
        ResolveError::Ambiguous {
            text: "node".to_owned(),
            candidates: vec![EndpointId::from("n1"), EndpointId::from("n2")],
        }
    );
    assert_eq!(
        error.to_string(),
        "\"node\" is ambiguous: it could be n1, n2; use an endpoint id"
    );
    if let Some(endpoint) = topology.endpoints.get_mut(&EndpointId::from("db")) {
        endpoint.name = "database".to_owned();
    }
    assert_eq!(
        resolve_party(&topology, "database"),
        Ok(Party::Endpoint(EndpointId::from("db")))
    );
}

#[test]
fn explanations_are_deterministic_and_total() {
    // An unknown endpoint id is a platform denial, never a panic.
    let topology = scenario("01-priority-order.json");
    let explanation = explain(
        &topology,
        &"ghost".into(),
        &"srv".into(),
        Protocol::Tcp,
        Some(22),
    );
    assert_eq!(explanation.verdict.to_string(), "deny");
    assert_eq!(explanation.blockers.len(), 1);
    let again = explain(
        &topology,
        &"ghost".into(),
        &"srv".into(),
        Protocol::Tcp,
        Some(22),
    );
    assert_eq!(render_text(&explanation), render_text(&again));
    // A TCP query without a port is matched only by rules covering every port.
    let explanation = explain(
        &topology,
        &"admin".into(),
        &"srv".into(),
        Protocol::Tcp,
        None,
    );
    assert_eq!(explanation.verdict.to_string(), "deny");
    // Ports are ignored for protocols without ports.
    let explanation = explain(
        &topology,
        &"admin".into(),
        &"srv".into(),
        Protocol::Icmp,
        Some(22),
    );
    assert_eq!(explanation.port, None);
}

#[test]
fn filtering_groups_are_the_primary_eni_s_or_for_a_shared_pod_the_node_s() {
    let topology = sglab_core::examples::example("ai-gateway")
        .and_then(|example| parse_sglab(example.json, None).ok())
        .expect("the example loads")
        .topology;
    let groups = |id: &str| {
        let endpoint = &topology.endpoints[&EndpointId::from(id)];
        sglab_core::eval::filtering_groups(&topology, endpoint)
            .iter()
            .map(|group| group.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(groups("gw-node-1"), ["sg-ai-gateway"]);
    assert_eq!(groups("ack-node-1"), ["service-sg1"]);
    assert_eq!(groups("pod-app-1"), ["service-sg1"]);
    assert_eq!(groups("client"), Vec::<String>::new());
}
