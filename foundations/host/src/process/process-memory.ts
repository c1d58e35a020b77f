// A process's memory as the kernel accounts it, from /proc/<pid>/status: what benchmarks report of the processes
// they start (peak resident set, and what it is made of).
import { readFile } from 'node:fs/promises';

export interface ProcessMemory {
  /** The peak resident set since the process started (VmHWM). */
  readonly peakBytes: number;
  /** The resident set now (VmRSS). */
  readonly residentBytes: number;
  /** Its anonymous part: heaps, stacks (RssAnon). */
  readonly anonymousBytes: number;
  /** Its file-backed part: the binary and libraries mapped (RssFile). */
  readonly fileBytes: number;
}

/** `pid`'s memory; undefined once the process is gone (or on a kernel without /proc). */
export async function readProcessMemory(pid: number): Promise<ProcessMemory | undefined> {
  let status: string;
  try {
    status = await readFile(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const bytes = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return {
    peakBytes: bytes('VmHWM'),
    residentBytes: bytes('VmRSS'),
    anonymousBytes: bytes('RssAnon'),
    fileBytes: bytes('RssFile'),
  };
}
