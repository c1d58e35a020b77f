import assert from 'node:assert/strict';
import { runCommand } from '@strata/host';

/**
 * The ELF program interpreter (the dynamic loader) a binary names, if any: a static binary names none. binutils'
 * readelf reads the program headers (gcc, which the cgo builds need, brings it).
 */
export async function elfInterpreter(path: string): Promise<string | undefined> {
  const result = await runCommand('readelf', ['--program-headers', '--wide', path]);
  assert.equal(result.code, 0, `readelf ${path}: ${result.stderr}`);
  return /\[Requesting program interpreter: ([^\]]+)\]/.exec(result.stdout)?.[1];
}
