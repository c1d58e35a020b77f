// The GCP existence checks against Pulumi's mocks: the invokes answer as a
// project with three zones in europe-west4, a few machine types per zone and
// one public managed zone would, and fail as Google does for what it lacks.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import { gcpExistenceChecks } from './existence.ts';
import { aGcpConfig } from './testing/fixtures.ts';

interface MockProject {
  readonly zones: readonly string[];
  /** Machine types per zone. */
  readonly machineTypes: Readonly<Record<string, readonly string[]>>;
  readonly managedZones: readonly { name: string; dnsName: string; visibility: string }[];
}

const PROJECT: MockProject = {
  zones: ['europe-west4-a', 'europe-west4-b', 'europe-west4-c'],
  machineTypes: {
    'europe-west4-a': ['n2-standard-2', 'n2-standard-4', 'e2-medium'],
    'europe-west4-b': ['n2-standard-2', 'n2-standard-4', 'e2-medium'],
    'europe-west4-c': ['n2-standard-2', 'e2-medium'],
  },
  managedZones: [
    { name: 'gcp-example', dnsName: 'gcp.example.com.', visibility: 'public' },
    { name: 'internal', dnsName: 'internal.example.net.', visibility: 'private' },
  ],
};

const inputsSchema = z.object({ project: z.string(), zone: z.string().optional(), region: z.string().optional() });

/** What Google answers each invoke with, for `project`; the tokens it does not know fail loudly. */
function gcpCall(project: MockProject, token: string, raw: Record<string, unknown>): Record<string, unknown> {
  const inputs = inputsSchema.parse(raw);
  switch (token) {
    case 'gcp:compute/getZones:getZones':
      return { names: [...project.zones], project: inputs.project, region: inputs.region };
    case 'gcp:compute/getMachineTypes:getMachineTypes':
      return {
        project: inputs.project,
        zone: inputs.zone,
        machineTypes: (project.machineTypes[inputs.zone ?? ''] ?? []).map((name) => ({ name })),
      };
    case 'gcp:dns/getManagedZones:getManagedZones':
      return { project: inputs.project, managedZones: project.managedZones.map((zone) => ({ ...zone })) };
    default:
      throw new Error(`no mock for the invoke ${token}`);
  }
}

describe('GCP existence checks (Pulumi mocks)', () => {
  const calls: string[] = [];
  beforeEach(async () => {
    calls.length = 0;
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => ({ id: `${args.name}-id`, state: z.record(z.string(), z.unknown()).parse(args.inputs) }),
        call: (args) => {
          calls.push(args.token);
          return gcpCall(PROJECT, args.token, z.record(z.string(), z.unknown()).parse(args.inputs));
        },
      },
      'strata-gcp',
      'mock',
      true,
    );
  });
  afterEach(() => pulumi.runtime.disconnect());

  it('mock: every check passes for zones, machine types and a managed zone the project has', async () => {
    const checks = await gcpExistenceChecks(aGcpConfig({ zones: ['europe-west4-a', 'europe-west4-b'] }));
    assert.deepEqual(
      checks.map(({ id, ok }) => ({ id, ok })),
      [
        { id: 'gcp-zones', ok: true },
        { id: 'gcp-machine-types', ok: true },
        { id: 'gcp-dns-zone', ok: true },
      ],
    );
    assert.match(checks[2]?.detail ?? '', /gcp-example \(gcp\.example\.com\.\) holds api\.demo\.gcp\.example\.com/);
    // One machine-type listing per zone the machines use.
    assert.equal(calls.filter((token) => token.endsWith('getMachineTypes')).length, 2);
  });

  it('mock: an unknown zone, an unknown machine type and a missing DNS zone are reported together', async () => {
    const checks = await gcpExistenceChecks(
      aGcpConfig({
        baseDomain: 'internal.example.net',
        zones: ['europe-west4-a', 'europe-west4-z', 'europe-west4-c'],
        workerPools: [{ name: 'general', count: 2, instanceType: 'n2-standard-4' }],
      }),
    );
    const failed = checks.filter((check) => !check.ok);
    assert.deepEqual(
      failed.map((check) => check.id),
      ['gcp-zones', 'gcp-machine-types', 'gcp-dns-zone'],
    );
    const [zones, types, dnsZone] = failed;
    assert.equal(
      zones?.detail,
      'gcp.zones[1] "europe-west4-z" is not a zone of europe-west4 (it has europe-west4-a, europe-west4-b, europe-west4-c)',
    );
    assert.equal(types?.detail, 'workerPools[0].instanceType "n2-standard-4": not offered in europe-west4-c');
    // The only zone of that domain is private: a resolver on the Internet would not find the API.
    assert.match(
      dnsZone?.detail ?? '',
      /^baseDomain "internal\.example\.net": no public Cloud DNS managed zone of project strata-test-123 holds api\.demo\.internal\.example\.net/,
    );
    for (const check of failed) assert.ok(check.fix !== undefined && check.fix !== '', `${check.id} has a fix`);
  });
});
