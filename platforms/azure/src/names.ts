// Every Azure name the program gives a resource, computed in one place from
// the cluster config so that the program, its tests and its docs agree, and
// checked against Azure's naming rules for each resource kind.
import { createHash } from 'node:crypto';
import { clusterTopology, type ClusterConfig } from '@strata/assets';
import { AzurePlatformError } from './errors.ts';

/** Azure's length and character rules for the kinds of resource the program names. */
export interface NameRule {
  readonly min: number;
  readonly max: number;
  readonly pattern: RegExp;
}

// From Azure's "naming rules and restrictions" for each resource provider.
// Cluster and pool names are DNS labels, so only length decides for most kinds.
const NETWORK_NAME = /^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const LINUX_COMPUTER_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/;
const DNS_NAME = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

export const NAME_RULES = {
  virtualNetwork: { min: 2, max: 64, pattern: NETWORK_NAME },
  subnet: { min: 1, max: 80, pattern: NETWORK_NAME },
  networkSecurityGroup: { min: 1, max: 80, pattern: NETWORK_NAME },
  publicIpAddress: { min: 1, max: 80, pattern: NETWORK_NAME },
  natGateway: { min: 1, max: 80, pattern: NETWORK_NAME },
  loadBalancer: { min: 1, max: 80, pattern: NETWORK_NAME },
  loadBalancerChild: { min: 1, max: 80, pattern: NETWORK_NAME },
  networkInterface: { min: 1, max: 80, pattern: NETWORK_NAME },
  privateZoneLink: { min: 1, max: 80, pattern: NETWORK_NAME },
  virtualMachine: { min: 1, max: 64, pattern: LINUX_COMPUTER_NAME },
  computerName: { min: 1, max: 64, pattern: LINUX_COMPUTER_NAME },
  scaleSet: { min: 1, max: 64, pattern: LINUX_COMPUTER_NAME },
  // A scale set's machines are named <prefix><6 characters>, within the 64 of a Linux computer name.
  computerNamePrefix: { min: 1, max: 58, pattern: LINUX_COMPUTER_NAME },
  disk: { min: 1, max: 80, pattern: NETWORK_NAME },
  userAssignedIdentity: { min: 3, max: 128, pattern: /^[A-Za-z0-9][A-Za-z0-9_-]*$/ },
  storageAccount: { min: 3, max: 24, pattern: /^[a-z0-9]+$/ },
  blobContainer: { min: 3, max: 63, pattern: /^[a-z0-9](?!.*--)[a-z0-9-]*[a-z0-9]$/ },
  blob: { min: 1, max: 1024, pattern: /^[A-Za-z0-9._/-]+$/ },
  dnsZone: { min: 1, max: 253, pattern: DNS_NAME },
  recordSet: { min: 1, max: 253, pattern: /^(@|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/ },
} as const satisfies Record<string, NameRule>;

export type NameKind = keyof typeof NAME_RULES;

export interface ControllerNames {
  /** The Kubernetes node name, the topology's target name of its Ignition. */
  readonly node: string;
  readonly index: number;
  readonly virtualMachine: string;
  readonly computerName: string;
  readonly networkInterface: string;
  readonly osDisk: string;
  readonly identity: string;
  /** One container per controller: Azure RBAC scopes data access to a container, not to one blob. */
  readonly container: string;
  readonly blob: string;
  /** The etcd name's record, relative to the private zone (the base domain). */
  readonly etcdRecord: string;
}

export interface WorkerPoolNames {
  readonly pool: string;
  /** The topology's target name of the pool's Ignition, also the worker group's name in the stack outputs. */
  readonly node: string;
  readonly scaleSet: string;
  readonly computerNamePrefix: string;
  readonly networkInterface: string;
}

export interface AzureResourceNames {
  readonly resourceGroup: string;
  readonly virtualNetwork: string;
  readonly controllerSubnet: string;
  readonly workerSubnet: string;
  readonly controllerSecurityGroup: string;
  readonly workerSecurityGroup: string;
  readonly natGateway: string;
  readonly natPublicIp: string;
  readonly apiPublicIp: string;
  readonly loadBalancer: string;
  readonly apiFrontend: string;
  readonly controllerPool: string;
  readonly apiProbe: string;
  readonly apiRule: string;
  /** Private zone of the base domain, linked to the network: the etcd names and the API name inside it. */
  readonly privateZone: string;
  readonly privateZoneLink: string;
  /** The API name's record in the private zone, when the API name lies under the base domain. */
  readonly privateApiRecord: string | undefined;
  /** Public zone of the API name itself, which its parent domain delegates to. */
  readonly publicZone: string;
  readonly storageAccount: string;
  readonly controllers: readonly ControllerNames[];
  readonly workerPools: readonly WorkerPoolNames[];
}

function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** `name`, or its head and a hash of the whole when it is longer than `max`, so distinct long names stay distinct. */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = shortHash(name, 8);
  return `${name.slice(0, max - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

function relativeTo(name: string, zone: string): string | undefined {
  return name.endsWith(`.${zone}`) ? name.slice(0, -(zone.length + 1)) : undefined;
}

/** The names of every resource of the cluster, derived from its config alone. */
export function azureResourceNames(config: ClusterConfig): AzureResourceNames {
  const azure = config.azure;
  if (azure === undefined) {
    throw new AzurePlatformError('the cluster config has no azure section', { field: 'azure' });
  }
  const topology = clusterTopology(config);
  const cluster = config.name;
  const controllers = topology.controllers.map((node): ControllerNames => {
    const etcdRecord = relativeTo(node.etcdHost, config.baseDomain);
    if (etcdRecord === undefined) {
      throw new AzurePlatformError(`etcd name ${node.etcdHost} of ${node.name} is not under ${config.baseDomain}`, {
        node: node.name,
        etcdHost: node.etcdHost,
      });
    }
    return {
      node: node.name,
      index: node.index,
      virtualMachine: node.name,
      computerName: node.name,
      networkInterface: `${node.name}-nic`,
      osDisk: `${node.name}-os`,
      identity: `${node.name}-id`,
      container: `controller-${node.index}`,
      blob: 'config.ign',
      etcdRecord,
    };
  });
  const workerPools = topology.workers.map((group): WorkerPoolNames => {
    const scaleSet = fitName(group.name, NAME_RULES.scaleSet.max);
    return {
      pool: group.pool,
      node: group.name,
      scaleSet,
      computerNamePrefix: fitName(group.name, NAME_RULES.computerNamePrefix.max),
      networkInterface: fitName(`${group.name}-nic`, NAME_RULES.networkInterface.max),
    };
  });
  // Storage account names are global across Azure: the hash of the resource group and the
  // cluster keeps two clusters of one name (in different groups or subscriptions) apart.
  const accountHead = cluster.replaceAll('-', '').slice(0, 13);
  return {
    resourceGroup: azure.resourceGroup,
    virtualNetwork: `${cluster}-vnet`,
    controllerSubnet: 'controllers',
    workerSubnet: 'workers',
    controllerSecurityGroup: `${cluster}-controllers`,
    workerSecurityGroup: `${cluster}-workers`,
    natGateway: `${cluster}-nat`,
    natPublicIp: `${cluster}-nat-ip`,
    apiPublicIp: `${cluster}-api-ip`,
    loadBalancer: `${cluster}-api`,
    apiFrontend: 'api',
    controllerPool: 'controllers',
    apiProbe: 'apiserver',
    apiRule: 'apiserver',
    privateZone: config.baseDomain,
    privateZoneLink: `${cluster}-vnet`,
    privateApiRecord: relativeTo(topology.apiDnsName, config.baseDomain),
    publicZone: topology.apiDnsName,
    storageAccount: `${accountHead}ign${shortHash(`${azure.resourceGroup}/${cluster}`, 8)}`,
    controllers,
    workerPools,
  };
}

/** Every name of `names` with the rule it must follow, for checks and tests. */
export function namedResources(names: AzureResourceNames): { kind: NameKind; name: string }[] {
  const list: { kind: NameKind; name: string }[] = [
    { kind: 'virtualNetwork', name: names.virtualNetwork },
    { kind: 'subnet', name: names.controllerSubnet },
    { kind: 'subnet', name: names.workerSubnet },
    { kind: 'networkSecurityGroup', name: names.controllerSecurityGroup },
    { kind: 'networkSecurityGroup', name: names.workerSecurityGroup },
    { kind: 'natGateway', name: names.natGateway },
    { kind: 'publicIpAddress', name: names.natPublicIp },
    { kind: 'publicIpAddress', name: names.apiPublicIp },
    { kind: 'loadBalancer', name: names.loadBalancer },
    { kind: 'loadBalancerChild', name: names.apiFrontend },
    { kind: 'loadBalancerChild', name: names.controllerPool },
    { kind: 'loadBalancerChild', name: names.apiProbe },
    { kind: 'loadBalancerChild', name: names.apiRule },
    { kind: 'dnsZone', name: names.privateZone },
    { kind: 'privateZoneLink', name: names.privateZoneLink },
    { kind: 'dnsZone', name: names.publicZone },
    { kind: 'storageAccount', name: names.storageAccount },
  ];
  if (names.privateApiRecord !== undefined) list.push({ kind: 'recordSet', name: names.privateApiRecord });
  for (const controller of names.controllers) {
    list.push(
      { kind: 'virtualMachine', name: controller.virtualMachine },
      { kind: 'computerName', name: controller.computerName },
      { kind: 'networkInterface', name: controller.networkInterface },
      { kind: 'disk', name: controller.osDisk },
      { kind: 'userAssignedIdentity', name: controller.identity },
      { kind: 'blobContainer', name: controller.container },
      { kind: 'blob', name: controller.blob },
      { kind: 'recordSet', name: controller.etcdRecord },
    );
  }
  for (const pool of names.workerPools) {
    list.push(
      { kind: 'scaleSet', name: pool.scaleSet },
      { kind: 'computerNamePrefix', name: pool.computerNamePrefix },
      { kind: 'networkInterface', name: pool.networkInterface },
    );
  }
  return list;
}

/** Why `name` breaks the rule of its kind, or undefined when it follows it. */
export function nameProblem(kind: NameKind, name: string): string | undefined {
  const rule: NameRule = NAME_RULES[kind];
  if (name.length < rule.min || name.length > rule.max) {
    return `${kind} name "${name}" has ${name.length} characters; Azure allows ${rule.min} to ${rule.max}`;
  }
  return rule.pattern.test(name) ? undefined : `${kind} name "${name}" does not match ${String(rule.pattern)}`;
}
