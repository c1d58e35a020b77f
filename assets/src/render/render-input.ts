import type { ClusterTopology } from '../topology/topology.ts';
import type { RenderConfig } from './render-config.ts';

export interface RenderInput {
  readonly config: RenderConfig;
  readonly topology: ClusterTopology;
}
