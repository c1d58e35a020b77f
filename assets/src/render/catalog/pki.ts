import { isIP } from 'node:net';
import { nthAddresses } from '../../net/cidr.ts';
import { APISERVER_KUBELET_CLIENT } from '../../manifests/index.ts';
import { generateServiceAccountKeyPair } from '../../pki/service-account.ts';
import {
  EncryptionKeyRotationError,
  encryptionConfiguration,
  generateEncryptionKey,
  parseEncryptionKeys,
  rotateEncryptionKeys,
} from '../encryption.ts';
import { PUBLIC_FILE_MODE, SECRET_FILE_MODE } from '@strata/host';
import type { ControllerNode } from '../../topology/topology.ts';
import { UPDATE_SERVER_NAMES, UPDATE_SERVER_NAMESPACE } from '../../manifests/update-server/names.ts';
import { updateServerController } from './node-files.ts';
import type { AssetDefinition } from '../asset.ts';
import { ASSET_PATHS } from '../layout.ts';
import { certificateAsset, certificateAuthorityAsset } from '../pki-assets.ts';
import type { RenderInput } from '../render-input.ts';

export const PKI_ASSET_IDS = {
  clusterCa: 'tls/cluster-ca',
  etcdCa: 'tls/etcd-ca',
  frontProxyCa: 'tls/front-proxy-ca',
  frontProxyClient: 'tls/front-proxy-client',
  apiserver: 'tls/apiserver',
  apiserverKubeletClient: 'tls/apiserver-kubelet-client',
  apiserverEtcdClient: 'tls/apiserver-etcd-client',
  fleetLockServing: 'tls/fleetlock-serving',
  updateServerServing: 'tls/update-server-serving',
  etcdServer: (node: string) => `tls/etcd-server/${node}`,
  etcdPeer: (node: string) => `tls/etcd-peer/${node}`,
  serviceAccount: 'tls/service-account',
  encryptionConfig: 'tls/encryption-config',
} as const;

const caValidity = (input: RenderInput) => input.config.certificates.caValidityDays;
const validity = (input: RenderInput) => input.config.certificates.validityDays;

/**
 * Names under which Zincati reaches the update operator's FleetLock server: the API's DNS name (its rendered
 * base_url), and each controller by name and known address, where the replicas serve (loopback aliases on the local
 * platform).
 */
export function fleetLockServingSans(topology: RenderInput['topology']): { dnsNames: string[]; ipAddresses: string[] } {
  const hosts = [
    topology.apiDnsName,
    ...topology.controllers.map((controller) => controller.name),
    ...topology.controllers.flatMap((controller) => (controller.address === undefined ? [] : [controller.address])),
  ];
  const unique = [...new Set(hosts)];
  return {
    dnsNames: unique.filter((host) => isIP(host) === 0),
    ipAddresses: unique.filter((host) => isIP(host) !== 0),
  };
}

/**
 * Names under which machines and in-cluster clients reach the update server: the controller it is pinned to, by
 * the host name its update.conf uses (etcdHost), its node name and known address; and the Service's names.
 */
export function updateServerServingSans(
  topology: RenderInput['topology'],
  clusterDomain: string,
): { dnsNames: string[]; ipAddresses: string[] } {
  const controller = updateServerController(topology);
  const service = `${UPDATE_SERVER_NAMES.server}.${UPDATE_SERVER_NAMESPACE}.svc`;
  const hosts = [
    controller.etcdHost,
    controller.name,
    ...(controller.address === undefined ? [] : [controller.address]),
    service,
    `${service}.${clusterDomain}`,
  ];
  const unique = [...new Set(hosts)];
  return {
    dnsNames: unique.filter((host) => isIP(host) === 0),
    ipAddresses: unique.filter((host) => isIP(host) !== 0),
  };
}

