provider "alicloud" {
  region = var.region
}

data "alicloud_zones" "default" {
  available_resource_creation = "VSwitch"
}

resource "alicloud_vpc" "main" {
  vpc_name   = "shop-vpc"
  cidr_block = var.vpc_cidr
}

resource "alicloud_vswitch" "web" {
  vswitch_name = "shop-web"
  vpc_id       = alicloud_vpc.main.id
  cidr_block   = "172.16.1.0/24"
  zone_id      = data.alicloud_zones.default.zones[0].id
}

resource "alicloud_vswitch" "db" {
  vswitch_name = "shop-db"
  vpc_id       = alicloud_vpc.main.id
  cidr_block   = "172.16.2.0/24"
  zone_id      = data.alicloud_zones.default.zones[0].id
}
