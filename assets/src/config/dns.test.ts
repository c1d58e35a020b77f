import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkDnsLabel, checkDnsSubdomain, checkFqdn, checkHostName, checkLabelKey, checkLabelValue } from './dns.ts';

describe('DNS and Kubernetes names', () => {
  it('checks DNS-1123 labels and proposes a valid one', () => {
    assert.equal(checkDnsLabel('demo-1'), undefined);
    assert.equal(checkDnsLabel('-demo')?.hint, 'use "demo"');
    assert.equal(checkDnsLabel('Prod.EU')?.hint, 'use "prod-eu"');
    assert.equal(checkDnsLabel('a'.repeat(64))?.message, 'is 64 characters long; at most 63 are allowed');
  });

  it('checks DNS subdomains and FQDNs', () => {
    assert.equal(checkDnsSubdomain('example.com'), undefined);
    assert.deepEqual(checkDnsSubdomain('example.com.'), {
      message: 'must not end with "."',
      hint: 'use "example.com"',
    });
    assert.equal(checkDnsSubdomain('Example.COM')?.hint, 'use "example.com"');
    assert.equal(checkDnsSubdomain('a..b')?.hint, 'use "a.b"');
    assert.equal(checkFqdn('node1')?.hint, 'add the domain, e.g. "node1.example.com"');
  });

  it('refuses host names that URLs would read as an IPv4 address', () => {
    assert.deepEqual(
      ['example.com', 'a.6', 'a.0x1f', 'a.0x', 'x6.com', 'a.6x', '10.0.0.1'].map(
        (name) => checkHostName(name) === undefined,
      ),
      [true, false, false, false, true, true, false],
    );
    // What the check stands for: each name it takes makes an https:// URL.
    for (const name of ['example.com', 'x6.com', 'a.6x']) assert.ok(URL.canParse(`https://${name}:6443`), name);
    assert.equal(URL.canParse('https://a.6:6443'), false);
    assert.equal(checkFqdn('node1.6')?.message, 'ends in a numeric part, which URLs read as an IPv4 address');
  });

  it('checks Kubernetes label keys and values', () => {
    assert.deepEqual(
      ['gpu', 'node.strata.dev/pool', 'example.com/a_b.c', 'Node.Strata/x', '/x', 'a/b/c', 'x/'].map(
        (key) => checkLabelKey(key) === undefined,
      ),
      [true, true, true, false, false, false, false],
    );
    assert.deepEqual(
      ['', 'worker', 'A_1.b', '-x', 'x'.repeat(64)].map((value) => checkLabelValue(value) === undefined),
      [true, true, true, false, false],
    );
  });
});
