// The node's side of an A/B update (ADR 0090): `strata-usr-update`, a shell program in the image's /usr that writes a
// verified /usr image into the slot that did not boot, copies that image's own kernel and initramfs to the slot's
// directory on the ESP and arms the slot's boot entry with one try; `status` tells which slot booted and whether the
// other one failed its try (a rollback). The update agent calls it; so can an administrator on the node.
import { PARTITION_LABELS, slotDir, slotEntryId, UPDATE_BOOT_TRIES, USR_BOOT_DIR_IN_USR } from './disk-layout.ts';

/** Where the image has the tool (in /usr: each slot brings its own). */
export const USR_UPDATE_TOOL_PATH = '/usr/sbin/strata-usr-update';

/** Where the ESP is mounted (systemd-gpt-auto-generator's automount, on a boot from the disk). */
const ESP_MOUNT = '/efi';

/** Exit codes: 0 done, 1 refused or failed (the message says why), 2 a wrong command line. */
const TEMPLATE = String.raw`#!/bin/sh
# strata-usr-update: A/B updates of the Strata node image's /usr (ADR 0090).
#   strata-usr-update install PAYLOAD SHA256   write the /usr image PAYLOAD (a file or a block device) into the slot
#                                              that did not boot, verified against SHA256 before the write and read back,
#                                              and arm that slot's boot entry with @TRIES@ try
#   strata-usr-update status [--json]          the booted slot and version, each slot's entry, and a rollback
# Exit 0 done, 1 refused or failed (the message says why; nothing is armed), 2 a wrong command line.
set -eu
ESP=@ESP@
ENTRIES=$ESP/loader/entries
TRIES=@TRIES@

die() { echo "strata-usr-update: $*" >&2; exit 1; }
usage() { echo "usage: strata-usr-update install PAYLOAD SHA256 | status [--json]" >&2; exit 2; }
label_of() { if [ "$1" = a ]; then echo @LABEL_A@; else echo @LABEL_B@; fi; }
other_of() { if [ "$1" = a ]; then echo b; else echo a; fi; }

# The slot this boot's /usr came from: the entry's options name its partition on the kernel command line.
booted_slot() {
  for arg in $(cat /proc/cmdline); do
    case $arg in
      mount.usr=PARTLABEL=@LABEL_A@) echo a; return 0 ;;
      mount.usr=PARTLABEL=@LABEL_B@) echo b; return 0 ;;
    esac
  done
  die "this boot's /usr is from no slot (no mount.usr=PARTLABEL=@LABEL_A@ or @LABEL_B@ on the kernel command line): A/B updates need a boot from the node image's disk"
}

# A slot's entry file on the ESP, whatever its counter says ("" when the slot has none).
entry_of() {
  for f in "$ENTRIES/@ENTRY_PREFIX@$1.conf" "$ENTRIES/@ENTRY_PREFIX@$1+"*.conf; do
    if [ -f "$f" ]; then echo "$f"; return 0; fi
  done
  echo ""
}

# good: blessed; bad: no tries left (systemd-boot sorts it last); pending: tries left, or the entry of this very boot
# before systemd-bless-boot has blessed it.
state_of() {
  case $(basename "$1") in
    *+0.conf | *+0-*.conf) if [ "$2" = booted ]; then echo pending; else echo bad; fi ;;
    *+*.conf) echo pending ;;
    *) echo good ;;
  esac
}
version_of() { sed -n 's/^version //p' "$1"; }

need_esp() {
  # Reading the directory triggers the ESP's automount.
  ls "$ENTRIES" >/dev/null 2>&1 || die "the ESP's boot entries are not at $ENTRIES: A/B updates need a boot from the node image's disk"
}

cmd_install() {
  [ $# -eq 2 ] || usage
  payload=$1
  sum=$2
  echo "$sum" | grep -Eq '^[0-9a-f]{64}$' || die "SHA256 must be 64 lowercase hex digits, not '$sum'"
  [ -r "$payload" ] || die "cannot read the payload $payload"
  booted=$(booted_slot)
  target=$(other_of "$booted")
  label=$(label_of "$target")
  device=/dev/disk/by-partlabel/$label
  [ -b "$device" ] || die "no partition named $label on this machine"
  need_esp
  if [ -b "$payload" ]; then size=$(blockdev --getsize64 "$payload"); else size=$(stat -c %s "$payload"); fi
  room=$(blockdev --getsize64 "$device")
  [ "$size" -gt 0 ] || die "the payload $payload is empty"
  [ "$size" -le "$room" ] || die "the payload is $size bytes; slot $label holds $room"
  got=$(sha256sum <"$payload" | cut -d' ' -f1)
  [ "$got" = "$sum" ] || die "the payload's SHA-256 is $got, not $sum: nothing was written"
  # Disarmed before its partition changes: a reboot halfway through must not boot a half-written /usr.
  rm -f "$ENTRIES/@ENTRY_PREFIX@$target.conf" "$ENTRIES/@ENTRY_PREFIX@$target+"*.conf
  sync
  echo "strata-usr-update: writing $size bytes to $label"
  dd if="$payload" of="$device" bs=4M conv=fsync status=none
  # Read back past the page cache: what the next boot will read is what the disk holds.
  written=$(dd if="$device" bs=4M iflag=direct,count_bytes count="$size" status=none | sha256sum | cut -d' ' -f1)
  [ "$written" = "$sum" ] || die "$label reads back $written after the write, not $sum: its entry stays disarmed"
  mnt=$(mktemp -d)
  mount -o ro "$device" "$mnt" || { rmdir "$mnt"; die "$label does not mount as a file system after the write"; }
  trap 'umount "$mnt"; rmdir "$mnt"' EXIT
  version=$(sed -n 's/^VERSION_ID=//p' "$mnt/lib/os-release" | tr -d '"')
  [ -n "$version" ] || die "the payload has no VERSION_ID in lib/os-release: not a node image's /usr"
  for file in vmlinuz initrd.img; do
    [ -f "$mnt/@USR_BOOT@/$file" ] || die "the payload has no @USR_BOOT@/$file: not a node image's /usr"
  done
  booted_entry=$(entry_of "$booted")
  [ -n "$booted_entry" ] || die "the booted slot $booted has no entry in $ENTRIES"
  options=$(sed -n 's/^options //p' "$booted_entry" | sed "s/mount.usr=PARTLABEL=$(label_of "$booted")/mount.usr=PARTLABEL=$label/")
  dir=$ESP@SLOT_DIR_PREFIX@$target
  mkdir -p "$dir"
  for file in vmlinuz initrd.img; do
    cp "$mnt/@USR_BOOT@/$file" "$dir/$file.new"
    mv "$dir/$file.new" "$dir/$file"
  done
  new=$ENTRIES/@ENTRY_PREFIX@$target+$TRIES.conf
  upper=$(echo "$target" | tr ab AB)
  printf '%s\n' "title Strata node image $version (slot $upper)" "version $version" "sort-key strata" \
    "linux @SLOT_DIR_PREFIX@$target/vmlinuz" "initrd @SLOT_DIR_PREFIX@$target/initrd.img" "options $options" >"$new.tmp"
  mv "$new.tmp" "$new"
  sync
  echo "strata-usr-update: $version is in slot $upper; the next boot tries it $TRIES time(s), then falls back to slot $(echo "$booted" | tr ab AB)"
}

cmd_status() {
  json=no
  case $# in
    0) ;;
    1) [ "$1" = --json ] || usage; json=yes ;;
    *) usage ;;
  esac
  booted=$(booted_slot)
  need_esp
  running=$(sed -n 's/^VERSION_ID=//p' /usr/lib/os-release | tr -d '"')
  rollback=""
  lines=""
  for slot in a b; do
    entry=$(entry_of "$slot")
    if [ -z "$entry" ]; then
      state=empty version=""
    else
      if [ "$slot" = "$booted" ]; then state=$(state_of "$entry" booted); else state=$(state_of "$entry" other); fi
      version=$(version_of "$entry")
      # The slot that did not boot holds an entry that ran out of its tries: its version failed to boot.
      if [ "$slot" != "$booted" ] && [ "$state" = bad ]; then rollback=$version; fi
    fi
    lines="$lines$slot $state $version
"
  done
  if [ $json = yes ]; then
    printf '{"booted":"%s","version":"%s","slots":{' "$booted" "$running"
    sep=""
    printf '%s' "$lines" | while read -r slot state version; do
      printf '%s"%s":{"state":"%s","version":"%s"}' "$sep" "$slot" "$state" "$version"
      sep=,
    done
    printf '},"rolledBackFrom":%s}\n' "$(if [ -n "$rollback" ]; then printf '"%s"' "$rollback"; else echo null; fi)"
  else
    echo "booted $booted $running"
    printf '%s' "$lines" | while read -r slot state version; do echo "slot $slot $state $version"; done
    if [ -n "$rollback" ]; then echo "rolled-back-from $rollback"; fi
  fi
}

[ $# -ge 1 ] || usage
command=$1
shift
case $command in
  install) cmd_install "$@" ;;
  status) cmd_status "$@" ;;
  *) usage ;;
esac
`;

/** The program's text, with the disk layout's names filled in. */
export const USR_UPDATE_TOOL = TEMPLATE.replaceAll('@ESP@', ESP_MOUNT)
  .replaceAll('@TRIES@', String(UPDATE_BOOT_TRIES))
  .replaceAll('@LABEL_A@', PARTITION_LABELS.usrA)
  .replaceAll('@LABEL_B@', PARTITION_LABELS.usrB)
  .replaceAll('@ENTRY_PREFIX@', slotEntryId('a').slice(0, -1))
  .replaceAll('@SLOT_DIR_PREFIX@', slotDir('a').slice(0, -1))
  .replaceAll('@USR_BOOT@', USR_BOOT_DIR_IN_USR);
