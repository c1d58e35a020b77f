import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** `sha256sum` format, so that the file can also be checked with `sha256sum -c`. */
export function formatChecksumLine(hex: string, fileName: string): string {
  return `${hex}  ${fileName}\n`;
}

export function parseChecksumLine(text: string): string | undefined {
  const match = /^([0-9a-f]{64})\b/.exec(text.trim());
  return match?.[1];
}
