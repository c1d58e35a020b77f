// The controllers: each boots from a pointer to a private blob holding its
// full Ignition config, readable by its own managed identity alone (one
// container per controller, since Azure RBAC scopes data roles no finer).
import * as pulumi from '@pulumi/pulumi';
import { RoleAssignment } from '@pulumi/azure-native/authorization/roleAssignment.js';
import { VirtualMachine } from '@pulumi/azure-native/compute/virtualMachine.js';
import { UserAssignedIdentity } from '@pulumi/azure-native/managedidentity/userAssignedIdentity.js';
import { NetworkInterface } from '@pulumi/azure-native/network/networkInterface.js';
import { Blob } from '@pulumi/azure-native/storage/blob.js';
import { BlobContainer } from '@pulumi/azure-native/storage/blobContainer.js';
import { StorageAccount } from '@pulumi/azure-native/storage/storageAccount.js';
import { STORAGE_BLOB_DATA_READER_ROLE } from '../constants.ts';
import type { ControllerPlan } from '../plan.ts';
import type { ProgramContext } from './context.ts';
import { ADMIN_USER, DISK_TYPE, linuxConfiguration, OS_DISK_GIB } from './machines.ts';
import type { ClusterNetwork } from './network.ts';

/**
 * The resource that holds a controller's full Ignition: the one kind a key rotation updates, through this program
 * (a running machine's custom data, the pointer, is ignored, so nothing else follows).
 */
export const CONTROLLER_CONFIG_TYPE = 'azure-native:storage:Blob';

function declareController(
  context: ProgramContext,
  network: ClusterNetwork,
  account: StorageAccount,
  controller: ControllerPlan,
): void {
  const { plan, inGroup } = context;
  const n = controller.names;
  const identity = new UserAssignedIdentity(n.identity, { ...inGroup, resourceName: n.identity });
  const container = new BlobContainer(`${plan.names.storageAccount}/${n.container}`, {
    resourceGroupName: inGroup.resourceGroupName,
    accountName: account.name,
    containerName: n.container,
    publicAccess: 'None',
  });
  const blob = new Blob(`${plan.names.storageAccount}/${n.container}/${n.blob}`, {
    resourceGroupName: inGroup.resourceGroupName,
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
    roleDefinitionId: pulumi.interpolate`/subscriptions/${context.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${STORAGE_BLOB_DATA_READER_ROLE}`,
  });
  const nic = new NetworkInterface(n.networkInterface, {
    ...inGroup,
    networkInterfaceName: n.networkInterface,
    ipConfigurations: [
      {
        name: 'ipv4',
        primary: true,
        subnet: { id: network.controllerSubnet.id },
        privateIPAllocationMethod: 'Static',
        privateIPAddress: controller.address,
        loadBalancerBackendAddressPools: [{ id: network.controllerPoolId }],
      },
    ],
  });
  new VirtualMachine(
    n.virtualMachine,
    {
      ...inGroup,
      vmName: n.virtualMachine,
      ...(controller.zone === undefined ? {} : { zones: [controller.zone] }),
      hardwareProfile: { vmSize: plan.controllerSize },
      identity: { type: 'UserAssigned', userAssignedIdentities: [identity.id] },
      networkProfile: { networkInterfaces: [{ id: nic.id, primary: true }] },
      osProfile: {
        computerName: n.computerName,
        adminUsername: ADMIN_USER,
        customData: controller.customData,
        linuxConfiguration: linuxConfiguration(plan),
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
    // Ignition fetches the blob at first boot: the blob and the right to read it come first. A new render (a
    // key rotation's) changes the blob and its hash; Azure cannot change a machine's custom data, and a booted
    // controller needs none, so the pointer is ignored; a controller created again gets the blob's hash then.
    { dependsOn: [blob, reader], ignoreChanges: ['osProfile.customData'] },
  );
}

export function declareControllers(context: ProgramContext, network: ClusterNetwork): void {
  const { names } = context.plan;
  const account = new StorageAccount(names.storageAccount, {
    ...context.inGroup,
    accountName: names.storageAccount,
    kind: 'StorageV2',
    sku: { name: 'Standard_LRS' },
    allowBlobPublicAccess: false,
    enableHttpsTrafficOnly: true,
    minimumTlsVersion: 'TLS1_2',
  });
  for (const controller of context.plan.controllers) declareController(context, network, account, controller);
}
