// DNS: a private zone of the base domain for the machines (the etcd names and,
// when it lies under the base domain, the API name), and a public zone of the
// API name for everyone else, which the API name's parent domain delegates to.
import { RecordSet } from '@pulumi/azure-native/dns/recordSet.js';
import { Zone } from '@pulumi/azure-native/dns/zone.js';
import type { PublicIPAddress } from '@pulumi/azure-native/network/publicIPAddress.js';
import type { VirtualNetwork } from '@pulumi/azure-native/network/virtualNetwork.js';
import { PrivateRecordSet } from '@pulumi/azure-native/privatedns/privateRecordSet.js';
import { PrivateZone } from '@pulumi/azure-native/privatedns/privateZone.js';
import { VirtualNetworkLink } from '@pulumi/azure-native/privatedns/virtualNetworkLink.js';
import { AzurePlatformError } from '../errors.ts';
import type { ProgramContext } from './context.ts';

const TTL_SECONDS = 300;

export function declareDns(context: ProgramContext, network: VirtualNetwork, apiIp: PublicIPAddress): void {
  const { names, tags } = context.plan;
  const resourceGroupName = context.inGroup.resourceGroupName;
  const privateZone = new PrivateZone(`private/${names.privateZone}`, {
    resourceGroupName,
    privateZoneName: names.privateZone,
    location: 'Global',
    tags,
  });
  new VirtualNetworkLink(names.privateZoneLink, {
    resourceGroupName,
    privateZoneName: privateZone.name,
    virtualNetworkLinkName: names.privateZoneLink,
    location: 'Global',
    virtualNetwork: { id: network.id },
    registrationEnabled: false,
    tags,
  });
  const privateRecord = (name: string, address: string | PublicIPAddress['ipAddress']) =>
    new PrivateRecordSet(`private/${name}`, {
      resourceGroupName,
      privateZoneName: privateZone.name,
      relativeRecordSetName: name,
      recordType: 'A',
      ttl: TTL_SECONDS,
      aRecords: [{ ipv4Address: address }],
    });
  for (const controller of context.plan.controllers) privateRecord(controller.names.etcdRecord, controller.address);
  if (names.privateApiRecord !== undefined) {
    privateRecord(
      names.privateApiRecord,
      // A static standard IP has its address once created.
      apiIp.ipAddress.apply((address) => {
        if (address === undefined) {
          throw new AzurePlatformError(`the API's public IP ${names.apiPublicIp} has no address`, {
            publicIp: names.apiPublicIp,
          });
        }
        return address;
      }),
    );
  }
  const publicZone = new Zone(`public/${names.publicZone}`, {
    resourceGroupName,
    zoneName: names.publicZone,
    zoneType: 'Public',
    location: 'Global',
    tags,
  });
  new RecordSet(`public/${names.publicZone}/A`, {
    resourceGroupName,
    zoneName: publicZone.name,
    relativeRecordSetName: '@',
    recordType: 'A',
    ttl: TTL_SECONDS,
    targetResource: { id: apiIp.id },
  });
}
