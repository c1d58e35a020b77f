// The Azure program: turns the plan (plan.ts) into Azure resources through
// @pulumi/azure-native, one module file per resource kind so that loading the
// program does not load the whole SDK.
import * as pulumi from '@pulumi/pulumi';
import type { PulumiFn } from '@pulumi/pulumi/automation/index.js';
import { getClientConfigOutput } from '@pulumi/azure-native/authorization/getClientConfig.js';
import { RoleAssignment } from '@pulumi/azure-native/authorization/roleAssignment.js';
import { VirtualMachine } from '@pulumi/azure-native/compute/virtualMachine.js';
import { VirtualMachineScaleSet } from '@pulumi/azure-native/compute/virtualMachineScaleSet.js';
import { RecordSet } from '@pulumi/azure-native/dns/recordSet.js';
import { Zone } from '@pulumi/azure-native/dns/zone.js';
import { UserAssignedIdentity } from '@pulumi/azure-native/managedidentity/userAssignedIdentity.js';
import { LoadBalancer } from '@pulumi/azure-native/network/loadBalancer.js';
import { NatGateway } from '@pulumi/azure-native/network/natGateway.js';
import { NetworkInterface } from '@pulumi/azure-native/network/networkInterface.js';
import { NetworkSecurityGroup } from '@pulumi/azure-native/network/networkSecurityGroup.js';
import { PublicIPAddress } from '@pulumi/azure-native/network/publicIPAddress.js';
import { Subnet } from '@pulumi/azure-native/network/subnet.js';
import { VirtualNetwork } from '@pulumi/azure-native/network/virtualNetwork.js';
import { PrivateRecordSet } from '@pulumi/azure-native/privatedns/privateRecordSet.js';
import { PrivateZone } from '@pulumi/azure-native/privatedns/privateZone.js';
import { VirtualNetworkLink } from '@pulumi/azure-native/privatedns/virtualNetworkLink.js';
import { ResourceGroup } from '@pulumi/azure-native/resources/resourceGroup.js';
import { Blob } from '@pulumi/azure-native/storage/blob.js';
import { BlobContainer } from '@pulumi/azure-native/storage/blobContainer.js';
import { StorageAccount } from '@pulumi/azure-native/storage/storageAccount.js';
import type { PlatformStackOutputs } from '@strata/api';
import type { PlatformProgramInput } from '@strata/assets';
import { OS_DISK_GIB, STORAGE_BLOB_DATA_READER_ROLE } from './constants.ts';
import { azurePlan, type AzurePlan } from './plan.ts';
import { controllerSecurityRules, workerSecurityRules } from './security-rules.ts';

const ADMIN_USER = 'core';
const DNS_TTL_SECONDS = 300;
// Every VM size supports standard SSDs; premium disks need sizes with an "s".
const DISK_TYPE = 'StandardSSD_LRS';

function linuxConfiguration(sshKeys: readonly string[]) {
  // Azure requires a key when passwords are off; Ignition writes the same keys for core.
  return {
    disablePasswordAuthentication: true,
    ssh: { publicKeys: sshKeys.map((keyData) => ({ path: `/home/${ADMIN_USER}/.ssh/authorized_keys`, keyData })) },
  };
}

