import type { LabelSelector } from '@strata/api';

/**
 * Whether a Node with `labels` is selected by `selector`, with Kubernetes' semantics: every matchLabels entry and
 * every requirement must hold; NotIn and DoesNotExist hold for a missing label; the empty selector selects
 * everything.
 */
export function selectorMatches(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const present = labels ?? {};
  const valueOf = (key: string) => (Object.hasOwn(present, key) ? present[key] : undefined);
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (valueOf(key) !== value) return false;
  }
  return (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const value = valueOf(key);
    switch (operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
    }
  });
}
