// The last lines of the logs the engine knows of, most relevant file first,
// each line prefixed with its file's name. Only the end of each file is read,
// so a log of gigabytes costs no more than a small one; a file that is not
// there is said to be missing rather than failing the diagnosis.
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { messageOf } from './probe-options.ts';
import { redactSecrets } from './redact.ts';

export interface LogTailOptions {
  /** Lines per file; 20 unless given. */
  readonly linesPerFile?: number;
  /** Lines in all, over every file; 200 unless given. */
  readonly maxLines?: number;
  /** How much of each file's end is read; 64 KiB unless given. */
  readonly maxBytesPerFile?: number;
}

const fileErrorSchema = z.looseObject({ code: z.string() });

async function readEnd(path: string, maxBytes: number): Promise<{ readonly text: string; readonly cut: boolean }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, size - length);
    return { text: buffer.subarray(0, bytesRead).toString('utf8'), cut: size > length };
  } finally {
    await handle.close();
  }
}

async function tailOne(path: string, lines: number, maxBytes: number): Promise<string[]> {
  const name = basename(path);
  let end;
  try {
    end = await readEnd(path, maxBytes);
  } catch (error) {
    const code = fileErrorSchema.safeParse(error).data?.code;
    return [
      code === 'ENOENT'
        ? `${name}: (missing: ${path} does not exist)`
        : `${name}: (cannot read ${path}: ${messageOf(error)})`,
    ];
  }
  // Redact before splitting, so that a key block spanning lines is caught whole.
  const all = redactSecrets(end.text).split('\n');
  // The first line of a cut read is a fragment.
  if (end.cut) all.shift();
  while (all.length > 0 && all.at(-1)?.trim() === '') all.pop();
  if (all.length === 0) return [`${name}: (empty)`];
  return all.slice(-lines).map((line) => `${name}: ${line}`);
}

export async function tailLogs(files: readonly string[], options: LogTailOptions = {}): Promise<string[]> {
  const linesPerFile = options.linesPerFile ?? 20;
  const maxLines = options.maxLines ?? 200;
  const maxBytes = options.maxBytesPerFile ?? 64 * 1024;
  const tail: string[] = [];
  for (const [index, file] of files.entries()) {
    const room = maxLines - tail.length;
    if (room <= 0) {
      tail.push(
        `(${files.length - index} more log file(s) not shown: ${files
          .slice(index)
          .map((each) => basename(each))
          .join(', ')})`,
      );
      break;
    }
    tail.push(...(await tailOne(file, Math.min(linesPerFile, room), maxBytes)));
  }
  return tail;
}
