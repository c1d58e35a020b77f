import type { ClusterTopology } from '../topology/topology.ts';
import type { EncryptionKeyRotationStep } from './encryption.ts';
import type { ClusterSnippets } from '../snippets/translate.ts';
import type { RenderConfig } from './render-config.ts';

export interface RenderInput {
  readonly config: RenderConfig;
  readonly topology: ClusterTopology;
  /** A step of an encryption key rotation (`strata rotate encryption-key`) to apply to the stored keys. */
  readonly encryptionKeyRotation?: EncryptionKeyRotationStep;
  /** The config's snippets, translated by Butane before the render (rendering itself starts no process). */
  readonly snippets?: ClusterSnippets;
}
