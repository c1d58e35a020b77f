import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readProcessMemory } from './process-memory.ts';

describe('readProcessMemory', () => {
  it("reads this process's peak and resident memory, in bytes, the parts adding up to the whole", async () => {
    const memory = await readProcessMemory(process.pid);
    assert.ok(memory !== undefined);
    const rss = process.memoryUsage.rss();
    // The kernel's RSS and Node's are read moments apart: the same within a few MiB.
    assert.ok(Math.abs(memory.residentBytes - rss) < 32 * 2 ** 20, `${memory.residentBytes} against ${rss}`);
    assert.ok(memory.peakBytes >= memory.residentBytes);
    // RssShmem is the third part; a Node process has little or none.
    assert.ok(memory.anonymousBytes + memory.fileBytes <= memory.residentBytes);
    assert.ok(memory.anonymousBytes + memory.fileBytes > memory.residentBytes - 8 * 2 ** 20);
  });

  it('is undefined for a process that does not exist', async () => {
    assert.equal(await readProcessMemory(2 ** 22 + 1), undefined);
  });
});
