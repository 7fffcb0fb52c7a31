locals {
  ports = {
    web = "80/80"
    api = "8080/8080"
  }
  instance_types = {
    small = "ecs.g7.large"
    large = "ecs.g7.2xlarge"
  }
}

resource "alicloud_vpc" "main" {
  vpc_name   = "orders"
  cidr_block = "10.0.0.0/16"
}

resource "alicloud_vswitch" "app" {
  vpc_id     = alicloud_vpc.main.id
  cidr_block = "10.0.1.0/24"
  zone_id    = "cn-hangzhou-h"
}

module "web_sg" {
  source  = "alibaba/security-group/alicloud"
  version = "~> 2.4"

  name                = "orders-web"
  vpc_id              = alicloud_vpc.main.id
  ingress_cidr_blocks = ["0.0.0.0/0"]
  ingress_ports       = [lookup(local.ports, "web")]
}

module "db_sg" {
  source  = "alibaba/security-group/alicloud"
  version = "~> 2.4"

  name                = "orders-db"
  vpc_id              = alicloud_vpc.main.id
  ingress_cidr_blocks = [alicloud_vswitch.app.cidr_block]
  ingress_ports       = ["3306/3306"]
}

resource "alicloud_instance" "app" {
  for_each = {
    a = "10.0.1.10"
    b = "10.0.1.11"
  }
  instance_name   = "orders-${each.key}"
  instance_type   = lookup(local.instance_types, "small")
  vswitch_id      = alicloud_vswitch.app.id
  private_ip      = each.value
  security_groups = [module.web_sg.this_security_group_id, module.db_sg.this_security_group_id]
}
