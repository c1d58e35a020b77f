// The network security groups' rules. Azure's default rules allow everything
// inside the virtual network and nothing from the Internet; these add the API
// from anywhere and keep etcd to the controllers, which the default
// AllowVnetInBound rule would otherwise open to every machine of the network.
// The update server's port (on the first controller's host network, ADR 0048)
// is admitted from the two node subnets by name, so that the nodes reaching it
// does not rest on AllowVnetInBound, which also covers peered networks.
import { UPDATE_SERVER_PORT } from '@strata/assets';

/** A rule as the provider's SecurityRule input takes it, with the fields Strata uses. */
export interface SecurityRule {
  readonly name: string;
  readonly priority: number;
  readonly direction: 'Inbound';
  readonly access: 'Allow' | 'Deny';
  readonly protocol: 'Tcp' | 'Udp' | '*';
  readonly sourceAddressPrefix: string;
  readonly sourcePortRange: '*';
  readonly destinationAddressPrefix: string;
  readonly destinationPortRange: string;
  readonly description: string;
}

export const ETCD_PORTS = '2379-2380';
export const SSH_PORT = '22';

function inbound(rule: Omit<SecurityRule, 'direction' | 'sourcePortRange'>): SecurityRule {
  return { direction: 'Inbound', sourcePortRange: '*', ...rule };
}

export function controllerSecurityRules(
  subnets: { readonly controllerSubnet: string; readonly workerSubnet: string },
  apiPort: number,
): SecurityRule[] {
  const { controllerSubnet, workerSubnet } = subnets;
  const updateServerFrom = (name: string, priority: number, source: string, what: string): SecurityRule =>
    inbound({
      name: `allow-update-server-from-${name}`,
      priority,
      access: 'Allow',
      protocol: 'Tcp',
      sourceAddressPrefix: source,
      destinationAddressPrefix: controllerSubnet,
      destinationPortRange: String(UPDATE_SERVER_PORT),
      description: `the update server (Omaha) from the ${what}`,
    });
  return [
    inbound({
      name: 'allow-apiserver',
      priority: 100,
      access: 'Allow',
      protocol: 'Tcp',
      sourceAddressPrefix: 'Internet',
      destinationAddressPrefix: controllerSubnet,
      destinationPortRange: String(apiPort),
      description: 'Kubernetes API through the load balancer',
    }),
    inbound({
      name: 'allow-etcd-from-controllers',
      priority: 110,
      access: 'Allow',
      protocol: 'Tcp',
      sourceAddressPrefix: controllerSubnet,
      destinationAddressPrefix: controllerSubnet,
      destinationPortRange: ETCD_PORTS,
      description: 'etcd clients and peers: the controllers only',
    }),
    inbound({
      name: 'deny-etcd',
      priority: 120,
      access: 'Deny',
      protocol: '*',
      sourceAddressPrefix: '*',
      destinationAddressPrefix: '*',
      destinationPortRange: ETCD_PORTS,
      description: 'etcd from anywhere else, which AllowVnetInBound would let in',
    }),
    updateServerFrom('controllers', 130, controllerSubnet, 'controllers'),
    updateServerFrom('workers', 131, workerSubnet, 'workers'),
    inbound({
      name: 'allow-ssh-from-vnet',
      priority: 200,
      access: 'Allow',
      protocol: 'Tcp',
      sourceAddressPrefix: 'VirtualNetwork',
      destinationAddressPrefix: controllerSubnet,
      destinationPortRange: SSH_PORT,
      description: 'SSH from inside the network only; the config has no field to open it wider',
    }),
  ];
}

export function workerSecurityRules(workerSubnet: string): SecurityRule[] {
  return [
    inbound({
      name: 'allow-ssh-from-vnet',
      priority: 200,
      access: 'Allow',
      protocol: 'Tcp',
      sourceAddressPrefix: 'VirtualNetwork',
      destinationAddressPrefix: workerSubnet,
      destinationPortRange: SSH_PORT,
      description: 'SSH from inside the network only; the config has no field to open it wider',
    }),
  ];
}
