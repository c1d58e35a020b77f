import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LabConfigError } from '../errors.ts';
import { DEFAULT_LAB_SUBNET, labAddressing, macSchema } from './addressing.ts';

describe('labAddressing', () => {
  it('gives the host .1, the DHCP server .2 and the machines .10 up', () => {
    const lab = labAddressing();
    assert.equal(lab.subnet, DEFAULT_LAB_SUBNET);
    assert.equal(lab.network, '10.213.0.0');
    assert.equal(lab.hostAddress, '10.213.0.1');
    assert.equal(lab.serverAddress, '10.213.0.2');
    assert.equal(lab.machineAddress(0), '10.213.0.10');
    assert.equal(lab.machineAddress(240), '10.213.0.250');
  });

  it('takes any private /24', () => {
    for (const subnet of ['10.0.0.0/24', '172.16.5.0/24', '172.31.255.0/24', '192.168.77.0/24'])
      assert.equal(labAddressing(subnet).hostAddress, subnet.replace(/\.0\/24$/, '.1'));
  });

  it('refuses what is not a private /24 network address, saying why', () => {
    const cases: [string, RegExp][] = [
      ['8.8.8.0/24', /private range/],
      ['172.32.0.0/24', /private range/],
      ['10.213.0.0/16', /must be a \/24/],
      ['10.213.0.7/24', /network address/],
      ['10.213.0.0', /CIDR/],
      ['', /CIDR/],
    ];
    for (const [subnet, why] of cases) {
      assert.throws(
        () => labAddressing(subnet),
        (error: unknown) => {
          assert.ok(error instanceof LabConfigError, subnet);
          assert.equal(error.context['field'], 'subnet');
          assert.match(error.message, why, subnet);
          return true;
        },
      );
    }
  });

  it('has room for 241 machines, and says so past that', () => {
    const lab = labAddressing();
    for (const index of [-1, 241, 1.5]) assert.throws(() => lab.machineAddress(index), /machines 0 to 240/);
  });
});

describe('macSchema', () => {
  it('takes a lower-case unicast MAC and refuses others', () => {
    assert.equal(macSchema.parse('52:54:00:12:34:56'), '52:54:00:12:34:56');
    for (const mac of [
      '52:54:00:12:34:5G',
      '52-54-00-12-34-56',
      '52:54:00:12:34',
      '01:00:5e:00:00:01',
      'AA:BB:CC:DD:EE:FF',
    ])
      assert.equal(macSchema.safeParse(mac).success, false, mac);
  });
});
