import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labAddressing } from './addressing.ts';
import { dhcpHostLine, dnsmasqArguments, dnsNameLine } from './dnsmasq.ts';

const files = {
  hostsFile: '/run/lab/hosts',
  namesFile: '/run/lab/names',
  leaseFile: '/run/lab/leases',
  pidFile: '/run/lab/pid',
};

describe('dnsmasqArguments', () => {
  const args = dnsmasqArguments({
    addressing: labAddressing('192.168.77.0/24'),
    bridge: 'labbr0',
    files,
    bootfileUrl: 'http://192.168.77.1:8080/boot.ipxe',
  });

  it("serves DHCP and the lab's names, on the bridge only, from nothing of the host and asking no upstream", () => {
    for (const arg of [
      '--addn-hosts=/run/lab/names',
      '--interface=labbr0',
      '--bind-interfaces',
      '--conf-file=/dev/null',
      '--no-resolv',
      '--no-hosts',
    ])
      assert.ok(args.includes(arg), arg);
    assert.ok(!args.some((arg) => arg.startsWith('--server') || arg.startsWith('--resolv-file')), 'no upstream');
    assert.ok(!args.includes('--port=0'), 'DNS is on');
  });

  it('leases only the hosts file, offers the host end as router and itself as DNS server, and points iPXE at the boot server', () => {
    assert.ok(args.includes('--dhcp-range=192.168.77.0,static,255.255.255.0,3600'));
    assert.ok(args.includes('--dhcp-hostsfile=/run/lab/hosts'));
    assert.ok(args.includes('--dhcp-option=option:router,192.168.77.1'), 'the host end as the default router');
    assert.ok(args.includes('--dhcp-option=option:dns-server,192.168.77.2'), 'the server itself (on the bridge)');
    assert.ok(args.includes('--dhcp-userclass=set:ipxe,iPXE'));
    assert.ok(args.includes('--dhcp-boot=tag:ipxe,http://192.168.77.1:8080/boot.ipxe'));
    assert.equal(args.filter((arg) => arg.startsWith('--dhcp-boot=')).length, 1, 'no boot file for other clients');
  });
});

describe('dnsNameLine', () => {
  it("is /etc/hosts' address and name", () => {
    assert.equal(dnsNameLine({ name: 'api.lab.test', address: '192.168.77.1' }), '192.168.77.1 api.lab.test');
  });
});

describe('dhcpHostLine', () => {
  it('is MAC, address, hostname', () => {
    assert.equal(
      dhcpHostLine({ mac: '52:54:00:12:34:56', address: '10.213.0.10', hostname: 'lab-1' }),
      '52:54:00:12:34:56,10.213.0.10,lab-1',
    );
  });
});
