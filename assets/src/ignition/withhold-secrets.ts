// The boot server's read side answers anyone on the provisioning network who
// claims a machine's MAC address, so what it serves must not hold the
// cluster's long-lived secrets. A controller's rendered config carries the CA
// key, the service-account signing key, etcd's keys and the component
// kubeconfigs; these are withheld from the boot server and handed to the
// installer, which delivers them to the installed machine over SSH (as
// Typhoon's "copy-controller-secrets" step does). A controller's bootstrap
// kubeconfig is withheld too: its token would join a controller. A worker's
// stays served, since a machine that cannot fetch it cannot join at all: its
// token joins only that worker (the join approver denies any other name),
// expires, and is deleted once the worker has joined
// (docs/ignition-secrets.md).
import { NODE_PATHS } from '../render/layout.ts';
import type { IgnitionConfig } from './schema.ts';
import { assertValidIgnition } from './validate.ts';

export interface WithheldFile {
  readonly path: string;
  readonly mode: number;
  /** The Ignition `contents.source` (a data: URL), as rendered. */
  readonly source: string;
}

export interface SplitIgnition {
  /** The config without the withheld files, as JSON. */
  readonly served: string;
  readonly withheld: readonly WithheldFile[];
}

type IgnitionFile = NonNullable<NonNullable<IgnitionConfig['storage']>['files']>[number];

/** Whose config is split: a controller's join credential is withheld with its other secrets. */
export type IgnitionRole = 'controller' | 'worker';

/** Files only root may read are the secrets; render writes every private key and credential that way. */
function isWithheld(role: IgnitionRole): (file: IgnitionFile) => file is IgnitionFile & { mode: number } {
  return (file): file is IgnitionFile & { mode: number } =>
    file.mode !== undefined &&
    (file.mode & 0o077) === 0 &&
    (role === 'controller' || file.path !== NODE_PATHS.bootstrapKubeconfig);
}

/**
 * Splits a rendered Ignition config into what the boot server may serve and what only SSH may carry. The config is
 * checked against the Ignition schema first (an IgnitionValidationError if it breaks it), so no file escapes the
 * split by an unexpected shape.
 */
export function withholdSecrets(rendered: string, role: IgnitionRole): SplitIgnition {
  const config = assertValidIgnition(JSON.parse(rendered));
  const files = config.storage?.files ?? [];
  const isLongLivedSecret = isWithheld(role);
  const withheld = files
    .filter(isLongLivedSecret)
    .map((file) => ({ path: file.path, mode: file.mode, source: file.contents?.source ?? '' }));
  if (withheld.length === 0) return { served: rendered, withheld };
  const served: IgnitionConfig = {
    ...config,
    storage: { ...config.storage, files: files.filter((file) => !isLongLivedSecret(file)) },
  };
  return { served: JSON.stringify(served), withheld };
}
