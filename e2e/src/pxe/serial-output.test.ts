import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GUEST_FAILURE_MARKER, IGNITION_BEGIN_MARKER, IGNITION_END_MARKER } from './guest-init.ts';
import { readSerialVerdict } from './serial-output.ts';

/** What the guest's /init writes for a config: the framing of guest-init.ts. */
function framed(config: string): string {
  return `${IGNITION_BEGIN_MARKER} ${Buffer.byteLength(config)}\n${config}\n${IGNITION_END_MARKER}\n`;
}

const BOOT_NOISE =
  'SeaBIOS (version 1.16.2)\r\n[    1.645729] Run /init as init process\r\nudhcpc: lease of 10.0.2.15 obtained\n';

describe('reading the guest serial console', () => {
  it('returns the config byte for byte, between boot noise and power-off', () => {
    const config = '{"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/etc/hostname"}]}}';
    const log = Buffer.from(`${BOOT_NOISE}${framed(config)}[    2.24] reboot: Power down\r\n`);
    assert.deepEqual(readSerialVerdict(log), { kind: 'ignition', config });
  });

  it('keeps trailing newlines, multi-byte characters and lines that look like markers', () => {
    const config = `{"note":"naïve ✓"}\n${IGNITION_END_MARKER}\n\n`;
    assert.deepEqual(readSerialVerdict(Buffer.from(BOOT_NOISE + framed(config))), { kind: 'ignition', config });
  });

  it('returns an empty config as empty', () => {
    assert.deepEqual(readSerialVerdict(Buffer.from(framed(''))), { kind: 'ignition', config: '' });
  });

  it('reports the reason the guest gave up', () => {
    const log = Buffer.from(`${BOOT_NOISE}${GUEST_FAILURE_MARKER} wget http://10.0.2.2:8080/ignition failed\n`);
    assert.deepEqual(readSerialVerdict(log), {
      kind: 'guest-failed',
      reason: 'wget http://10.0.2.2:8080/ignition failed',
    });
  });

  it('says what is missing when the boot did not get that far', () => {
    assert.deepEqual(readSerialVerdict(Buffer.from(BOOT_NOISE)), {
      kind: 'incomplete',
      reason: `no "${IGNITION_BEGIN_MARKER}" line`,
    });
    const cut = framed('{"ignition":{}}').slice(0, -10);
    assert.equal(readSerialVerdict(Buffer.from(cut)).kind, 'incomplete');
  });

  it('does not take a config whose length does not match what the guest announced', () => {
    const log = Buffer.from(`${IGNITION_BEGIN_MARKER} 3\n{"a":1}\n${IGNITION_END_MARKER}\n`);
    assert.equal(readSerialVerdict(log).kind, 'incomplete');
  });

  it('ignores a marker that does not start a line', () => {
    const log = Buffer.from(`fetching http://x/${IGNITION_BEGIN_MARKER} 2\n`);
    assert.equal(readSerialVerdict(log).kind, 'incomplete');
  });
});
