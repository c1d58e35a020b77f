// The programs the test initramfs runs: /init, which stands in for Flatcar's
// first boot (network up, Ignition config fetched from the URL on the kernel
// command line), and the script udhcpc calls to apply its lease.

/**
 * The kernel arguments Flatcar's Ignition reads its config URL from: Strata's
 * bare-metal flow sets the first, matchbox's examples the second.
 */
export const IGNITION_URL_ARGUMENTS = ['flatcar.config.url', 'ignition.config.url'] as const;

/**
 * Serial console framing. The begin line carries the config's length in
 * bytes, so the host reads exactly what the guest fetched, whatever it holds.
 */
export const IGNITION_BEGIN_MARKER = 'STRATA-IGNITION-BEGIN';
export const IGNITION_END_MARKER = 'STRATA-IGNITION-END';
/** Followed by the reason, when the guest gives up. */
export const GUEST_FAILURE_MARKER = 'STRATA-PXE-FAILED:';

export const UDHCPC_SCRIPT_PATH = '/etc/udhcpc.script';

/** `modules` are paths inside the initramfs, in load order. */
export function initScript(modules: readonly string[]): string {
  const urlCases = IGNITION_URL_ARGUMENTS.map((name) => `    ${name}=*) url="\${arg#${name}=}" ;;`).join('\n');
  const insmods = modules.map((path) => `insmod ${path} || fail "insmod ${path} failed"`).join('\n');
  return `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

fail() {
  echo "${GUEST_FAILURE_MARKER} $*"
  poweroff -f
}

# Kernel messages must not land inside the config on the shared serial line,
# and the config's bytes must reach the host unchanged (no LF -> CRLF).
dmesg -n 1
stty -opost

${insmods}

udhcpc -i eth0 -f -q -n -t 10 -T 1 -s ${UDHCPC_SCRIPT_PATH} || fail "no DHCP lease on eth0"

# The URL holds "?" and "&": no globbing while splitting the command line.
set -f
url=
for arg in $(cat /proc/cmdline); do
  case "$arg" in
${urlCases}
  esac
done
[ -n "$url" ] || fail "no ${IGNITION_URL_ARGUMENTS.join('= or ')}= on the kernel command line: $(cat /proc/cmdline)"

echo "fetching $url"
wget -q -O /tmp/ignition "$url" || fail "wget $url failed"
echo "${IGNITION_BEGIN_MARKER} $(wc -c < /tmp/ignition)"
cat /tmp/ignition
echo
echo "${IGNITION_END_MARKER}"
poweroff -f
`;
}

/** udhcpc hands the lease over in environment variables and leaves applying it to this script. */
export function udhcpcScript(): string {
  return `#!/bin/sh
case "$1" in
  deconfig)
    ifconfig "$interface" 0.0.0.0 up
    ;;
  bound|renew)
    ifconfig "$interface" "$ip" \${subnet:+netmask "$subnet"} up
    for gateway in $router; do
      route add default gw "$gateway" dev "$interface"
      break
    done
    ;;
esac
exit 0
`;
}
