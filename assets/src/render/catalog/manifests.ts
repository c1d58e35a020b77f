import { renderBootstrapManifests, manifestFileToYaml } from '../../manifests/index.ts';
import { PUBLIC_FILE_MODE, SECRET_FILE_MODE } from '@strata/host';
import type { AssetDefinition } from '../asset.ts';
import { ASSET_PATHS } from '../layout.ts';
import type { RenderInput } from '../render-input.ts';
import { AUTH_ASSET_IDS, parseBootstrapToken } from './auth.ts';
import { dnsServiceIps, fleetLockOverTls } from './node-files.ts';
import { PKI_ASSET_IDS } from './pki.ts';
import { pemPairOf } from '../pki-assets.ts';

export const MANIFESTS_ASSET_ID = 'manifests';

/** The manifests applied once the API answers, with server-side apply. */
export function manifestsAsset(): AssetDefinition<RenderInput> {
  return {
    id: MANIFESTS_ASSET_ID,
    dependsOn: [AUTH_ASSET_IDS.bootstrapToken, PKI_ASSET_IDS.fleetLockServing],
    revision: 3,
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
    }),
    generate(context) {
      const { config, topology } = context.input;
      const token = parseBootstrapToken(
        context.dependency(AUTH_ASSET_IDS.bootstrapToken).contents(ASSET_PATHS.bootstrapToken),
      );
      const api = new URL(topology.apiServerUrl);
      // Zincati asks over HTTPS unless the config allows plain HTTP; the server must speak what the nodes ask.
      const fleetLock = pemPairOf(context.dependency(PKI_ASSET_IDS.fleetLockServing), ASSET_PATHS.fleetLockServing);
      const files = renderBootstrapManifests({
        clusterName: config.name,
        kubernetesVersion: config.kubernetesVersion,
        podCidr: config.networking.podCidr,
        serviceCidr: config.networking.serviceCidr,
        clusterDomain: config.networking.clusterDomain,
        dnsServiceIp: dnsServiceIps(config).join(','),
        ...(config.networking.mtu === undefined ? {} : { mtu: config.networking.mtu }),
        apiServer: { host: api.hostname, port: Number(api.port || 443) },
        bootstrapToken: token,
        // cluster.yaml's updates section is the default UpdatePolicy; rebootStrategy off pauses it.
        defaultUpdatePolicy: {
          maxUnavailable: config.updates.maxUnavailable,
          rebootWindows: config.updates.windows.map((window) => ({ ...window, days: [...window.days] })),
          paused: config.updates.rebootStrategy === 'off',
        },
        ...(fleetLockOverTls(config)
          ? { fleetLockTls: { certPem: fleetLock.certificatePem, keyPem: fleetLock.privateKeyPem } }
          : {}),
      });
      return files.map((file) => ({
        path: ASSET_PATHS.manifest(file.fileName),
        contents: manifestFileToYaml(file),
        // The node-bootstrap file carries the bootstrap token's secret, the update operator's the FleetLock key.
        mode: file.objects.some((object) => object.kind === 'Secret') ? SECRET_FILE_MODE : PUBLIC_FILE_MODE,
      }));
    },
  };
}
