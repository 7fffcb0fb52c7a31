//! Edits of endpoints: ECS nodes and their addresses, pods under each network mode, external
//! hosts, services.

use super::*;

#[test]
fn add_ecs_takes_a_free_address_of_the_group_vpc() {
    check(
        LAB,
        Edit::AddEndpoint(NewEndpoint::Ecs {
            group: group("sg-web"),
        }),
        expect![[r#"
            select endpoint i-1
            + endpoints[i-1].groups[0] = "sg-web"
            + endpoints[i-1].id = "i-1"
            + endpoints[i-1].kind = "ecs"
            + endpoints[i-1].name = "node 1"
            + endpoints[i-1].private_ip = "10.0.0.6"
            + endpoints[i-1].services = []
            + endpoints[i-1].vpc = "vpc-1"
        "#]],
    );
    check(
        LAB,
        Edit::AddEndpoint(NewEndpoint::Ecs {
            group: group("sg-nowhere"),
        }),
        expect![[r#"
            refused: security group sg-nowhere does not exist (InvalidSecurityGroupId.NotFound)
        "#]],
    );
}

#[test]
fn add_ecs_without_a_free_address() {
    // A /29 holds 8 addresses: the VPC reserves the first three and the last is not given, so
    // the new node has no address until the user gives it one.
    let full = r#"{"sglab": 1,
      "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/29"}],
      "security_groups": [{"id": "sg-1", "vpc": "vpc-1"}],
      "endpoints": [
        {"id": "a", "kind": "ecs", "private_ip": "10.0.0.3", "groups": ["sg-1"]},
        {"id": "b", "kind": "ecs", "private_ip": "10.0.0.4", "groups": ["sg-1"]},
        {"id": "c", "kind": "ecs", "private_ip": "10.0.0.5", "groups": ["sg-1"]},
        {"id": "d", "kind": "ecs", "private_ip": "10.0.0.6", "groups": ["sg-1"]}
      ]}"#;
    check(
        full,
        Edit::AddEndpoint(NewEndpoint::Ecs {
            group: group("sg-1"),
        }),
        expect![[r#"
            select endpoint i-1
            + endpoints[i-1].groups[0] = "sg-1"
            + endpoints[i-1].id = "i-1"
            + endpoints[i-1].kind = "ecs"
            + endpoints[i-1].name = "node 1"
            + endpoints[i-1].services = []
            + endpoints[i-1].vpc = "vpc-1"
        "#]],
    );
}

#[test]
fn add_pod_under_flannel_has_a_pod_address_and_no_eni() {
    check(
        &cluster_lab("flannel"),
        Edit::AddEndpoint(NewEndpoint::Pod {
            cluster: ClusterId::from("c-k8s"),
            node: EndpointId::from("i-node"),
        }),
        expect![[r#"
            select endpoint pod-1
            + endpoints[pod-1].cluster = "c-k8s"
            + endpoints[pod-1].id = "pod-1"
            + endpoints[pod-1].kind = "pod"
            + endpoints[pod-1].name = "pod-1"
            + endpoints[pod-1].node = "i-node"
            + endpoints[pod-1].pod_ip = "172.18.0.3"
            + endpoints[pod-1].services = []
            + endpoints[pod-1].vpc = "vpc-1"
        "#]],
    );
}

#[test]
fn add_pod_under_terway_shared_has_a_pod_address_and_no_eni() {
    check(
        &cluster_lab("terway_shared"),
        Edit::AddEndpoint(NewEndpoint::Pod {
            cluster: ClusterId::from("c-k8s"),
            node: EndpointId::from("i-node"),
        }),
        expect![[r#"
            select endpoint pod-1
            + endpoints[pod-1].cluster = "c-k8s"
            + endpoints[pod-1].id = "pod-1"
            + endpoints[pod-1].kind = "pod"
            + endpoints[pod-1].name = "pod-1"
            + endpoints[pod-1].node = "i-node"
            + endpoints[pod-1].pod_ip = "172.18.0.3"
            + endpoints[pod-1].services = []
            + endpoints[pod-1].vpc = "vpc-1"
        "#]],
    );
}

#[test]
fn add_pod_under_terway_trunk_has_its_own_eni_in_the_node_groups() {
    check(
        &cluster_lab("terway_trunk"),
        Edit::AddEndpoint(NewEndpoint::Pod {
            cluster: ClusterId::from("c-k8s"),
            node: EndpointId::from("i-node"),
        }),
        expect![[r#"
            select endpoint pod-1
            + endpoints[pod-1].cluster = "c-k8s"
            + endpoints[pod-1].groups[0] = "sg-node"
            + endpoints[pod-1].groups[1] = "sg-extra"
            + endpoints[pod-1].id = "pod-1"
            + endpoints[pod-1].kind = "pod"
            + endpoints[pod-1].name = "pod-1"
            + endpoints[pod-1].node = "i-node"
            + endpoints[pod-1].private_ip = "10.0.0.4"
            + endpoints[pod-1].services = []
            + endpoints[pod-1].vpc = "vpc-1"
        "#]],
    );
}

#[test]
fn add_pod_is_refused_without_its_cluster_or_node() {
    check(
        &cluster_lab("flannel"),
        Edit::AddEndpoint(NewEndpoint::Pod {
            cluster: ClusterId::from("c-ghost"),
            node: EndpointId::from("i-node"),
        }),
        expect![[r#"
            refused: there is no cluster c-ghost
        "#]],
    );
    check(
        &cluster_lab("flannel"),
        Edit::AddEndpoint(NewEndpoint::Pod {
            cluster: ClusterId::from("c-k8s"),
            node: EndpointId::from("i-ghost"),
        }),
        expect![[r#"
            refused: there is no node i-ghost
        "#]],
    );
}

#[test]
fn add_external_checks_its_block() {
    check(
        LAB,
        Edit::AddEndpoint(NewEndpoint::External {
            cidr: "198.51.100.1".to_owned(),
        }),
        expect![[r#"
            select endpoint ext-1
            + endpoints[ext-1].cidr = "198.51.100.1/32"
            + endpoints[ext-1].id = "ext-1"
            + endpoints[ext-1].kind = "external"
            + endpoints[ext-1].name = "client"
        "#]],
    );
    check(
        LAB,
        Edit::AddEndpoint(NewEndpoint::External {
            cidr: "10.0.0.0/33".to_owned(),
        }),
        expect![[r#"
            refused: CIDR block "10.0.0.0/33" is malformed: the prefix length /33 is too long for IPv4: use /0 to /32
        "#]],
    );
}

#[test]
fn set_endpoint() {
    let lab = topology(LAB);
    let mut db = lab.endpoints[&EndpointId::from("i-db")].clone();
    db.enis[0].groups.push(group("sg-idle"));
    check(
        LAB,
        Edit::SetEndpoint(db.clone()),
        expect![[r#"
        + endpoints[i-db].groups[1] = "sg-idle"
    "#]],
    );
    db.id = EndpointId::from("i-ghost");
    check(
        LAB,
        Edit::SetEndpoint(db),
        expect![[r#"
        refused: there is no endpoint i-ghost
    "#]],
    );
}

#[test]
fn set_endpoint_is_refused_when_the_result_is_invalid() {
    // An ENI cannot mix basic and enterprise groups.
    let mut db = topology(LAB).endpoints[&EndpointId::from("i-db")].clone();
    db.enis[0].groups.push(group("sg-ent"));
    check(
        LAB,
        Edit::SetEndpoint(db),
        expect![[r#"
        refused: the change would make the topology invalid: endpoint i-db, field groups: the ENI mixes basic group sg-db and enterprise group sg-ent: an ENI's groups are all of one type
    "#]],
    );
}

#[test]
fn delete_endpoint_forgets_its_position() {
    check(
        LAB,
        Edit::DeleteEndpoint(EndpointId::from("i-web")),
        expect![[r#"
            - endpoints[i-web].groups[0] = "sg-web"
            - endpoints[i-web].id = "i-web"
            - endpoints[i-web].kind = "ecs"
            - endpoints[i-web].private_ip = "10.0.0.3"
            - endpoints[i-web].services[0] = {"name":"web","port":80,"protocol":"tcp","up":false}
            - endpoints[i-web].vpc = "vpc-1"
            - layout.i-web.x = 10.0
            - layout.i-web.y = 20.0
        "#]],
    );
}

#[test]
fn delete_endpoint_is_refused_for_a_node_with_pods_and_a_gateway_node() {
    let with_pod = cluster_lab("flannel").replace(
        r#""groups": ["sg-node", "sg-extra"]}"#,
        r#""groups": ["sg-node", "sg-extra"]},
    {"id": "pod-1", "kind": "pod", "cluster": "c-k8s", "node": "i-node", "pod_ip": "172.18.0.3"}"#,
    );
    check(
        &with_pod,
        Edit::DeleteEndpoint(EndpointId::from("i-node")),
        expect![[r#"
            refused: i-node still runs the pods pod-1: delete them first
        "#]],
    );
    check(
        &with_pod,
        Edit::DeleteCluster(ClusterId::from("c-k8s")),
        expect![[r#"
            refused: c-k8s still runs the pods pod-1: delete them first
        "#]],
    );
    check(
        LAB,
        Edit::DeleteEndpoint(EndpointId::from("gw-node")),
        expect![[r#"
            refused: gw-node is a node of the gateway gw-1: delete the gateway instead
        "#]],
    );
}

#[test]
fn set_service_up() {
    check(
        LAB,
        Edit::SetServiceUp {
            endpoint: EndpointId::from("i-web"),
            service_index: 0,
        },
        expect![[r#"
            - endpoints[i-web].services[0] = {"name":"web","port":80,"protocol":"tcp","up":false}
            + endpoints[i-web].services[0] = {"name":"web","port":80,"protocol":"tcp"}
        "#]],
    );
    check(
        LAB,
        Edit::SetServiceUp {
            endpoint: EndpointId::from("i-web"),
            service_index: 1,
        },
        expect![[r#"
            refused: endpoint i-web has no service 2
        "#]],
    );
}
