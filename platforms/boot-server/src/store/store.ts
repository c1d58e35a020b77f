// The one seam between the HTTP servers and where the data lives: a matchbox
// data directory on disk, or MachineProfile/MachineGroup custom resources.
import type { Group, Profile, TemplateKind } from '@strata/api';

/**
 * A consistent, immutable view of everything the read side serves. Stores
 * build a new snapshot on every change and swap it in whole, so a request
 * never sees half of a reload.
 */
export interface BootSnapshot {
  readonly groups: ReadonlyMap<string, Group>;
  readonly profiles: ReadonlyMap<string, Profile>;
  /** Template source text by name, per kind. */
  readonly templates: Readonly<Record<TemplateKind, ReadonlyMap<string, string>>>;
}

/** Read side: what the boot endpoints need. */
export interface BootStore {
  /** The current snapshot; cheap, called on every request. */
  snapshot(): BootSnapshot;
  /** Called after each new snapshot is in place; returns an unsubscribe function. */
  onChange(listener: (snapshot: BootSnapshot) => void): () => void;
  close(): Promise<void>;
}

/** Write side: what the mutual-TLS write API needs. Every write is atomic. */
export interface WritableBootStore extends BootStore {
  putProfile(profile: Profile): Promise<void>;
  deleteProfile(id: string): Promise<boolean>;
  putGroup(group: Group): Promise<void>;
  deleteGroup(id: string): Promise<boolean>;
  putTemplate(kind: Exclude<TemplateKind, 'cloud'>, name: string, content: string): Promise<void>;
  deleteTemplate(kind: Exclude<TemplateKind, 'cloud'>, name: string): Promise<boolean>;
}
