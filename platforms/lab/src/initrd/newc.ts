// The kernel's initramfs format: a "newc" cpio archive, packed by Debian's cpio from a staging directory.
import { readdir } from 'node:fs/promises';
import { pipeThrough } from '@strata/host';

/** `find . | cpio -o -H newc` of `root`, with names sorted and every file owned by root, so equal trees pack equal. */
export async function packNewcArchive(cpio: string, root: string): Promise<Buffer> {
  const entries = (await readdir(root, { recursive: true })).sort();
  const list = ['.', ...entries].join('\n') + '\n';
  return pipeThrough(
    cpio,
    ['--create', '--format=newc', '--owner=0:0', '--reproducible', '--quiet'],
    Buffer.from(list),
    root,
  );
}
