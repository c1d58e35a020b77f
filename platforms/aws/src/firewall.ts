// Which traffic each role's security group admits. Nothing is open to the
// world but the Kubernetes API: the config has no field asking for SSH from
// outside, so SSH comes only from inside the VPC (a bastion or VPN there);
// etcd's client and peer ports admit the controllers alone. The update server
// listens on the first controller's host network (ADR 0048); every node's
// update.conf names it, so the controllers admit its port from both roles.
import { UPDATE_SERVER_PORT } from '@strata/assets';

export type NodeRole = 'controller' | 'worker';

export const WORLD = '0.0.0.0/0';

export type RuleSource = { readonly cidr: string } | { readonly group: NodeRole };

export interface IngressRule {
  /** Unique per target group; part of the rule's resource name. */
  readonly id: string;
  readonly target: NodeRole;
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
  readonly source: RuleSource;
  readonly description: string;
}

export const PORTS = {
  ssh: 22,
  apiServer: 6443,
  etcdClient: 2379,
  etcdPeer: 2380,
  vxlan: 4789,
  kubelet: 10250,
  updateServer: UPDATE_SERVER_PORT,
};

const BOTH: readonly NodeRole[] = ['controller', 'worker'];

export function ingressRules(vpcCidr: string): readonly IngressRule[] {
  const fromNodes = (
    target: NodeRole,
    id: string,
    protocol: 'tcp' | 'udp',
    port: number,
    what: string,
  ): IngressRule[] =>
    BOTH.map((group) => ({
      id: `${id}-from-${group}`,
      target,
      protocol,
      port,
      source: { group },
      description: `${what} from ${group}s`,
    }));
  return BOTH.flatMap((target): IngressRule[] => [
    { id: 'ssh', target, protocol: 'tcp', port: PORTS.ssh, source: { cidr: vpcCidr }, description: 'SSH from the VPC' },
    ...fromNodes(target, 'vxlan', 'udp', PORTS.vxlan, 'flannel VXLAN'),
    ...fromNodes(target, 'kubelet', 'tcp', PORTS.kubelet, 'kubelet API'),
    ...(target === 'controller'
      ? [
          ...fromNodes(target, 'update-server', 'tcp', PORTS.updateServer, 'update server (Omaha)'),
          {
            id: 'apiserver',
            target,
            protocol: 'tcp' as const,
            port: PORTS.apiServer,
            source: { cidr: WORLD },
            description: 'Kubernetes API through the load balancer, which keeps client addresses',
          },
          {
            id: 'etcd-client',
            target,
            protocol: 'tcp' as const,
            port: PORTS.etcdClient,
            source: { group: 'controller' as const },
            description: 'etcd clients (kube-apiserver) from controllers',
          },
          {
            id: 'etcd-peer',
            target,
            protocol: 'tcp' as const,
            port: PORTS.etcdPeer,
            source: { group: 'controller' as const },
            description: 'etcd peers from controllers',
          },
        ]
      : []),
  ]);
}
