// The update server's bootstrap manifests. Its API (UpdateRelease, UpdateChannel, UpdateGroup) is in @strata/api.
import { updateServerCrds } from '@strata/api';
import type { BootstrapImages } from '../images.ts';
import type { ManifestFile } from '../manifest-file.ts';
import { updateServerDefaultObjects, type UpdateServerDefaults } from './defaults.ts';
import { updateServerRbac } from './rbac.ts';
import {
  updateServerDataVolume,
  updateServerDeployment,
  updateServerService,
  updateServerTlsSecret,
  type UpdateServerPlacement,
} from './workloads.ts';

export {
  updateGroupNames,
  updateReleaseName,
  updateServerDefaultObjects,
  type UpdateServerDefaultGroup,
  type UpdateServerDefaultRelease,
  type UpdateServerDefaults,
} from './defaults.ts';
export { UPDATE_SERVER_NAMES, UPDATE_SERVER_NAMESPACE, UPDATE_SERVER_PORTS, UPDATE_SERVER_USERNAME } from './names.ts';
export {
  UPDATE_SERVER_DEFAULT_STORAGE,
  UPDATE_SERVER_MOUNTS,
  UPDATE_SERVER_POD_LABELS,
  type UpdateServerPlacement,
} from './workloads.ts';

/**
 * The CRDs alone first (channels and groups are served only once they are established, and GitOps may apply them
 * at any time); then, where the server is placed, its RBAC, certificate, data volume and claim, Deployment and
 * Service; then its default channels, groups and release, if given.
 */
export function updateServerFiles(
  images: Pick<BootstrapImages, 'updateServer'>,
  placement: (UpdateServerPlacement & { readonly defaults?: UpdateServerDefaults }) | undefined,
): ManifestFile[] {
  const crds: ManifestFile = { fileName: '57-update-server-crds.yaml', objects: updateServerCrds() };
  if (placement === undefined) return [crds];
  return [
    crds,
    {
      fileName: '58-update-server.yaml',
      objects: [
        ...updateServerRbac(),
        updateServerTlsSecret(placement.tls),
        ...updateServerDataVolume(placement),
        updateServerDeployment(images.updateServer, placement),
        updateServerService(),
      ],
    },
    ...(placement.defaults === undefined
      ? []
      : [{ fileName: '59-update-server-defaults.yaml', objects: updateServerDefaultObjects(placement.defaults) }]),
  ];
}
