//! Edits of gateways: what adding one makes, what deleting one keeps, authorizations.

use super::*;

#[test]
fn add_gateway_makes_a_managed_group_and_a_node() {
    check(
        LAB,
        Edit::AddGateway {
            vpc: VpcId::from("vpc-2"),
            kind: GatewayKind::MseCloudNative,
        },
        expect![[r#"
            select gateway gw-2
            + endpoints[gw-2-node-1].gateway = "gw-2"
            + endpoints[gw-2-node-1].groups[0] = "sg-gw-1"
            + endpoints[gw-2-node-1].id = "gw-2-node-1"
            + endpoints[gw-2-node-1].kind = "gateway_node"
            + endpoints[gw-2-node-1].name = "MSE Cloud-Native Gateway node"
            + endpoints[gw-2-node-1].private_ip = "10.1.0.3"
            + endpoints[gw-2-node-1].vpc = "vpc-2"
            + gateways[gw-2].id = "gw-2"
            + gateways[gw-2].kind = "mse_cloud_native"
            + gateways[gw-2].managed_group = "sg-gw-1"
            + gateways[gw-2].name = "new MSE Cloud-Native Gateway"
            + gateways[gw-2].vpc = "vpc-2"
            + security_groups[sg-gw-1].id = "sg-gw-1"
            + security_groups[sg-gw-1].managed_by = "MSE Cloud-Native Gateway"
            + security_groups[sg-gw-1].name = "MSE Cloud-Native Gateway managed group"
            + security_groups[sg-gw-1].rules = []
            + security_groups[sg-gw-1].type = "basic"
            + security_groups[sg-gw-1].vpc = "vpc-2"
        "#]],
    );
}

#[test]
fn rename_gateway() {
    check(
        LAB,
        Edit::RenameGateway {
            gateway: GatewayId::from("gw-1"),
            name: "edge".to_owned(),
        },
        expect![[r#"
            - gateways[gw-1].name = "AI gateway"
            + gateways[gw-1].name = "edge"
        "#]],
    );
    check(
        LAB,
        Edit::RenameGateway {
            gateway: GatewayId::from("gw-ghost"),
            name: "edge".to_owned(),
        },
        expect![[r#"
            refused: there is no gateway gw-ghost
        "#]],
    );
}

#[test]
fn delete_gateway_takes_its_node_and_its_group() {
    let unnamed = LAB.replace(r#""group": "sg-web""#, r#""cidr": "10.0.0.0/24""#);
    check(
        &unnamed,
        Edit::DeleteGateway(GatewayId::from("gw-1")),
        expect![[r#"
            - endpoints[gw-node].gateway = "gw-1"
            - endpoints[gw-node].groups[0] = "sg-gw"
            - endpoints[gw-node].id = "gw-node"
            - endpoints[gw-node].kind = "gateway_node"
            - endpoints[gw-node].private_ip = "10.0.0.5"
            - endpoints[gw-node].vpc = "vpc-1"
            - gateways[gw-1].id = "gw-1"
            - gateways[gw-1].kind = "ai_gateway"
            - gateways[gw-1].managed_group = "sg-gw"
            - gateways[gw-1].name = "AI gateway"
            - gateways[gw-1].vpc = "vpc-1"
            - security_groups[sg-gw].id = "sg-gw"
            - security_groups[sg-gw].managed_by = "AI Gateway"
            - security_groups[sg-gw].rules = []
            - security_groups[sg-gw].type = "basic"
            - security_groups[sg-gw].vpc = "vpc-1"
        "#]],
    );
}

#[test]
fn delete_gateway_keeps_a_group_rules_still_name() {
    let named = LAB.replace(r#""group": "sg-web""#, r#""group": "sg-gw""#);
    check(
        &named,
        Edit::DeleteGateway(GatewayId::from("gw-1")),
        expect![[r#"
            message: sg-gw is kept: backend rules still name it as their source
            - endpoints[gw-node].gateway = "gw-1"
            - endpoints[gw-node].groups[0] = "sg-gw"
            - endpoints[gw-node].id = "gw-node"
            - endpoints[gw-node].kind = "gateway_node"
            - endpoints[gw-node].private_ip = "10.0.0.5"
            - endpoints[gw-node].vpc = "vpc-1"
            - gateways[gw-1].id = "gw-1"
            - gateways[gw-1].kind = "ai_gateway"
            - gateways[gw-1].managed_group = "sg-gw"
            - gateways[gw-1].name = "AI gateway"
            - gateways[gw-1].vpc = "vpc-1"
        "#]],
    );
    check(
        LAB,
        Edit::DeleteGateway(GatewayId::from("gw-ghost")),
        expect![[r#"
            refused: there is no gateway gw-ghost
        "#]],
    );
}

#[test]
fn authorize_and_revoke() {
    let ranges = vec![
        PortRange::single(8080).expect("a valid port"),
        PortRange::new(9000, 9100).expect("a valid range"),
    ];
    check(
        LAB,
        Edit::Authorize {
            gateway: GatewayId::from("gw-1"),
            backend: group("sg-idle"),
            ranges: ranges.clone(),
            description: "api".to_owned(),
        },
        expect![[r#"
            message: Authorized sg-idle on gw-1: 2 inbound rules added at priority 1
            + gateways[gw-1].authorizations[0] = {"backend_group":"sg-idle","description":"api","port_ranges":["8080/8080","9000/9100"]}
            - security_groups[sg-idle].rules = []
            + security_groups[sg-idle].rules[0] = {"description":"api","direction":"ingress","group":"sg-gw","policy":"accept","port_range":"8080/8080","priority":1,"protocol":"tcp"}
            + security_groups[sg-idle].rules[1] = {"description":"api","direction":"ingress","group":"sg-gw","policy":"accept","port_range":"9000/9100","priority":1,"protocol":"tcp"}
        "#]],
    );
    check(
        LAB,
        Edit::Authorize {
            gateway: GatewayId::from("gw-1"),
            backend: group("sg-ent"),
            ranges,
            description: String::new(),
        },
        expect![[r#"
            refused: security group sg-ent is an enterprise group: enterprise groups can neither reference a group nor be referenced, so the gateway's authorization rule cannot exist there; open the ports with a CIDR rule instead (OperationDenied)
        "#]],
    );
    let authorized = LAB
        .replace(
            r#""managed_group": "sg-gw"}"#,
            r#""managed_group": "sg-gw",
    "authorizations": [{"backend_group": "sg-idle", "port_ranges": ["8080/8080"]}]}"#,
        )
        .replace(
            r#"{"id": "sg-idle", "vpc": "vpc-1"}"#,
            r#"{"id": "sg-idle", "vpc": "vpc-1", "rules": [
      {"direction": "ingress", "policy": "accept", "priority": 1, "protocol": "tcp",
       "port_range": "8080/8080", "group": "sg-gw"}]}"#,
        );
    for cascade in [Cascade::RemoveBackendRules, Cascade::KeepBackendRules] {
        let expected = match cascade {
            Cascade::RemoveBackendRules => expect![[r#"
                message: Deleted the authorization and its inbound rules in the backend group
                - gateways[gw-1].authorizations[0] = {"backend_group":"sg-idle","port_ranges":["8080/8080"]}
                + security_groups[sg-idle].rules = []
                - security_groups[sg-idle].rules[0] = {"direction":"ingress","group":"sg-gw","policy":"accept","port_range":"8080/8080","priority":1,"protocol":"tcp"}
            "#]],
            Cascade::KeepBackendRules => expect![[r#"
                message: Deleted the authorization from the gateway; the backend group's inbound rules stay and still allow traffic
                - gateways[gw-1].authorizations[0] = {"backend_group":"sg-idle","port_ranges":["8080/8080"]}
            "#]],
        };
        check(
            &authorized,
            Edit::Revoke {
                gateway: GatewayId::from("gw-1"),
                backend: group("sg-idle"),
                cascade,
            },
            expected,
        );
    }
    check(
        LAB,
        Edit::Revoke {
            gateway: GatewayId::from("gw-1"),
            backend: group("sg-idle"),
            cascade: Cascade::KeepBackendRules,
        },
        expect![[r#"
            refused: gateway gw-1 has no authorization for security group sg-idle
        "#]],
    );
}
