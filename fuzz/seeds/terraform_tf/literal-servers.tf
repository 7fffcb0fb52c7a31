data "alicloud_images" "ubuntu" {
  name_regex  = "^ubuntu_22"
  most_recent = true
  owners      = "system"
}

resource "alicloud_instance" "web" {
  count                      = var.web_count
  instance_name              = "shop-web-${count.index + 1}"
  instance_type              = "ecs.g7.large"
  image_id                   = data.alicloud_images.ubuntu.images[0].id
  vswitch_id                 = alicloud_vswitch.web.id
  security_groups            = [alicloud_security_group.web.id]
  internet_max_bandwidth_out = 10
}

resource "alicloud_instance" "db" {
  count           = 1
  instance_name   = "shop-db"
  instance_type   = "ecs.r7.large"
  image_id        = data.alicloud_images.ubuntu.images[0].id
  vswitch_id      = alicloud_vswitch.db.id
  security_groups = ["${alicloud_security_group.db.id}"]
}

resource "alicloud_slb_load_balancer" "web" {
  load_balancer_name = "shop-web"
  vswitch_id         = alicloud_vswitch.web.id
  load_balancer_spec = "slb.s2.small"
}
