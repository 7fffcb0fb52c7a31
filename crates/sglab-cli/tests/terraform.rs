//! The `sglab` binary over Terraform: the corpus of `crates/sglab-core/tests/fixtures/terraform/`
//! (.tf files with variables, a plan calling modules, a plan that replaces and deletes), the
//! `-var` and `-var-file` options, and the refusals naming file, line and construct.

use std::path::PathBuf;

use expect_test::{expect, Expect};

mod support;
use support::{check_in, root, sglab_in};

const CORPUS: &str = "crates/sglab-core/tests/fixtures/terraform";

/// A directory of the corpus: commands run there so that file names in messages are short.
fn corpus(dir: &str) -> PathBuf {
    root().join(CORPUS).join(dir)
}

/// Runs sglab in a corpus directory and checks exit status, stdout and stderr together.
fn check(dir: &str, args: &[&str], expect: Expect) {
    check_in(&corpus(dir), args, expect);
}

const LITERAL: [&str; 4] = ["servers.tf", "network.tf", "security.tf", "variables.tf"];

fn literal(args: &[&str]) -> Vec<String> {
    LITERAL
        .iter()
        .chain(args)
        .map(|arg| (*arg).to_owned())
        .collect()
}

fn check_literal(command: &str, args: &[&str], expect: Expect) {
    let mut all = vec![command.to_owned()];
    all.extend(literal(args));
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    check("literal", &all, expect);
}

