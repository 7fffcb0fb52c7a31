//! Import of Terraform: the corpus of `fixtures/terraform/` (a literal project, a project
//! calling the vendor's security-group module with its plan, a plan that replaces and deletes,
//! refused constructs) read into topologies, detection by content, the two topologies of a
//! plan, the provider's words through the one rule reader, and every refusal naming the file,
//! the line and the construct.

use std::fmt::Write as _;

use expect_test::{expect, Expect};
use sglab_core::import::{detect, load_files, load_files_with, plan_topologies, InputKind};
use sglab_core::model::{EndpointId, GroupId, Peer, Topology};

const SERVERS: &str = include_str!("fixtures/terraform/literal/servers.tf");
const NETWORK: &str = include_str!("fixtures/terraform/literal/network.tf");
const SECURITY: &str = include_str!("fixtures/terraform/literal/security.tf");
const VARIABLES: &str = include_str!("fixtures/terraform/literal/variables.tf");
const OFFICE: &str = include_str!("fixtures/terraform/literal/office.tfvars");
const MODULE_TF: &str = include_str!("fixtures/terraform/module/main.tf");
const MODULE_PLAN: &str = include_str!("fixtures/terraform/module/plan.json");
const CHANGES_PLAN: &str = include_str!("fixtures/terraform/changes/plan.json");
const CHANGES_STATE: &str = include_str!("fixtures/terraform/changes/state.json");
const REFUSED: &str = include_str!("fixtures/terraform/refused/main.tf");
const FORMAT_2: &str = include_str!("fixtures/terraform/refused/format2.json");

fn literal() -> Vec<(&'static str, &'static str)> {
    vec![
        ("servers.tf", SERVERS),
        ("network.tf", NETWORK),
        ("security.tf", SECURITY),
        ("variables.tf", VARIABLES),
    ]
}

/// A compact, deterministic description of a topology for snapshots.
fn summary(topology: &Topology) -> String {
    let mut out = String::new();
    for vpc in topology.vpcs.values() {
        let _ = writeln!(out, "vpc {} {:?} {:?}", vpc.id, vpc.name, vpc.cidr);
    }
    for group in topology.groups.values() {
        let _ = writeln!(
            out,
            "group {} {:?} {:?} vpc={} inner={:?}",
            group.id, group.name, group.group_type, group.vpc, group.inner_access_policy
        );
        for rule in &group.rules {
            let peer = match &rule.peer {
                Peer::Cidr(net) => net.to_string(),
                Peer::Group { id, .. } => format!("group {id}"),
                Peer::PrefixList(id) => format!("prefix list {id}"),
            };
            let _ = writeln!(
                out,
                "  {} {} {} prio={} {} {peer} id={:?}",
                rule.direction.as_str(),
                rule.policy.as_str(),
                rule.protocol,
                rule.priority,
                rule.ports,
                rule.id.as_ref().map(ToString::to_string)
            );
        }
    }
    for endpoint in topology.endpoints.values() {
        let _ = writeln!(
            out,
            "endpoint {} {:?} vpc={:?} public={:?}",
            endpoint.id,
            endpoint.name,
            endpoint.vpc.as_ref().map(ToString::to_string),
            endpoint.public_ip
        );
        for eni in &endpoint.enis {
            let groups: Vec<String> = eni.groups.iter().map(ToString::to_string).collect();
            let _ = writeln!(out, "  eni ips={:?} groups={groups:?}", eni.private_ips);
        }
    }
    out
}

fn outcome(
    result: Result<sglab_core::import::Loaded, Vec<sglab_core::diagnostic::Diagnostic>>,
) -> String {
    match result {
        Ok(loaded) => {
            let mut out = summary(&loaded.topology);
            for warning in &loaded.warnings {
                let _ = writeln!(out, "{}: {warning}", warning.severity);
            }
            out
        }
        Err(diagnostics) => diagnostics
            .iter()
            .map(|diagnostic| format!("{}: {diagnostic}\n", diagnostic.severity))
            .collect(),
    }
}

fn check(files: &[(&str, &str)], expect: Expect) {
    expect.assert_eq(&outcome(load_files(files)));
}

