//! Gateway security-group authorization: authorize, idempotence, every refusal, revoke with and
//! without cascade.

use sglab_core::gateway::{authorization_rule, authorize, revoke, Cascade, GatewayError};
use sglab_core::load::parse_sglab;
use sglab_core::model::{
    Direction, GatewayId, GroupId, NicType, Peer, Policy, PortRange, PortSpec, Priority, Protocol,
    Topology, VpcId,
};

fn topology() -> Topology {
    parse_sglab(
        r#"{"sglab": 1,
  "vpcs": [{"id": "vpc-a"}, {"id": "vpc-b"}],
  "security_groups": [
    {"id": "sg-gw", "vpc": "vpc-a", "managed_by": "AI Gateway"},
    {"id": "sg-app", "vpc": "vpc-a", "rules": [
      {"direction": "ingress", "protocol": "tcp", "port_range": "22/22", "cidr": "10.0.0.0/8"}]},
    {"id": "sg-ent", "vpc": "vpc-a", "type": "enterprise"},
    {"id": "sg-far", "vpc": "vpc-b"},
    {"id": "sg-ack-managed", "vpc": "vpc-a", "managed_by": "Container Service"},
    {"id": "sg-gw-ent", "vpc": "vpc-a", "type": "enterprise", "managed_by": "AI Gateway"}
  ],
  "endpoints": [],
  "gateways": [
    {"id": "gw", "kind": "ai_gateway", "vpc": "vpc-a", "managed_group": "sg-gw"},
    {"id": "gw-ent", "kind": "mse_cloud_native", "vpc": "vpc-a", "managed_group": "sg-gw-ent"}
  ]}"#,
        None,
    )
    .expect("valid topology")
    .topology
}

fn range(start: u16, end: u16) -> PortRange {
    PortRange::new(start, end).expect("valid range")
}

fn gw() -> GatewayId {
    GatewayId::from("gw")
}

fn app() -> GroupId {
    GroupId::from("sg-app")
}

#[test]
fn authorize_creates_one_priority_1_tcp_rule_per_range_and_lists_it() {
    let mut topology = topology();
    authorize(
        &mut topology,
        &gw(),
        &app(),
        &[range(8080, 8080), range(1, 65535)],
        "web",
    )
    .unwrap();
    let rules = &topology.groups[&app()].rules;
    assert_eq!(rules.len(), 3);
    for (rule, expected) in rules[1..].iter().zip([range(8080, 8080), range(1, 65535)]) {
        assert_eq!(rule.direction, Direction::Ingress);
        assert_eq!(rule.policy, Policy::Accept);
        assert_eq!(rule.priority, Priority::HIGHEST);
        assert_eq!(rule.protocol, Protocol::Tcp);
        assert_eq!(rule.ports, PortSpec::Range(expected));
        assert_eq!(
            rule.peer,
            Peer::Group {
                id: GroupId::from("sg-gw"),
                owner_account: None
            }
        );
        assert_eq!(rule.nic_type, NicType::Intranet);
        assert_eq!(rule.description, "web");
    }
    let authorizations = &topology.gateways[&gw()].authorizations;
    assert_eq!(authorizations.len(), 1);
    assert_eq!(authorizations[0].backend_group, app());
    assert_eq!(
        authorizations[0].port_ranges,
        [range(8080, 8080), range(1, 65535)]
    );
}

#[test]
fn authorize_is_idempotent_and_merges_ranges() {
    let mut topology = topology();
    authorize(&mut topology, &gw(), &app(), &[range(8080, 8080)], "web").unwrap();
    let once = topology.clone();
    authorize(
        &mut topology,
        &gw(),
        &app(),
        &[range(8080, 8080), range(8080, 8080)],
        "web",
    )
    .unwrap();
    assert_eq!(topology, once);
    authorize(&mut topology, &gw(), &app(), &[range(9000, 9001)], "").unwrap();
    assert_eq!(topology.groups[&app()].rules.len(), 3);
    assert_eq!(
        topology.gateways[&gw()].authorizations[0].port_ranges,
        [range(8080, 8080), range(9000, 9001)]
    );
}

