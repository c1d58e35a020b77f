// The workers: one scale set per pool, booting from the pool's Ignition, with
// no identity (so IMDS tokens on a worker open nothing).
import * as pulumi from '@pulumi/pulumi';
import { VirtualMachineScaleSet } from '@pulumi/azure-native/compute/virtualMachineScaleSet.js';
import type { ProgramContext } from './context.ts';
import { ADMIN_USER, DISK_TYPE, linuxConfiguration, OS_DISK_GIB } from './machines.ts';
import type { ClusterNetwork } from './network.ts';

export function declareWorkers(context: ProgramContext, network: ClusterNetwork): void {
  const { plan, inGroup } = context;
  for (const pool of plan.workerPools) {
    new VirtualMachineScaleSet(pool.names.scaleSet, {
      ...inGroup,
      vmScaleSetName: pool.names.scaleSet,
      // Azure spreads the instances evenly over the zones it is given.
      ...(plan.zones.length === 0 ? {} : { zones: [...plan.zones] }),
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
          linuxConfiguration: linuxConfiguration(plan),
        },
        // A scale set's instances, with their disks, go with it.
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
              ipConfigurations: [{ name: 'ipv4', primary: true, subnet: { id: network.workerSubnet.id } }],
            },
          ],
        },
      },
    });
  }
}
