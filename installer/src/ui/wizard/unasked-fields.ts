// The fields of an existing cluster.yaml the wizard does not ask about, kept
// when it writes the file again: a pool's `snippets` (ADR 0050), its labels
// and taints, a machine's pool, a second pool, and any field added to the
// schema after the wizard was written. The wizard owns only what it asks; for
// those fields its draft is the truth, including their absence (no SSH key,
// no update window, another platform's section).

/**
 * How the draft and the existing file combine at one place of the config:
 * - `asked`: the draft's value, or nothing when the draft has none;
 * - `preset`: a value the wizard fills without asking (the first pool's name): the existing one when both have it;
 * - fields: a mapping; the draft's fields by their own rule, every other field of the existing mapping kept. A
 *   mapping the draft leaves out is removed, unless `absent` is `keep` (the wizard leaves pools to the machines on
 *   bare metal, but their snippets still apply);
 * - items: a list. With `by`, matched on that field and the draft's list is the whole list (the machines); without,
 *   matched by position and the existing items past the draft's kept (the wizard asks for the first pool, window and
 *   key only).
 */
export type FieldRule =
  | 'asked'
  | 'preset'
  | { readonly fields: Readonly<Record<string, FieldRule>>; readonly absent?: 'keep' }
  | { readonly items: FieldRule; readonly by?: string; readonly absent?: 'keep' };

const asked = 'asked' as const;

/** What the wizard asks, as `draftConfig` writes it. */
export const WIZARD_FIELDS: FieldRule = {
  fields: {
    apiVersion: asked,
    kind: asked,
    name: asked,
    baseDomain: asked,
    platform: asked,
    local: { fields: { apiServerPort: asked } },
    aws: { fields: { region: asked, zones: asked, controllerType: asked } },
    gcp: { fields: { project: asked, region: asked, zones: asked, controllerType: asked } },
    azure: { fields: { location: asked, zones: asked, resourceGroup: asked, controllerType: asked } },
    bareMetal: {
      fields: {
        bootServer: { fields: { endpoint: asked } },
        machines: {
          by: 'name',
          items: { fields: { name: asked, mac: asked, role: asked, domain: asked, pool: 'preset' } },
        },
      },
    },
    controllers: { fields: { count: asked } },
    workerPools: { absent: 'keep', items: { fields: { name: 'preset', count: asked, instanceType: asked } } },
    os: { fields: { name: asked, channel: asked } },
    kubernetesSysext: { fields: { sha512: asked } },
    networking: { fields: { podCidr: asked, serviceCidr: asked } },
    sshAuthorizedKeys: { items: asked },
    updates: {
      fields: {
        maxUnavailable: asked,
        windows: { items: { fields: { days: asked, start: asked, duration: asked, timeZone: asked } } },
      },
    },
  },
};

type Mapping = Record<string, unknown>;

const isMapping = (value: unknown): value is Mapping =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The draft with what the existing config has beyond the wizard's questions. `undefined` is "not there": the
 * caller leaves such a field out of the file.
 */
export function withUnaskedFields(draft: unknown, existing: unknown, rule: FieldRule = WIZARD_FIELDS): unknown {
  if (rule === 'asked') return draft;
  if (rule === 'preset') return existing !== undefined && draft !== undefined ? existing : draft;
  if ('fields' in rule) {
    if (draft === undefined) return rule.absent === 'keep' ? existing : undefined;
    if (!isMapping(draft) || !isMapping(existing)) return draft;
    const merged: Mapping = {};
    for (const [key, value] of Object.entries(draft)) {
      const field = rule.fields[key];
      const combined = field === undefined ? value : withUnaskedFields(value, existing[key], field);
      if (combined !== undefined) merged[key] = combined;
    }
    for (const [key, value] of Object.entries(existing)) {
      if (key in merged) continue;
      const field = rule.fields[key];
      // A field the wizard asks and the draft leaves out is left out; any other is kept.
      const combined = field === undefined ? value : withUnaskedFields(undefined, value, field);
      if (combined !== undefined) merged[key] = combined;
    }
    return merged;
  }
  if (draft === undefined) return rule.absent === 'keep' ? existing : undefined;
  if (!Array.isArray(draft) || !Array.isArray(existing)) return draft;
  const old: readonly unknown[] = existing;
  const { by, items } = rule;
  if (by !== undefined) {
    const identity = (item: unknown) => (isMapping(item) ? item[by] : undefined);
    return draft.map((item: unknown) =>
      withUnaskedFields(
        item,
        old.find((candidate) => identity(candidate) !== undefined && identity(candidate) === identity(item)),
        items,
      ),
    );
  }
  return [
    ...draft.map((item: unknown, index) => withUnaskedFields(item, old[index], items)),
    ...old.slice(draft.length),
  ];
}
