# In the style of Typhoon's bare-metal module: per machine, a matchbox_profile (kernel, initrd, arguments and its
# raw Ignition) and a matchbox_group selecting the machine by MAC address, through terraform-provider-matchbox.
terraform {
  required_providers {
    matchbox = {
      source  = "poseidon/matchbox"
      version = "0.5.4"
    }
  }
}

variable "matchbox_endpoint" {
  type = string
}

variable "credentials_dir" {
  type = string
}

variable "machines" {
  type = map(object({
    mac        = string
    extra_args = list(string)
  }))
}

provider "matchbox" {
  endpoint    = var.matchbox_endpoint
  client_cert = file("${var.credentials_dir}/client.crt")
  client_key  = file("${var.credentials_dir}/client.key")
  ca          = file("${var.credentials_dir}/ca.crt")
}

locals {
  kernel = "/assets/flatcar/current/flatcar_production_pxe.vmlinuz"
  initrd = "/assets/flatcar/current/flatcar_production_pxe_image.cpio.gz"
}

resource "matchbox_profile" "install" {
  for_each = var.machines
  name     = "tofu-${each.key}"
  kernel   = local.kernel
  initrd   = [local.initrd]
  args = concat([
    "initrd=flatcar_production_pxe_image.cpio.gz",
    "flatcar.first_boot=yes",
    "console=ttyS0",
  ], each.value.extra_args)
  raw_ignition = jsonencode({
    ignition = { version = "3.4.0" }
    storage = {
      files = [{ path = "/etc/hostname", mode = 420, contents = { source = "data:,${each.key}" } }]
    }
  })
}

resource "matchbox_group" "install" {
  for_each = var.machines
  name     = "tofu-${each.key}"
  profile  = matchbox_profile.install[each.key].name
  selector = {
    mac = each.value.mac
  }
  metadata = {
    hostname = each.key
  }
}
