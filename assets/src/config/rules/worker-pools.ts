import type { Finding } from '../issue.ts';
import type { ConfigReader } from '../reader.ts';
import { taintSchema, workerPoolSchema } from '../schema.ts';
import type { Rule } from './rule.ts';

function duplicateTaints(config: ConfigReader, pool: number): Finding[] {
  const seen = new Map<string, number>();
  return Array.from({ length: config.length(['workerPools', pool, 'taints']) }, (_, index): Finding[] => {
    const path = ['workerPools', pool, 'taints', index];
    const key = config.get([...path, 'key'], taintSchema.shape.key);
    const effect = config.get([...path, 'effect'], taintSchema.shape.effect);
    if (key === undefined || effect === undefined) {
      return [];
    }
    const id = `${key}:${effect}`;
    const first = seen.get(id);
    if (first === undefined) {
      seen.set(id, index);
      return [];
    }
    // The API server rejects a node with two taints of the same key and effect.
    return [
      {
        path: [...path, 'key'],
        message: `repeats the key and effect of taints[${first}] (${key}, ${effect})`,
        hint: 'keep one taint per key and effect',
        value: key,
      },
    ];
  }).flat();
}

// Controllers are named "<cluster>-controller-<n>", workers "<cluster>-<pool>-<n>"
// (one per machine) or "<cluster>-<pool>" (one per pool on clouds), so these
// pool names would give a worker the name, certificates and Ignition file of a controller.
const RESERVED_POOL_NAME = /^controller(-\d+)?$/;

export const workerPoolRule: Rule = (config) => {
  const first = new Map<string, number>();
  return Array.from({ length: config.length(['workerPools']) }, (_, index): Finding[] => {
    const path = ['workerPools', index, 'name'];
    const name = config.get(path, workerPoolSchema.shape.name);
    const taints = duplicateTaints(config, index);
    if (name === undefined) {
      return taints;
    }
    if (RESERVED_POOL_NAME.test(name)) {
      return [
        {
          path,
          message: 'is reserved: nodes named <cluster>-controller-<n> are the controllers',
          hint: 'name the pool after what runs on it, e.g. "worker" or "gpu"',
          value: name,
        },
        ...taints,
      ];
    }
    const earlier = first.get(name);
    if (earlier === undefined) {
      first.set(name, index);
      return taints;
    }
    return [
      {
        path,
        message: `repeats the name of workerPools[${earlier}]`,
        hint: 'give every pool its own name',
        value: name,
      },
      ...taints,
    ];
  }).flat();
};
