// Everything the read side derives from one snapshot, computed once per
// snapshot rather than per request: the group index, the parsed templates,
// the iPXE and GRUB answers of each profile.
import { grubConfig } from '../answers/grub.ts';
import { AnswerCache } from './answer-cache.ts';
import { ipxeScript } from '../answers/ipxe.ts';
import { TemplateParseError } from '../errors.ts';
import { GroupIndex } from '../matching/group-index.ts';
import type { Group, Profile, TemplateKind } from '@strata/api';
import type { BootSnapshot } from '../store/store.ts';
import { GoTemplate } from '../templates/template.ts';
import { templateKey } from '../store/names.ts';

export type CompiledTemplate =
  { readonly ok: true; readonly template: GoTemplate } | { readonly ok: false; readonly error: TemplateParseError };

export class SnapshotView {
  readonly snapshot: BootSnapshot;
  readonly index: GroupIndex;
  readonly #templates = new Map<string, CompiledTemplate>();
  readonly #ipxe = new Map<Profile, string>();
  readonly #grub = new Map<Profile, string>();
  /** The answers already given from this snapshot; a new snapshot starts with none. */
  readonly answers = new AnswerCache();
  /** Templates whose first rendering has been checked (Ignition rules), so each is reported once. */
  readonly checkedTemplates = new Set<string>();

  constructor(snapshot: BootSnapshot) {
    this.snapshot = snapshot;
    this.index = GroupIndex.fromEntries(snapshot.groups);
  }

  /** Matchbox looks a group's profile up by the profile's file name, which the write API makes its id. */
  profileOf(group: Group): Profile | undefined {
    return group.profile === '' ? undefined : this.snapshot.profiles.get(group.profile);
  }

  /** The parsed template, or its parse error; undefined when there is no such template. */
  template(kind: TemplateKind, name: string): CompiledTemplate | undefined {
    const source = this.templateSource(kind, name);
    if (source === undefined) return undefined;
    const key = `${kind}/${name}`;
    const cached = this.#templates.get(key);
    if (cached !== undefined) return cached;
    let compiled: CompiledTemplate;
    try {
      compiled = { ok: true, template: GoTemplate.parse(key, source) };
    } catch (error) {
      if (!(error instanceof TemplateParseError)) throw error;
      compiled = { ok: false, error };
    }
    this.#templates.set(key, compiled);
    return compiled;
  }

  /** A template's text by the name a profile gives, found as matchbox finds it (templateKey). */
  templateSource(kind: TemplateKind, name: string): string | undefined {
    if (name === '') return undefined;
    const key = templateKey(kind, name);
    return key === undefined ? undefined : this.snapshot.templates[kind].get(key);
  }

  ipxe(profile: Profile): string {
    return cached(this.#ipxe, profile, () => ipxeScript(profile.boot));
  }

  grub(profile: Profile): string {
    return cached(this.#grub, profile, () => grubConfig(profile.boot));
  }
}

function cached<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
