// Test data: policies both checkers must accept, and policies both must refuse naming the same field. The unit test
// runs them through the zod schema, update-policy-crd.integration.test.ts through a real API server with the CRD.
import { UPDATE_POLICY, type UpdatePolicySpecInput } from './update-policy.ts';

type Path = readonly (string | number)[];

export interface ValidCase {
  readonly name: string;
  readonly spec: UpdatePolicySpecInput;
}

export interface InvalidCase {
  readonly name: string;
  /** Deliberately not typed as a spec: these are what a user might write. */
  readonly spec: Record<string, unknown>;
  /** The field both checkers must name. */
  readonly field: Path;
  /** The rule is CEL, so the API server's refusal carries the zod message word for word. */
  readonly sameMessage?: boolean;
  /** The API server's status code: 422 (Invalid), or 400 for an unknown field under strict field validation. */
  readonly status?: 400 | 422;
}

type WindowInput = NonNullable<UpdatePolicySpecInput['rebootWindows']>[number];

/** A valid reboot window; tests override what they are about. */
export function aWindow(overrides: Partial<WindowInput> = {}): WindowInput {
  return { days: ['Sat', 'Sun'], start: '02:00', duration: '4h', timeZone: 'Europe/Berlin', ...overrides };
}

/** The whole object as a user would create it. */
export function aPolicyObject(name: string, spec: unknown): Record<string, unknown> {
  return { apiVersion: UPDATE_POLICY.apiVersion, kind: UPDATE_POLICY.kind, metadata: { name }, spec };
}