#[test]
fn the_internet_reaches_the_first_web_server_on_80() {
    check_literal(
        "query",
        &[
            "--from",
            "203.0.113.9",
            "--to",
            "alicloud_instance.web[0]",
            "--port",
            "80",
        ],
        expect![[r#"
            exit 0
            --- stdout
            allow: tcp 80 from 203.0.113.9 to shop-web-1 (198.51.100.1)
              egress of 203.0.113.9: not filtered: 203.0.113.9 is outside every VPC: no security group filters its egress
              ingress of shop-web-1: allow by rule 1 (alicloud_security_group_rule.http_in) of alicloud_security_group.web (priority 1, accept tcp 80/80 from 0.0.0.0/0)
                * rule 1 (alicloud_security_group_rule.http_in) of alicloud_security_group.web (priority 1, accept tcp 80/80 from 0.0.0.0/0): matches (203.0.113.9 is in 0.0.0.0/0) and decides
                - rule 2 (alicloud_security_group_rule.ssh_office) of alicloud_security_group.web (priority 10, accept tcp 22/22 from 192.0.2.0/24): port 80 is outside 22/22
              service: unknown
              note: 203.0.113.9 -> 198.51.100.1: shop-web-1 is reached at its public IP 198.51.100.1 from outside its VPC
              note: replies pass automatically: security groups are stateful (sessions live up to 910 s)
            --- stderr
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
fn web_servers_reach_the_database_and_the_internet_does_not() {
    check_literal(
        "query",
        &[
            "--from",
            "shop-web-2",
            "--to",
            "alicloud_instance.db[0]",
            "--port",
            "3306",
        ],
        expect![[r#"
            exit 0
            --- stdout
            allow: tcp 3306 from shop-web-2 (172.16.1.4) to shop-db (172.16.2.3)
              egress of shop-web-2: allow by default: no rule matched; basic groups allow all egress by default
                - rule 3 (alicloud_security_group_rule.deny_smtp_out) of alicloud_security_group.web (priority 1, drop tcp 25/25 to 0.0.0.0/0): port 3306 is outside 25/25
              ingress of shop-db: allow by rule 1 (alicloud_security_group_rule.mysql_from_web) of alicloud_security_group.db (priority 1, accept tcp 3306/3306 from group alicloud_security_group.web)
                * rule 1 (alicloud_security_group_rule.mysql_from_web) of alicloud_security_group.db (priority 1, accept tcp 3306/3306 from group alicloud_security_group.web): matches (the peer 172.16.1.4 is an ENI of group alicloud_security_group.web) and decides
              service: unknown
              note: 172.16.1.4 -> 172.16.2.3: private addresses inside VPC alicloud_vpc.main
              note: replies pass automatically: security groups are stateful (sessions live up to 910 s)
            --- stderr
            warning: servers.tf: 1 resource of a type sglab does not model left out: alicloud_slb_load_balancer (1)
            warning: servers.tf:7: alicloud_instance.web[0], field private_ip: the private address is known only after apply: planned as 172.16.1.3, the first free address of the vswitch's 172.16.1.0/24
            warning: servers.tf:7: alicloud_instance.web[0], field internet_max_bandwidth_out: the public address is known only after apply: planned as 198.51.100.1
            warning: servers.tf:7: alicloud_instance.web[1], field private_ip: the private address is known only after apply: planned as 172.16.1.4, the first free address of the vswitch's 172.16.1.0/24
            warning: servers.tf:7: alicloud_instance.web[1], field internet_max_bandwidth_out: the public address is known only after apply: planned as 198.51.100.2
            warning: servers.tf:17: alicloud_instance.db[0], field private_ip: the private address is known only after apply: planned as 172.16.2.3, the first free address of the vswitch's 172.16.2.0/24
        "#]],
    );
    check_literal(
        "query",
        &["--from", "203.0.113.9", "--to", "shop-db", "--port", "3306"],
        expect![[r#"
            exit 0
            --- stdout
            deny: tcp 3306 from 203.0.113.9 to shop-db
              egress of 203.0.113.9: not filtered: 203.0.113.9 is outside every VPC: no security group filters its egress
              ingress of shop-db: deny by the platform: shop-db has no public IP or EIP: unreachable from outside its VPC
              blockers:
                platform: shop-db has no public IP or EIP: unreachable from outside its VPC
              service: unknown
              note: a drop is silent: the client sees a timeout, not a reset
            Why, and what to change:
              - [no-public-address] shop-db has no public IP or EIP, so 203.0.113.9, outside its VPC, cannot reach it.
                evidence: shop-db has no public IP or EIP: unreachable from outside its VPC
                evidence: 203.0.113.9 is outside every VPC
                advice: bind an EIP to shop-db (and allow the source in its group), or reach it through a gateway or load balancer (SLB) that is in its VPC
            --- stderr
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
fn variables_come_from_var_and_var_files() {
    check_literal(
        "query",
        &[
            "-var",
            "web_count=1",
            "--from",
            "203.0.113.9",
            "--to",
            "alicloud_instance.web[1]",
            "--port",
            "80",
        ],
        expect![[r#"
            exit 2
            --- stderr
            warning: servers.tf: 1 resource of a type sglab does not model left out: alicloud_slb_load_balancer (1)
            warning: servers.tf:7: alicloud_instance.web[0], field private_ip: the private address is known only after apply: planned as 172.16.1.3, the first free address of the vswitch's 172.16.1.0/24
            warning: servers.tf:7: alicloud_instance.web[0], field internet_max_bandwidth_out: the public address is known only after apply: planned as 198.51.100.1
            warning: servers.tf:17: alicloud_instance.db[0], field private_ip: the private address is known only after apply: planned as 172.16.2.3, the first free address of the vswitch's 172.16.2.0/24
            error: --to: "alicloud_instance.web[1]" is no endpoint id, endpoint name or IP address: use one of those
        "#]],
    );
    check_literal(
        "query",
        &[
            "-var-file",
            "office.tfvars",
            "--from",
            "203.0.113.9",
            "--to",
            "alicloud_instance.web[0]",
            "--port",
            "22",
        ],
        expect![[r#"
            exit 0
            --- stdout
            allow: tcp 22 from 203.0.113.9 to shop-web-1 (198.51.100.1)
              egress of 203.0.113.9: not filtered: 203.0.113.9 is outside every VPC: no security group filters its egress
              ingress of shop-web-1: allow by rule 2 (alicloud_security_group_rule.ssh_office) of alicloud_security_group.web (priority 10, accept tcp 22/22 from 203.0.113.0/24)
                - rule 1 (alicloud_security_group_rule.http_in) of alicloud_security_group.web (priority 1, accept tcp 80/80 from 0.0.0.0/0): port 22 is outside 80/80
                * rule 2 (alicloud_security_group_rule.ssh_office) of alicloud_security_group.web (priority 10, accept tcp 22/22 from 203.0.113.0/24): matches (203.0.113.9 is in 203.0.113.0/24) and decides
              service: unknown
              note: 203.0.113.9 -> 198.51.100.1: shop-web-1 is reached at its public IP 198.51.100.1 from outside its VPC
              note: replies pass automatically: security groups are stateful (sessions live up to 910 s)
            --- stderr
            warning: servers.tf: 1 resource of a type sglab does not model left out: alicloud_slb_load_balancer (1)
            warning: servers.tf:7: alicloud_instance.web[0], field private_ip: the private address is known only after apply: planned as 172.16.1.3, the first free address of the vswitch's 172.16.1.0/24
            warning: servers.tf:7: alicloud_instance.web[0], field internet_max_bandwidth_out: the public address is known only after apply: planned as 198.51.100.1
            warning: servers.tf:7: alicloud_instance.web[1], field private_ip: the private address is known only after apply: planned as 172.16.1.4, the first free address of the vswitch's 172.16.1.0/24
            warning: servers.tf:7: alicloud_instance.web[1], field internet_max_bandwidth_out: the public address is known only after apply: planned as 198.51.100.2
            warning: servers.tf:17: alicloud_instance.db[0], field private_ip: the private address is known only after apply: planned as 172.16.2.3, the first free address of the vswitch's 172.16.2.0/24
        "#]],
    );
    check_literal(
        "lint",
        &["-var", "web_count"],
        expect![[r#"
        exit 2
        --- stderr
        error: -var "web_count": give NAME=VALUE, for example -var region=cn-hangzhou
    "#]],
    );
}

#[test]
fn matrix_lint_and_export_of_tf_files() {
    check_literal(
        "matrix",
        &[],
        expect![[r#"
            exit 0
            --- stdout
            from        to          tcp   udp  icmp
            shop-db     shop-web-1  80    -    -
            shop-db     shop-web-2  80    -    -
            shop-web-1  shop-db     3306  -    -
            shop-web-1  shop-web-2  all   all  all
            shop-web-2  shop-db     3306  -    -
            shop-web-2  shop-web-1  all   all  all
            --- stderr
            warning: servers.tf: 1 resource of a type sglab does not model left out: alicloud_slb_load_balancer (1)
            warning: servers.tf:7: alicloud_instance.web[0], field private_ip: the private address is known only after apply: planned as 172.16.1.3, the first free address of the vswitch's 172.16.1.0/24
            warning: servers.tf:7: alicloud_instance.web[0], field internet_max_bandwidth_out: the public address is known only after apply: planned as 198.51.100.1
            warning: servers.tf:7: alicloud_instance.web[1], field private_ip: the private address is known only after apply: planned as 172.16.1.4, the first free address of the vswitch's 172.16.1.0/24
            warning: servers.tf:7: alicloud_instance.web[1], field internet_max_bandwidth_out: the public address is known only after apply: planned as 198.51.100.2
            warning: servers.tf:17: alicloud_instance.db[0], field private_ip: the private address is known only after apply: planned as 172.16.2.3, the first free address of the vswitch's 172.16.2.0/24
        "#]],
    );
    check_literal(
        "lint",
        &[],
        expect![[r#"
            exit 0
            --- stdout
            no findings
            --- stderr
            warning: servers.tf: 1 resource of a type sglab does not model left out: alicloud_slb_load_balancer (1)
            warning: servers.tf:7: alicloud_instance.web[0], field private_ip: the private address is known only after apply: planned as 172.16.1.3, the first free address of the vswitch's 172.16.1.0/24
            warning: servers.tf:7: alicloud_instance.web[0], field internet_max_bandwidth_out: the public address is known only after apply: planned as 198.51.100.1
            warning: servers.tf:7: alicloud_instance.web[1], field private_ip: the private address is known only after apply: planned as 172.16.1.4, the first free address of the vswitch's 172.16.1.0/24
            warning: servers.tf:7: alicloud_instance.web[1], field internet_max_bandwidth_out: the public address is known only after apply: planned as 198.51.100.2
            warning: servers.tf:17: alicloud_instance.db[0], field private_ip: the private address is known only after apply: planned as 172.16.2.3, the first free address of the vswitch's 172.16.2.0/24
        "#]],
    );
    check_literal(
        "export",
        &["--format", "terraform"],
        expect![[r#"
            exit 0
            --- stdout
            # Generated by sglab from Imported from servers.tf, network.tf, security.tf, variables.tf.
            # Security groups and rules for the aliyun/alicloud Terraform provider.

            terraform {
              required_providers {
                alicloud = {
                  source = "aliyun/alicloud"
                }
              }
            }

            # alicloud_security_group.db
            resource "alicloud_security_group" "shop_db" {
              security_group_name = "shop-db"
              vpc_id              = "alicloud_vpc.main"
              security_group_type = "normal"
              inner_access_policy = "Drop"
            }

            resource "alicloud_security_group_rule" "shop_db_ingress_1" {
              type                     = "ingress"
              ip_protocol              = "tcp"
              policy                   = "accept"
              priority                 = 1
              port_range               = "3306/3306"
              nic_type                 = "intranet"
              security_group_id        = alicloud_security_group.shop_db.id
              source_security_group_id = alicloud_security_group.shop_web.id
            }

            # alicloud_security_group.web
            resource "alicloud_security_group" "shop_web" {
              security_group_name = "shop-web"
              vpc_id              = "alicloud_vpc.main"
              security_group_type = "normal"
              inner_access_policy = "Accept"
              description         = "Web servers"
            }

            resource "alicloud_security_group_rule" "shop_web_ingress_1" {
              type              = "ingress"
              ip_protocol       = "tcp"
              policy            = "accept"
              priority          = 1
              port_range        = "80/80"
              nic_type          = "intranet"
              security_group_id = alicloud_security_group.shop_web.id
              cidr_ip           = "0.0.0.0/0"
            }

            resource "alicloud_security_group_rule" "shop_web_ingress_2" {
              type              = "ingress"
              ip_protocol       = "tcp"
              policy            = "accept"
              priority          = 10
              port_range        = "22/22"
              nic_type          = "intranet"
              security_group_id = alicloud_security_group.shop_web.id
              cidr_ip           = "192.0.2.0/24"
            }

            resource "alicloud_security_group_rule" "shop_web_egress_1" {
              type              = "egress"
              ip_protocol       = "tcp"
              policy            = "drop"
              priority          = 1
              port_range        = "25/25"
              nic_type          = "intranet"
              security_group_id = alicloud_security_group.shop_web.id
              cidr_ip           = "0.0.0.0/0"
            }
            --- stderr
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
fn module_calls_are_refused_in_tf_and_read_from_the_plan() {
    check(
        "module",
        &["lint", "main.tf"],
        expect![[r#"
        exit 2
        --- stderr
        error: main.tf:23: module.web_sg: module call module.web_sg is not evaluated from .tf files: the resources it creates are known only to Terraform; give terraform show -json of a plan
        error: main.tf:33: module.db_sg: module call module.db_sg is not evaluated from .tf files: the resources it creates are known only to Terraform; give terraform show -json of a plan
        error: main.tf:52: alicloud_instance.app["a"], field security_groups: the output of module.web_sg is not evaluated from .tf files: only Terraform can evaluate it; give terraform show -json of a plan
        error: main.tf:52: alicloud_instance.app["b"], field security_groups: the output of module.web_sg is not evaluated from .tf files: only Terraform can evaluate it; give terraform show -json of a plan
    "#]],
    );
    check(
        "module",
        &[
            "query",
            "plan.json",
            "--from",
            "alicloud_instance.app[\"b\"]",
            "--to",
            "orders-a",
            "--port",
            "3306",
        ],
        expect![[r#"
            exit 0
            --- stdout
            allow: tcp 3306 from orders-b (10.0.1.11) to orders-a (10.0.1.10)
              egress of orders-b: allow by intra-group access: both ENIs are in basic group module.db_sg.alicloud_security_group.this[0], whose InnerAccessPolicy is Accept
              ingress of orders-a: allow by intra-group access: both ENIs are in basic group module.db_sg.alicloud_security_group.this[0], whose InnerAccessPolicy is Accept
                * rule 1 (module.db_sg.alicloud_security_group_rule.ingress_with_cidr_blocks_and_ports[0]) of module.db_sg.alicloud_security_group.this[0] (priority 1, accept tcp 3306/3306 from 10.0.1.0/24): matches (10.0.1.11 is in 10.0.1.0/24) and decides
                - rule 1 (module.web_sg.alicloud_security_group_rule.ingress_with_cidr_blocks_and_ports[0]) of module.web_sg.alicloud_security_group.this[0] (priority 1, accept tcp 80/80 from 0.0.0.0/0): port 3306 is outside 80/80
              service: unknown
              note: 10.0.1.11 -> 10.0.1.10: private addresses inside VPC alicloud_vpc.main
              note: intra-group access: both ENIs are in basic group module.db_sg.alicloud_security_group.this[0], whose InnerAccessPolicy is Accept; it lets private traffic through whatever the rules say, and sglab applies it to egress as well as ingress (the documents do not say whether it overrides an explicit egress drop)
              note: replies pass automatically: security groups are stateful (sessions live up to 910 s)
        "#]],
    );
    check(
        "module",
        &["matrix", "plan.json"],
        expect![[r#"
        exit 0
        --- stdout
        from      to        tcp  udp  icmp
        orders-a  orders-b  all  all  all
        orders-b  orders-a  all  all  all
    "#]],
    );
}

#[test]
fn a_plan_that_replaces_and_deletes() {
    check(
        "changes",
        &[
            "query",
            "state.json",
            "--from",
            "203.0.113.9",
            "--to",
            "alicloud_instance.web",
            "--port",
            "22",
        ],
        expect![[r#"
            exit 0
            --- stdout
            allow: tcp 22 from 203.0.113.9 to payments-web (47.96.10.21)
              egress of 203.0.113.9: not filtered: 203.0.113.9 is outside every VPC: no security group filters its egress
              ingress of payments-web: allow by rule 2 (alicloud_security_group_rule.ssh_any) of sg-bp1fg655nh68xyz9i3kq (priority 1, accept tcp 22/22 from 0.0.0.0/0)
                - rule 1 (alicloud_security_group_rule.https) of sg-bp1fg655nh68xyz9i3kq (priority 1, accept tcp 443/443 from 0.0.0.0/0): port 22 is outside 443/443
                * rule 2 (alicloud_security_group_rule.ssh_any) of sg-bp1fg655nh68xyz9i3kq (priority 1, accept tcp 22/22 from 0.0.0.0/0): matches (203.0.113.9 is in 0.0.0.0/0) and decides
              service: unknown
              note: 203.0.113.9 -> 47.96.10.21: payments-web is reached at its public IP 47.96.10.21 from outside its VPC
              note: replies pass automatically: security groups are stateful (sessions live up to 910 s)
        "#]],
    );
    check(
        "changes",
        &[
            "query",
            "plan.json",
            "--from",
            "203.0.113.9",
            "--to",
            "alicloud_instance.web",
            "--port",
            "22",
        ],
        expect![[r#"
            exit 0
            --- stdout
            deny: tcp 22 from 203.0.113.9 to payments-web (198.51.100.2)
              egress of 203.0.113.9: not filtered: 203.0.113.9 is outside every VPC: no security group filters its egress
              ingress of payments-web: deny by default: no rule matched; basic groups deny all ingress by default
                - rule 1 (alicloud_security_group_rule.https) of sg-bp1fg655nh68xyz9i3kq (priority 1, accept tcp 443/443 from 0.0.0.0/0): port 22 is outside 443/443
                - rule 2 (alicloud_security_group_rule.ssh_from_bastion) of sg-bp1fg655nh68xyz9i3kq (priority 1, accept tcp 22/22 from group alicloud_security_group.bastion): 203.0.113.9 is not a private address of an ENI in this VPC, and group alicloud_security_group.bastion matches only those
              blockers:
                ingress: no rule matched; basic groups deny all ingress by default
              service: unknown
              note: 203.0.113.9 -> 198.51.100.2: payments-web is reached at its public IP 198.51.100.2 from outside its VPC
              note: a drop is silent: the client sees a timeout, not a reset
            Why, and what to change:
              - [port-outside-rule] Port 22 is outside rule 1 of sg-bp1fg655nh68xyz9i3kq, which (priority 1) allows tcp 443/443 from 0.0.0.0/0.
                evidence: payments-web carries sg-bp1fg655nh68xyz9i3kq; rule 1 of sg-bp1fg655nh68xyz9i3kq (priority 1) allows tcp 443/443 from 0.0.0.0/0 matches 203.0.113.9 but not port 22
                fix: add to sg-bp1fg655nh68xyz9i3kq: ingress accept priority 1 tcp 22/22 from 0.0.0.0/0 (a rule for the single port; widening 443/443 to reach 22 would also open the ports between)
            --- stderr
            warning: plan.json: alicloud_instance.bastion, field internet_max_bandwidth_out: the public address is known only after apply: planned as 198.51.100.1
            warning: plan.json: alicloud_instance.web, field private_ip: the private address is known only after apply: planned as 172.16.10.3, the first free address of the vswitch's 172.16.10.0/24
            warning: plan.json: alicloud_instance.web, field internet_max_bandwidth_out: the public address is known only after apply: planned as 198.51.100.2
        "#]],
    );
    check(
        "changes",
        &[
            "query",
            "plan.json",
            "--from",
            "alicloud_instance.bastion",
            "--to",
            "payments-web",
            "--port",
            "22",
            "--format",
            "json",
        ],
        expect![[r#"
            exit 0
            --- stdout
            {
              "from": "alicloud_instance.bastion",
              "from_name": "payments-bastion",
              "from_address": "172.16.10.5",
              "to": "alicloud_instance.web",
              "to_name": "payments-web",
              "to_address": "172.16.10.3",
              "protocol": "tcp",
              "port": 22,
              "verdict": "allow",
              "egress": {
                "verdict": "allow",
                "decided_by": {
                  "kind": "default",
                  "verdict": "allow",
                  "reason": "no rule matched; basic groups allow all egress by default"
                },
                "considered": []
              },
              "ingress": {
                "verdict": "allow",
                "decided_by": {
                  "kind": "rule",
                  "security_group": "sg-bp1fg655nh68xyz9i3kq",
                  "rule_index": 1,
                  "rule_id": "alicloud_security_group_rule.ssh_from_bastion",
                  "direction": "ingress",
                  "priority": 1,
                  "policy": "accept",
                  "protocol": "tcp",
                  "ports": {
                    "range": "22/22"
                  },
                  "peer": {
                    "group": {
                      "id": "alicloud_security_group.bastion",
                      "owner_account": null
                    }
                  }
                },
                "considered": [
                  {
                    "rule": {
                      "security_group": "sg-bp1fg655nh68xyz9i3kq",
                      "rule_index": 0,
                      "rule_id": "alicloud_security_group_rule.https",
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
                      "security_group": "sg-bp1fg655nh68xyz9i3kq",
                      "rule_index": 1,
                      "rule_id": "alicloud_security_group_rule.ssh_from_bastion",
                      "direction": "ingress",
                      "priority": 1,
                      "policy": "accept",
                      "protocol": "tcp",
                      "ports": {
                        "range": "22/22"
                      },
                      "peer": {
                        "group": {
                          "id": "alicloud_security_group.bastion",
                          "owner_account": null
                        }
                      }
                    },
                    "matched": true,
                    "reason": "matches (the peer 172.16.10.5 is an ENI of group alicloud_security_group.bastion) and decides"
                  }
                ]
              },
              "blockers": [],
              "service": "unknown",
              "notes": [
                "172.16.10.5 -> 172.16.10.3: private addresses inside VPC vpc-bp1opxu1zkhn00gzv26cn",
                "replies pass automatically: security groups are stateful (sessions live up to 910 s)"
              ],
              "diagnoses": []
            }
            --- stderr
            warning: plan.json: alicloud_instance.bastion, field internet_max_bandwidth_out: the public address is known only after apply: planned as 198.51.100.1
            warning: plan.json: alicloud_instance.web, field private_ip: the private address is known only after apply: planned as 172.16.10.3, the first free address of the vswitch's 172.16.10.0/24
            warning: plan.json: alicloud_instance.web, field internet_max_bandwidth_out: the public address is known only after apply: planned as 198.51.100.2
        "#]],
    );
}

#[test]
fn refusals_name_file_line_and_construct() {
    check(
        "refused",
        &["lint", "main.tf"],
        expect![[r#"
            exit 2
            --- stderr
            error: main.tf:17: alicloud_security_group.shared, field vpc_id: the undeclared data source data.alicloud_vpcs.shared is not evaluated from .tf files: only Terraform can evaluate it; give terraform show -json of a plan
            error: main.tf:26: alicloud_security_group_rule.web[0], field cidr_ip: the function cidrsubnet() is not evaluated from .tf files: only Terraform can evaluate it; give terraform show -json of a plan
            error: main.tf:26: alicloud_security_group_rule.web[1], field cidr_ip: the function cidrsubnet() is not evaluated from .tf files: only Terraform can evaluate it; give terraform show -json of a plan
            error: main.tf:30: alicloud_security_group_rule.internal, field for_each: a for expression is not evaluated from .tf files: only Terraform can evaluate it; give terraform show -json of a plan
            error: main.tf:42: alicloud_instance.web, field security_groups: a splat expression is not evaluated from .tf files: only Terraform can evaluate it; give terraform show -json of a plan
            error: main.tf:44: alicloud_instance.web, field dynamic data_disks: a dynamic block is not evaluated from .tf files: only Terraform can evaluate it; give terraform show -json of a plan
        "#]],
    );
    check(
        "refused",
        &["lint", "format2.json"],
        expect![[r#"
            exit 2
            --- stderr
            error: format2.json:2: field format_version: format_version "2.0" is not supported: sglab reads format 1.x of terraform show -json
        "#]],
    );
}

#[test]
fn a_plan_is_reviewed_by_diff_plan() {
    let run = |args: &[&str]| sglab_in(&corpus("changes"), args, None);
    let output = run(&["diff", "--plan", "plan.json", "--fail-on", "opened"]);
    assert_eq!(output.code, 1, "the plan opens ports");
    let stdout = &output.stdout;
    assert!(stdout.starts_with("mixed: 4 pairs opened"), "{stdout}");
    assert!(
        stdout.contains("0.0.0.0/0 -> alicloud_instance.web tcp: closed 22"),
        "{stdout}"
    );
    let stderr = &output.stderr;
    assert_eq!(
        stderr
            .matches("alicloud_instance.web, field private_ip")
            .count(),
        1,
        "each warning once: {stderr}"
    );
    let state = run(&["diff", "--plan", "state.json"]);
    assert_eq!(state.code, 2);
    assert!(state.stderr.contains("the file is a state, not a plan"));
    let both = run(&["diff", "--plan", "plan.json", "--old", "state.json"]);
    assert_eq!(both.code, 2);
}
