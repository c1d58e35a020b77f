// The local cluster as one Pulumi resource: creating it starts the daemon,
// updating it restarts the daemon on the new config, deleting it stops the
// daemon and proves the ports free.
import * as pulumi from '@pulumi/pulumi';
import type { DaemonInputs } from './daemon-inputs.ts';
import { daemonProvider } from './daemon-provider.ts';

export const DAEMON_RESOURCE_TYPE = 'pulumi-nodejs:dynamic/strata-local:Cluster';

export class LocalClusterDaemon extends pulumi.dynamic.Resource {
  declare readonly pid: pulumi.Output<number>;
  declare readonly workers: pulumi.Output<number>;

  constructor(name: string, args: DaemonInputs, opts?: pulumi.CustomResourceOptions) {
    super(daemonProvider(), name, { ...args, pid: undefined }, opts, 'strata-local', 'Cluster');
  }
}
