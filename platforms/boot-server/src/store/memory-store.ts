// A boot store held in memory: for tests, benchmarks, and as the reference
// behaviour other stores are compared with. Same validation as the
// directory store; every write swaps in a new snapshot.
import { InvalidResourceError } from '../errors.ts';
import { normalizeSelector } from '../matching/selector.ts';
import { jsonDepth, MAX_METADATA_DEPTH } from '@strata/api';
import { groupSchema, profileSchema, TEMPLATE_KINDS, type Group, type Profile, type TemplateKind } from '@strata/api';
import { checkName } from './names.ts';
import { makeSnapshot } from './snapshot.ts';
import type { BootSnapshot, WritableBootStore } from './store.ts';

export interface MemoryStoreContents {
  readonly groups?: readonly Group[];
  readonly profiles?: readonly Profile[];
  readonly templates?: Partial<Record<TemplateKind, Readonly<Record<string, string>>>>;
}

export class MemoryBootStore implements WritableBootStore {
  readonly #groups = new Map<string, Group>();
  readonly #profiles = new Map<string, Profile>();
  readonly #templates = new Map<TemplateKind, Map<string, string>>(TEMPLATE_KINDS.map((kind) => [kind, new Map()]));
  readonly #listeners = new Set<(snapshot: BootSnapshot) => void>();
  #snapshot: BootSnapshot;

  constructor(contents: MemoryStoreContents = {}) {
    for (const group of contents.groups ?? []) this.#groups.set(group.id, checkedGroup(group));
    for (const profile of contents.profiles ?? []) this.#profiles.set(profile.id, checkedProfile(profile));
    for (const kind of TEMPLATE_KINDS) {
      for (const [name, text] of Object.entries(contents.templates?.[kind] ?? {}))
        this.#templates.get(kind)?.set(checkName(name, 'name'), text);
    }
    this.#snapshot = this.#build();
  }

  snapshot(): BootSnapshot {
    return this.#snapshot;
  }

  onChange(listener: (snapshot: BootSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    this.#listeners.clear();
    return Promise.resolve();
  }

  // Async so that a refused write is a rejected promise, as with the other stores.
  async putProfile(profile: Profile): Promise<void> {
    const valid = checkedProfile(profile);
    this.#profiles.set(valid.id, valid);
    await this.#publish();
  }

  async deleteProfile(id: string): Promise<boolean> {
    return this.#publishIf(this.#profiles.delete(checkName(id, 'id')));
  }

  async putGroup(group: Group): Promise<void> {
    const valid = checkedGroup(group);
    this.#groups.set(valid.id, valid);
    await this.#publish();
  }

  async deleteGroup(id: string): Promise<boolean> {
    return this.#publishIf(this.#groups.delete(checkName(id, 'id')));
  }

  async putTemplate(kind: Exclude<TemplateKind, 'cloud'>, name: string, content: string): Promise<void> {
    this.#templates.get(kind)?.set(checkName(name, 'name'), content);
    await this.#publish();
  }

  async deleteTemplate(kind: Exclude<TemplateKind, 'cloud'>, name: string): Promise<boolean> {
    return this.#publishIf(this.#templates.get(kind)?.delete(checkName(name, 'name')) ?? false);
  }

  #build(): BootSnapshot {
    return makeSnapshot({
      groups: [...this.#groups].map(([id, group]) => [id, structuredClone(group)] as const),
      profiles: [...this.#profiles].map(([id, profile]) => [id, structuredClone(profile)] as const),
      templates: Object.fromEntries(TEMPLATE_KINDS.map((kind) => [kind, [...(this.#templates.get(kind) ?? [])]])),
    });
  }

  #publish(): Promise<void> {
    this.#snapshot = this.#build();
    for (const listener of this.#listeners) listener(this.#snapshot);
    return Promise.resolve();
  }

  async #publishIf(removed: boolean): Promise<boolean> {
    if (removed) await this.#publish();
    return removed;
  }
}

function checkedProfile(profile: Profile): Profile {
  const result = profileSchema.safeParse(profile);
  if (!result.success) throw invalid('profile', result.error.issues[0]);
  checkName(result.data.id, 'id');
  return result.data;
}

function checkedGroup(group: Group): Group {
  const result = groupSchema.safeParse(group);
  if (!result.success) throw invalid('group', result.error.issues[0]);
  checkName(result.data.id, 'id');
  if (jsonDepth(result.data.metadata) > MAX_METADATA_DEPTH)
    throw new InvalidResourceError(`group ${result.data.id}: metadata nests deeper than ${MAX_METADATA_DEPTH} levels`, {
      field: 'metadata',
    });
  const selector = normalizeSelector(result.data.selector);
  if (selector === undefined)
    throw new InvalidResourceError(`group ${result.data.id}: selector "mac" is not a MAC address`, {
      field: 'selector.mac',
    });
  return { ...result.data, selector: { ...selector } };
}

function invalid(what: string, issue: { path: PropertyKey[]; message: string } | undefined): InvalidResourceError {
  const field = issue?.path.map(String).join('.') ?? '';
  return new InvalidResourceError(
    `${what}${field === '' ? '' : ` field "${field}"`}: ${issue?.message ?? 'is not valid'}`,
    { field },
  );
}
