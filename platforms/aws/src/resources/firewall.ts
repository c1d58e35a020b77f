// The two security groups and their rules, one rule resource each so that the
// groups can name each other as sources.
import { SecurityGroup } from '@pulumi/aws/ec2/securityGroup.js';
import { SecurityGroupEgressRule } from '@pulumi/aws/vpc/securityGroupEgressRule.js';
import { SecurityGroupIngressRule } from '@pulumi/aws/vpc/securityGroupIngressRule.js';
import type { Vpc } from '@pulumi/aws/ec2/vpc.js';
import { ingressRules, WORLD, type NodeRole } from '../firewall.ts';
import type { ProgramContext } from './context.ts';

export type SecurityGroups = Readonly<Record<NodeRole, SecurityGroup>>;

export function securityGroups(ctx: ProgramContext, vpc: Vpc, vpcCidr: string): SecurityGroups {
  const names = ctx.names.securityGroups;
  const group = (role: NodeRole): SecurityGroup =>
    new SecurityGroup(
      names[role],
      {
        name: names[role],
        description: `Strata ${role}s of ${ctx.names.cluster}`,
        vpcId: vpc.id,
        tags: ctx.tags(names[role]),
      },
      // Rules live in their own resources; inline ones would fight them.
      ctx.opts(),
    );
  const groups: SecurityGroups = { controller: group('controller'), worker: group('worker') };
  for (const rule of ingressRules(vpcCidr)) {
    const name = `${names[rule.target]}-${rule.id}`;
    new SecurityGroupIngressRule(
      name,
      {
        securityGroupId: groups[rule.target].id,
        ipProtocol: rule.protocol,
        fromPort: rule.port,
        toPort: rule.port,
        description: rule.description,
        ...('cidr' in rule.source
          ? { cidrIpv4: rule.source.cidr }
          : { referencedSecurityGroupId: groups[rule.source.group].id }),
        tags: ctx.tags(name),
      },
      ctx.opts(),
    );
  }
  for (const role of ['controller', 'worker'] as const) {
    const name = `${names[role]}-egress`;
    new SecurityGroupEgressRule(
      name,
      {
        securityGroupId: groups[role].id,
        ipProtocol: '-1',
        cidrIpv4: WORLD,
        description: 'all outbound',
        tags: ctx.tags(name),
      },
      ctx.opts(),
    );
  }
  return groups;
}
