// What every resource module of the program shares: the names, the tags and
// the provider (the config's region, never the environment's default).
import type * as pulumi from '@pulumi/pulumi';
import type { Provider } from '@pulumi/aws/provider.js';
import type { AwsResourceNames } from '../names.ts';
import { clusterTags, namedTags, type Tags } from '../tags.ts';

export interface ProgramContext {
  readonly names: AwsResourceNames;
  readonly provider: Provider;
  /** Options every resource takes: the provider, plus whatever the caller adds. */
  opts(extra?: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions;
  tags(name?: string): Tags;
}

export function programContext(names: AwsResourceNames, provider: Provider): ProgramContext {
  return {
    names,
    provider,
    opts: (extra = {}) => ({ ...extra, provider }),
    tags: (name) => (name === undefined ? clusterTags(names.cluster) : namedTags(names.cluster, name)),
  };
}
