resource "alicloud_security_group" "web" {
  name        = "shop-web"
  description = "Web servers"
  vpc_id      = "${alicloud_vpc.main.id}"
}

resource "alicloud_security_group" "db" {
  security_group_name = "shop-db"
  vpc_id              = alicloud_vpc.main.id
  inner_access_policy = "Drop"
}

resource "alicloud_security_group_rule" "http_in" {
  type              = "ingress"
  ip_protocol       = "tcp"
  nic_type          = "intranet"
  policy            = "accept"
  port_range        = "80/80"
  priority          = 1
  security_group_id = "${alicloud_security_group.web.id}"
  cidr_ip           = "0.0.0.0/0"
}

resource "alicloud_security_group_rule" "ssh_office" {
  type              = "ingress"
  ip_protocol       = "tcp"
  policy            = "accept"
  port_range        = "22/22"
  priority          = 10
  security_group_id = alicloud_security_group.web.id
  cidr_ip           = var.office_cidr
}

resource "alicloud_security_group_rule" "mysql_from_web" {
  type                     = "ingress"
  ip_protocol              = "tcp"
  policy                   = "accept"
  port_range               = "3306/3306"
  priority                 = 1
  security_group_id        = alicloud_security_group.db.id
  source_security_group_id = alicloud_security_group.web.id
}

resource "alicloud_security_group_rule" "deny_smtp_out" {
  type              = "egress"
  ip_protocol       = "tcp"
  policy            = "drop"
  port_range        = "25/25"
  priority          = 1
  security_group_id = alicloud_security_group.web.id
  cidr_ip           = "0.0.0.0/0"
}