#[test]
fn detects_plans_states_tf_and_tfvars_by_content() {
    let kinds: Vec<InputKind> = [
        ("servers.tf", SERVERS),
        ("office.tfvars", OFFICE),
        ("plan.json", MODULE_PLAN),
        ("state.json", CHANGES_STATE),
        ("format2.json", FORMAT_2),
    ]
    .iter()
    .map(|(name, text)| detect(name, text).expect("detected"))
    .collect();
    assert_eq!(
        kinds,
        [
            InputKind::TerraformConfig,
            InputKind::TerraformVariables,
            InputKind::TerraformPlan,
            InputKind::TerraformPlan,
            InputKind::TerraformPlan,
        ]
    );
    // Attributes alone are variable values only in a file named .tfvars.
    assert!(detect("notes.txt", OFFICE).is_err());
}

#[test]
fn the_literal_project() {
    check(
        &literal(),
        expect![[r#"
            vpc alicloud_vpc.main "shop-vpc" Some(172.16.0.0/12)
            group alicloud_security_group.db "shop-db" Basic vpc=alicloud_vpc.main inner=Drop
              ingress accept tcp prio=1 3306/3306 group alicloud_security_group.web id=Some("alicloud_security_group_rule.mysql_from_web")
            group alicloud_security_group.web "shop-web" Basic vpc=alicloud_vpc.main inner=Accept
              ingress accept tcp prio=1 80/80 0.0.0.0/0 id=Some("alicloud_security_group_rule.http_in")
              ingress accept tcp prio=10 22/22 192.0.2.0/24 id=Some("alicloud_security_group_rule.ssh_office")
              egress drop tcp prio=1 25/25 0.0.0.0/0 id=Some("alicloud_security_group_rule.deny_smtp_out")
            endpoint alicloud_instance.db[0] "shop-db" vpc=Some("alicloud_vpc.main") public=None
              eni ips=[172.16.2.3] groups=["alicloud_security_group.db"]
            endpoint alicloud_instance.web[0] "shop-web-1" vpc=Some("alicloud_vpc.main") public=Some(198.51.100.1)
              eni ips=[172.16.1.3] groups=["alicloud_security_group.web"]
            endpoint alicloud_instance.web[1] "shop-web-2" vpc=Some("alicloud_vpc.main") public=Some(198.51.100.2)
              eni ips=[172.16.1.4] groups=["alicloud_security_group.web"]
            warning: servers.tf: 1 resource of a type sglab does not model left out: alicloud_slb_load_balancer (1)
            warning: servers.tf:7: alicloud_instance.web[0], field private_ip: the private address is known only after apply: planned as 172.16.1.3, the first free address of the vswitch's 172.16.1.0/24
            warning: servers.tf:7: alicloud_instance.web[0], field internet_max_bandwidth_out: the public address is known only after apply: planned as 198.51.100.1
            warning: servers.tf:7: alicloud_instance.web[1], field private_ip: the private address is known only after apply: planned as 172.16.1.4, the first free address of the vswitch's 172.16.1.0/24
            warning: servers.tf:7: alicloud_instance.web[1], field internet_max_bandwidth_out: the public address is known only after apply: planned as 198.51.100.2
            warning: servers.tf:17: alicloud_instance.db[0], field private_ip: the private address is known only after apply: planned as 172.16.2.3, the first free address of the vswitch's 172.16.2.0/24
        "#]],
    );
}

#[test]
fn variables_from_tfvars_and_var_options() {
    let mut files = literal();
    files.push(("office.tfvars", OFFICE));
    let loaded =
        load_files_with(&files, &[("web_count".to_owned(), "1".to_owned())]).expect("loads");
    let endpoints: Vec<String> = loaded
        .topology
        .endpoints
        .keys()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        endpoints,
        ["alicloud_instance.db[0]", "alicloud_instance.web[0]"]
    );
    let ssh = &loaded.topology.groups[&GroupId::from("alicloud_security_group.web")].rules[1];
    assert_eq!(format!("{:?}", ssh.peer), "Cidr(203.0.113.0/24)");
    check(
        &[("office.tfvars", OFFICE)],
        expect![[r#"
        error: office.tfvars: variable values without a configuration: give the .tf files whose variables they set
    "#]],
    );
}

#[test]
fn the_module_project_is_refused_as_tf_and_read_from_its_plan() {
    check(
        &[("main.tf", MODULE_TF)],
        expect![[r#"
        error: main.tf:23: module.web_sg: module call module.web_sg is not evaluated from .tf files: the resources it creates are known only to Terraform; give terraform show -json of a plan
        error: main.tf:33: module.db_sg: module call module.db_sg is not evaluated from .tf files: the resources it creates are known only to Terraform; give terraform show -json of a plan
        error: main.tf:52: alicloud_instance.app["a"], field security_groups: the output of module.web_sg is not evaluated from .tf files: only Terraform can evaluate it; give terraform show -json of a plan
        error: main.tf:52: alicloud_instance.app["b"], field security_groups: the output of module.web_sg is not evaluated from .tf files: only Terraform can evaluate it; give terraform show -json of a plan
    "#]],
    );
    check(
        &[("plan.json", MODULE_PLAN)],
        expect![[r#"
        vpc alicloud_vpc.main "orders" Some(10.0.0.0/16)
        group module.db_sg.alicloud_security_group.this[0] "orders-db" Basic vpc=alicloud_vpc.main inner=Accept
          ingress accept tcp prio=1 3306/3306 10.0.1.0/24 id=Some("module.db_sg.alicloud_security_group_rule.ingress_with_cidr_blocks_and_ports[0]")
        group module.web_sg.alicloud_security_group.this[0] "orders-web" Basic vpc=alicloud_vpc.main inner=Accept
          ingress accept tcp prio=1 80/80 0.0.0.0/0 id=Some("module.web_sg.alicloud_security_group_rule.ingress_with_cidr_blocks_and_ports[0]")
        endpoint alicloud_instance.app["a"] "orders-a" vpc=Some("alicloud_vpc.main") public=None
          eni ips=[10.0.1.10] groups=["module.web_sg.alicloud_security_group.this[0]", "module.db_sg.alicloud_security_group.this[0]"]
        endpoint alicloud_instance.app["b"] "orders-b" vpc=Some("alicloud_vpc.main") public=None
          eni ips=[10.0.1.11] groups=["module.web_sg.alicloud_security_group.this[0]", "module.db_sg.alicloud_security_group.this[0]"]
    "#]],
    );
}

#[test]
fn a_plan_gives_the_topologies_before_and_after() {
    let plan = plan_topologies("plan.json", CHANGES_PLAN).expect("a plan");
    expect![[r#"
        vpc vpc-bp1opxu1zkhn00gzv26cn "payments" Some(172.16.0.0/16)
        group sg-bp1fg655nh68xyz9i3kq "payments-web" Basic vpc=vpc-bp1opxu1zkhn00gzv26cn inner=Accept
          ingress accept tcp prio=1 443/443 0.0.0.0/0 id=Some("alicloud_security_group_rule.https")
          ingress accept tcp prio=1 22/22 0.0.0.0/0 id=Some("alicloud_security_group_rule.ssh_any")
        endpoint alicloud_instance.web "payments-web" vpc=Some("vpc-bp1opxu1zkhn00gzv26cn") public=Some(47.96.10.21)
          eni ips=[172.16.10.20] groups=["sg-bp1fg655nh68xyz9i3kq"]
    "#]].assert_eq(&summary(&plan.before.topology));
    expect![[r#"
        vpc vpc-bp1opxu1zkhn00gzv26cn "payments" Some(172.16.0.0/16)
        group alicloud_security_group.bastion "payments-bastion" Basic vpc=vpc-bp1opxu1zkhn00gzv26cn inner=Accept
          ingress accept tcp prio=1 22/22 192.0.2.0/24 id=Some("alicloud_security_group_rule.bastion_ssh")
        group sg-bp1fg655nh68xyz9i3kq "payments-web" Basic vpc=vpc-bp1opxu1zkhn00gzv26cn inner=Accept
          ingress accept tcp prio=1 443/443 0.0.0.0/0 id=Some("alicloud_security_group_rule.https")
          ingress accept tcp prio=1 22/22 group alicloud_security_group.bastion id=Some("alicloud_security_group_rule.ssh_from_bastion")
        endpoint alicloud_instance.bastion "payments-bastion" vpc=Some("vpc-bp1opxu1zkhn00gzv26cn") public=Some(198.51.100.1)
          eni ips=[172.16.10.5] groups=["alicloud_security_group.bastion"]
        endpoint alicloud_instance.web "payments-web" vpc=Some("vpc-bp1opxu1zkhn00gzv26cn") public=Some(198.51.100.2)
          eni ips=[172.16.10.3] groups=["sg-bp1fg655nh68xyz9i3kq"]
    "#]].assert_eq(&summary(&plan.after.topology));
    // The state is the plan's before side.
    let state = load_files(&[("state.json", CHANGES_STATE)]).expect("a state");
    assert_eq!(state.topology.groups, plan.before.topology.groups);
    let errors = plan_topologies("state.json", CHANGES_STATE).expect_err("a state is no plan");
    expect!["state.json: the file is a state, not a plan: it has no resource_changes to compare; give terraform show -json of a saved plan"].assert_eq(&errors[0].to_string());
}

#[test]
fn refusals_name_the_file_the_line_and_the_construct() {
    let errors = load_files(&[("main.tf", REFUSED)]).expect_err("refused");
    for error in &errors {
        assert!(
            error.location.file.is_some() && error.location.line.is_some(),
            "{error}"
        );
    }
    check(
        &[("main.tf", REFUSED)],
        expect![[r#"
        error: main.tf:17: alicloud_security_group.shared, field vpc_id: the undeclared data source data.alicloud_vpcs.shared is not evaluated from .tf files: only Terraform can evaluate it; give terraform show -json of a plan
        error: main.tf:26: alicloud_security_group_rule.web[0], field cidr_ip: the function cidrsubnet() is not evaluated from .tf files: only Terraform can evaluate it; give terraform show -json of a plan
        error: main.tf:26: alicloud_security_group_rule.web[1], field cidr_ip: the function cidrsubnet() is not evaluated from .tf files: only Terraform can evaluate it; give terraform show -json of a plan
        error: main.tf:30: alicloud_security_group_rule.internal, field for_each: a for expression is not evaluated from .tf files: only Terraform can evaluate it; give terraform show -json of a plan
        error: main.tf:42: alicloud_instance.web, field security_groups: a splat expression is not evaluated from .tf files: only Terraform can evaluate it; give terraform show -json of a plan
        error: main.tf:44: alicloud_instance.web, field dynamic data_disks: a dynamic block is not evaluated from .tf files: only Terraform can evaluate it; give terraform show -json of a plan
    "#]],
    );
    check(
        &[("format2.json", FORMAT_2)],
        expect![[r#"
            error: format2.json:2: field format_version: format_version "2.0" is not supported: sglab reads format 1.x of terraform show -json
        "#]],
    );
    check(
        &[(
            "broken.tf",
            "resource \"alicloud_vpc\" \"x\" {\n  cidr_block = \n}\n",
        )],
        expect![[r#"
            error: broken.tf:2:16: HCL syntax error: invalid expression; expected `"`, `[`, `{`, `-`, `!`, `(`, `_`, `<`, letter or digit
        "#]],
    );
}

#[test]
fn rules_speak_the_providers_words() {
    let tf = r#"
resource "alicloud_security_group" "g" {
  vpc_id = "vpc-1"
}
resource "alicloud_security_group_rule" "bad" {
  type              = "Ingress"
  ip_protocol       = "tcp"
  policy            = "Accept"
  port_range        = "200/1"
  nic_type          = "intranet"
  security_group_id = alicloud_security_group.g.id
  cidr_ip           = "10.0.0.0/8"
}
resource "alicloud_security_group_rule" "no_peer" {
  type              = "egress"
  port_range        = "80/80"
  security_group_id = alicloud_security_group.g.id
}
"#;
    check(
        &[("rules.tf", tf)],
        expect![[r#"
            error: rules.tf:5: alicloud_security_group_rule.bad, field type: type "Ingress" is not valid: use ingress or egress
            error: rules.tf:5: alicloud_security_group_rule.bad, field policy: policy "Accept" is not valid: use accept or drop
            error: rules.tf:5: alicloud_security_group_rule.bad, field port_range: port range 200/1 is reversed: the start port must not exceed the end port (InvalidParam.PortRange)
            error: rules.tf:14: alicloud_security_group_rule.no_peer, field ip_protocol: ip_protocol is missing: use tcp, udp, icmp, icmpv6, gre or all
            error: rules.tf:14: alicloud_security_group_rule.no_peer, field cidr_ip: the rule has no destination: set one of cidr_ip, ipv6_cidr_ip, source_security_group_id or prefix_list_id
        "#]],
    );
}

#[test]
fn user_text_survives_the_export_escapes() {
    let tf = r#"
resource "alicloud_security_group" "g" {
  security_group_name = "a \"quoted\" name"
  description         = "$${not a template} and %%{not a directive}"
  vpc_id              = "vpc-1"
  tags = {
    "team name" = "pay\nments"
  }
}
"#;
    let loaded = load_files(&[("text.tf", tf)]).expect("loads");
    let group = &loaded.topology.groups[&GroupId::from("alicloud_security_group.g")];
    assert_eq!(group.name, "a \"quoted\" name");
    assert_eq!(
        group.description,
        "${not a template} and %{not a directive}"
    );
    assert_eq!(group.tags["team name"], "pay\nments");
}

#[test]
fn terraform_mixes_with_the_other_formats() {
    let sglab = r#"{"sglab": 1, "vpcs": [{"id": "office", "cidr": "10.9.0.0/16"}],
      "security_groups": [{"id": "sg-office", "vpc": "office"}],
      "endpoints": [{"id": "laptop", "kind": "ecs", "vpc": "office", "enis": [{"private_ips": ["10.9.0.10"], "groups": ["sg-office"]}]}]}"#;
    let mut files = literal();
    files.push(("office.json", sglab));
    let loaded = load_files(&files).expect("loads");
    assert!(loaded
        .topology
        .endpoints
        .contains_key(&EndpointId::from("laptop")));
    assert!(loaded
        .topology
        .endpoints
        .contains_key(&EndpointId::from("alicloud_instance.web[1]")));
}

#[test]
fn bad_counts_and_self_references_are_errors_not_hangs() {
    let tf = r#"
locals {
  loop = local.loop
}
resource "alicloud_security_group" "many" {
  count  = 1e12
  vpc_id = "vpc-1"
}
resource "alicloud_security_group" "looping" {
  vpc_id = local.loop
}
"#;
    check(
        &[("bad.tf", tf)],
        expect![[r#"
        error: bad.tf:6: alicloud_security_group.many, field count: count 1000000000000 is not a whole number from 0 to 100000
        error: bad.tf:3: alicloud_security_group.looping, field vpc_id: the expression refers to itself
    "#]],
    );
}

#[test]
fn eips_enis_prefix_lists_and_clusters_from_a_state() {
    let resource = |address: &str, kind: &str, values: &str| {
        format!(
            r#"{{"address": "{address}", "mode": "managed", "type": "{kind}", "name": "x", "values": {values}}}"#
        )
    };
    let resources = [
        resource(
            "alicloud_vpc.main",
            "alicloud_vpc",
            r#"{"id": "vpc-1", "cidr_block": "10.0.0.0/16"}"#,
        ),
        resource(
            "alicloud_vswitch.a",
            "alicloud_vswitch",
            r#"{"id": "vsw-1", "vpc_id": "vpc-1", "cidr_block": "10.0.1.0/24"}"#,
        ),
        resource(
            "alicloud_security_group.app",
            "alicloud_security_group",
            r#"{"id": "sg-app", "vpc_id": "vpc-1"}"#,
        ),
        resource(
            "alicloud_security_group.extra",
            "alicloud_security_group",
            r#"{"id": "sg-extra", "vpc_id": "vpc-1"}"#,
        ),
        resource(
            "alicloud_ecs_prefix_list.office",
            "alicloud_ecs_prefix_list",
            r#"{"id": "pl-1", "prefix_list_name": "office", "entry": [{"cidr": "192.0.2.0/24"}, {"cidr": "198.51.100.7/32"}]}"#,
        ),
        resource(
            "alicloud_security_group_rule.ssh",
            "alicloud_security_group_rule",
            r#"{"type": "ingress", "ip_protocol": "tcp", "port_range": "22/22", "security_group_id": "sg-app", "prefix_list_id": "pl-1"}"#,
        ),
        resource(
            "alicloud_instance.app",
            "alicloud_instance",
            r#"{"id": "i-1", "instance_name": "app", "vswitch_id": "vsw-1", "private_ip": "10.0.1.10", "security_groups": ["sg-app"]}"#,
        ),
        resource(
            "alicloud_eip_address.app",
            "alicloud_eip_address",
            r#"{"id": "eip-1", "ip_address": "47.96.1.2"}"#,
        ),
        resource(
            "alicloud_eip_association.app",
            "alicloud_eip_association",
            r#"{"allocation_id": "eip-1", "instance_id": "i-1"}"#,
        ),
        resource(
            "alicloud_ecs_network_interface.second",
            "alicloud_ecs_network_interface",
            r#"{"id": "eni-2", "vswitch_id": "vsw-1", "primary_ip_address": "10.0.1.20", "security_group_ids": ["sg-extra"]}"#,
        ),
        resource(
            "alicloud_network_interface_attachment.second",
            "alicloud_network_interface_attachment",
            r#"{"instance_id": "i-1", "network_interface_id": "eni-2"}"#,
        ),
        resource(
            "alicloud_ecs_network_interface.spare",
            "alicloud_ecs_network_interface",
            r#"{"id": "eni-3", "vswitch_id": "vsw-1", "security_group_ids": ["sg-extra"]}"#,
        ),
        resource(
            "alicloud_cs_managed_kubernetes.k8s",
            "alicloud_cs_managed_kubernetes",
            r#"{"id": "c-1", "name": "prod", "worker_vswitch_ids": ["vsw-1"], "pod_cidr": "172.20.0.0/16"}"#,
        ),
    ];
    let state = format!(
        r#"{{"format_version": "1.0", "values": {{"root_module": {{"resources": [{}]}}}}}}"#,
        resources.join(", ")
    );
    let loaded = load_files(&[("state.json", state.as_str())]).expect("loads");
    let mut out = summary(&loaded.topology);
    for list in loaded.topology.prefix_lists.values() {
        let _ = writeln!(
            out,
            "prefix list {} {:?} {:?}",
            list.id, list.name, list.cidrs
        );
    }
    for cluster in loaded.topology.clusters.values() {
        let _ = writeln!(
            out,
            "cluster {} {:?} vpc={} pods={:?} {:?}",
            cluster.id, cluster.name, cluster.vpc, cluster.pod_cidr, cluster.network_mode
        );
    }
    for warning in &loaded.warnings {
        let _ = writeln!(out, "{}: {warning}", warning.severity);
    }
    expect![[r#"
        vpc vpc-1 "alicloud_vpc.main" Some(10.0.0.0/16)
        group sg-app "sg-app" Basic vpc=vpc-1 inner=Accept
          ingress accept tcp prio=1 22/22 prefix list pl-1 id=Some("alicloud_security_group_rule.ssh")
        group sg-extra "sg-extra" Basic vpc=vpc-1 inner=Accept
        endpoint alicloud_ecs_network_interface.spare "alicloud_ecs_network_interface.spare" vpc=Some("vpc-1") public=None
          eni ips=[10.0.1.3] groups=["sg-extra"]
        endpoint alicloud_instance.app "app" vpc=Some("vpc-1") public=Some(47.96.1.2)
          eni ips=[10.0.1.10] groups=["sg-app"]
          eni ips=[10.0.1.20] groups=["sg-extra"]
        prefix list pl-1 "office" [192.0.2.0/24, 198.51.100.7/32]
        cluster alicloud_cs_managed_kubernetes.k8s "prod" vpc=vpc-1 pods=Some(172.20.0.0/16) Flannel
        warning: state.json: alicloud_ecs_network_interface.spare, field private_ip: the private address is known only after apply: planned as 10.0.1.3, the first free address of the vswitch's 10.0.1.0/24
    "#]].assert_eq(&out);
}
