// The GCP platform's Pulumi program: a network with Cloud NAT and firewall
// rules, the controllers behind a regional TCP load balancer on 6443, Cloud
// DNS records for the API and etcd, and one regional managed instance group
// per worker pool. Controllers' full Ignition configs (the cluster's private
// keys) live in a private Cloud Storage bucket, each object readable by that
// controller's service account only; their user data holds a pointer.
import * as pulumi from '@pulumi/pulumi';
import type { PulumiFn } from '@pulumi/pulumi/automation/index.js';
import * as compute from '@pulumi/gcp/compute/index.js';
import * as dns from '@pulumi/gcp/dns/index.js';
import { Provider } from '@pulumi/gcp/provider.js';
import * as serviceaccount from '@pulumi/gcp/serviceaccount/index.js';
import * as storage from '@pulumi/gcp/storage/index.js';
import type { PlatformStackOutputs, ProvisionedNode } from '@strata/api';
import { UPDATE_SERVER_PORT, type PlatformProgramInput } from '@strata/assets';
import { zoneFor } from './dns-zone.ts';
import { GcpPlatformError } from './errors.ts';
import { gcsUrl, ignitionPointer } from './ignition-pointer.ts';
import { osImageLookup } from './image.ts';
import { gcpResourceNames } from './names.ts';
import { nodeSubnetRange } from './node-subnet.ts';

/** Google's range for IAP TCP forwarding: SSH reaches the nodes through `gcloud compute ssh --tunnel-through-iap` only. */
export const IAP_SSH_RANGE = '35.235.240.0/20';
/** flannel's VXLAN port (the Linux kernel's default, which flannel keeps unless told otherwise). */
export const FLANNEL_VXLAN_PORT = 8472;
export const KUBELET_PORT = 10250;
export const ETCD_PORTS = ['2379', '2380'] as const;
export const DEFAULT_WORKER_MACHINE_TYPE = 'n2-standard-2';
const DISK_SIZE_GB = 30;
const DISK_TYPE = 'pd-balanced';
const STORAGE_READ_SCOPE = 'https://www.googleapis.com/auth/devstorage.read_only';
const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

// Instance metadata every node gets: the legacy metadata endpoints (which do
// not ask for the Metadata-Flavor header) stay off, and project-wide SSH keys
// do not reach the nodes; only the keys of cluster.yaml do, through Ignition.
export const NODE_METADATA = { 'disable-legacy-endpoints': 'true', 'block-project-ssh-keys': 'true' } as const;

/**
 * The resource that holds a controller's full Ignition: the one kind a key rotation updates, through this program
 * (the pointer in a running instance's metadata is ignored, so nothing else follows).
 */
export const CONTROLLER_CONFIG_TYPE = 'gcp:storage/bucketObject:BucketObject';

/** The stack outputs as the program returns them: values the engine resolves into `PlatformStackOutputs`. */
export type GcpProgramOutputs = { readonly [K in keyof PlatformStackOutputs]: pulumi.Input<PlatformStackOutputs[K]> };

function ignitionOf(input: PlatformProgramInput, target: string): string {
  const content = input.ignition.get(target);
  if (content === undefined) {
    throw new GcpPlatformError(`the render holds no Ignition config for ${target}`, {
      target,
      rendered: [...input.ignition.keys()],
    });
  }
  return content;
}

function privateAddress(instance: compute.Instance, name: string): pulumi.Output<string> {
  return instance.networkInterfaces.apply((interfaces) => {
    const address = interfaces[0]?.networkIp;
    if (address === undefined || address === '') {
      throw new GcpPlatformError(`Compute Engine reported no private address for ${name}`, { instance: name });
    }
    return address;
  });
}

