// Every name the AWS program gives a resource, computed in one place from the
// config, so that the program, its tests and `strata` agree, and so that each
// kind's length and character rules are met before AWS refuses a name halfway
// through an update.
import { createHash } from 'node:crypto';
import { clusterTopology, type ClusterConfig } from '@strata/assets';
import { AwsNamingError, AwsProgramError } from './errors.ts';

export interface NameRule {
  readonly max: number;
  readonly pattern: RegExp;
  /** Prefixes AWS reserves for itself. */
  readonly forbiddenPrefixes: readonly string[];
}

const ALNUM_HYPHEN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

/** The AWS rules for the names this program sets explicitly. */
export const AWS_NAME_RULES = {
  securityGroup: { max: 255, pattern: /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/, forbiddenPrefixes: ['sg-'] },
  loadBalancer: { max: 32, pattern: ALNUM_HYPHEN, forbiddenPrefixes: ['internal-'] },
  targetGroup: { max: 32, pattern: ALNUM_HYPHEN, forbiddenPrefixes: [] },
  // The provider takes a bucket prefix of up to 37 characters (this and the hyphen the program adds) and appends a
  // 26-character unique suffix, within the 63 of a bucket name.
  bucketPrefix: { max: 36, pattern: /^[a-z0-9][a-z0-9.-]*$/, forbiddenPrefixes: ['xn--', 'sthree-', 'amzn-s3-demo-'] },
  iamRole: { max: 64, pattern: /^[\w+=,.@-]+$/, forbiddenPrefixes: [] },
  instanceProfile: { max: 128, pattern: /^[\w+=,.@-]+$/, forbiddenPrefixes: [] },
  rolePolicy: { max: 128, pattern: /^[\w+=,.@-]+$/, forbiddenPrefixes: [] },
  launchTemplate: { max: 128, pattern: /^[A-Za-z0-9().\-/_]{3,}$/, forbiddenPrefixes: [] },
  autoscalingGroup: { max: 255, pattern: /^[^:]+$/, forbiddenPrefixes: [] },
  tagValue: { max: 256, pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, forbiddenPrefixes: [] },
} as const satisfies Record<string, NameRule>;

export type NameKind = keyof typeof AWS_NAME_RULES;

function breaks(name: string, rule: NameRule): string | undefined {
  if (name.length > rule.max) return `is longer than ${rule.max} characters`;
  if (!rule.pattern.test(name)) return `does not match ${rule.pattern.source}`;
  const prefix = rule.forbiddenPrefixes.find((reserved) => name.startsWith(reserved));
  return prefix === undefined ? undefined : `starts with "${prefix}", which AWS reserves`;
}

/** The name itself, or an error naming the rule it breaks. */
export function checkedName(kind: NameKind, name: string): string {
  const problem = breaks(name, AWS_NAME_RULES[kind]);
  if (problem !== undefined) {
    throw new AwsNamingError(`the ${kind} name "${name}" ${problem}`, { kind, name, max: AWS_NAME_RULES[kind].max });
  }
  return name;
}

const HASH_LENGTH = 8;

/**
 * `<base>-<suffix>` where that meets the rule; otherwise `<suffix>-<start of base>-<hash>`: the suffix first,
 * so that a base starting with a reserved prefix ("internal-", "sg-", "xn--") cannot start the name, and the
 * hash of the whole keeps two long bases that share their start apart.
 */
export function boundedName(kind: NameKind, base: string, suffix: string): string {
  const rule = AWS_NAME_RULES[kind];
  const plain = `${base}-${suffix}`;
  if (breaks(plain, rule) === undefined) return plain;
  const hash = createHash('sha256').update(plain).digest('hex').slice(0, HASH_LENGTH);
  const room = rule.max - suffix.length - HASH_LENGTH - 2;
  const head = base.slice(0, Math.max(room, 0)).replace(/[^A-Za-z0-9]+$/, '');
  return checkedName(kind, head === '' ? `${suffix}-${hash}` : `${suffix}-${head}-${hash}`);
}

export interface ControllerNames {
  /** The Kubernetes node name and the topology's Ignition target. */
  readonly node: string;
  readonly role: string;
  readonly instanceProfile: string;
  readonly rolePolicy: string;
  /** The S3 key of its full Ignition config. */
  readonly ignitionKey: string;
  /** The DNS name etcd peers and kube-apiserver reach it at. */
  readonly etcdRecord: string;
}

export interface WorkerPoolNames {
  readonly pool: string;
  /** The topology's Ignition target of the pool, and the group's name in the stack outputs. */
  readonly target: string;
  readonly launchTemplate: string;
  readonly autoscalingGroup: string;
}

export interface AwsResourceNames {
  readonly cluster: string;
  readonly vpc: string;
  readonly internetGateway: string;
  readonly routeTable: string;
  readonly subnets: readonly { readonly zone: string; readonly name: string }[];
  readonly securityGroups: { readonly controller: string; readonly worker: string };
  readonly loadBalancer: string;
  readonly targetGroup: string;
  readonly apiListener: string;
  readonly apiRecord: string;
  readonly ignitionBucketPrefix: string;
  readonly controllers: readonly ControllerNames[];
  readonly workerPools: readonly WorkerPoolNames[];
}

/** The names of every resource the AWS program creates for `config`. */
export function awsResourceNames(config: ClusterConfig): AwsResourceNames {
  if (config.aws === undefined) {
    throw new AwsProgramError('the config has no aws section', { field: 'aws', platform: config.platform });
  }
  const cluster = config.name;
  const topology = clusterTopology(config);
  return {
    cluster,
    vpc: checkedName('tagValue', cluster),
    internetGateway: checkedName('tagValue', `${cluster}-gateway`),
    routeTable: checkedName('tagValue', `${cluster}-public`),
    subnets: config.aws.zones.map((zone) => ({ zone, name: checkedName('tagValue', `${cluster}-public-${zone}`) })),
    securityGroups: {
      controller: boundedName('securityGroup', cluster, 'controller'),
      worker: boundedName('securityGroup', cluster, 'worker'),
    },
    loadBalancer: boundedName('loadBalancer', cluster, 'api'),
    targetGroup: boundedName('targetGroup', cluster, 'api'),
    apiListener: checkedName('tagValue', `${cluster}-api-6443`),
    apiRecord: topology.apiDnsName,
    ignitionBucketPrefix: `${boundedName('bucketPrefix', cluster, 'ignition')}-`,
    controllers: topology.controllers.map((controller) => ({
      node: controller.name,
      role: boundedName('iamRole', controller.name, 'role'),
      instanceProfile: boundedName('instanceProfile', controller.name, 'profile'),
      rolePolicy: boundedName('rolePolicy', controller.name, 'read-ignition'),
      ignitionKey: `${controller.name}.ign`,
      etcdRecord: controller.etcdHost,
    })),
    workerPools: topology.workers.map((worker) => ({
      pool: worker.pool,
      target: worker.name,
      launchTemplate: boundedName('launchTemplate', worker.name, 'template'),
      autoscalingGroup: boundedName('autoscalingGroup', worker.name, 'group'),
    })),
  };
}