/** Names under which this controller's etcd member is reached. */
function etcdSans(controller: ControllerNode): { dnsNames: string[]; ipAddresses: string[] } {
  const isIp = isIP(controller.etcdHost) !== 0;
  return {
    dnsNames: ['localhost', ...(isIp ? [] : [controller.etcdHost])],
    ipAddresses: ['127.0.0.1', ...(isIp ? [controller.etcdHost] : [])],
  };
}

export function pkiAssets(input: RenderInput): AssetDefinition<RenderInput>[] {
  const { topology } = input;
  const assets: AssetDefinition<RenderInput>[] = [
    certificateAuthorityAsset({
      id: PKI_ASSET_IDS.clusterCa,
      base: ASSET_PATHS.clusterCa,
      commonName: 'kubernetes-ca',
      validityDays: caValidity,
    }),
    certificateAuthorityAsset({
      id: PKI_ASSET_IDS.etcdCa,
      base: ASSET_PATHS.etcdCa,
      commonName: 'etcd-ca',
      validityDays: caValidity,
    }),
    certificateAuthorityAsset({
      id: PKI_ASSET_IDS.frontProxyCa,
      base: ASSET_PATHS.frontProxyCa,
      commonName: 'front-proxy-ca',
      validityDays: caValidity,
    }),
    certificateAsset({
      id: PKI_ASSET_IDS.frontProxyClient,
      base: ASSET_PATHS.frontProxyClient,
      caId: PKI_ASSET_IDS.frontProxyCa,
      caBase: ASSET_PATHS.frontProxyCa,
      request: (i) => ({ commonName: 'front-proxy-client', profile: 'client', validityDays: validity(i) }),
    }),
    certificateAsset({
      id: PKI_ASSET_IDS.apiserver,
      base: ASSET_PATHS.apiserver,
      caId: PKI_ASSET_IDS.clusterCa,
      caBase: ASSET_PATHS.clusterCa,
      request: (i) => {
        const domain = i.config.networking.clusterDomain;
        const controllerIps = i.topology.controllers.flatMap((c) => (c.address === undefined ? [] : [c.address]));
        const controllerNames = i.topology.controllers.map((c) => c.etcdHost).filter((host) => isIP(host) === 0);
        return {
          commonName: 'kube-apiserver',
          dnsNames: [
            i.topology.apiDnsName,
            'localhost',
            'kubernetes',
            'kubernetes.default',
            'kubernetes.default.svc',
            `kubernetes.default.svc.${domain}`,
            ...i.topology.controllers.map((c) => c.name),
            ...controllerNames,
          ],
          // The `kubernetes` Service's address in each service range, as pods of either IP family reach it.
          ipAddresses: ['127.0.0.1', ...nthAddresses(i.config.networking.serviceCidr, 1), ...controllerIps],
          profile: 'server',
          validityDays: validity(i),
        };
      },
    }),
    certificateAsset({
      id: PKI_ASSET_IDS.apiserverKubeletClient,
      base: ASSET_PATHS.apiserverKubeletClient,
      caId: PKI_ASSET_IDS.clusterCa,
      caBase: ASSET_PATHS.clusterCa,
      // Authorized by a ClusterRoleBinding to system:kubelet-api-admin, not by system:masters.
      request: (i) => ({ commonName: APISERVER_KUBELET_CLIENT, profile: 'client', validityDays: validity(i) }),
    }),
    certificateAsset({
      id: PKI_ASSET_IDS.fleetLockServing,
      base: ASSET_PATHS.fleetLockServing,
      caId: PKI_ASSET_IDS.clusterCa,
      caBase: ASSET_PATHS.clusterCa,
      request: (i) => ({
        commonName: 'strata-fleetlock',
        ...fleetLockServingSans(i.topology),
        profile: 'server',
        validityDays: validity(i),
      }),
    }),
    certificateAsset({
      id: PKI_ASSET_IDS.updateServerServing,
      base: ASSET_PATHS.updateServerServing,
      caId: PKI_ASSET_IDS.clusterCa,
      caBase: ASSET_PATHS.clusterCa,
      request: (i) => ({
        commonName: 'strata-update-server',
        ...updateServerServingSans(i.topology, i.config.networking.clusterDomain),
        profile: 'server',
        validityDays: validity(i),
      }),
    }),
    certificateAsset({
      id: PKI_ASSET_IDS.apiserverEtcdClient,
      base: ASSET_PATHS.apiserverEtcdClient,
      caId: PKI_ASSET_IDS.etcdCa,
      caBase: ASSET_PATHS.etcdCa,
      request: (i) => ({ commonName: 'kube-apiserver-etcd-client', profile: 'client', validityDays: validity(i) }),
    }),
    {
      id: PKI_ASSET_IDS.serviceAccount,
      dependsOn: [],
      revision: 1,
      inputs: () => ({ algorithm: 'ecdsa-p256' }),
      async generate(context) {
        const previous = context.previous;
        if (previous !== undefined && previous.files.length === 2) return previous.files;
        const pair = await generateServiceAccountKeyPair();
        return [
          { path: ASSET_PATHS.serviceAccountPrivateKey, contents: pair.privateKeyPem, mode: SECRET_FILE_MODE },
          { path: ASSET_PATHS.serviceAccountPublicKey, contents: pair.publicKeyPem, mode: PUBLIC_FILE_MODE },
        ];
      },
    },
    {
      // Kept across renders like the keys above: a new key would leave every stored Secret unreadable. Only a
      // rotation step changes it, from the keys on disk.
      id: PKI_ASSET_IDS.encryptionConfig,
      dependsOn: [],
      revision: 1,
      inputs: (input) => ({
        provider: 'secretbox',
        ...(input.encryptionKeyRotation ? { rotation: input.encryptionKeyRotation } : {}),
      }),
      generate(context) {
        const previous = context.previous?.files.length === 1 ? context.previous.files : undefined;
        const step = context.input.encryptionKeyRotation;
        if (previous !== undefined && step === undefined) return previous;
        if (previous === undefined && step !== undefined) {
          throw new EncryptionKeyRotationError(
            `there is no ${ASSET_PATHS.encryptionConfig} to rotate: render the cluster first`,
            { path: ASSET_PATHS.encryptionConfig },
          );
        }
        const keys =
          previous?.[0] === undefined || step === undefined
            ? [generateEncryptionKey()]
            : rotateEncryptionKeys(parseEncryptionKeys(previous[0].contents), step);
        return [
          { path: ASSET_PATHS.encryptionConfig, contents: encryptionConfiguration(keys), mode: SECRET_FILE_MODE },
        ];
      },
    },
  ];
  for (const controller of topology.controllers) {
    assets.push(
      certificateAsset({
        id: PKI_ASSET_IDS.etcdServer(controller.name),
        base: ASSET_PATHS.etcdServer(controller.name),
        caId: PKI_ASSET_IDS.etcdCa,
        caBase: ASSET_PATHS.etcdCa,
        request: (i) => ({
          commonName: `etcd-server-${controller.name}`,
          ...etcdSans(controller),
          // Serving and client use: etcd's JSON gateway dials etcd's own gRPC server with this certificate, and with
          // client-cert-auth a certificate without clientAuth is refused (every gateway request fails with a broken
          // pipe). The etcd operator's backups of the control plane's own etcd ask it for its status there.
          profile: 'peer',
          validityDays: validity(i),
        }),
      }),
      certificateAsset({
        id: PKI_ASSET_IDS.etcdPeer(controller.name),
        base: ASSET_PATHS.etcdPeer(controller.name),
        caId: PKI_ASSET_IDS.etcdCa,
        caBase: ASSET_PATHS.etcdCa,
        request: (i) => ({
          commonName: `etcd-peer-${controller.name}`,
          ...etcdSans(controller),
          profile: 'peer',
          validityDays: validity(i),
        }),
      }),
    );
  }
  return assets;
}
