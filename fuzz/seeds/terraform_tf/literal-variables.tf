variable "region" {
  description = "Region to deploy into"
  type        = string
  default     = "cn-hangzhou"
}

variable "vpc_cidr" {
  type    = string
  default = "172.16.0.0/12"
}

variable "web_count" {
  type    = number
  default = 2
}

variable "office_cidr" {
  description = "The office's egress addresses"
  type        = string
  default     = "192.0.2.0/24"
}
