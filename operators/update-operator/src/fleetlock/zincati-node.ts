// Which nodes may speak FleetLock at all. Only Fedora CoreOS runs Zincati;
// a Flatcar node's reboots go through the update agent, so a FleetLock request
// in a Flatcar node's name can only come from someone else. The kubelet
// reports os-release's PRETTY_NAME as nodeInfo.osImage, which on Fedora CoreOS
// is "Fedora CoreOS <version>".

const FEDORA_COREOS_OS_IMAGE = /^Fedora CoreOS(?: |$)/;

/** Whether a node reporting this nodeInfo.osImage runs Zincati (Fedora CoreOS). */
export function runsZincati(osImage: string | undefined): boolean {
  return osImage !== undefined && FEDORA_COREOS_OS_IMAGE.test(osImage);
}

/**
 * A socket's remote address as the Node's status.addresses write it: Node
 * reports an IPv4 peer of a dual-stack socket as ::ffff:a.b.c.d, and IPv6
 * addresses are compared in lower case.
 */
export function normaliseSourceAddress(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped?.[1] ?? address.toLowerCase();
}

/** Whether `source` (a socket's remote address) is one of the node's own InternalIP/ExternalIP addresses. */
export function isNodeAddress(source: string, nodeAddresses: readonly string[]): boolean {
  const wanted = normaliseSourceAddress(source);
  return nodeAddresses.some((address) => normaliseSourceAddress(address) === wanted);
}
