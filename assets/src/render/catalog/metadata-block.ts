// Pods must not reach the cloud's instance metadata server: on GCP and Azure
// it hands any caller on the machine the instance's credentials (a service
// account's or a managed identity's token), and neither cloud lets a firewall
// resource filter a VM's traffic to it. So each node filters it itself: pod
// traffic is forwarded by the node, so a drop in the forward hook, for sources
// in the pod ranges, stops pods and leaves host-network components (the
// kubelet, the cloud's own agents) free to ask. AWS needs none: its program
// requires IMDSv2 with a hop limit of 1, whose token never reaches a pod.
import type { Platform } from '../../config/schema.ts';
import { parseCidr, splitCidrList } from '../../net/cidr.ts';
import { PUBLIC_FILE_MODE } from '@strata/host';
import type { NodeFile, NodeUnit } from './node-files.ts';

/** The metadata server's addresses, per platform that needs the rule; IPv6 only where the cloud serves it there. */
export const METADATA_SERVERS: Readonly<Partial<Record<Platform, { readonly ipv4: string; readonly ipv6?: string }>>> =
  {
    gcp: { ipv4: '169.254.169.254', ipv6: 'fd20:ce::254' },
    azure: { ipv4: '169.254.169.254' },
  };

export const METADATA_BLOCK_RULES_PATH = '/etc/strata/metadata-block.nft';
export const METADATA_BLOCK_UNIT = 'strata-metadata-block.service';
/** The nftables table the rules live in: its own, so that kube-proxy's and flannel's tables are never touched. */
export const METADATA_BLOCK_TABLE = 'strata_metadata_block';

/**
 * The nftables script. Declaring the table and deleting it first makes the
 * script replace its own rules when it runs again, and fail as a whole
 * (nft applies a file atomically) rather than leave half a rule set.
 * Priority -10 runs before the filter chains other tools add at 0.
 */
export function metadataBlockRules(podCidr: string, server: { readonly ipv4: string; readonly ipv6?: string }): string {
  const byFamily = { 4: [] as string[], 6: [] as string[] };
  for (const entry of splitCidrList(podCidr)) {
    const parsed = parseCidr(entry);
    if (parsed.ok) byFamily[parsed.cidr.family].push(entry);
  }
  const rules = [
    ...(byFamily[4].length > 0
      ? [`    ip saddr { ${byFamily[4].join(', ')} } ip daddr ${server.ipv4} counter drop`]
      : []),
    ...(byFamily[6].length > 0 && server.ipv6 !== undefined
      ? [`    ip6 saddr { ${byFamily[6].join(', ')} } ip6 daddr ${server.ipv6} counter drop`]
      : []),
  ];
  return [
    `table inet ${METADATA_BLOCK_TABLE}`,
    `delete table inet ${METADATA_BLOCK_TABLE}`,
    `table inet ${METADATA_BLOCK_TABLE} {`,
    '  chain forward {',
    '    type filter hook forward priority -10; policy accept;',
    ...rules,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The unit that loads the rules; the kubelet requires it, so no pod starts on a node without them. */
export function metadataBlockUnit(): NodeUnit {
  return {
    name: METADATA_BLOCK_UNIT,
    enabled: true,
    contents: [
      '[Unit]',
      "Description=Keep pods from the cloud's instance metadata server",
      'DefaultDependencies=no',
      'After=local-fs.target',
      'Before=network-pre.target kubelet.service containerd.service',
      'Wants=network-pre.target',
      '',
      '[Service]',
      'Type=oneshot',
      'RemainAfterExit=yes',
      `ExecStart=/usr/sbin/nft -f ${METADATA_BLOCK_RULES_PATH}`,
      '',
      '[Install]',
      'WantedBy=multi-user.target',
      'RequiredBy=kubelet.service',
      '',
    ].join('\n'),
  };
}

/** What a node on `platform` gets: the rules file and its unit, or nothing where the platform needs neither. */
export function metadataBlockSystem(
  platform: Platform,
  podCidr: string,
): { readonly files: NodeFile[]; readonly units: NodeUnit[] } {
  const server = METADATA_SERVERS[platform];
  if (server === undefined) return { files: [], units: [] };
  return {
    files: [{ path: METADATA_BLOCK_RULES_PATH, contents: metadataBlockRules(podCidr, server), mode: PUBLIC_FILE_MODE }],
    units: [metadataBlockUnit()],
  };
}