/** `spec.rebootWindows[0].days[1]`: how the API server names a field. */
export function apiServerPath(path: Path): string {
  return path
    .map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${segment}`))
    .join('');
}

/** `spec.rebootWindows.0.days.1`: how updatePolicyIssues names a field. */
export function zodPath(path: Path): string {
  return path.map(String).join('.');
}

const window0 = ['spec', 'rebootWindows', 0] as const;
const expression0 = ['spec', 'nodeSelector', 'matchExpressions', 0] as const;
type Requirement = NonNullable<NonNullable<UpdatePolicySpecInput['nodeSelector']>['matchExpressions']>[number];

const withWindow = (overrides: Partial<WindowInput>): UpdatePolicySpecInput => ({
  rebootWindows: [aWindow(overrides)],
});
const withExpression = (requirement: Requirement): UpdatePolicySpecInput => ({
  nodeSelector: { matchExpressions: [requirement] },
});
// What a user might write instead: any value in any field.
const withBadWindow = (overrides: Record<string, unknown>) => ({ rebootWindows: [{ ...aWindow(), ...overrides }] });
const withBadExpression = (requirement: Record<string, unknown>) => ({
  nodeSelector: { matchExpressions: [requirement] },
});

export const VALID_POLICIES: readonly ValidCase[] = [
  { name: 'an empty spec (every default)', spec: {} },
  {
    name: 'every field set',
    spec: {
      nodeSelector: {
        matchLabels: { 'node-role.kubernetes.io/worker': '', pool: 'blue' },
        matchExpressions: [
          { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['a', 'b'] },
          { key: 'example.com/canary', operator: 'DoesNotExist' },
        ],
      },
      maxUnavailable: '25%',
      rebootWindows: [
        { days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'], start: '22:30', duration: '1h30m', timeZone: 'America/New_York' },
        { days: ['Sun'], start: '23:00', duration: '3h', timeZone: 'UTC' },
      ],
      drain: {
        timeout: '15m',
        gracePeriodSeconds: 30,
        deleteEmptyDirData: true,
        force: true,
        skipPodSelectors: [
          { matchLabels: { app: 'batch' } },
          { matchExpressions: [{ key: 'critical', operator: 'Exists' }] },
        ],
        onTimeout: 'Reboot',
        maxRetryDelay: '2h',
      },
      hooks: { beforeReboot: ['example.com/backup-done'], afterReboot: ['example.com/checks-passed', 'smoke-test'] },
      paused: true,
      rebootTimeout: { duration: '1h', onTimeout: 'ReleaseSlot' },
    },
  },
  { name: 'maxUnavailable as a count', spec: { maxUnavailable: 5 } },
  { name: 'maxUnavailable 1%', spec: { maxUnavailable: '1%' } },
  { name: 'maxUnavailable 100%', spec: { maxUnavailable: '100%' } },
  {
    name: 'a window of exactly one week',
    spec: withWindow({ days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'], duration: '168h' }),
  },
  { name: 'a window at midnight', spec: withWindow({ start: '00:00', duration: '1.5h' }) },
  { name: 'a window at 23:59 for 90 seconds', spec: withWindow({ start: '23:59', duration: '90s' }) },
  { name: 'a window of milliseconds', spec: withWindow({ duration: '1m500ms' }) },
  { name: 'a current IANA name ICU lists under an older one', spec: withWindow({ timeZone: 'Asia/Kolkata' }) },
  { name: 'Etc/UTC', spec: withWindow({ timeZone: 'Etc/UTC' }) },
  { name: 'NotIn with values', spec: withExpression({ key: 'pool', operator: 'NotIn', values: ['red'] }) },
  { name: 'Exists with an empty value list', spec: withExpression({ key: 'pool', operator: 'Exists', values: [] }) },
  { name: 'an empty label value', spec: { nodeSelector: { matchLabels: { pool: '' } } } },
];

export const INVALID_POLICIES: readonly InvalidCase[] = [
  // Windows.
  {
    name: 'a day that does not exist',
    spec: withBadWindow({ days: ['Mon', 'Funday'] }),
    field: [...window0, 'days', 1],
  },
  { name: 'a lower-case day', spec: withBadWindow({ days: ['mon'] }), field: [...window0, 'days', 0] },
  { name: 'no days', spec: withBadWindow({ days: [] }), field: [...window0, 'days'] },
  { name: 'a day twice', spec: withBadWindow({ days: ['Mon', 'Mon'] }), field: [...window0, 'days', 1] },
  { name: 'start 24:00', spec: withBadWindow({ start: '24:00' }), field: [...window0, 'start'] },
  { name: 'start without a leading zero', spec: withBadWindow({ start: '7:30' }), field: [...window0, 'start'] },
  { name: 'start with 60 minutes', spec: withBadWindow({ start: '07:60' }), field: [...window0, 'start'] },
  {
    name: 'a zero duration',
    spec: withBadWindow({ duration: '0s' }),
    field: [...window0, 'duration'],
    sameMessage: true,
  },
  {
    name: 'a duration over a week',
    spec: withBadWindow({ duration: '168h1s' }),
    field: [...window0, 'duration'],
    sameMessage: true,
  },
  { name: 'a duration in days', spec: withBadWindow({ duration: '1d' }), field: [...window0, 'duration'] },
  { name: 'a negative duration', spec: withBadWindow({ duration: '-1h' }), field: [...window0, 'duration'] },
  { name: 'a duration with a space', spec: withBadWindow({ duration: '1h 30m' }), field: [...window0, 'duration'] },
  { name: 'a duration without a unit', spec: withBadWindow({ duration: '90' }), field: [...window0, 'duration'] },
  {
    name: 'a window without a time zone',
    spec: { rebootWindows: [{ days: ['Mon'], start: '01:00', duration: '1h' }] },
    field: [...window0, 'timeZone'],
  },
  {
    name: 'too many windows',
    spec: { rebootWindows: Array.from({ length: 17 }, () => aWindow()) },
    field: ['spec', 'rebootWindows'],
  },
  // Time zones.
  {
    name: 'an unknown time zone',
    spec: withBadWindow({ timeZone: 'Mars/Olympus' }),
    field: [...window0, 'timeZone'],
    sameMessage: true,
  },
  {
    name: 'a time zone in the wrong case',
    spec: withBadWindow({ timeZone: 'europe/berlin' }),
    field: [...window0, 'timeZone'],
    sameMessage: true,
  },
  {
    name: 'a time zone abbreviation',
    spec: withBadWindow({ timeZone: 'CEST' }),
    field: [...window0, 'timeZone'],
    sameMessage: true,
  },
  {
    name: 'a UTC offset for a time zone',
    spec: withBadWindow({ timeZone: '+02:00' }),
    field: [...window0, 'timeZone'],
    sameMessage: true,
  },
  // maxUnavailable.
  { name: 'maxUnavailable 0', spec: { maxUnavailable: 0 }, field: ['spec', 'maxUnavailable'], sameMessage: true },
  {
    name: 'a negative maxUnavailable',
    spec: { maxUnavailable: -3 },
    field: ['spec', 'maxUnavailable'],
    sameMessage: true,
  },
  { name: 'maxUnavailable 0%', spec: { maxUnavailable: '0%' }, field: ['spec', 'maxUnavailable'], sameMessage: true },
  {
    name: 'maxUnavailable 101%',
    spec: { maxUnavailable: '101%' },
    field: ['spec', 'maxUnavailable'],
    sameMessage: true,
  },
  {
    name: 'a fractional percentage',
    spec: { maxUnavailable: '12.5%' },
    field: ['spec', 'maxUnavailable'],
    sameMessage: true,
  },
  {
    name: 'a count written as a string',
    spec: { maxUnavailable: '3' },
    field: ['spec', 'maxUnavailable'],
    sameMessage: true,
  },
  { name: 'a fractional count', spec: { maxUnavailable: 1.5 }, field: ['spec', 'maxUnavailable'] },
  // Selectors.
  {
    name: 'an unknown operator',
    spec: withBadExpression({ key: 'pool', operator: 'Equals', values: ['a'] }),
    field: [...expression0, 'operator'],
  },
  {
    name: 'In without values',
    spec: withBadExpression({ key: 'pool', operator: 'In' }),
    field: [...expression0, 'values'],
    sameMessage: true,
  },
  {
    name: 'NotIn with an empty value list',
    spec: withBadExpression({ key: 'pool', operator: 'NotIn', values: [] }),
    field: [...expression0, 'values'],
    sameMessage: true,
  },
  {
    name: 'Exists with values',
    spec: withBadExpression({ key: 'pool', operator: 'Exists', values: ['a'] }),
    field: [...expression0, 'values'],
    sameMessage: true,
  },
  {
    name: 'DoesNotExist with values',
    spec: withBadExpression({ key: 'pool', operator: 'DoesNotExist', values: ['a'] }),
    field: [...expression0, 'values'],
    sameMessage: true,
  },
  {
    name: 'a requirement key with a space',
    spec: withBadExpression({ key: 'bad key', operator: 'Exists' }),
    field: [...expression0, 'key'],
  },
  {
    name: 'a requirement key with an upper-case prefix',
    spec: withBadExpression({ key: 'Example.com/pool', operator: 'Exists' }),
    field: [...expression0, 'key'],
  },
  {
    name: 'a requirement key with a prefix over 253 characters',
    spec: withBadExpression({ key: `${'a'.repeat(254)}/pool`, operator: 'Exists' }),
    field: [...expression0, 'key'],
    sameMessage: true,
  },
  {
    name: 'a requirement value that is not a label value',
    spec: withBadExpression({ key: 'pool', operator: 'In', values: ['-blue'] }),
    field: [...expression0, 'values', 0],
  },
  {
    name: 'a matchLabels key that is not a label key',
    spec: { nodeSelector: { matchLabels: { 'not a key': 'x' } } },
    field: ['spec', 'nodeSelector', 'matchLabels'],
    sameMessage: true,
  },
  {
    name: 'a matchLabels name over 63 characters',
    spec: { nodeSelector: { matchLabels: { ['n'.repeat(64)]: 'x' } } },
    field: ['spec', 'nodeSelector', 'matchLabels'],
    sameMessage: true,
  },
  {
    name: 'a matchLabels value over 63 characters',
    spec: { nodeSelector: { matchLabels: { pool: 'v'.repeat(64) } } },
    field: ['spec', 'nodeSelector', 'matchLabels', 'pool'],
  },
  {
    name: 'a bad operator in a drain skip selector',
    spec: { drain: { skipPodSelectors: [{ matchExpressions: [{ key: 'app', operator: 'Like' }] }] } },
    field: ['spec', 'drain', 'skipPodSelectors', 0, 'matchExpressions', 0, 'operator'],
  },
  // Drain, hooks and timeouts.
  {
    name: 'a zero drain timeout',
    spec: { drain: { timeout: '0m' } },
    field: ['spec', 'drain', 'timeout'],
    sameMessage: true,
  },
  {
    name: 'a zero drain retry cap',
    spec: { drain: { maxRetryDelay: '0s' } },
    field: ['spec', 'drain', 'maxRetryDelay'],
    sameMessage: true,
  },
  {
    name: 'a drain retry cap that is not a duration',
    spec: { drain: { maxRetryDelay: 'soon' } },
    field: ['spec', 'drain', 'maxRetryDelay'],
  },
  {
    name: 'an unknown drain timeout action',
    spec: { drain: { onTimeout: 'Ignore' } },
    field: ['spec', 'drain', 'onTimeout'],
  },
  {
    name: 'a grace period below -1',
    spec: { drain: { gracePeriodSeconds: -2 } },
    field: ['spec', 'drain', 'gracePeriodSeconds'],
  },
  {
    name: 'a hook that is not an annotation key',
    spec: { hooks: { beforeReboot: ['not a key'] } },
    field: ['spec', 'hooks', 'beforeReboot', 0],
  },
  {
    name: 'a hook twice',
    spec: { hooks: { afterReboot: ['example.com/ok', 'example.com/ok'] } },
    field: ['spec', 'hooks', 'afterReboot', 1],
  },
  {
    name: 'an unknown reboot timeout action',
    spec: { rebootTimeout: { onTimeout: 'Drop' } },
    field: ['spec', 'rebootTimeout', 'onTimeout'],
  },
  {
    name: 'a reboot timeout over a week',
    spec: { rebootTimeout: { duration: '200h' } },
    field: ['spec', 'rebootTimeout', 'duration'],
    sameMessage: true,
  },
  { name: 'paused as a string', spec: { paused: 'yes' }, field: ['spec', 'paused'] },
  // Misspelt fields.
  { name: 'a misspelt field', spec: { rebootWindow: [aWindow()] }, field: ['spec', 'rebootWindow'], status: 400 },
  {
    name: 'a misspelt field in a window',
    spec: { rebootWindows: [{ ...aWindow(), timezone: 'UTC' }] },
    field: [...window0, 'timezone'],
    status: 400,
  },
];
