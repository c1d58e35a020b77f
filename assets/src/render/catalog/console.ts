// The web console's assets (issue 16, ADR 0070): its serving certificate from the cluster CA and the key that seals
// its session cookies, both kept across renders; and where browsers reach it, which `strata install` prints.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { SECRET_FILE_MODE } from '@strata/host';
import { CONSOLE_CONTAINER_PORT, consoleServiceDnsNames } from '../../manifests/console/console.ts';
import type { ControllerNode } from '../../topology/topology.ts';
import type { AssetDefinition } from '../asset.ts';
import { ASSET_PATHS } from '../layout.ts';
import { certificateAsset } from '../pki-assets.ts';
import type { RenderConfig } from '../render-config.ts';
import type { RenderInput } from '../render-input.ts';
import { updateServerController } from './node-files.ts';
import { PKI_ASSET_IDS } from './pki.ts';

export const CONSOLE_ASSET_IDS = {
  serving: 'tls/console-serving',
  sessionSecret: 'auth/console-session-secret',
} as const;

/** Whether the cluster deploys the console: the config's `console.enabled`, true when absent (its default). */
export function consoleDeployed(config: Pick<RenderConfig, 'console'>): boolean {
  return config.console?.enabled ?? true;
}

/**
 * The controller the console's one replica runs on: the first, as the update server's (one place that says which).
 * Its etcdHost is the name every platform already resolves to it (the loopback alias on the local platform).
 */
export function consoleController<T extends Pick<ControllerNode, 'name' | 'etcdHost' | 'address'>>(topology: {
  readonly controllers: readonly T[];
}): T {
  return updateServerController(topology);
}

/** `https://<the console's controller>:30443`, where a browser reaches the console. */
export function clusterConsoleUrl(topology: {
  readonly controllers: readonly Pick<ControllerNode, 'name' | 'etcdHost' | 'address'>[];
}): string {
  const host = consoleController(topology).etcdHost;
  return `https://${isIP(host) === 6 ? `[${host}]` : host}:${CONSOLE_CONTAINER_PORT}`;
}

/**
 * Names under which the console is reached: its controller by the host name the URL uses (etcdHost), its node
 * name and known address; and the Service's names, for in-cluster clients and `kubectl port-forward`.
 */
export function consoleServingSans(
  topology: RenderInput['topology'],
  clusterDomain: string,
): { dnsNames: string[]; ipAddresses: string[] } {
  const controller = consoleController(topology);
  const hosts = [
    controller.etcdHost,
    controller.name,
    ...(controller.address === undefined ? [] : [controller.address]),
    ...consoleServiceDnsNames(clusterDomain),
  ];
  const unique = [...new Set(hosts)];
  return {
    dnsNames: unique.filter((host) => isIP(host) === 0),
    ipAddresses: unique.filter((host) => isIP(host) !== 0),
  };
}

/** 32 random bytes, base64url: 43 characters, above iron-session's minimum of 32. */
function newSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The serving certificate and the session key; none when the console is not deployed. */
export function consoleAssets(input: RenderInput): AssetDefinition<RenderInput>[] {
  if (!consoleDeployed(input.config)) return [];
  return [
    certificateAsset({
      id: CONSOLE_ASSET_IDS.serving,
      base: ASSET_PATHS.consoleServing,
      caId: PKI_ASSET_IDS.clusterCa,
      caBase: ASSET_PATHS.clusterCa,
      request: (i) => ({
        commonName: 'strata-console',
        ...consoleServingSans(i.topology, i.config.networking.clusterDomain),
        profile: 'server',
        validityDays: i.config.certificates.validityDays,
      }),
    }),
    {
      // Kept across renders: a new key would sign every user out of the console.
      id: CONSOLE_ASSET_IDS.sessionSecret,
      dependsOn: [],
      revision: 1,
      inputs: () => ({ bytes: 32 }),
      generate(context) {
        const previous = context.previous?.files.find((file) => file.path === ASSET_PATHS.consoleSessionSecret);
        if (previous !== undefined && previous.contents.trim().length >= 32)
          return [{ ...previous, mode: SECRET_FILE_MODE }];
        return [
          { path: ASSET_PATHS.consoleSessionSecret, contents: `${newSessionSecret()}\n`, mode: SECRET_FILE_MODE },
        ];
      },
    },
  ];
}
