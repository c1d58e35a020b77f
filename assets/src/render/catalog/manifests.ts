import { renderBootstrapManifests, manifestFileToYaml } from '../../manifests/index.ts';
import { PUBLIC_FILE_MODE, SECRET_FILE_MODE } from '@strata/host';
import type { AssetDefinition } from '../asset.ts';
import { ASSET_PATHS } from '../layout.ts';
import type { RenderInput } from '../render-input.ts';
import { JOIN_TOKEN_ASSET_IDS, joinTokenTargets, parseJoinTokenFile } from './join-tokens.ts';
import { dnsServiceIps, fleetLockOverTls, updateServerController, updateServerDefaults } from './node-files.ts';
import { PKI_ASSET_IDS } from './pki.ts';
import { pemPairOf } from '../pki-assets.ts';
import { CONSOLE_ASSET_IDS, consoleController, consoleDeployed } from './console.ts';

export const MANIFESTS_ASSET_ID = 'manifests';

/** The manifests applied once the API answers, with server-side apply. */
export function manifestsAsset(input: RenderInput): AssetDefinition<RenderInput> {
  const targets = joinTokenTargets(input.topology).map((target) => target.ignitionName);
  return {
    id: MANIFESTS_ASSET_ID,
    dependsOn: [
      ...targets.map(JOIN_TOKEN_ASSET_IDS.token),
      PKI_ASSET_IDS.fleetLockServing,
      PKI_ASSET_IDS.updateServerServing,
      ...(consoleDeployed(input.config) ? [CONSOLE_ASSET_IDS.serving, CONSOLE_ASSET_IDS.sessionSecret] : []),
    ],
    // 3: one token per machine, the join approver. 4: the FleetLock serving certificate. 5: the update server.
    // 6: the update server's default channels, groups and (local) release. 7: the web console.
    revision: 7,
    inputs: (i) => ({
      name: i.config.name,
      version: i.config.kubernetesVersion,
      networking: i.config.networking,
      api: i.topology.apiServerUrl,
      updates: {
        maxUnavailable: i.config.updates.maxUnavailable,
        windows: i.config.updates.windows,
        rebootStrategy: i.config.updates.rebootStrategy,
        fleetLockOverTls: fleetLockOverTls(i.config),
      },
      updateServerNode: updateServerController(i.topology).name,
      updateServerDefaults: updateServerDefaults(i.config, i.topology) ?? null,
      consoleNode: consoleDeployed(i.config) ? consoleController(i.topology).name : null,
    }),
    generate(context) {
      const { config, topology } = context.input;
      const tokens = targets.map((target) => {
        const path = ASSET_PATHS.bootstrapToken(target);
        return parseJoinTokenFile(path, context.dependency(JOIN_TOKEN_ASSET_IDS.token(target)).contents(path));
      });
      const api = new URL(topology.apiServerUrl);
      // Zincati asks over HTTPS unless the config allows plain HTTP; the server must speak what the nodes ask.
      const fleetLock = pemPairOf(context.dependency(PKI_ASSET_IDS.fleetLockServing), ASSET_PATHS.fleetLockServing);
      const updateServer = pemPairOf(
        context.dependency(PKI_ASSET_IDS.updateServerServing),
        ASSET_PATHS.updateServerServing,
      );
      const defaults = updateServerDefaults(config, topology);
      const console = consoleDeployed(config)
        ? {
            nodeName: consoleController(topology).name,
            tls: pemPairOf(context.dependency(CONSOLE_ASSET_IDS.serving), ASSET_PATHS.consoleServing),
            sessionSecret: context
              .dependency(CONSOLE_ASSET_IDS.sessionSecret)
              .contents(ASSET_PATHS.consoleSessionSecret)
              .trim(),
          }
        : undefined;
      const files = renderBootstrapManifests({
        clusterName: config.name,
        kubernetesVersion: config.kubernetesVersion,
        podCidr: config.networking.podCidr,
        serviceCidr: config.networking.serviceCidr,
        clusterDomain: config.networking.clusterDomain,
        dnsServiceIp: dnsServiceIps(config).join(','),
        ...(config.networking.mtu === undefined ? {} : { mtu: config.networking.mtu }),
        apiServer: { host: api.hostname, port: Number(api.port || 443) },
        bootstrapTokens: tokens,
        // cluster.yaml's updates section is the default UpdatePolicy; rebootStrategy off pauses it.
        defaultUpdatePolicy: {
          maxUnavailable: config.updates.maxUnavailable,
          rebootWindows: config.updates.windows.map((window) => ({ ...window, days: [...window.days] })),
          paused: config.updates.rebootStrategy === 'off',
        },
        ...(fleetLockOverTls(config)
          ? { fleetLockTls: { certPem: fleetLock.certificatePem, keyPem: fleetLock.privateKeyPem } }
          : {}),
        updateServer: {
          nodeName: updateServerController(topology).name,
          tls: { certPem: updateServer.certificatePem, keyPem: updateServer.privateKeyPem },
          ...(defaults === undefined ? {} : { defaults }),
        },
        ...(console === undefined
          ? {}
          : {
              console: {
                nodeName: console.nodeName,
                tls: { certPem: console.tls.certificatePem, keyPem: console.tls.privateKeyPem },
                sessionSecret: console.sessionSecret,
              },
            }),
      });
      return files.map((file) => ({
        path: ASSET_PATHS.manifest(file.fileName),
        contents: manifestFileToYaml(file),
        // The node-bootstrap file carries the bootstrap tokens' secrets, the update operator's the FleetLock key, the
        // update server's and the console's their serving keys (and the console's its session key).
        mode: file.objects.some((object) => object.kind === 'Secret') ? SECRET_FILE_MODE : PUBLIC_FILE_MODE,
      }));
    },
  };
}
