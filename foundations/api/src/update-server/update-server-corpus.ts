// Test data: UpdateRelease, UpdateChannel and UpdateGroup specs both checkers
// must accept, and specs both must refuse naming the same field. The unit test
// runs them through zod, update-server-crds.integration.test.ts through a real
// API server with the CRDs.
import type { z } from 'zod';
import { apiServerPath } from '../update-policy/update-policy-corpus.ts';
import {
  UPDATE_CHANNEL,
  UPDATE_GROUP,
  UPDATE_RELEASE,
  updateChannelSpecSchema,
  updateGroupSpecSchema,
  updateReleaseSpecSchema,
} from './update-server.ts';

export { apiServerPath };

export type Kind = typeof UPDATE_RELEASE | typeof UPDATE_CHANNEL | typeof UPDATE_GROUP;

export const SPEC_SCHEMAS = new Map<Kind, z.ZodType>([
  [UPDATE_RELEASE, updateReleaseSpecSchema],
  [UPDATE_CHANNEL, updateChannelSpecSchema],
  [UPDATE_GROUP, updateGroupSpecSchema],
]);

export interface SpecCase {
  readonly name: string;
  readonly kind: Kind;
  readonly spec: Record<string, unknown>;
}

export interface InvalidSpecCase extends SpecCase {
  /** The field both checkers must name, from `spec`. */
  readonly field: readonly (string | number)[];
  /** The rule is CEL, so the API server's refusal carries zod's message word for word. */
  readonly sameMessage?: boolean;
}

export function aReleaseSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '3374.2.1',
    payloadUrl: 'https://updates.example.test/flatcar/3374.2.1/flatcar_production_update.gz',
    sha256: 'a'.repeat(64),
    sha1: 'b'.repeat(40),
    size: 465_000_000,
    ...overrides,
  };
}

export function aGroupSpec(overrides: Record<string, unknown> = {}, policy: Record<string, unknown> = {}) {
  return { track: 'stable', channel: 'stable', policy, ...overrides };
}

const officeHours = (overrides: Record<string, unknown> = {}) => ({
  timeZone: 'Europe/Berlin',
  start: '09:00',
  end: '17:00',
  days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'],
  ...overrides,
});

/** The whole object as a user would create it. */
export function anObject(kind: Kind, name: string, spec: unknown): Record<string, unknown> {
  return { apiVersion: kind.apiVersion, kind: kind.kind, metadata: { name }, spec };
}

export const VALID_SPECS: readonly SpecCase[] = [
  { name: 'a release', kind: UPDATE_RELEASE, spec: aReleaseSpec() },
  {
    name: 'a nightly release over http',
    kind: UPDATE_RELEASE,
    spec: aReleaseSpec({ version: '3340.0.0+nightly-20220823-2100', payloadUrl: 'http://10.0.0.1:8080/p/update.gz' }),
  },
  { name: 'a channel with a release', kind: UPDATE_CHANNEL, spec: { release: 'flatcar-3374.2.1' } },
  { name: 'a channel without one', kind: UPDATE_CHANNEL, spec: {} },
  { name: 'a group with defaults', kind: UPDATE_GROUP, spec: aGroupSpec() },
  { name: 'a group with a track holding quotes', kind: UPDATE_GROUP, spec: aGroupSpec({ track: 'team "blue"' }) },
  {
    name: 'a group with every policy field',
    kind: UPDATE_GROUP,
    spec: aGroupSpec(
      {},
      {
        enabled: false,
        safeMode: true,
        maxUpdatesPerPeriod: 3,
        periodSeconds: 86400,
        maxInProgress: 1,
        maxTimedOut: 2,
        updateTimeoutSeconds: 7200,
        officeHours: officeHours({ start: '22:00', end: '06:00' }),
      },
    ),
  },
];

export const INVALID_SPECS: readonly InvalidSpecCase[] = [
  {
    name: 'a release with no version',
    kind: UPDATE_RELEASE,
    spec: aReleaseSpec({ version: 'latest' }),
    field: ['version'],
  },
  {
    name: 'a payload URL naming a directory',
    kind: UPDATE_RELEASE,
    spec: aReleaseSpec({ payloadUrl: 'https://x.test/dir/' }),
    field: ['payloadUrl'],
  },
  {
    name: 'a payload URL with a query',
    kind: UPDATE_RELEASE,
    spec: aReleaseSpec({ payloadUrl: 'https://x.test/p.gz?sig=1' }),
    field: ['payloadUrl'],
  },
  {
    name: 'a payload over ftp',
    kind: UPDATE_RELEASE,
    spec: aReleaseSpec({ payloadUrl: 'ftp://x.test/p.gz' }),
    field: ['payloadUrl'],
  },
  {
    name: 'an uppercase sha256',
    kind: UPDATE_RELEASE,
    spec: aReleaseSpec({ sha256: 'A'.repeat(64) }),
    field: ['sha256'],
  },
  { name: 'a size of 0', kind: UPDATE_RELEASE, spec: aReleaseSpec({ size: 0 }), field: ['size'] },
  {
    name: 'a channel naming no valid release',
    kind: UPDATE_CHANNEL,
    spec: { release: 'Not A Name' },
    field: ['release'],
  },
  { name: 'a group with an empty track', kind: UPDATE_GROUP, spec: aGroupSpec({ track: '' }), field: ['track'] },
  {
    name: 'a group with a channel that is no name',
    kind: UPDATE_GROUP,
    spec: aGroupSpec({ channel: 'Stable!' }),
    field: ['channel'],
  },
  {
    name: 'a concurrency limit of 0',
    kind: UPDATE_GROUP,
    spec: aGroupSpec({}, { maxInProgress: 0 }),
    field: ['policy', 'maxInProgress'],
  },
  {
    name: 'a period under a minute',
    kind: UPDATE_GROUP,
    spec: aGroupSpec({}, { periodSeconds: 10 }),
    field: ['policy', 'periodSeconds'],
  },
  {
    name: 'an unknown time zone',
    kind: UPDATE_GROUP,
    spec: aGroupSpec({}, { officeHours: officeHours({ timeZone: 'Mars/Olympus' }) }),
    field: ['policy', 'officeHours', 'timeZone'],
    sameMessage: true,
  },
  {
    name: 'an empty office-hours window',
    kind: UPDATE_GROUP,
    spec: aGroupSpec({}, { officeHours: officeHours({ end: '09:00' }) }),
    field: ['policy', 'officeHours', 'end'],
    sameMessage: true,
  },
  {
    name: 'a day named twice',
    kind: UPDATE_GROUP,
    spec: aGroupSpec({}, { officeHours: officeHours({ days: ['Mon', 'Mon'] }) }),
    field: ['policy', 'officeHours', 'days', 1],
  },
  {
    name: 'an hour of 24',
    kind: UPDATE_GROUP,
    spec: aGroupSpec({}, { officeHours: officeHours({ start: '24:00' }) }),
    field: ['policy', 'officeHours', 'start'],
  },
];
