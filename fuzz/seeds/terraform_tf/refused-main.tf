variable "ports" {
  type    = list(string)
  default = ["80/80", "443/443"]
}

resource "alicloud_vpc" "main" {
  cidr_block = "10.1.0.0/16"
}

resource "alicloud_security_group" "web" {
  security_group_name = "web"
  vpc_id              = alicloud_vpc.main.id
}

resource "alicloud_security_group" "shared" {
  security_group_name = "shared"
  vpc_id              = data.alicloud_vpcs.shared.ids[0]
}

resource "alicloud_security_group_rule" "web" {
  count             = length(var.ports)
  type              = "ingress"
  ip_protocol       = "tcp"
  port_range        = element(var.ports, count.index)
  security_group_id = alicloud_security_group.web.id
  cidr_ip           = cidrsubnet("10.1.0.0/16", 8, 1)
}

resource "alicloud_security_group_rule" "internal" {
  for_each          = toset([for port in var.ports : port])
  type              = "ingress"
  ip_protocol       = "tcp"
  port_range        = each.key
  security_group_id = alicloud_security_group.web.id
  cidr_ip           = "10.1.0.0/16"
}

resource "alicloud_instance" "web" {
  instance_name   = "web"
  vswitch_id      = "vsw-existing"
  private_ip      = "10.1.1.10"
  security_groups = alicloud_security_group.web[*].id

  dynamic "data_disks" {
    for_each = [20, 40]
    content {
      size = data_disks.value
    }
  }
}
