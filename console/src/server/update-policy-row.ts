// An UpdatePolicy as the OS updates page's row. The object is read with @strata/api's own schema (the one the
// operator and the CRD share), so defaults are filled in as the operator sees them; an object that does not parse
// (a CRD newer than this console) is still listed, with what can be read and the parse error as a condition.
import { updatePolicySchema, type RebootWindow, type UpdatePolicy } from '@strata/api';
import { z } from 'zod';
import { selectorText } from '../shared/update-policy-form.ts';
import type { UpdatePolicyRow } from '../shared/update-policy-row.ts';

function windowsText(windows: readonly RebootWindow[] | undefined): string {
  if (windows === undefined || windows.length === 0) return 'any time';
  return windows
    .map((window) => `${window.days.join(', ')} ${window.start} for ${window.duration} (${window.timeZone})`)
    .join('; ');
}

function parsedRow(policy: UpdatePolicy): UpdatePolicyRow {
  const status = policy.status;
  const generation = policy.metadata.generation;
  return {
    name: policy.metadata.name,
    maxUnavailable: String(policy.spec.maxUnavailable),
    paused: policy.spec.paused,
    nodeSelector: selectorText(policy.spec.nodeSelector),
    rebootWindows: windowsText(policy.spec.rebootWindows),
    ...(status?.inProgressCount === undefined ? {} : { inProgress: status.inProgressCount }),
    ...(status?.nodes === undefined ? {} : { nodes: status.nodes }),
    conditions: (status?.conditions ?? []).map(({ type, status: conditionStatus, reason, message }) => ({
      type,
      status: conditionStatus,
      reason,
      message,
    })),
    observed: generation === undefined || (status?.observedGeneration ?? -1) >= generation,
  };
}

const looseSpecSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string() }),
  spec: z
    .looseObject({ paused: z.boolean().optional(), maxUnavailable: z.union([z.int(), z.string()]).optional() })
    .optional(),
});

export function updatePolicyRow(object: unknown): UpdatePolicyRow {
  const parsed = updatePolicySchema.safeParse(object);
  if (parsed.success) return parsedRow(parsed.data);
  const loose = looseSpecSchema.safeParse(object);
  return {
    name: loose.success ? loose.data.metadata.name : '',
    maxUnavailable: loose.success ? String(loose.data.spec?.maxUnavailable ?? '?') : '?',
    paused: loose.success && loose.data.spec?.paused === true,
    nodeSelector: '?',
    rebootWindows: '?',
    conditions: [
      {
        type: 'Degraded',
        status: 'Unknown',
        reason: 'UnreadablePolicy',
        message: `the console cannot read this UpdatePolicy: ${z.prettifyError(parsed.error)}`,
      },
    ],
    observed: true,
  };
}
