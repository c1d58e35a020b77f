// Installing the node image onto a machine's disk (ADR 0092), as Fedora CoreOS's live initramfs does with its
// coreos.inst.* arguments: a network boot of the image's own kernel and initramfs with `strata.install.*` on the
// command line streams the compressed disk image from the boot server onto the disk, checks its digest, points the
// installed first boot's Ignition at the boot server (`os=installed`), and reboots. From then on the machine boots from
// its own disk: its boot loader, not the network, picks the /usr slot. After the installed first boot has run
// Ignition, `strata-firstboot-complete` takes the first-boot arguments off the boot entry, so that Ignition never runs
// again.
import { FIRST_PARTITION_MIB, MIB, slotAEntryFile } from './disk-layout.ts';

/** The kernel arguments of an install boot. */
export const INSTALL_ARGS = {
  /** The disk to install to, e.g. /dev/vda or /dev/disk/by-path/…: everything on it is replaced. */
  device: 'strata.install.device',
  /** Where the zstd-compressed disk image (`disk.img.zst`) is served (http or https). */
  imageUrl: 'strata.install.image_url',
  /** The SHA-256 of the compressed image as served: a download that does not match is never booted. */
  imageSha256: 'strata.install.image_sha256',
  /** Where the installed first boot's Ignition fetches its config (the metal platform's ignition.config.url=). */
  ignitionUrl: 'strata.install.ignition_url',
} as const;

/** The arguments the installed first boot's entry gets, and that strata-firstboot-complete takes off again. */
export const FIRSTBOOT_ARGS = ['ignition.firstboot', 'ignition.platform.id=metal', 'rd.neednet=1', 'ip=dhcp'] as const;
/** The installed first boot's config URL, after the FIRSTBOOT_ARGS. */
export const FIRSTBOOT_CONFIG_URL_ARG = 'ignition.config.url';

export interface InstallBoot {
  readonly device: string;
  readonly imageUrl: string;
  readonly imageSha256: string;
  /** Omitted: the installed machine boots without Ignition. */
  readonly ignitionUrl?: string;
}

/**
 * The command line of an install boot (besides the console): the network in the initramfs (dracut's DHCP) and the
 * install's own arguments. Values cannot hold spaces (a kernel argument ends at one); the install refuses anything else
 * it cannot use, on the console.
 */
export function installKernelArguments(boot: InstallBoot): string[] {
  return [
    'rd.neednet=1',
    'ip=dhcp',
    `${INSTALL_ARGS.device}=${boot.device}`,
    `${INSTALL_ARGS.imageUrl}=${boot.imageUrl}`,
    `${INSTALL_ARGS.imageSha256}=${boot.imageSha256}`,
    ...(boot.ignitionUrl === undefined ? [] : [`${INSTALL_ARGS.ignitionUrl}=${boot.ignitionUrl}`]),
  ];
}

/** In the initramfs. */
export const INSTALL_TOOL_PATH = '/usr/sbin/strata-install';
/** Where the install keeps its state in the initramfs: attempts, the digest, a flag once it is done. */
const STATE_DIR = '/run/strata-install';

/**
 * dracut sources this at its cmdline hook. An install boot has no root to wait for: the root is what it writes. So it
 * sets dracut's root variables (which would otherwise stop the boot with "No or empty root= argument"; nothing mounts
 * them, since the generators read the real command line), makes the initqueue wait until the install is done (it
 * never is: the machine reboots), and queues the install as a job that runs once udev has settled, again on every turn
 * of the queue until it succeeds: it does nothing until an interface has an address and waits out its own back-off
 * after a failure. A refused install (bad arguments) stays refused, and the initqueue's time-out then stops the boot in
 * dracut's emergency shell, with the refusal on the console.
 */
export const INSTALL_CMDLINE_HOOK = `#!/bin/sh
# Strata node image: a boot with ${INSTALL_ARGS.imageUrl}= installs the image onto the machine's disk (ADR 0092).
if [ -n "$(getarg ${INSTALL_ARGS.imageUrl}=)" ]; then
    [ -n "$root" ] || root=strata-install
    rootok=1
    /sbin/initqueue --finished --unique --name strata-install test -e ${STATE_DIR}/done
    /sbin/initqueue --settled --unique --name strata-install ${INSTALL_TOOL_PATH}
fi
`;

/**
 * The installer, run by dracut's initqueue. Exit 0: nothing to do now (no network yet, done, or refused); 1: this
 * attempt failed, the next one comes after a back-off (the queue sources its job file, which runs this as a program).
 *
 * Nothing is half-applied: the disk is zeroed, then written from its second MiB on while the download's digest is
 * taken; the first MiB (the protective MBR and the primary GPT) is written only once the digest matched and the boot
 * entry was changed, so a machine killed during the install finds no partition table on its next boot, boots from
 * the network again and is installed again. The backup GPT is moved to the disk's end last.
 */
