// Which clusters the rotation can reach: every API server must be handed each
// step's configuration and be seen to load it. Local controllers' files are on
// this machine; bare-metal controllers are reached over SSH as the install
// delivered their secrets. Cloud controllers are neither, and a rotation that
// reached them would still leave their config objects holding the old keys.
import type { Platform } from '@strata/assets';
import { EncryptionRotationError } from './encryption-key.ts';

export type RotationPath = 'local' | 'bare-metal';

/** Where each cloud controller's full Ignition (encryption configuration included) is kept, and how SSH gets in. */
const CLOUD_CONTROLLERS: Record<Exclude<Platform, RotationPath>, { readonly config: string; readonly ssh: string }> = {
  aws: { config: 'a private S3 object per controller', ssh: 'no SSH address in the stack outputs' },
  gcp: {
    config: 'a private Cloud Storage object per controller',
    ssh: 'SSH only through IAP tunnelling (gcloud compute ssh --tunnel-through-iap)',
  },
  azure: { config: 'a private blob per controller', ssh: 'SSH only from inside the virtual network' },
};

export function rotationPath(platform: Platform): RotationPath {
  if (platform === 'local' || platform === 'bare-metal') return platform;
  const cloud = CLOUD_CONTROLLERS[platform];
  throw new EncryptionRotationError(
    `rotating the encryption key of a ${platform} cluster is not built. Missing: (1) a way to each controller's ` +
      `file (${cloud.ssh}; the rotation needs each controller's SSH address and a route to it), and (2) updating ` +
      `each controller's config, kept in ${cloud.config}, at every step: without it a controller replaced after the ` +
      `rotation would boot with the old keys only and could read no Secret.`,
    { platform },
  );
}
