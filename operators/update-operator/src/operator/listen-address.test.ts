import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ListenAddressError, parseListenAddress } from './listen-address.ts';

/** What the kubelet makes of the manifest's `$(POD_IP):port` argument: the pod IP substituted as is. */
const podIpExpansion = (podIp: string, port: number): string => `$(POD_IP):${port}`.replace('$(POD_IP)', podIp);

describe('parseListenAddress', () => {
  it('reads host:port and [ipv6]:port', () => {
    assert.deepEqual(parseListenAddress('0.0.0.0:8080', '--metrics-address'), { host: '0.0.0.0', port: 8080 });
    assert.deepEqual(parseListenAddress('[::1]:0', '--metrics-address'), { host: '::1', port: 0 });
    assert.deepEqual(parseListenAddress('localhost:8081', '--fleetlock-address'), { host: 'localhost', port: 8081 });
  });

  it('reads the $(POD_IP):port expansion for an IPv4 and an IPv6 pod IP', () => {
    assert.deepEqual(parseListenAddress(podIpExpansion('10.244.1.7', 8081), '--fleetlock-address'), {
      host: '10.244.1.7',
      port: 8081,
    });
    assert.deepEqual(parseListenAddress(podIpExpansion('fd00:10:244:1::7', 8081), '--fleetlock-address'), {
      host: 'fd00:10:244:1::7',
      port: 8081,
    });
    // A full eight-group address, where no "::" marks where the address ends.
    assert.deepEqual(parseListenAddress(podIpExpansion('2001:db8:0:1:2:3:4:5', 9090), '--metrics-address'), {
      host: '2001:db8:0:1:2:3:4:5',
      port: 9090,
    });
  });

  it('refuses anything else, naming the flag', () => {
    const refused = [
      '8080',
      ':8080',
      '0.0.0.0:',
      '0.0.0.0:65536',
      'fd00::7:65536',
      'fd00::zz:80',
      '[fd00::7]',
      '1::2',
      'host:port',
    ];
    for (const bad of refused) {
      assert.throws(
        () => parseListenAddress(bad, '--metrics-address'),
        (error: unknown) => error instanceof ListenAddressError && error.message.includes('--metrics-address'),
        bad,
      );
    }
  });
});