const TEMPLATE = String.raw`#!/bin/bash
# strata-install: install the Strata node image onto this machine's disk from the initramfs (ADR 0092).
# Arguments (kernel command line): @ARG_DEVICE@=DISK @ARG_URL@=URL @ARG_SHA@=SHA256 [@ARG_IGNITION@=URL]
# Not set -u: dracut's library reads variables it may not have set, and getarg is one of its functions.
set -o pipefail
. /lib/dracut-lib.sh
STATE=@STATE@
mkdir -p "$STATE"
exec >>/dev/console 2>&1
say() { echo "strata-install: $*"; }
[ -e "$STATE/done" ] && exit 0
[ -e "$STATE/refused" ] && exit 0
refuse() { say "refused: $*"; : >"$STATE/refused"; exit 0; }

device=$(getarg @ARG_DEVICE@=)
url=$(getarg @ARG_URL@=)
sha=$(getarg @ARG_SHA@=)
ignition=$(getarg @ARG_IGNITION@=)
[ -n "$device" ] || refuse "no @ARG_DEVICE@= on the kernel command line: name the disk to install to, e.g. @ARG_DEVICE@=/dev/vda"
[ -b "$device" ] || refuse "@ARG_DEVICE@=$device is not a block device on this machine"
case $url in
  http://* | https://*) ;;
  *) refuse "@ARG_URL@=$url is not an http(s) URL of the compressed disk image (disk.img.zst)" ;;
esac
[[ $sha =~ ^[0-9a-f]{64}$ ]] ||
  refuse "@ARG_SHA@= must be the image's SHA-256, 64 lower-case hex digits (sha256sum disk.img.zst)"
case $ignition in
  "" | http://* | https://*) ;;
  *) refuse "@ARG_IGNITION@=$ignition is not an http(s) URL" ;;
esac

# No address yet: dracut's DHCP is still at work; the queue runs this again.
[ -n "$(ip -4 -o addr show scope global 2>/dev/null)" ] || exit 0

attempt=$(( $(cat "$STATE/attempts" 2>/dev/null || echo 0) + 1 ))
echo "$attempt" >"$STATE/attempts"
# After a failed attempt, wait 5, 10, 20, 40, then 60 s before the next.
fail() {
  say "attempt $attempt failed: $*"
  wait_s=$(( 5 * (1 << (attempt > 4 ? 4 : attempt - 1)) ))
  [ $wait_s -gt 60 ] && wait_s=60
  say "trying again in $wait_s s"
  sleep $wait_s
  exit 1
}
# A disk that did not get the whole image must not boot: its first MiB stays zeros.
wipe_head() { dd if=/dev/zero of="$device" bs=1M count=@HEAD_MIB@ conv=fsync status=none; }
started=$(date +%s)
elapsed() { echo $(( $(date +%s) - started )); }

say "attempt $attempt: installing $url onto $device"
# Zeroed first, so that no block of an earlier install survives where this image has zeros (dd skips those below).
# The device's write-zeroes (a hole punched in a virtual disk) when it has one; else zeros are written.
if blkdiscard --zeroout "$device" 2>"$STATE/zero.err"; then
  sparse=,sparse
else
  say "blkdiscard --zeroout $device: $(cat "$STATE/zero.err"); writing every block instead"
  wipe_head || fail "cannot write to $device"
  sparse=
fi
say "zeroed $device in $(elapsed) s"

rm -f "$STATE/fifo" "$STATE/digest" "$STATE/head"
mkfifo "$STATE/fifo"
sha256sum <"$STATE/fifo" >"$STATE/digest" &
hasher=$!
curl --fail --silent --show-error --location --connect-timeout 10 --speed-limit 1024 --speed-time 60 \
    "$url" 2>"$STATE/curl.err" |
  tee "$STATE/fifo" |
  zstd --decompress --stdout 2>"$STATE/zstd.err" |
  { dd of="$STATE/head" bs=1M count=@HEAD_MIB@ iflag=fullblock status=none &&
    dd of="$device" bs=1M seek=@HEAD_MIB@ iflag=fullblock conv=fsync$sparse status=none; } 2>"$STATE/dd.err"
streamed=$?
wait $hasher
if [ $streamed -ne 0 ]; then
  wipe_head
  fail "the download, unpacking or write stopped: $(cat "$STATE/curl.err" "$STATE/zstd.err" "$STATE/dd.err" | tr '\n' ' ')"
fi
got=$(cut -d' ' -f1 "$STATE/digest")
if [ "$got" != "$sha" ]; then
  wipe_head
  fail "$url has SHA-256 $got, not the $sha the boot asked for; nothing was installed"
fi
say "wrote and checked the image in $(elapsed) s"

if [ -n "$ignition" ]; then
  # The installed first boot runs Ignition from the boot server: the arguments go onto slot A's entry on the ESP,
  # written with mtools at the ESP's offset (no partition table is in place yet, and nothing is mounted).
  esp="$device@@@ESP_OFFSET@"
  export MTOOLS_SKIP_CHECK=1
  mtype -i "$esp" ::@ENTRY@ >"$STATE/entry" 2>"$STATE/mtools.err" || { wipe_head; fail "cannot read @ENTRY@ on the image's ESP: $(cat "$STATE/mtools.err")"; }
  while IFS= read -r line; do
    case $line in
      "options "*) printf '%s %s %s=%s\n' "$line" "@FIRSTBOOT_ARGS@" @CONFIG_URL_ARG@ "$ignition" ;;
      *) printf '%s\n' "$line" ;;
    esac
  done <"$STATE/entry" >"$STATE/entry.new"
  mcopy -o -i "$esp" "$STATE/entry.new" ::@ENTRY@ 2>"$STATE/mtools.err" &&
    mtype -i "$esp" ::@ENTRY@ 2>/dev/null | cmp -s - "$STATE/entry.new" ||
    { wipe_head; fail "cannot write @ENTRY@ on the ESP: $(cat "$STATE/mtools.err")"; }
  say "the first boot's Ignition config: $ignition"
fi

dd if="$STATE/head" of="$device" bs=1M conv=fsync,notrunc status=none 2>"$STATE/dd.err" ||
  { wipe_head; fail "cannot write the partition table: $(cat "$STATE/dd.err")"; }
# The image's backup GPT sits at the image's end; a larger disk wants it at its own.
sfdisk --relocate gpt-bak-std "$device" >"$STATE/sfdisk.out" 2>&1 || say "sfdisk --relocate gpt-bak-std $device: $(cat "$STATE/sfdisk.out")"
sync
: >"$STATE/done"
say "installed in $(elapsed) s; rebooting into the installed system"
systemctl --no-block reboot
exit 0
`;

