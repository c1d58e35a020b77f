import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Service } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { POD_NETWORK_MTU } from '../config/network-ranges.ts';
import { ManifestInputsError, renderBootstrapManifests, type ManifestFile, type ManifestInputs } from './index.ts';
import { configData, find, manifestInputs } from './test-fixtures.ts';

const DUAL_STACK: Partial<ManifestInputs> = {
  podCidr: '10.2.0.0/16,fd00:10:2::/56',
  serviceCidr: '10.3.0.0/16,fd00:10:3::/112',
  dnsServiceIp: '10.3.0.10,fd00:10:3::a',
};
const IPV6_ONLY: Partial<ManifestInputs> = {
  podCidr: 'fd00:10:2::/56',
  serviceCidr: 'fd00:10:3::/112',
  dnsServiceIp: 'fd00:10:3::a',
};

const flannelNetConf = (files: readonly ManifestFile[]): unknown =>
  JSON.parse(configData(files, 'kube-flannel-cfg', 'net-conf.json'));
const kubeProxyConf = (files: readonly ManifestFile[]): unknown =>
  parse(configData(files, 'kube-proxy', 'config.conf'));
const dnsService = (files: readonly ManifestFile[]) => find<V1Service>(files, 'Service', 'kube-dns').spec;

describe('manifests for a dual-stack cluster', () => {
  const files = renderBootstrapManifests(manifestInputs(DUAL_STACK));

  it('gives flannel a network of each family', () => {
    assert.deepEqual(flannelNetConf(files), {
      Network: '10.2.0.0/16',
      EnableIPv6: true,
      IPv6Network: 'fd00:10:2::/56',
      EnableNFTables: false,
      Backend: { Type: 'vxlan' },
    });
  });

  it('gives kube-proxy both pod ranges', () => {
    assert.deepEqual(kubeProxyConf(files), {
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      clusterCIDR: '10.2.0.0/16,fd00:10:2::/56',
      mode: 'iptables',
      metricsBindAddress: '0.0.0.0:10249',
      healthzBindAddress: '0.0.0.0:10256',
    });
  });

  it('requires a cluster DNS address of each family, the primary first', () => {
    const spec = dnsService(files);
    assert.equal(spec?.clusterIP, '10.3.0.10');
    assert.deepEqual(spec?.clusterIPs, ['10.3.0.10', 'fd00:10:3::a']);
    assert.deepEqual(spec?.ipFamilies, ['IPv4', 'IPv6']);
    assert.equal(spec?.ipFamilyPolicy, 'RequireDualStack');
  });

  it('keeps the order of an IPv6-primary cluster', () => {
    const spec = dnsService(
      renderBootstrapManifests(
        manifestInputs({
          podCidr: 'fd00:10:2::/56,10.2.0.0/16',
          serviceCidr: 'fd00:10:3::/112,10.3.0.0/16',
          dnsServiceIp: 'fd00:10:3::a,10.3.0.10',
        }),
      ),
    );
    assert.deepEqual(spec?.clusterIPs, ['fd00:10:3::a', '10.3.0.10']);
    assert.deepEqual(spec?.ipFamilies, ['IPv6', 'IPv4']);
  });
});

describe('manifests for an IPv6-only cluster', () => {
  const files = renderBootstrapManifests(manifestInputs({ ...IPV6_ONLY, mtu: POD_NETWORK_MTU.minWithIPv6 }));

  it('turns flannel’s IPv4 network off', () => {
    assert.deepEqual(flannelNetConf(files), {
      EnableIPv4: false,
      EnableIPv6: true,
      IPv6Network: 'fd00:10:2::/56',
      EnableNFTables: false,
      Backend: { Type: 'vxlan', MTU: 1350 },
    });
  });

  it('binds kube-proxy on the IPv6 wildcard and gives it the IPv6 pod range', () => {
    assert.deepEqual(kubeProxyConf(files), {
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      clusterCIDR: 'fd00:10:2::/56',
      mode: 'iptables',
      metricsBindAddress: '[::]:10249',
      healthzBindAddress: '[::]:10256',
    });
  });

  it('gives cluster DNS a single IPv6 address', () => {
    const spec = dnsService(files);
    assert.equal(spec?.clusterIP, 'fd00:10:3::a');
    assert.equal(spec?.clusterIPs, undefined);
    assert.equal(spec?.ipFamilyPolicy, undefined);
  });
});

describe('manifest inputs by IP family', () => {
  const refused = (inputs: ManifestInputs): { field: string; message: string }[] => {
    try {
      renderBootstrapManifests(inputs);
    } catch (error) {
      assert.ok(error instanceof ManifestInputsError, String(error));
      return error.issues.map(({ field, message }) => ({ field, message }));
    }
    assert.fail('the inputs were accepted');
  };

  it('refuses pod and service ranges of different families or order', () => {
    assert.deepEqual(
      refused(manifestInputs({ ...DUAL_STACK, serviceCidr: '10.3.0.0/16', dnsServiceIp: '10.3.0.10' })),
      [
        {
          field: 'serviceCidr',
          message: 'is IPv4, but podCidr is dual-stack (IPv4, IPv6): both need the same IP families in the same order',
        },
      ],
    );
    assert.equal(
      refused(manifestInputs({ ...DUAL_STACK, serviceCidr: 'fd00:10:3::/112,10.3.0.0/16' }))[0]?.field,
      'serviceCidr',
    );
  });

  it('refuses two ranges of one family', () => {
    assert.equal(refused(manifestInputs({ podCidr: '10.2.0.0/16,10.4.0.0/16' }))[0]?.field, 'podCidr');
  });

  it('needs a DNS address in each service range, in order', () => {
    assert.deepEqual(refused(manifestInputs({ ...DUAL_STACK, dnsServiceIp: '10.3.0.10' })), [
      { field: 'dnsServiceIp', message: 'must have one address per range of serviceCidr 10.3.0.0/16,fd00:10:3::/112' },
    ]);
    assert.deepEqual(refused(manifestInputs({ ...DUAL_STACK, dnsServiceIp: 'fd00:10:3::a,10.3.0.10' })), [
      { field: 'dnsServiceIp', message: 'fd00:10:3::a must lie inside 10.3.0.0/16, the service range of its position' },
      {
        field: 'dnsServiceIp',
        message: '10.3.0.10 must lie inside fd00:10:3::/112, the service range of its position',
      },
    ]);
  });

  it('takes the MTU floor from the config: the IPv4 minimum alone, the IPv6 one with IPv6 pods', () => {
    assert.doesNotThrow(() => renderBootstrapManifests(manifestInputs({ mtu: POD_NETWORK_MTU.min })));
    assert.equal(refused(manifestInputs({ mtu: POD_NETWORK_MTU.min - 1 }))[0]?.field, 'mtu');
    assert.equal(refused(manifestInputs({ mtu: POD_NETWORK_MTU.max + 1 }))[0]?.field, 'mtu');
    assert.deepEqual(refused(manifestInputs({ ...IPV6_ONLY, mtu: POD_NETWORK_MTU.minWithIPv6 - 1 })), [
      {
        field: 'mtu',
        message:
          "must be at least 1350 with an IPv6 pod network (IPv6 links carry 1280 bytes, plus flannel's VXLAN overhead)",
      },
    ]);
  });
});
