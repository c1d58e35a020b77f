// UpdatePolicies from the informer's cache, read with the same schema the CRD
// is generated from (which also fills in the defaults), once per
// resourceVersion: a policy that cannot be read is logged once and left alone.
import { parseUpdatePolicy, type UpdatePolicy } from '@strata/api';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';

interface Entry {
  readonly resourceVersion: string;
  readonly policy: UpdatePolicy | undefined;
}

export class ParsedPolicies {
  readonly #entries = new Map<string, Entry>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** The readable policies among `objects`, by name. */
  read(objects: readonly KubernetesObject[]): Map<string, UpdatePolicy> {
    const parsed = new Map<string, UpdatePolicy>();
    const seen = new Set<string>();
    for (const object of objects) {
      const name = object.metadata?.name ?? '';
      const resourceVersion = object.metadata?.resourceVersion ?? '';
      seen.add(name);
      let entry = this.#entries.get(name);
      if (entry?.resourceVersion !== resourceVersion) {
        entry = { resourceVersion, policy: this.#parse(name, object) };
        this.#entries.set(name, entry);
      }
      if (entry.policy !== undefined) parsed.set(name, entry.policy);
    }
    for (const name of this.#entries.keys()) if (!seen.has(name)) this.#entries.delete(name);
    return parsed;
  }

  #parse(name: string, object: KubernetesObject): UpdatePolicy | undefined {
    try {
      return parseUpdatePolicy(object);
    } catch (error) {
      this.#logger.error({ err: error, policy: name }, 'cannot read UpdatePolicy; it is left alone');
      return undefined;
    }
  }
}
