import { CertificateAuthority, toPemPair } from '../../pki/certificates.ts';
import { renderKubeconfig } from '../../kubeconfig/kubeconfig.ts';
import { SECRET_FILE_MODE } from '@strata/host';
import type { AssetDefinition } from '../asset.ts';
import { ASSET_PATHS } from '../layout.ts';
import { pemPairOf } from '../pki-assets.ts';
import type { RenderInput } from '../render-input.ts';
import { PKI_ASSET_IDS } from './pki.ts';
import { JOIN_APPROVER_NAMES } from '../../manifests/join-approver/names.ts';

export const AUTH_ASSET_IDS = {
  admin: 'auth/admin',
  controllerManager: (node: string) => `auth/controller-manager/${node}`,
  scheduler: (node: string) => `auth/scheduler/${node}`,
  joinApprover: (node: string) => `auth/join-approver/${node}`,
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

export function authAssets(input: RenderInput): AssetDefinition<RenderInput>[] {
  const assets: AssetDefinition<RenderInput>[] = [
    clientKubeconfigAsset({
      id: AUTH_ASSET_IDS.admin,
      path: ASSET_PATHS.adminKubeconfig,
      user: 'strata-admin',
      groups: ['system:masters'],
      server: (i) => i.topology.apiServerUrl,
    }),
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
      // The join approver runs on every controller before any node has joined: a certificate, not a ServiceAccount.
      clientKubeconfigAsset({
        id: AUTH_ASSET_IDS.joinApprover(controller.name),
        path: ASSET_PATHS.joinApproverKubeconfig(controller.name),
        user: JOIN_APPROVER_NAMES.user,
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
