// A cloud program's stack outputs, read through the one schema every platform
// program answers with, so that a program returning something else fails here
// with the field named.
import type { OutputMap } from '@pulumi/pulumi/automation/index.js';
import { platformStackOutputsSchema, type PlatformStackOutputs } from '@strata/api';
import { InstallError } from '../errors.ts';

export function parseStackOutputs(outputs: OutputMap): PlatformStackOutputs {
  const values = Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value as unknown]));
  const parsed = platformStackOutputsSchema.safeParse(values);
  if (!parsed.success) {
    throw new InstallError(`the platform program's outputs are not what the installer reads: ${parsed.error.message}`, {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
    });
  }
  return parsed.data;
}

/** One line for the progress: where the API is and what was provisioned. */
export function describeOutputs(outputs: PlatformStackOutputs): string {
  const count = (role: 'controller' | 'worker') =>
    outputs.nodes.filter((node) => node.role === role).reduce((sum, node) => sum + (node.count ?? 1), 0);
  return `the API is at ${outputs.apiEndpoint}; ${count('controller')} controller(s) and ${count('worker')} worker(s) provisioned`;
}
