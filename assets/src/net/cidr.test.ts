import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatCidr, freeRange, networkOfInterface, nthAddress, overlaps, parseCidr, type Cidr } from './cidr.ts';

function cidr(text: string): Cidr {
  const result = parseCidr(text);
  assert.ok(result.ok, `${text}: ${result.ok ? '' : result.problem.message}`);
  return result.cidr;
}

describe('CIDRs', () => {
  it('parses IPv4 and IPv6 ranges and writes them back canonically', () => {
    for (const [text, canonical] of [
      ['10.2.0.0/16', '10.2.0.0/16'],
      ['0.0.0.0/0', '0.0.0.0/0'],
      ['FD00:0:0:0:0:0:0:0/8', 'fd00::/8'],
      ['2001:db8:0:0:1:0:0:0/80', '2001:db8:0:0:1::/80'],
      ['2001:db8:0:0:1:0:0:1/128', '2001:db8::1:0:0:1/128'],
      ['::ffff:10.0.0.0/104', '::ffff:a00:0/104'],
      ['::/0', '::/0'],
    ]) {
      assert.equal(formatCidr(cidr(text ?? '')), canonical);
    }
  });

  it('explains what is wrong and what to write instead', () => {
    const problems = Object.fromEntries(
      ['10.2.0.0', '10.2.0/16', '10.2.0.0/33', '10.2.0.1/16', 'fd00::1/64', '10.2.0.0/-1', 'fe80::%eth0/64'].map(
        (text) => {
          const result = parseCidr(text);
          return [text, result.ok ? undefined : result.problem];
        },
      ),
    );
    assert.deepEqual(problems, {
      '10.2.0.0': { message: 'is not in CIDR notation (address/prefix length)', hint: 'e.g. "10.2.0.0/16"' },
      '10.2.0/16': { message: 'has an invalid IP address "10.2.0"', hint: 'e.g. "10.2.0.0/16" or "fd00:10:2::/56"' },
      '10.2.0.0/33': {
        message: 'has an invalid prefix length "/33": an IPv4 range has 0 to 32',
        hint: 'e.g. "10.2.0.0/16"',
      },
      '10.2.0.1/16': { message: 'has host bits set: the range starts at 10.2.0.0', hint: 'use "10.2.0.0/16"' },
      'fd00::1/64': { message: 'has host bits set: the range starts at fd00::', hint: 'use "fd00::/64"' },
      '10.2.0.0/-1': {
        message: 'has an invalid prefix length "/-1": an IPv4 range has 0 to 32',
        hint: 'e.g. "10.2.0.0/16"',
      },
      'fe80::%eth0/64': {
        message: 'has an invalid IP address "fe80::%eth0"',
        hint: 'e.g. "10.2.0.0/16" or "fd00:10:2::/56"',
      },
    });
  });

  it('finds overlaps within one family only', () => {
    assert.ok(overlaps(cidr('10.0.0.0/8'), cidr('10.3.0.0/16')));
    assert.ok(overlaps(cidr('10.3.0.0/16'), cidr('10.0.0.0/8')));
    assert.ok(!overlaps(cidr('10.2.0.0/16'), cidr('10.3.0.0/16')));
    assert.ok(overlaps(cidr('fd00::/48'), cidr('fd00:0:0:1::/64')));
    assert.ok(!overlaps(cidr('0.0.0.0/0'), cidr('::/0')));
  });

  it("takes an interface's address with its prefix as the network it is on", () => {
    assert.equal(formatCidr(networkOfInterface('192.168.1.23/24') ?? assert.fail()), '192.168.1.0/24');
    assert.equal(formatCidr(networkOfInterface('fe80::1c2:3ff:fe04:506/64') ?? assert.fail()), 'fe80::/64');
    assert.equal(networkOfInterface('not-an-address/24'), undefined);
  });

  it('suggests the first free private range of the same size', () => {
    const taken = [cidr('10.0.0.0/16'), cidr('10.1.0.0/16'), cidr('10.3.0.0/16')];
    assert.equal(formatCidr(freeRange(4, 16, taken) ?? assert.fail()), '10.2.0.0/16');
    assert.equal(formatCidr(freeRange(4, 12, [cidr('10.0.0.0/8')]) ?? assert.fail()), '172.16.0.0/12');
    assert.equal(freeRange(4, 4, []), undefined);
  });
});

describe('nthAddress', () => {
  it('gives the addresses Kubernetes reserves in the service range', () => {
    assert.equal(nthAddress('10.3.0.0/16', 1), '10.3.0.1');
    assert.equal(nthAddress('10.3.0.0/16', 10), '10.3.0.10');
    assert.equal(nthAddress('fd00:10:3::/112', 10), 'fd00:10:3::a');
  });

  it('refuses an address outside the range, and a range that is not one', () => {
    assert.throws(() => nthAddress('10.3.0.0/30', 4), /has no address number 4/);
    assert.throws(() => nthAddress('10.3.0.1/16', 1), /host bits set/);
  });
});