function declare(plan: AzurePlan): PlatformStackOutputs {
  const { names, tags, location } = plan;
  const client = getClientConfigOutput();
  const group = new ResourceGroup(names.resourceGroup, { resourceGroupName: names.resourceGroup, location, tags });
  const inGroup = { resourceGroupName: group.name, location, tags };
  // The load balancer's children refer to each other by ID before it exists.
  const loadBalancerId = pulumi.interpolate`/subscriptions/${client.subscriptionId}/resourceGroups/${group.name}/providers/Microsoft.Network/loadBalancers/${names.loadBalancer}`;
  const controllerPoolId = pulumi.interpolate`${loadBalancerId}/backendAddressPools/${names.controllerPool}`;

  // Network: egress through a NAT gateway, since Azure no longer gives new subnets default outbound access.
  const network = new VirtualNetwork(names.virtualNetwork, {
    ...inGroup,
    virtualNetworkName: names.virtualNetwork,
    addressSpace: { addressPrefixes: [plan.addresses.hostCidr] },
  });
  const natIp = new PublicIPAddress(names.natPublicIp, {
    ...inGroup,
    publicIpAddressName: names.natPublicIp,
    sku: { name: 'Standard' },
    publicIPAllocationMethod: 'Static',
  });
  const nat = new NatGateway(names.natGateway, {
    ...inGroup,
    natGatewayName: names.natGateway,
    sku: { name: 'Standard' },
    publicIpAddresses: [{ id: natIp.id }],
  });
  const controllerGroup = new NetworkSecurityGroup(names.controllerSecurityGroup, {
    ...inGroup,
    networkSecurityGroupName: names.controllerSecurityGroup,
    securityRules: controllerSecurityRules(plan.addresses.controllerSubnet, plan.apiPort),
  });
  const workerGroup = new NetworkSecurityGroup(names.workerSecurityGroup, {
    ...inGroup,
    networkSecurityGroupName: names.workerSecurityGroup,
    securityRules: workerSecurityRules(plan.addresses.workerSubnet),
  });
  const subnet = (name: string, prefix: string, securityGroup: NetworkSecurityGroup) =>
    new Subnet(`${names.virtualNetwork}/${name}`, {
      resourceGroupName: group.name,
      virtualNetworkName: network.name,
      subnetName: name,
      addressPrefix: prefix,
      networkSecurityGroup: { id: securityGroup.id },
      natGateway: { id: nat.id },
      defaultOutboundAccess: false,
    });
  const controllerSubnet = subnet(names.controllerSubnet, plan.addresses.controllerSubnet, controllerGroup);
  const workerSubnet = subnet(names.workerSubnet, plan.addresses.workerSubnet, workerGroup);

  // The API: a standard load balancer whose one rule sends 6443 to the controllers' pool.
  const apiIp = new PublicIPAddress(names.apiPublicIp, {
    ...inGroup,
    publicIpAddressName: names.apiPublicIp,
    sku: { name: 'Standard' },
    publicIPAllocationMethod: 'Static',
  });
  new LoadBalancer(names.loadBalancer, {
    ...inGroup,
    loadBalancerName: names.loadBalancer,
    sku: { name: 'Standard' },
    frontendIPConfigurations: [{ name: names.apiFrontend, publicIPAddress: { id: apiIp.id } }],
    backendAddressPools: [{ name: names.controllerPool }],
    probes: [{ name: names.apiProbe, protocol: 'Tcp', port: plan.apiPort, intervalInSeconds: 5, probeThreshold: 2 }],
    loadBalancingRules: [
      {
        name: names.apiRule,
        protocol: 'Tcp',
        frontendPort: plan.apiPort,
        backendPort: plan.apiPort,
        frontendIPConfiguration: {
          id: pulumi.interpolate`${loadBalancerId}/frontendIPConfigurations/${names.apiFrontend}`,
        },
        backendAddressPool: { id: controllerPoolId },
        probe: { id: pulumi.interpolate`${loadBalancerId}/probes/${names.apiProbe}` },
        // Egress is the NAT gateway's job.
        disableOutboundSnat: true,
        enableTcpReset: true,
      },
    ],
  });

  // DNS: a private zone of the base domain for the machines (etcd and API names), and a public zone of the
  // API name for everyone else, which the API name's parent domain delegates to.
  const privateZone = new PrivateZone(`private/${names.privateZone}`, {
    resourceGroupName: group.name,
    privateZoneName: names.privateZone,
    location: 'Global',
    tags,
  });
  new VirtualNetworkLink(names.privateZoneLink, {
    resourceGroupName: group.name,
    privateZoneName: privateZone.name,
    virtualNetworkLinkName: names.privateZoneLink,
    location: 'Global',
    virtualNetwork: { id: network.id },
    registrationEnabled: false,
    tags,
  });
  if (names.privateApiRecord !== undefined) {
    new PrivateRecordSet(`private/${names.privateApiRecord}`, {
      resourceGroupName: group.name,
      privateZoneName: privateZone.name,
      relativeRecordSetName: names.privateApiRecord,
      recordType: 'A',
      ttl: DNS_TTL_SECONDS,
      aRecords: [{ ipv4Address: apiIp.ipAddress.apply((address) => address ?? '') }],
    });
  }
  const publicZone = new Zone(`public/${names.publicZone}`, {
    resourceGroupName: group.name,
    zoneName: names.publicZone,
    zoneType: 'Public',
    location: 'Global',
    tags,
  });
  new RecordSet(`public/${names.publicZone}/A`, {
    resourceGroupName: group.name,
    zoneName: publicZone.name,
    relativeRecordSetName: '@',
    recordType: 'A',
    ttl: DNS_TTL_SECONDS,
    targetResource: { id: apiIp.id },
  });

  // Controllers' full configs: private blobs, one container each, readable by that controller's identity alone.
  const account = new StorageAccount(names.storageAccount, {
    ...inGroup,
    accountName: names.storageAccount,
    kind: 'StorageV2',
    sku: { name: 'Standard_LRS' },
    allowBlobPublicAccess: false,
    enableHttpsTrafficOnly: true,
    minimumTlsVersion: 'TLS1_2',
  });
  for (const controller of plan.controllers) {
    const n = controller.names;
    const identity = new UserAssignedIdentity(n.identity, { ...inGroup, resourceName: n.identity });
    const container = new BlobContainer(`${names.storageAccount}/${n.container}`, {
      resourceGroupName: group.name,
      accountName: account.name,
      containerName: n.container,
      publicAccess: 'None',
    });
    const blob = new Blob(`${names.storageAccount}/${n.container}/${n.blob}`, {
      resourceGroupName: group.name,
      accountName: account.name,
      containerName: container.name,
      blobName: n.blob,
      type: 'Block',
      contentType: 'application/json',
      // The config holds the cluster's private keys: encrypted in the stack's state.
      source: pulumi.secret(controller.ignition).apply((text) => new pulumi.asset.StringAsset(text)),
    });
    const reader = new RoleAssignment(`${n.node}-ignition-reader`, {
      scope: container.id,
      principalId: identity.principalId,
      principalType: 'ServicePrincipal',
      roleDefinitionId: pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${STORAGE_BLOB_DATA_READER_ROLE}`,
    });
    new PrivateRecordSet(`private/${n.etcdRecord}`, {
      resourceGroupName: group.name,
      privateZoneName: privateZone.name,
      relativeRecordSetName: n.etcdRecord,
      recordType: 'A',
      ttl: DNS_TTL_SECONDS,
      aRecords: [{ ipv4Address: controller.address }],
    });
    const nic = new NetworkInterface(n.networkInterface, {
      ...inGroup,
      networkInterfaceName: n.networkInterface,
      ipConfigurations: [
        {
          name: 'ipv4',
          primary: true,
          subnet: { id: controllerSubnet.id },
          privateIPAllocationMethod: 'Static',
          privateIPAddress: controller.address,
          loadBalancerBackendAddressPools: [{ id: controllerPoolId }],
        },
      ],
    });
    new VirtualMachine(
      n.virtualMachine,
      {
        ...inGroup,
        vmName: n.virtualMachine,
        hardwareProfile: { vmSize: plan.controllerSize },
        identity: { type: 'UserAssigned', userAssignedIdentities: [identity.id] },
        networkProfile: { networkInterfaces: [{ id: nic.id, primary: true }] },
        osProfile: {
          computerName: n.computerName,
          adminUsername: ADMIN_USER,
          customData: controller.customData,
          linuxConfiguration: linuxConfiguration(plan.sshKeys),
        },
        storageProfile: {
          imageReference: plan.image.imageReference,
          // Deleted with the machine, so that destroying the stack leaves no disk behind.
          osDisk: {
            name: n.osDisk,
            createOption: 'FromImage',
            deleteOption: 'Delete',
            diskSizeGB: OS_DISK_GIB,
            managedDisk: { storageAccountType: DISK_TYPE },
          },
        },
        plan: plan.image.plan,
      },
      // Ignition fetches the blob at first boot: the blob and the right to read it come first.
      { dependsOn: [blob, reader] },
    );
  }

  for (const pool of plan.workerPools) {
    new VirtualMachineScaleSet(pool.names.scaleSet, {
      ...inGroup,
      vmScaleSetName: pool.names.scaleSet,
      sku: { name: pool.size, tier: 'Standard', capacity: pool.count },
      orchestrationMode: 'Uniform',
      upgradePolicy: { mode: 'Manual' },
      overprovision: false,
      plan: plan.image.plan,
      virtualMachineProfile: {
        osProfile: {
          computerNamePrefix: pool.names.computerNamePrefix,
          adminUsername: ADMIN_USER,
          // Holds the bootstrap token: encrypted in the stack's state.
          customData: pulumi.secret(pool.customData),
          linuxConfiguration: linuxConfiguration(plan.sshKeys),
        },
        storageProfile: {
          imageReference: plan.image.imageReference,
          osDisk: {
            createOption: 'FromImage',
            diskSizeGB: OS_DISK_GIB,
            managedDisk: { storageAccountType: DISK_TYPE },
          },
        },
        networkProfile: {
          networkInterfaceConfigurations: [
            {
              name: pool.names.networkInterface,
              primary: true,
              ipConfigurations: [{ name: 'ipv4', primary: true, subnet: { id: workerSubnet.id } }],
            },
          ],
        },
      },
    });
  }
  return plan.outputs;
}

/**
 * The inline program for `openStack` of @strata/pulumi-workspace. The plan is made now, so that a config or
 * render the program cannot use fails here, before any engine starts.
 */
export function azureProgram(input: PlatformProgramInput): PulumiFn {
  const plan = azurePlan(input);
  return () => Promise.resolve(declare(plan));
}
