//! Edits of VPCs, security groups and clusters.

use super::*;

#[test]
fn add_vpc_takes_the_next_free_id() {
    check(
        LAB,
        Edit::AddVpc,
        expect![[r#"
        select vpc vpc-3
        + vpcs[vpc-3].cidr = "10.0.0.0/16"
        + vpcs[vpc-3].id = "vpc-3"
        + vpcs[vpc-3].name = "new VPC"
    "#]],
    );
}

#[test]
fn set_vpc() {
    let vpc = Vpc {
        id: VpcId::from("vpc-2"),
        name: "staging".to_owned(),
        cidr: Some("10.2.0.0/16".parse().expect("a valid block")),
    };
    check(
        LAB,
        Edit::SetVpc(vpc.clone()),
        expect![[r#"
        - vpcs[vpc-2].cidr = "10.1.0.0/24"
        + vpcs[vpc-2].cidr = "10.2.0.0/16"
        + vpcs[vpc-2].name = "staging"
    "#]],
    );
    let ghost = Vpc {
        id: VpcId::from("vpc-ghost"),
        ..vpc
    };
    check(
        LAB,
        Edit::SetVpc(ghost),
        expect![[r#"
        refused: there is no VPC vpc-ghost
    "#]],
    );
}

#[test]
fn delete_vpc_only_when_empty() {
    check(
        LAB,
        Edit::DeleteVpc(VpcId::from("vpc-2")),
        expect![[r#"
        - vpcs[vpc-2].cidr = "10.1.0.0/24"
        - vpcs[vpc-2].id = "vpc-2"
    "#]],
    );
    check(
        LAB,
        Edit::DeleteVpc(VpcId::from("vpc-1")),
        expect![[r#"
        refused: vpc-1 still holds sg-db, sg-ent, sg-gw, sg-idle, sg-web, gw-node, i-db, i-web, gw-1: delete them first
    "#]],
    );
}

#[test]
fn add_group_of_each_type() {
    check(
        LAB,
        Edit::AddGroup {
            vpc: VpcId::from("vpc-2"),
            group_type: GroupType::Basic,
        },
        expect![[r#"
            select group sg-1
            + security_groups[sg-1].id = "sg-1"
            + security_groups[sg-1].name = "new group"
            + security_groups[sg-1].rules = []
            + security_groups[sg-1].type = "basic"
            + security_groups[sg-1].vpc = "vpc-2"
        "#]],
    );
    check(
        LAB,
        Edit::AddGroup {
            vpc: VpcId::from("vpc-2"),
            group_type: GroupType::Enterprise,
        },
        expect![[r#"
            select group sg-1
            + security_groups[sg-1].id = "sg-1"
            + security_groups[sg-1].name = "new group"
            + security_groups[sg-1].rules = []
            + security_groups[sg-1].type = "enterprise"
            + security_groups[sg-1].vpc = "vpc-2"
        "#]],
    );
}

#[test]
fn set_group_keeps_what_it_is_given_and_refuses_a_managed_group() {
    let lab = topology(LAB);
    let mut web = lab.groups[&group("sg-web")].clone();
    web.name = "web tier".to_owned();
    web.description = "front end".to_owned();
    check(
        LAB,
        Edit::SetGroup(web),
        expect![[r#"
        + security_groups[sg-web].description = "front end"
        + security_groups[sg-web].name = "web tier"
    "#]],
    );
    let mut managed = lab.groups[&group("sg-gw")].clone();
    managed.name = "mine now".to_owned();
    check(
        LAB,
        Edit::SetGroup(managed),
        expect![[r#"
        refused: sg-gw is managed by AI Gateway and is read-only: change it through the product (for a gateway, its Security Group Authorizations)
    "#]],
    );
}

#[test]
fn set_group_is_refused_when_the_result_is_invalid() {
    // An enterprise group cannot be named by a rule, and sg-db names sg-web.
    let mut web = topology(LAB).groups[&group("sg-web")].clone();
    web.group_type = GroupType::Enterprise;
    check(
        LAB,
        Edit::SetGroup(web),
        expect![[r#"
        refused: the change would make the topology invalid: security group sg-db, rule 1, field group: security group sg-web is an enterprise group and cannot be referenced by a rule: use a CIDR block or a prefix list (OperationDenied)
    "#]],
    );
}

#[test]
fn delete_group_only_when_unused_and_writable() {
    check(
        LAB,
        Edit::DeleteGroup(group("sg-idle")),
        expect![[r#"
        - security_groups[sg-idle].id = "sg-idle"
        - security_groups[sg-idle].rules = []
        - security_groups[sg-idle].type = "basic"
        - security_groups[sg-idle].vpc = "vpc-1"
    "#]],
    );
    check(
        LAB,
        Edit::DeleteGroup(group("sg-web")),
        expect![[r#"
        refused: sg-web is still used by i-web, sg-db rule 1: remove those first
    "#]],
    );
    check(
        LAB,
        Edit::DeleteGroup(group("sg-gw")),
        expect![[r#"
        refused: sg-gw is managed by AI Gateway and is read-only: change it through the product (for a gateway, its Security Group Authorizations)
    "#]],
    );
    check(
        LAB,
        Edit::DeleteGroup(group("sg-nowhere")),
        expect![[r#"
            refused: security group sg-nowhere does not exist (InvalidSecurityGroupId.NotFound)
        "#]],
    );
}

#[test]
fn delete_group_is_refused_while_a_gateway_authorizes_it() {
    let fixture = LAB.replace(
        r#""managed_group": "sg-gw"}"#,
        r#""managed_group": "sg-gw",
    "authorizations": [{"backend_group": "sg-idle", "port_ranges": ["8080/8080"]}]}"#,
    );
    check(
        &fixture,
        Edit::DeleteGroup(group("sg-idle")),
        expect![[r#"
        refused: sg-idle is still used by the authorization of gw-1: remove those first
    "#]],
    );
}

#[test]
fn add_set_and_delete_a_cluster() {
    check(
        LAB,
        Edit::AddCluster {
            vpc: VpcId::from("vpc-2"),
            network_mode: NetworkMode::TerwayTrunk,
        },
        expect![[r#"
            select cluster c-1
            + clusters[c-1].id = "c-1"
            + clusters[c-1].name = "new cluster"
            + clusters[c-1].network_mode = "terway_trunk"
            + clusters[c-1].pod_cidr = "172.18.0.0/16"
            + clusters[c-1].vpc = "vpc-2"
        "#]],
    );
    let cluster = Cluster {
        id: ClusterId::from("c-k8s"),
        name: "production".to_owned(),
        vpc: VpcId::from("vpc-1"),
        pod_cidr: None,
        network_mode: NetworkMode::Flannel,
    };
    check(
        &cluster_lab("flannel"),
        Edit::SetCluster(cluster.clone()),
        expect![[r#"
            + clusters[c-k8s].name = "production"
            - clusters[c-k8s].pod_cidr = "172.18.0.0/16"
        "#]],
    );
    check(
        LAB,
        Edit::SetCluster(cluster),
        expect![[r#"
            refused: there is no cluster c-k8s
        "#]],
    );
    check(
        &cluster_lab("flannel"),
        Edit::DeleteCluster(ClusterId::from("c-k8s")),
        expect![[r#"
            - clusters[c-k8s].id = "c-k8s"
            - clusters[c-k8s].network_mode = "flannel"
            - clusters[c-k8s].pod_cidr = "172.18.0.0/16"
            - clusters[c-k8s].vpc = "vpc-1"
        "#]],
    );
}
