// The KVM probe for real: a probe guest under KVM on this host. Where /dev/kvm is usable and Linux guests boot under
// it, the answer is kvm; where they hang (this project's CI machines), tcg, with why. Either way the answer is kept for
// this host boot and not probed again, and an explicit choice skips the probe.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AcceleratorChoiceSchema, chooseAccelerator } from './accelerator.ts';

describe('chooseAccelerator', () => {
  let cacheDir: string;
  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'strata-accel-'));
  });
  after(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('probes KVM with a real guest once per host boot, and says why it chose what it chose', async () => {
    const started = performance.now();
    const first = await chooseAccelerator({ cacheDir, timeoutMs: 15_000, env: { PATH: process.env['PATH'] ?? '' } });
    const probeMs = performance.now() - started;
    const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    assert.equal(first.bootId, bootId);
    if (first.accelerator === 'kvm') assert.match(first.reason, /booted under KVM in \d+ ms/);
    else assert.match(first.reason, /\/dev\/kvm is not usable|printed nothing under KVM in 15000 ms|failed under KVM/);
    const recorded = AcceleratorChoiceSchema.parse(
      JSON.parse(await readFile(join(cacheDir, 'accelerator.json'), 'utf8')),
    );
    if (!first.reason.startsWith('/dev/kvm')) assert.deepEqual(recorded, first);

    const second = await chooseAccelerator({ cacheDir, timeoutMs: 15_000, env: { PATH: process.env['PATH'] ?? '' } });
    assert.deepEqual(second, first, 'the kept answer, not a new probe');
    process.stderr.write(`[lab] accelerator ${first.accelerator} (${first.reason}); probe ${Math.round(probeMs)} ms\n`);
  });

  it('skips the probe when asked for one, and refuses an unknown one', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'strata-accel-'));
    try {
      const forced = await chooseAccelerator({ cacheDir: empty, env: { STRATA_LAB_ACCEL: 'tcg' } });
      assert.equal(forced.accelerator, 'tcg');
      assert.equal(forced.reason, 'asked for tcg');
      await assert.rejects(
        chooseAccelerator({ cacheDir: empty, env: { STRATA_LAB_ACCEL: 'hvf' } }),
        /STRATA_LAB_ACCEL="hvf": must be kvm or tcg/,
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
