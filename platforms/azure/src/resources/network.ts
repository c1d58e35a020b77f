// The network: address space, subnets behind their security groups, egress
// through a NAT gateway (Azure gives new subnets no default outbound access)
// and the API's standard load balancer.
import * as pulumi from '@pulumi/pulumi';
import { LoadBalancer } from '@pulumi/azure-native/network/loadBalancer.js';
import { NatGateway } from '@pulumi/azure-native/network/natGateway.js';
import { NetworkSecurityGroup } from '@pulumi/azure-native/network/networkSecurityGroup.js';
import { PublicIPAddress } from '@pulumi/azure-native/network/publicIPAddress.js';
import { Subnet } from '@pulumi/azure-native/network/subnet.js';
import { VirtualNetwork } from '@pulumi/azure-native/network/virtualNetwork.js';
import { controllerSecurityRules, workerSecurityRules } from '../security-rules.ts';
import type { ProgramContext } from './context.ts';

export interface ClusterNetwork {
  readonly network: VirtualNetwork;
  readonly controllerSubnet: Subnet;
  readonly workerSubnet: Subnet;
  readonly apiIp: PublicIPAddress;
  /** The load balancer pool the API rule sends to; the controllers' interfaces join it. */
  readonly controllerPoolId: pulumi.Output<string>;
}

/**
 * A static Standard IP. With zones, it is zone-redundant over the cluster's zones: an IP pinned to one zone (or to
 * none, where Azure then picks) could go down with a zone the machines behind it survive. A public load balancer's
 * frontend is as zonal as its IP, so this also makes the API's frontend zone-redundant.
 */
function standardIp(context: ProgramContext, name: string): PublicIPAddress {
  const { zones } = context.plan;
  return new PublicIPAddress(name, {
    ...context.inGroup,
    publicIpAddressName: name,
    sku: { name: 'Standard' },
    publicIPAllocationMethod: 'Static',
    ...(zones.length === 0 ? {} : { zones: [...zones] }),
  });
}

export function declareNetwork(context: ProgramContext): ClusterNetwork {
  const { plan, inGroup } = context;
  const { names, addresses } = plan;
  const network = new VirtualNetwork(names.virtualNetwork, {
    ...inGroup,
    virtualNetworkName: names.virtualNetwork,
    addressSpace: { addressPrefixes: [addresses.hostCidr] },
  });
  const natIp = standardIp(context, names.natPublicIp);
  // Not pinned to a zone: a NAT gateway lives in one zone at most, and one in no zone is Azure's to place.
  const nat = new NatGateway(names.natGateway, {
    ...inGroup,
    natGatewayName: names.natGateway,
    sku: { name: 'Standard' },
    publicIpAddresses: [{ id: natIp.id }],
  });
  const securityGroup = (name: string, securityRules: ReturnType<typeof workerSecurityRules>) =>
    new NetworkSecurityGroup(name, { ...inGroup, networkSecurityGroupName: name, securityRules });
  const subnet = (name: string, prefix: string, group: NetworkSecurityGroup) =>
    new Subnet(`${names.virtualNetwork}/${name}`, {
      resourceGroupName: inGroup.resourceGroupName,
      virtualNetworkName: network.name,
      subnetName: name,
      addressPrefix: prefix,
      networkSecurityGroup: { id: group.id },
      natGateway: { id: nat.id },
      defaultOutboundAccess: false,
    });
  const controllerSubnet = subnet(
    names.controllerSubnet,
    addresses.controllerSubnet,
    securityGroup(names.controllerSecurityGroup, controllerSecurityRules(addresses, plan.apiPort)),
  );
  const workerSubnet = subnet(
    names.workerSubnet,
    addresses.workerSubnet,
    securityGroup(names.workerSecurityGroup, workerSecurityRules(addresses.workerSubnet)),
  );

  // The load balancer's parts refer to each other by ID before it exists.
  const loadBalancerId = pulumi.interpolate`/subscriptions/${context.subscriptionId}/resourceGroups/${inGroup.resourceGroupName}/providers/Microsoft.Network/loadBalancers/${names.loadBalancer}`;
  const controllerPoolId = pulumi.interpolate`${loadBalancerId}/backendAddressPools/${names.controllerPool}`;
  const apiIp = standardIp(context, names.apiPublicIp);
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
  return { network, controllerSubnet, workerSubnet, apiIp, controllerPoolId };
}