/** The installer's text, with the layout's numbers and the arguments' names filled in. */
export const INSTALL_TOOL = TEMPLATE.replaceAll('@ARG_DEVICE@', INSTALL_ARGS.device)
  .replaceAll('@ARG_URL@', INSTALL_ARGS.imageUrl)
  .replaceAll('@ARG_SHA@', INSTALL_ARGS.imageSha256)
  .replaceAll('@ARG_IGNITION@', INSTALL_ARGS.ignitionUrl)
  .replaceAll('@STATE@', STATE_DIR)
  .replaceAll('@HEAD_MIB@', String(FIRST_PARTITION_MIB))
  .replaceAll('@ESP_OFFSET@', String(FIRST_PARTITION_MIB * MIB))
  .replaceAll('@ENTRY@', slotAEntryFile())
  .replaceAll('@FIRSTBOOT_ARGS@', FIRSTBOOT_ARGS.join(' '))
  .replaceAll('@CONFIG_URL_ARG@', FIRSTBOOT_CONFIG_URL_ARG);

/** In the root (/usr), run on the installed first boot. */
export const FIRSTBOOT_COMPLETE_PATH = '/usr/sbin/strata-firstboot-complete';
export const FIRSTBOOT_COMPLETE_UNIT_NAME = 'strata-firstboot-complete.service';

/**
 * Takes the first-boot arguments off every Strata entry on the ESP (only slot A's has them, on an installed machine's
 * first boot): the entry is rewritten beside itself and renamed over, so that a power cut leaves the old entry or the
 * new one. strata-usr-update copies the booted entry's options into the other slot's, so an update never brings them
 * back.
 */
const FIRSTBOOT_COMPLETE_TEMPLATE = String.raw`#!/bin/sh
# strata-firstboot-complete: the installed first boot ran Ignition; later boots must not (ADR 0092).
set -eu
for entry in @ESP@/loader/entries/strata-*.conf; do
  [ -f "$entry" ] || continue
  grep -q '^options .* ignition\.firstboot' "$entry" || continue
  while IFS= read -r line; do
    case $line in
      "options "*)
        kept=options
        # Split into arguments, never globbed.
        set -f
        for arg in $${'{'}line#options }; do
          case $arg in
            @DROP_PATTERNS@) ;;
            *) kept="$kept $arg" ;;
          esac
        done
        set +f
        printf '%s\n' "$kept" ;;
      *) printf '%s\n' "$line" ;;
    esac
  done <"$entry" >"$entry.tmp"
  sync "$entry.tmp"
  mv "$entry.tmp" "$entry"
  echo "strata-firstboot-complete: took the first-boot arguments off $entry"
done
`;

export const FIRSTBOOT_COMPLETE_TOOL = FIRSTBOOT_COMPLETE_TEMPLATE.replaceAll('@ESP@', '/efi').replaceAll(
  '@DROP_PATTERNS@',
  [...FIRSTBOOT_ARGS, `${FIRSTBOOT_CONFIG_URL_ARG}=*`].join(' | '),
);

/**
 * After a boot whose command line says it is a first boot, once the ESP is mounted (systemd-gpt-auto-generator's
 * automount at /efi), and before systemd-bless-boot renames the booted entry. Enabled under /usr; a boot without
 * ignition.firstboot skips it.
 */
export const FIRSTBOOT_COMPLETE_UNIT = `[Unit]
Description=Strata: the installed first boot is done; later boots run no Ignition
ConditionKernelCommandLine=ignition.firstboot
RequiresMountsFor=/efi
Before=systemd-bless-boot.service boot-complete.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${FIRSTBOOT_COMPLETE_PATH}

[Install]
WantedBy=multi-user.target
`;
