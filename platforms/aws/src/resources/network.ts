// The VPC: a public subnet per zone behind one internet gateway, as Typhoon's
// AWS clusters have (machines get public addresses; security groups decide
// what reaches them).
import { InternetGateway } from '@pulumi/aws/ec2/internetGateway.js';
import { Route } from '@pulumi/aws/ec2/route.js';
import { RouteTable } from '@pulumi/aws/ec2/routeTable.js';
import { RouteTableAssociation } from '@pulumi/aws/ec2/routeTableAssociation.js';
import { Subnet } from '@pulumi/aws/ec2/subnet.js';
import { Vpc } from '@pulumi/aws/ec2/vpc.js';
import { AwsProgramError } from '../errors.ts';
import type { NetworkPlan } from '../network.ts';
import type { ProgramContext } from './context.ts';

export interface ClusterNetwork {
  readonly vpc: Vpc;
  readonly subnets: readonly Subnet[];
}

export function clusterNetwork(ctx: ProgramContext, plan: NetworkPlan): ClusterNetwork {
  const { names } = ctx;
  const vpc = new Vpc(
    names.vpc,
    { cidrBlock: plan.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true, tags: ctx.tags(names.vpc) },
    ctx.opts(),
  );
  const gateway = new InternetGateway(
    names.internetGateway,
    { vpcId: vpc.id, tags: ctx.tags(names.internetGateway) },
    ctx.opts(),
  );
  const routeTable = new RouteTable(names.routeTable, { vpcId: vpc.id, tags: ctx.tags(names.routeTable) }, ctx.opts());
  new Route(
    `${names.routeTable}-default`,
    { routeTableId: routeTable.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: gateway.id },
    ctx.opts(),
  );
  const subnets = plan.subnets.map((subnet, index) => {
    const name = names.subnets[index]?.name;
    if (name === undefined) {
      throw new AwsProgramError(`no subnet name for zone ${subnet.zone}`, { zone: subnet.zone, field: 'aws.zones' });
    }
    const resource = new Subnet(
      name,
      {
        vpcId: vpc.id,
        availabilityZone: subnet.zone,
        cidrBlock: subnet.cidr,
        mapPublicIpOnLaunch: true,
        tags: ctx.tags(name),
      },
      ctx.opts(),
    );
    new RouteTableAssociation(name, { subnetId: resource.id, routeTableId: routeTable.id }, ctx.opts());
    return resource;
  });
  return { vpc, subnets };
}
