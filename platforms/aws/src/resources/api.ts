// The Kubernetes API's front door: a network load balancer across the zones
// whose 6443 listener forwards to the controllers alone, and the DNS records
// (the API's alias, each etcd member's address) in the base domain's zone.
import type { Subnet } from '@pulumi/aws/ec2/subnet.js';
import type { Vpc } from '@pulumi/aws/ec2/vpc.js';
import { Listener } from '@pulumi/aws/lb/listener.js';
import { LoadBalancer } from '@pulumi/aws/lb/loadBalancer.js';
import { TargetGroup } from '@pulumi/aws/lb/targetGroup.js';
import { TargetGroupAttachment } from '@pulumi/aws/lb/targetGroupAttachment.js';
import { getZoneOutput } from '@pulumi/aws/route53/getZone.js';
import { Record as DnsRecord } from '@pulumi/aws/route53/record.js';
import { PORTS } from '../firewall.ts';
import type { ProgramContext } from './context.ts';
import type { ControllerMachine } from './controllers.ts';

const ETCD_RECORD_TTL_SECONDS = 300;

export interface ApiFrontDoor {
  readonly loadBalancer: LoadBalancer;
  readonly targetGroup: TargetGroup;
  readonly listener: Listener;
}

export function apiLoadBalancer(
  ctx: ProgramContext,
  vpc: Vpc,
  subnets: readonly Subnet[],
  controllers: readonly ControllerMachine[],
): ApiFrontDoor {
  const { names } = ctx;
  const loadBalancer = new LoadBalancer(
    names.loadBalancer,
    {
      name: names.loadBalancer,
      loadBalancerType: 'network',
      internal: false,
      subnets: subnets.map((subnet) => subnet.id),
      enableCrossZoneLoadBalancing: true,
      tags: ctx.tags(names.loadBalancer),
    },
    ctx.opts(),
  );
  const targetGroup = new TargetGroup(
    names.targetGroup,
    {
      name: names.targetGroup,
      vpcId: vpc.id,
      protocol: 'TCP',
      port: PORTS.apiServer,
      targetType: 'instance',
      // /readyz answers anonymous requests (the render's authentication configuration allows it).
      healthCheck: { protocol: 'HTTPS', port: String(PORTS.apiServer), path: '/readyz', interval: 10 },
      tags: ctx.tags(names.targetGroup),
    },
    ctx.opts(),
  );
  const listener = new Listener(
    names.apiListener,
    {
      loadBalancerArn: loadBalancer.arn,
      protocol: 'TCP',
      port: PORTS.apiServer,
      defaultActions: [{ type: 'forward', targetGroupArn: targetGroup.arn }],
      tags: ctx.tags(names.apiListener),
    },
    ctx.opts(),
  );
  for (const controller of controllers) {
    new TargetGroupAttachment(
      `${names.targetGroup}-${controller.names.node}`,
      { targetGroupArn: targetGroup.arn, targetId: controller.instance.id, port: PORTS.apiServer },
      ctx.opts(),
    );
  }
  return { loadBalancer, targetGroup, listener };
}

/** The API's alias to the load balancer and one A record per etcd member, in the public zone of `baseDomain`. */
export function dnsRecords(
  ctx: ProgramContext,
  baseDomain: string,
  loadBalancer: LoadBalancer,
  controllers: readonly ControllerMachine[],
): void {
  const { names } = ctx;
  const zone = getZoneOutput({ name: baseDomain, privateZone: false }, { provider: ctx.provider });
  new DnsRecord(
    names.apiRecord,
    {
      zoneId: zone.zoneId,
      name: names.apiRecord,
      type: 'A',
      aliases: [{ name: loadBalancer.dnsName, zoneId: loadBalancer.zoneId, evaluateTargetHealth: true }],
    },
    ctx.opts(),
  );
  for (const controller of controllers) {
    new DnsRecord(
      controller.names.etcdRecord,
      {
        zoneId: zone.zoneId,
        name: controller.names.etcdRecord,
        type: 'A',
        ttl: ETCD_RECORD_TTL_SECONDS,
        records: [controller.instance.privateIp],
      },
      ctx.opts(),
    );
  }
}