/** The cluster `input` describes, as an inline Pulumi program for `openStack` of `@strata/pulumi-workspace`. */
export function gcpProgram(input: PlatformProgramInput): PulumiFn {
  return async (): Promise<GcpProgramOutputs> => {
    const { config, topology } = input;
    const gcp = config.gcp;
    if (config.platform !== 'gcp' || gcp === undefined) {
      throw new GcpPlatformError('the GCP program needs a config with platform gcp and a gcp section', {
        field: 'gcp',
        platform: config.platform,
      });
    }
    const names = gcpResourceNames(config);
    const labels = names.labels;
    const { project, region, zones } = gcp;
    const subnetRange = nodeSubnetRange(config.networking);

    const provider = new Provider('gcp', { project, region, defaultLabels: labels });
    const opts: pulumi.CustomResourceOptions = { provider };

    const image = await compute.getImage(osImageLookup(config.os), { provider });
    const { managedZones } = await dns.getManagedZones({ project }, { provider });
    // Every name's zone is found before any cloud resource is declared, so a missing zone stops the run early.
    const apiZone = zoneFor(topology.apiDnsName, managedZones, project);
    const etcdZones = topology.controllers.map((controller) => zoneFor(controller.etcdHost, managedZones, project));

    // --- network -------------------------------------------------------------
    const network = new compute.Network(
      names.network,
      { name: names.network, autoCreateSubnetworks: false, description: `Strata cluster ${config.name}` },
      opts,
    );
    const subnetwork = new compute.Subnetwork(
      names.subnetwork,
      { name: names.subnetwork, network: network.id, region, ipCidrRange: subnetRange, privateIpGoogleAccess: true },
      opts,
    );
    // The nodes have no public addresses; they reach image registries and the
    // OS update servers through Cloud NAT.
    const router = new compute.Router(names.router, { name: names.router, network: network.id, region }, opts);
    new compute.RouterNat(
      names.nat,
      {
        name: names.nat,
        router: router.name,
        region,
        natIpAllocateOption: 'AUTO_ONLY',
        sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES',
      },
      opts,
    );

    const { controller: controllerTag, worker: workerTag } = names.tags;
    const nodeTags = [controllerTag, workerTag];
    // The load balancer passes clients' addresses through, so the API's rule
    // admits every source; it also admits Google's health checkers.
    new compute.Firewall(
      names.firewall.apiServer,
      {
        name: names.firewall.apiServer,
        network: network.id,
        direction: 'INGRESS',
        allows: [{ protocol: 'tcp', ports: [String(topology.apiServerPort)] }],
        sourceRanges: ['0.0.0.0/0'],
        targetTags: [controllerTag],
      },
      opts,
    );
    new compute.Firewall(
      names.firewall.etcd,
      {
        name: names.firewall.etcd,
        network: network.id,
        direction: 'INGRESS',
        allows: [{ protocol: 'tcp', ports: [...ETCD_PORTS] }],
        sourceTags: [controllerTag],
        targetTags: [controllerTag],
      },
      opts,
    );
    // The update server listens on the first controller's host network and
    // every node's update.conf names it there (ADR 0048). Controllers share
    // one tag, so the rule targets them all; it admits the nodes' tags only.
    new compute.Firewall(
      names.firewall.updateServer,
      {
        name: names.firewall.updateServer,
        network: network.id,
        direction: 'INGRESS',
        allows: [{ protocol: 'tcp', ports: [String(UPDATE_SERVER_PORT)] }],
        sourceTags: nodeTags,
        targetTags: [controllerTag],
      },
      opts,
    );
    new compute.Firewall(
      names.firewall.ssh,
      {
        name: names.firewall.ssh,
        network: network.id,
        direction: 'INGRESS',
        allows: [{ protocol: 'tcp', ports: ['22'] }],
        sourceRanges: [IAP_SSH_RANGE],
        targetTags: nodeTags,
      },
      opts,
    );
    new compute.Firewall(
      names.firewall.nodes,
      {
        name: names.firewall.nodes,
        network: network.id,
        direction: 'INGRESS',
        allows: [
          { protocol: 'udp', ports: [String(FLANNEL_VXLAN_PORT)] },
          { protocol: 'tcp', ports: [String(KUBELET_PORT)] },
          { protocol: 'icmp' },
        ],
        sourceTags: nodeTags,
        targetTags: nodeTags,
      },
      opts,
    );

    // --- controllers ---------------------------------------------------------
    const bucket = new storage.Bucket(
      names.ignitionBucket,
      {
        name: names.ignitionBucket,
        location: region.toUpperCase(),
        uniformBucketLevelAccess: true,
        publicAccessPrevention: 'enforced',
        // Its objects are this stack's own; a destroy must not stop at them.
        forceDestroy: true,
        labels,
      },
      opts,
    );
    const controllers = topology.controllers.map((controller, index) => {
      const controllerNames = names.controllers[index];
      const zone = zones[index % zones.length];
      const etcdZone = etcdZones[index];
      if (controllerNames === undefined || zone === undefined || etcdZone === undefined) {
        throw new GcpPlatformError(`no names or zone for ${controller.name}`, { node: controller.name });
      }
      const full = ignitionOf(input, controller.name);
      const account = new serviceaccount.Account(
        controllerNames.serviceAccountId,
        { accountId: controllerNames.serviceAccountId, displayName: `Strata ${controller.name}` },
        opts,
      );
      const object = new storage.BucketObject(
        `ignition/${controller.name}`,
        {
          bucket: bucket.name,
          name: controllerNames.ignitionObject,
          content: pulumi.secret(full),
          contentType: 'application/json',
        },
        opts,
      );
      const reader = new storage.BucketIAMMember(
        `ignition-reader/${controller.name}`,
        {
          bucket: bucket.name,
          role: 'roles/storage.objectViewer',
          member: pulumi.interpolate`serviceAccount:${account.email}`,
          condition: {
            title: `${controller.name} reads its Ignition`,
            expression: `resource.name == "projects/_/buckets/${names.ignitionBucket}/objects/${controllerNames.ignitionObject}"`,
          },
        },
        opts,
      );
      const instance = new compute.Instance(
        controllerNames.instance,
        {
          name: controllerNames.instance,
          zone,
          machineType: gcp.controllerType,
          bootDisk: {
            autoDelete: true,
            initializeParams: { image: image.selfLink, size: DISK_SIZE_GB, type: DISK_TYPE, labels },
          },
          networkInterfaces: [{ subnetwork: subnetwork.id }],
          metadata: {
            ...NODE_METADATA,
            'user-data': ignitionPointer(gcsUrl(names.ignitionBucket, controllerNames.ignitionObject), full),
          },
          serviceAccount: { email: account.email, scopes: [STORAGE_READ_SCOPE] },
          tags: [controllerTag],
          labels,
          allowStoppingForUpdate: true,
        },
        // Ignition fetches its config once, at first boot: the object and the right to read it come first. A
        // new render (a key rotation's) changes the object and its hash; a running controller has booted, so
        // its pointer stays, and a controller created again gets the pointer to the object as it is then.
        { ...opts, dependsOn: [object, reader], ignoreChanges: ['metadata["user-data"]'] },
      );
      const address = privateAddress(instance, controller.name);
      new dns.RecordSet(
        `dns/${controller.etcdHost}`,
        {
          managedZone: etcdZone.name,
          name: `${controller.etcdHost}.`,
          type: 'A',
          ttl: 300,
          rrdatas: [address],
        },
        opts,
      );
      return { node: controller, zone, instance, address };
    });

    // --- the API's load balancer ---------------------------------------------
    const groups = [...new Set(controllers.map((controller) => controller.zone))].map(
      (zone) =>
        new compute.InstanceGroup(
          names.controllerGroup(zone),
          {
            name: names.controllerGroup(zone),
            zone,
            network: network.id,
            instances: controllers
              .filter((controller) => controller.zone === zone)
              .map((controller) => controller.instance.selfLink),
            namedPorts: [{ name: 'apiserver', port: topology.apiServerPort }],
          },
          opts,
        ),
    );
    const healthCheck = new compute.RegionHealthCheck(
      names.apiHealthCheck,
      {
        name: names.apiHealthCheck,
        region,
        // /readyz answers anonymous requests (the render's authentication config allows it).
        httpsHealthCheck: { port: topology.apiServerPort, requestPath: '/readyz' },
        checkIntervalSec: 5,
        timeoutSec: 5,
      },
      opts,
    );
    const backendService = new compute.RegionBackendService(
      names.apiBackendService,
      {
        name: names.apiBackendService,
        region,
        loadBalancingScheme: 'EXTERNAL',
        protocol: 'TCP',
        healthChecks: healthCheck.id,
        backends: groups.map((group) => ({ group: group.selfLink, balancingMode: 'CONNECTION' })),
      },
      opts,
    );
    const apiAddress = new compute.Address(
      names.apiAddress,
      { name: names.apiAddress, region, addressType: 'EXTERNAL', labels },
      opts,
    );
    new compute.ForwardingRule(
      names.apiForwardingRule,
      {
        name: names.apiForwardingRule,
        region,
        ipAddress: apiAddress.address,
        ipProtocol: 'TCP',
        portRange: String(topology.apiServerPort),
        loadBalancingScheme: 'EXTERNAL',
        backendService: backendService.id,
        labels,
      },
      opts,
    );
    new dns.RecordSet(
      `dns/${topology.apiDnsName}`,
      {
        managedZone: apiZone.name,
        name: `${topology.apiDnsName}.`,
        type: 'A',
        ttl: 300,
        rrdatas: [apiAddress.address],
      },
      opts,
    );

    // --- workers -------------------------------------------------------------
    const workerAccount = new serviceaccount.Account(
      names.workerServiceAccountId,
      { accountId: names.workerServiceAccountId, displayName: `Strata ${config.name} workers` },
      opts,
    );
    const workers = names.workerPools.map((poolNames) => {
      const pool = config.workerPools.find((candidate) => candidate.name === poolNames.pool);
      if (pool === undefined) {
        throw new GcpPlatformError(`worker pool ${poolNames.pool} is not in the config`, { pool: poolNames.pool });
      }
      const template = new compute.InstanceTemplate(
        `template/${poolNames.target}`,
        {
          namePrefix: poolNames.templatePrefix,
          machineType: pool.instanceType ?? DEFAULT_WORKER_MACHINE_TYPE,
          disks: [
            {
              boot: true,
              autoDelete: true,
              sourceImage: image.selfLink,
              diskSizeGb: DISK_SIZE_GB,
              diskType: DISK_TYPE,
              labels,
            },
          ],
          networkInterfaces: [{ subnetwork: subnetwork.id }],
          // The pool's config holds a bootstrap token: secret in the state.
          metadata: pulumi.secret({ ...NODE_METADATA, 'user-data': ignitionOf(input, poolNames.target) }),
          // The workers' account has no role, so a pod that reaches the metadata
          // server gets a token that opens nothing; access is IAM's to decide,
          // with the full scope, as the provider recommends for a dedicated account.
          serviceAccount: { email: workerAccount.email, scopes: [CLOUD_PLATFORM_SCOPE] },
          tags: [workerTag],
          labels,
        },
        opts,
      );
      new compute.RegionInstanceGroupManager(
        `group/${poolNames.target}`,
        {
          name: poolNames.groupManager,
          region,
          baseInstanceName: poolNames.baseInstanceName,
          distributionPolicyZones: zones,
          versions: [{ name: 'strata', instanceTemplate: template.selfLinkUnique }],
          targetSize: pool.count,
          allInstancesConfig: { labels },
          updatePolicy: {
            type: 'PROACTIVE',
            minimalAction: 'REPLACE',
            // A regional group surges by whole zones.
            maxSurgeFixed: zones.length,
            maxUnavailableFixed: 0,
          },
          waitForInstances: false,
        },
        opts,
      );
      return { name: poolNames.target, count: pool.count };
    });

    const nodes = pulumi.all(controllers.map((controller) => controller.address)).apply((addresses) => [
      ...controllers.map((controller, index): ProvisionedNode => ({
        name: controller.node.name,
        role: 'controller',
        ...(addresses[index] === undefined ? {} : { address: addresses[index] }),
      })),
      ...workers.map((worker): ProvisionedNode => ({ name: worker.name, role: 'worker', count: worker.count })),
    ]);
    return { apiEndpoint: topology.apiServerUrl, nodes };
  };
}
