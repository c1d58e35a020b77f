// The node's side of an A/B update (ADR 0090): `strata-usr-update`, a shell program in the image's /usr that writes a
// verified /usr image into the slot that did not boot, copies that image's own kernel and initramfs to the slot's
// directory on the ESP and arms the slot's boot entry with one try; `status` tells which slot booted and whether the
// other one failed its try (a rollback). update_engine calls `write`, `commit` and `status`; an administrator can call
// `install` with a payload file.
import { PARTITION_LABELS, slotDir, slotEntryId, UPDATE_BOOT_TRIES, USR_BOOT_DIR_IN_USR } from './disk-layout.ts';

/** Where the ESP is mounted (systemd-gpt-auto-generator's automount, on a boot from the disk). */
const ESP_MOUNT = '/efi';

/** Exit codes: 0 done, 1 refused or failed (the message says why), 2 a wrong command line. */
const TEMPLATE = String.raw`#!/bin/sh
# strata-usr-update: A/B updates of the Strata node image's /usr (ADR 0090).
#   strata-usr-update install PAYLOAD SHA256   write the /usr image PAYLOAD (a file or a block device) into the slot
#                                              that did not boot, verified against SHA256 before the write and read back,
#                                              and arm that slot's boot entry with @TRIES@ try
#   strata-usr-update write SIZE               disarm the slot that did not boot and write SIZE bytes of stdin into it
#   strata-usr-update commit SHA256 SIZE [VERSION]
#                                              check that slot's first SIZE bytes read back as SHA256 (and its /usr is
#                                              VERSION), and arm its boot entry with @TRIES@ try
#   strata-usr-update status [--json]          the booted slot and version, each slot's entry, and a rollback
# Exit 0 done, 1 refused or failed (the message says why; nothing is armed), 2 a wrong command line.
set -eu
ESP=@ESP@
ENTRIES=$ESP/loader/entries
TRIES=@TRIES@

die() { echo "strata-usr-update: $*" >&2; exit 1; }
usage() { echo "usage: strata-usr-update install PAYLOAD SHA256 | write SIZE | commit SHA256 SIZE [VERSION] | status [--json]" >&2; exit 2; }
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

# The slot an update writes: the one that did not boot; sets target, label and device.
passive_slot() {
  booted=$(booted_slot)
  target=$(other_of "$booted")
  label=$(label_of "$target")
  device=/dev/disk/by-partlabel/$label
  [ -b "$device" ] || die "no partition named $label on this machine"
  need_esp
}

check_sum() { echo "$1" | grep -Eq '^[0-9a-f]{64}$' || die "SHA256 must be 64 lowercase hex digits, not '$1'"; }
check_size() {
  echo "$1" | grep -Eq '^[1-9][0-9]{0,11}$' || die "SIZE must be a number of bytes above 0, not '$1'"
  room=$(blockdev --getsize64 "$device")
  [ "$1" -le "$room" ] || die "the payload is $1 bytes; slot $label holds $room"
}

# Disarmed before its partition changes: a reboot halfway through must not boot a half-written /usr.
disarm() {
  rm -f "$ENTRIES/@ENTRY_PREFIX@$target.conf" "$ENTRIES/@ENTRY_PREFIX@$target+"*.conf
  sync
}

# Writes SIZE bytes of standard input into the passive slot. dd reads its own fd 0 rather than opening /dev/stdin:
# a caller's stdin may be a socket (Node.js gives its children socket pairs), which cannot be opened by path.
write_slot() {
  echo "strata-usr-update: writing $1 bytes to $label" >&2
  # dd's own count of what it copied: an input that ends early is a short write, refused here and never armed.
  report=$(LC_ALL=C dd of="$device" bs=4M iflag=fullblock,count_bytes count="$1" conv=fsync 2>&1 >/dev/null) ||
    die "writing $label failed: $report"
  copied=$(printf '%s\n' "$report" | sed -n 's/^\([0-9][0-9]*\) bytes.*/\1/p')
  [ -n "$copied" ] || copied=0
  [ "$copied" = "$1" ] || die "$label took $copied of the $1 bytes: the input ended early"
}

# Checks the passive slot against SHA256 past the page cache, then copies its kernel and initramfs to the ESP and arms
# its entry with @TRIES@ try; with VERSION, refuses a /usr whose VERSION_ID is another.
commit_slot() {
  sum=$1
  size=$2
  want=""
  if [ $# -ge 3 ]; then want=$3; fi
  # Read back past the page cache: what the next boot will read is what the disk holds.
  # Whole blocks (O_DIRECT reads nothing shorter), cut to the payload's size.
  blocks=$(( (size + 4194303) / 4194304 ))
  written=$(dd if="$device" bs=4M iflag=direct count="$blocks" status=none | head -c "$size" | sha256sum | cut -d' ' -f1)
  [ "$written" = "$sum" ] || die "$label reads back $written, not $sum: its entry stays disarmed"
  mnt=$(mktemp -d)
  mount -o ro "$device" "$mnt" || { rmdir "$mnt"; die "$label does not mount as a file system: its entry stays disarmed"; }
  trap 'umount "$mnt"; rmdir "$mnt"' EXIT
  version=$(sed -n 's/^VERSION_ID=//p' "$mnt/lib/os-release" | tr -d '"')
  [ -n "$version" ] || die "the payload has no VERSION_ID in lib/os-release: not a node image's /usr"
  [ -z "$want" ] || [ "$version" = "$want" ] || die "the payload is version $version, not $want: its entry stays disarmed"
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

cmd_install() {
  [ $# -eq 2 ] || usage
  payload=$1
  check_sum "$2"
  [ -r "$payload" ] || die "cannot read the payload $payload"
  passive_slot
  if [ -b "$payload" ]; then size=$(blockdev --getsize64 "$payload"); else size=$(stat -c %s "$payload"); fi
  [ "$size" -gt 0 ] || die "the payload $payload is empty"
  check_size "$size"
  got=$(sha256sum <"$payload" | cut -d' ' -f1)
  [ "$got" = "$2" ] || die "the payload's SHA-256 is $got, not $2: nothing was written"
  disarm
  write_slot "$size" <"$payload"
  commit_slot "$2" "$size"
}

# The update engine's two steps: the payload streams from the update server straight into the slot, then is checked.
cmd_write() {
  [ $# -eq 1 ] || usage
  passive_slot
  check_size "$1"
  disarm
  write_slot "$1"
}

cmd_commit() {
  [ $# -eq 2 ] || [ $# -eq 3 ] || usage
  check_sum "$1"
  passive_slot
  check_size "$2"
  commit_slot "$@"
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
  write) cmd_write "$@" ;;
  commit) cmd_commit "$@" ;;
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
