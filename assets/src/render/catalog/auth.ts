import { randomInt } from 'node:crypto';
import { CertificateAuthority, toPemPair } from '../../pki/certificates.ts';
import { renderKubeconfig } from '../../kubeconfig/kubeconfig.ts';
import { SECRET_FILE_MODE } from '@strata/host';
import type { AssetDefinition } from '../asset.ts';
import { ASSET_PATHS } from '../layout.ts';
import { pemPairOf } from '../pki-assets.ts';
import type { RenderInput } from '../render-input.ts';
import { PKI_ASSET_IDS } from './pki.ts';

export const AUTH_ASSET_IDS = {
  admin: 'auth/admin',
  controllerManager: (node: string) => `auth/controller-manager/${node}`,
  scheduler: (node: string) => `auth/scheduler/${node}`,
  bootstrapToken: 'auth/bootstrap-token',
  bootstrapKubeconfig: 'auth/bootstrap-kubeconfig',
} as const;

/** A kubeconfig holding a fresh client certificate from the cluster CA. */
function clientKubeconfigAsset(options: {
  readonly id: string;
  readonly path: string;
  readonly user: string;
  readonly groups: readonly string[];
  readonly server: (input: RenderInput) => string;
}): AssetDefinition<RenderInput> {
  return {
    id: options.id,
    dependsOn: [PKI_ASSET_IDS.clusterCa],
    revision: 1,
    inputs: (input) => ({
      user: options.user,
      groups: options.groups,
      server: options.server(input),
      cluster: input.config.name,
      validityDays: input.config.certificates.validityDays,
    }),
    async generate(context) {
      const caPair = pemPairOf(context.dependency(PKI_ASSET_IDS.clusterCa), ASSET_PATHS.clusterCa);
      const ca = await CertificateAuthority.fromPem(caPair);
      const credentials = await toPemPair(
        await ca.issue(
          {
            commonName: options.user,
            organizations: options.groups,
            profile: 'client',
            validityDays: context.input.config.certificates.validityDays,
          },
          context.now,
        ),
      );
      const contents = renderKubeconfig({
        clusterName: context.input.config.name,
        server: options.server(context.input),
        certificateAuthorityPem: caPair.certificatePem,
        userName: options.user,
        credentials,
      });
      return [{ path: options.path, contents, mode: SECRET_FILE_MODE }];
    },
  };
}

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const randomToken = (length: number) =>
  Array.from({ length }, () => TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)]).join('');

/** `<id>.<secret>` as `kubeadm token` makes them: [a-z0-9]{6}.[a-z0-9]{16}. */
export function parseBootstrapToken(text: string): { id: string; secret: string } {
  const match = /^([a-z0-9]{6})\.([a-z0-9]{16})$/.exec(text.trim());
  if (!match?.[1] || !match[2])
    throw new Error(
      `${ASSET_PATHS.bootstrapToken} does not hold a bootstrap token of the form abcdef.0123456789abcdef`,
    );
  return { id: match[1], secret: match[2] };
}

export function authAssets(input: RenderInput): AssetDefinition<RenderInput>[] {
  const assets: AssetDefinition<RenderInput>[] = [
    clientKubeconfigAsset({
      id: AUTH_ASSET_IDS.admin,
      path: ASSET_PATHS.adminKubeconfig,
      user: 'strata-admin',
      groups: ['system:masters'],
      server: (i) => i.topology.apiServerUrl,
    }),
    {
      id: AUTH_ASSET_IDS.bootstrapToken,
      dependsOn: [],
      revision: 1,
      inputs: () => ({ format: 'kubeadm' }),
      generate(context) {
        const previous = context.previous?.files[0];
        if (previous !== undefined) {
          parseBootstrapToken(previous.contents);
          return [previous];
        }
        return [
          {
            path: ASSET_PATHS.bootstrapToken,
            contents: `${randomToken(6)}.${randomToken(16)}\n`,
            mode: SECRET_FILE_MODE,
          },
        ];
      },
    },
    {
      id: AUTH_ASSET_IDS.bootstrapKubeconfig,
      dependsOn: [PKI_ASSET_IDS.clusterCa, AUTH_ASSET_IDS.bootstrapToken],
      revision: 1,
      inputs: (i) => ({ server: i.topology.apiServerUrl, cluster: i.config.name }),
      generate(context) {
        const token = context.dependency(AUTH_ASSET_IDS.bootstrapToken).contents(ASSET_PATHS.bootstrapToken).trim();
        const contents = renderKubeconfig({
          clusterName: context.input.config.name,
          server: context.input.topology.apiServerUrl,
          certificateAuthorityPem: context.dependency(PKI_ASSET_IDS.clusterCa).contents(`${ASSET_PATHS.clusterCa}.crt`),
          userName: 'kubelet-bootstrap',
          credentials: { token },
        });
        return [{ path: ASSET_PATHS.bootstrapKubeconfig, contents, mode: SECRET_FILE_MODE }];
      },
    },
  ];
  for (const controller of input.topology.controllers) {
    assets.push(
      clientKubeconfigAsset({
        id: AUTH_ASSET_IDS.controllerManager(controller.name),
        path: ASSET_PATHS.controllerManagerKubeconfig(controller.name),
        user: 'system:kube-controller-manager',
        groups: [],
        server: () => controller.apiServerUrl,
      }),
      clientKubeconfigAsset({
        id: AUTH_ASSET_IDS.scheduler(controller.name),
        path: ASSET_PATHS.schedulerKubeconfig(controller.name),
        user: 'system:kube-scheduler',
        groups: [],
        server: () => controller.apiServerUrl,
      }),
    );
  }
  return assets;
}