#[test]
fn authorize_refusals_leave_the_topology_untouched() {
    let cases: Vec<(GatewayId, GroupId, Vec<PortRange>, String, GatewayError)> = vec![
        (
            GatewayId::from("gw-zzz"),
            app(),
            vec![range(1, 2)],
            String::new(),
            GatewayError::UnknownGateway(GatewayId::from("gw-zzz")),
        ),
        (
            gw(),
            GroupId::from("sg-zzz"),
            vec![range(1, 2)],
            String::new(),
            GatewayError::Reference(sglab_core::Error::UnknownGroup(GroupId::from("sg-zzz"))),
        ),
        (
            gw(),
            GroupId::from("sg-far"),
            vec![range(1, 2)],
            String::new(),
            GatewayError::VpcMismatch {
                gateway: gw(),
                gateway_vpc: VpcId::from("vpc-a"),
                group: GroupId::from("sg-far"),
                group_vpc: VpcId::from("vpc-b"),
            },
        ),
        (
            gw(),
            GroupId::from("sg-ent"),
            vec![range(1, 2)],
            String::new(),
            GatewayError::EnterpriseGroup(GroupId::from("sg-ent")),
        ),
        (
            GatewayId::from("gw-ent"),
            app(),
            vec![range(1, 2)],
            String::new(),
            GatewayError::EnterpriseGroup(GroupId::from("sg-gw-ent")),
        ),
        (
            gw(),
            GroupId::from("sg-gw"),
            vec![range(1, 2)],
            String::new(),
            GatewayError::ManagedGroupReadOnly {
                group: GroupId::from("sg-gw"),
                managed_by: "AI Gateway".to_owned(),
            },
        ),
        (
            gw(),
            GroupId::from("sg-ack-managed"),
            vec![range(1, 2)],
            String::new(),
            GatewayError::ManagedGroupReadOnly {
                group: GroupId::from("sg-ack-managed"),
                managed_by: "Container Service".to_owned(),
            },
        ),
        (
            gw(),
            app(),
            vec![],
            String::new(),
            GatewayError::NoPortRanges,
        ),
        (
            gw(),
            app(),
            vec![range(1, 2)],
            "d".repeat(513),
            GatewayError::DescriptionTooLong(513),
        ),
    ];
    for (gateway, group, ranges, description, expected) in cases {
        let mut topology = topology();
        let before = topology.clone();
        let error = authorize(&mut topology, &gateway, &group, &ranges, &description).unwrap_err();
        assert_eq!(error, expected);
        assert!(!error.to_string().ends_with('.'));
        assert_eq!(topology, before);
    }
}

#[test]
fn enterprise_refusal_explains_the_limit() {
    let mut topology = topology();
    let error = authorize(
        &mut topology,
        &gw(),
        &GroupId::from("sg-ent"),
        &[range(1, 2)],
        "",
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "security group sg-ent is an enterprise group: enterprise groups can neither reference a group nor be referenced, so the gateway's authorization rule cannot exist there; open the ports with a CIDR rule instead (OperationDenied)"
    );
}

#[test]
fn revoke_without_cascade_keeps_the_backend_rule() {
    let mut topology = topology();
    authorize(&mut topology, &gw(), &app(), &[range(8080, 8080)], "web").unwrap();
    let rules_before = topology.groups[&app()].rules.clone();
    let removed = revoke(&mut topology, &gw(), &app(), Cascade::KeepBackendRules).unwrap();
    assert_eq!(removed.port_ranges, [range(8080, 8080)]);
    assert!(topology.gateways[&gw()].authorizations.is_empty());
    assert_eq!(topology.groups[&app()].rules, rules_before);
}

#[test]
fn revoke_with_cascade_removes_only_the_generated_rules() {
    let mut topology = topology();
    let untouched = topology.clone();
    authorize(
        &mut topology,
        &gw(),
        &app(),
        &[range(8080, 8080), range(80, 9000)],
        "web",
    )
    .unwrap();
    revoke(&mut topology, &gw(), &app(), Cascade::RemoveBackendRules).unwrap();
    assert_eq!(topology, untouched);
}

#[test]
fn revoke_errors() {
    let mut topology = topology();
    assert_eq!(
        revoke(&mut topology, &gw(), &app(), Cascade::RemoveBackendRules),
        Err(GatewayError::NotAuthorized {
            gateway: gw(),
            group: app()
        })
    );
    assert_eq!(
        revoke(
            &mut topology,
            &GatewayId::from("nope"),
            &app(),
            Cascade::KeepBackendRules
        ),
        Err(GatewayError::UnknownGateway(GatewayId::from("nope")))
    );
}

#[test]
fn authorization_rule_matches_the_ai_gateway_document() {
    let rule = authorization_rule(&GroupId::from("sg-gw"), range(8080, 8080), "");
    assert_eq!(
        (
            rule.direction,
            rule.policy,
            rule.priority.get(),
            rule.protocol
        ),
        (Direction::Ingress, Policy::Accept, 1, Protocol::Tcp)
    );
}

#[test]
fn authorized_topology_round_trips_through_the_file_format() {
    let mut topology = topology();
    authorize(&mut topology, &gw(), &app(), &[range(8080, 8080)], "web").unwrap();
    let text = sglab_core::format::to_sglab_json(&topology);
    let parsed = parse_sglab(&text, None).unwrap();
    assert_eq!(parsed.topology, topology);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}
