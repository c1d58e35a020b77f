import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clusterConfigYaml, issuesOf, parseForTest, positionOf, validConfig } from '../fixtures.ts';
import type { ConfigIssue } from '../issue.ts';
import type { ClusterConfig } from '../schema.ts';
import { POD_NETWORK_MTU } from '../network-ranges.ts';

const DUAL_PODS = ['10.2.0.0/16', 'fd00:10:2::/56'];
const DUAL_SERVICES = ['10.3.0.0/16', 'fd00:10:3::/112'];

function parsed(overrides: Record<string, unknown>): ClusterConfig {
  const result = parseForTest(clusterConfigYaml(validConfig('aws'), overrides));
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.config;
}

/** The issues as path and message, the parts these rules decide. */
function problems(overrides: Record<string, unknown>): Pick<ConfigIssue, 'path' | 'message'>[] {
  return issuesOf(clusterConfigYaml(validConfig('aws'), overrides)).map(({ path, message }) => ({ path, message }));
}

describe('cluster config: dual-stack and IPv6 networking', () => {
  it('accepts one range per family as a list and gives them in the flags’ comma-separated form', () => {
    const config = parsed({ 'networking.podCidr': DUAL_PODS, 'networking.serviceCidr': DUAL_SERVICES });
    assert.equal(config.networking.podCidr, '10.2.0.0/16,fd00:10:2::/56');
    assert.equal(config.networking.serviceCidr, '10.3.0.0/16,fd00:10:3::/112');
  });

  it('accepts the comma-separated form as written for Kubernetes, IPv6 first too', () => {
    const config = parsed({
      'networking.podCidr': 'fd00:10:2::/56, 10.2.0.0/16',
      'networking.serviceCidr': 'fd00:10:3::/112,10.3.0.0/16',
    });
    assert.equal(config.networking.podCidr, 'fd00:10:2::/56,10.2.0.0/16');
    assert.equal(config.networking.serviceCidr, 'fd00:10:3::/112,10.3.0.0/16');
  });

  it('accepts single-stack IPv6, and keeps single IPv4 ranges as they were', () => {
    const v6 = parsed({ 'networking.podCidr': 'fd00:10:2::/56', 'networking.serviceCidr': ['fd00:10:3::/112'] });
    assert.equal(v6.networking.serviceCidr, 'fd00:10:3::/112');
    assert.equal(parsed({}).networking.podCidr, '10.2.0.0/16');
  });

  it('allows at most one range per IP family, reported at the list entry', () => {
    assert.deepEqual(
      problems({ 'networking.podCidr': ['10.2.0.0/16', '10.4.0.0/16'], 'networking.serviceCidr': DUAL_SERVICES }),
      [
        {
          path: 'networking.podCidr[1]',
          message: 'is a second IPv4 range (after "10.2.0.0/16"); a cluster has at most one per IP family',
        },
      ],
    );
    assert.deepEqual(
      problems({ 'networking.podCidr': [...DUAL_PODS, '10.4.0.0/16'], 'networking.serviceCidr': DUAL_SERVICES }),
      [{ path: 'networking.podCidr', message: 'lists 3 ranges, but a cluster has at most one per IP family' }],
    );
  });

  it('names the bad entry of a comma-separated string', () => {
    assert.deepEqual(
      problems({ 'networking.podCidr': '10.2.0.0/16,fd00:10:2::1/56', 'networking.serviceCidr': DUAL_SERVICES }),
      [
        {
          path: 'networking.podCidr',
          message: 'has "fd00:10:2::1/56", which has host bits set: the range starts at fd00:10:2::',
        },
      ],
    );
  });

  it('checks the size of each service range by its family', () => {
    const text = clusterConfigYaml(validConfig('aws'), {
      'networking.podCidr': DUAL_PODS,
      'networking.serviceCidr': ['10.3.0.0/16', 'fd00:10:3::/100'],
    });
    assert.deepEqual(issuesOf(text), [
      {
        path: 'networking.serviceCidr[1]',
        message: 'is too large: a service range may be at most a /108',
        hint: 'use a /108 or smaller range, e.g. "fd00:10:3::/112"',
        value: 'fd00:10:3::/100',
        ...positionOf(text, 'fd00:10:3::/100'),
      },
    ]);
  });

  it('needs the same families in pods and services', () => {
    assert.deepEqual(problems({ 'networking.podCidr': DUAL_PODS }), [
      {
        path: 'networking.serviceCidr',
        message: 'is IPv4, but networking.podCidr is dual-stack (IPv4, IPv6)',
      },
    ]);
  });

  it('needs the same primary family in pods and services', () => {
    assert.deepEqual(
      problems({ 'networking.podCidr': DUAL_PODS, 'networking.serviceCidr': [...DUAL_SERVICES].reverse() }),
      [
        {
          path: 'networking.serviceCidr',
          message:
            'lists IPv6 then IPv4, but networking.podCidr lists IPv4 then IPv6: the first (primary) IP family must be the same',
        },
      ],
    );
  });

  it('finds overlaps within a family and reports them at the list entry', () => {
    assert.deepEqual(
      problems({ 'networking.podCidr': DUAL_PODS, 'networking.serviceCidr': ['10.3.0.0/16', 'fd00:10:2:1::/112'] }),
      [{ path: 'networking.serviceCidr[1]', message: 'overlaps networking.podCidr (fd00:10:2::/56)' }],
    );
  });

  it('refuses an MTU below what IPv6 pods need, but allows it for IPv4-only clusters', () => {
    const small = POD_NETWORK_MTU.minWithIPv6 - 1;
    const text = clusterConfigYaml(validConfig('aws'), {
      'networking.podCidr': DUAL_PODS,
      'networking.serviceCidr': DUAL_SERVICES,
      'networking.mtu': small,
    });
    assert.deepEqual(issuesOf(text), [
      {
        path: 'networking.mtu',
        message: `is ${small}, but a pod network with IPv6 needs at least 1350: IPv6 requires links of 1280 bytes, and flannel's VXLAN takes up to 70 bytes of each packet`,
        hint: "use 1350 or more, or remove networking.mtu to use the MTU of the nodes' interface",
        value: String(small),
        ...positionOf(text, String(small), 'mtu:'),
      },
    ]);
    assert.equal(parsed({ 'networking.mtu': POD_NETWORK_MTU.min }).networking.mtu, POD_NETWORK_MTU.min);
    assert.equal(
      parsed({ 'networking.podCidr': DUAL_PODS, 'networking.serviceCidr': DUAL_SERVICES, 'networking.mtu': 1350 })
        .networking.mtu,
      1350,
    );
  });
});
