// Test support: valid configs to start from, and helpers to break them in one place.
import assert from 'node:assert/strict';
import { TEST_SYSEXT_SHA512 } from '../testing/sysext-pin.ts';
import { stringify } from 'yaml';
import type { ConfigIssue, Position } from './issue.ts';
import { parseClusterConfig, type ParseOptions } from './parse.ts';
import type { ClusterConfigInput, Platform } from './schema.ts';

// Real keys made with `ssh-keygen`, whose private halves were thrown away.
export const TEST_SSH_KEYS = {
  ed25519: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKRNkThcvD8KWu8Mejxa29enICHJDP5j1sTxRpzjodJp alice@example.com',
  ecdsa:
    'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHsl848zL+1hxFS7SFj/pq4KcgYCdH8dTaCdRuwpuR27r96T0Y/N5jRoeOr3XPFCkYd+I0wrMU6bwiOEPvLNQis= ops@example.com',
} as const;

function platformSection(platform: Platform): Partial<ClusterConfigInput> {
  switch (platform) {
    case 'local':
      return {};
    case 'bare-metal':
      return {
        bareMetal: {
          bootServer: { endpoint: 'http://matchbox.example.com:8080' },
          machines: [
            { name: 'node1', mac: '52:54:00:a1:9c:ae', domain: 'node1.example.com', role: 'controller' },
            { name: 'node2', mac: '52:54:00:b2:3a:f1', domain: 'node2.example.com', role: 'worker', pool: 'worker' },
            { name: 'node3', mac: '52:54:00:c3:4b:02', domain: 'node3.example.com', role: 'worker', pool: 'worker' },
          ],
        },
        workerPools: [{ name: 'worker', count: 2 }],
      };
    case 'aws':
      return { aws: { region: 'us-east-1', zones: ['us-east-1a', 'us-east-1b'], controllerType: 't3.medium' } };
    case 'gcp':
      return {
        gcp: {
          project: 'strata-demo',
          region: 'us-central1',
          zones: ['us-central1-a'],
          controllerType: 'n2-standard-2',
        },
      };
    case 'azure':
      return { azure: { location: 'eastus', resourceGroup: 'strata-demo', controllerType: 'Standard_D2as_v5' } };
  }
}

/** A valid config for `platform`, fresh on every call; tests change only what they are about. */
export function validConfig(platform: Platform = 'local'): ClusterConfigInput {
  return {
    apiVersion: 'strata.dev/v1alpha1',
    kind: 'Cluster',
    name: 'demo',
    baseDomain: 'example.com',
    platform,
    ...platformSection(platform),
    ...(platform === 'local'
      ? {}
      : { sshAuthorizedKeys: [TEST_SSH_KEYS.ed25519], kubernetesSysext: { sha512: TEST_SYSEXT_SHA512 } }),
  };
}

/** The smallest valid config: what `strata` documents as the minimum. */
export function minimalLocalConfig(): ClusterConfigInput {
  return {
    apiVersion: 'strata.dev/v1alpha1',
    kind: 'Cluster',
    name: 'demo',
    baseDomain: 'example.com',
    platform: 'local',
  };
}

/** "workerPools[0].taints[1].effect" or 'labels["node.strata.dev/pool"]' as path segments, the inverse of the issue paths. */
function pathSegments(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g)) {
    const [, key, index, quoted] = match;
    segments.push(
      index !== undefined ? Number(index) : quoted !== undefined ? (JSON.parse(quoted) as string) : (key ?? ''),
    );
  }
  return segments;
}

function setAt(root: Record<string, unknown>, path: string, value: unknown): void {
  const segments = pathSegments(path);
  let node: Record<string | number, unknown> = root;
  for (const [index, segment] of segments.entries()) {
    if (index === segments.length - 1) {
      if (value === undefined) {
        if (Array.isArray(node) && typeof segment === 'number') {
          node.splice(segment, 1);
        } else {
          delete node[segment];
        }
      } else {
        node[segment] = value;
      }
      return;
    }
    const next = segments[index + 1];
    node[segment] ??= typeof next === 'number' ? [] : {};
    node = node[segment] as Record<string | number, unknown>;
  }
}

/**
 * YAML text of `config` with `overrides` applied: keys are issue-style paths,
 * values are set as given (any type, so tests can write wrong ones), and
 * `undefined` removes the field.
 */
export function clusterConfigYaml(config: ClusterConfigInput, overrides: Record<string, unknown> = {}): string {
  const root = structuredClone(config) as Record<string, unknown>;
  for (const [path, value] of Object.entries(overrides)) {
    setAt(root, path, value);
  }
  return stringify(root, { lineWidth: 0 });
}

/** Parses with no host networks unless a test gives some, so results do not depend on the machine running the tests. */
export function parseForTest(text: string, options: ParseOptions = {}) {
  return parseClusterConfig(text, { hostNetworks: [], ...options });
}

/** The issues of a config that must fail. */
export function issuesOf(text: string, options: ParseOptions = {}): ConfigIssue[] {
  const result = parseForTest(text, options);
  assert.equal(result.ok, false, `expected problems in:\n${text}`);
  return result.ok ? [] : result.issues;
}

/** Line and column (1-based) where `needle` first appears in `text`, or first after the first `after`. */
export function positionOf(text: string, needle: string, after = ''): Position {
  const start = after === '' ? 0 : text.indexOf(after);
  assert.notEqual(start, -1, `"${after}" not found in:\n${text}`);
  const offset = text.indexOf(needle, start + after.length);
  assert.notEqual(offset, -1, `"${needle}" not found in:\n${text}`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
