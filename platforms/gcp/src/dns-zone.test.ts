import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zoneFor, type ManagedZoneCandidate } from './dns-zone.ts';
import { GcpPlatformError } from './errors.ts';

const zones: ManagedZoneCandidate[] = [
  { name: 'example', dnsName: 'example.com.', visibility: 'public' },
  { name: 'gcp', dnsName: 'gcp.example.com.', visibility: 'public' },
  { name: 'gcp-private', dnsName: 'k8s.gcp.example.com.', visibility: 'private' },
  { name: 'other', dnsName: 'notexample.com.', visibility: 'public' },
];

test('the most specific public zone holds a name', () => {
  assert.equal(zoneFor('api.k8s.gcp.example.com', zones, 'p').name, 'gcp');
  assert.equal(zoneFor('API.Example.com.', zones, 'p').name, 'example');
  assert.equal(zoneFor('gcp.example.com', zones, 'p').name, 'gcp');
});

test('a zone holds only names that end in whole labels of its domain', () => {
  assert.equal(zoneFor('api.notexample.com', zones, 'p').name, 'other');
  assert.throws(() => zoneFor('api.xample.com', zones, 'p'), GcpPlatformError);
});

test('no public zone: a typed error naming the name, the project and the zones seen', () => {
  assert.throws(
    () => zoneFor('api.example.org', zones, 'proj-1'),
    (error: unknown) =>
      error instanceof GcpPlatformError &&
      error.context['project'] === 'proj-1' &&
      error.context['dnsName'] === 'api.example.org' &&
      Array.isArray(error.context['zones']) &&
      error.context['zones'].length === zones.length,
  );
});
