import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isNodeAddress, normaliseSourceAddress, runsZincati } from './zincati-node.ts';

describe('runsZincati', () => {
  it("accepts Fedora CoreOS's PRETTY_NAME, as the kubelet reports it", () => {
    assert.equal(runsZincati('Fedora CoreOS 42.20250901.3.0'), true);
    assert.equal(runsZincati('Fedora CoreOS 40.20240519.3.0'), true);
  });

  it('refuses Flatcar, other Fedora variants, look-alikes and an unreported image', () => {
    for (const osImage of [
      'Flatcar Container Linux by Kinvolk 4230.2.3 (Oklo)',
      'Fedora Linux 42 (Server Edition)',
      'Fedora CoreOSX 1',
      'fedora coreos 42.20250901.3.0',
      'Not Fedora CoreOS 42',
      '',
      undefined,
    ]) {
      assert.equal(runsZincati(osImage), false, String(osImage));
    }
  });
});

describe('isNodeAddress', () => {
  it("matches the socket's address against the node's addresses, IPv4-mapped or not", () => {
    assert.equal(isNodeAddress('127.0.0.7', ['127.0.0.7']), true);
    assert.equal(isNodeAddress('::ffff:10.0.0.5', ['192.168.1.1', '10.0.0.5']), true);
    assert.equal(isNodeAddress('FD00::1', ['fd00::1']), true);
  });

  it('refuses any other address, and a node without addresses', () => {
    assert.equal(isNodeAddress('127.0.0.1', ['127.0.0.7']), false);
    assert.equal(isNodeAddress('10.0.0.50', ['10.0.0.5']), false);
    assert.equal(isNodeAddress('10.0.0.5', []), false);
  });

  it('normalises only IPv4-mapped IPv6 to IPv4', () => {
    assert.equal(normaliseSourceAddress('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(normaliseSourceAddress('::1'), '::1');
  });
});
