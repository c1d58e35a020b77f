// Building immutable snapshots.
import { TEMPLATE_KINDS, type Group, type Profile, type TemplateKind } from '@strata/api';
import type { BootSnapshot } from './store.ts';

export interface SnapshotParts {
  readonly groups: Iterable<readonly [string, Group]>;
  readonly profiles: Iterable<readonly [string, Profile]>;
  readonly templates: Partial<Record<TemplateKind, Iterable<readonly [string, string]>>>;
}

/** A frozen snapshot; groups and profiles are deep-frozen so no reader can change what another sees. */
export function makeSnapshot(parts: SnapshotParts): BootSnapshot {
  const templates = Object.fromEntries(
    TEMPLATE_KINDS.map((kind) => [kind, new Map(parts.templates[kind] ?? [])]),
  ) as Record<TemplateKind, Map<string, string>>;
  return Object.freeze({
    groups: new Map([...parts.groups].map(([key, group]) => [key, deepFreeze(group)])),
    profiles: new Map([...parts.profiles].map(([key, profile]) => [key, deepFreeze(profile)])),
    templates: Object.freeze(templates),
  });
}

export const EMPTY_SNAPSHOT: BootSnapshot = makeSnapshot({ groups: [], profiles: [], templates: {} });

/** Freezes without recursion, so no nesting depth can overflow the stack. */
function deepFreeze<T>(value: T): T {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item !== 'object' || item === null || Object.isFrozen(item)) continue;
    Object.freeze(item);
    for (const child of Object.values(item) as unknown[]) pending.push(child);
  }
  return value;
}
