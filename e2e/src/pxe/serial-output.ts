// Reads the guest's answer off its serial console log (see guest-init.ts for
// the framing). Pure, so that the framing rules have unit tests.
import { GUEST_FAILURE_MARKER, IGNITION_BEGIN_MARKER, IGNITION_END_MARKER } from './guest-init.ts';

export type SerialVerdict =
  | { readonly kind: 'ignition'; readonly config: string }
  | { readonly kind: 'guest-failed'; readonly reason: string }
  | { readonly kind: 'incomplete'; readonly reason: string };

const BEGIN = Buffer.from(`${IGNITION_BEGIN_MARKER} `);
const FAILURE = Buffer.from(GUEST_FAILURE_MARKER);

export function readSerialVerdict(log: Buffer): SerialVerdict {
  const failure = lineStart(log, FAILURE);
  if (failure !== -1) {
    return { kind: 'guest-failed', reason: lineAt(log, failure + FAILURE.length).trim() };
  }
  const begin = lineStart(log, BEGIN);
  if (begin === -1) return { kind: 'incomplete', reason: `no "${IGNITION_BEGIN_MARKER}" line` };
  const lengthText = lineAt(log, begin + BEGIN.length).trim();
  if (!/^\d+$/.test(lengthText))
    return { kind: 'incomplete', reason: `"${IGNITION_BEGIN_MARKER}" has no byte count: ${lengthText}` };
  const start = log.indexOf(0x0a, begin) + 1;
  const end = start + Number(lengthText);
  const trailer = Buffer.from(`\n${IGNITION_END_MARKER}\n`);
  if (log.length < end + trailer.length) return { kind: 'incomplete', reason: 'the config was cut off' };
  const afterConfig = log.subarray(end, end + trailer.length);
  // The guest echoes a newline after the config whatever its last byte, then the end marker.
  if (!afterConfig.equals(trailer)) {
    return { kind: 'incomplete', reason: `"${IGNITION_END_MARKER}" does not follow the ${lengthText} bytes announced` };
  }
  return { kind: 'ignition', config: log.subarray(start, end).toString('utf8') };
}

/** Index of `marker` where it begins a line, or -1. */
function lineStart(log: Buffer, marker: Buffer): number {
  let from = 0;
  for (;;) {
    const at = log.indexOf(marker, from);
    if (at === -1 || at === 0 || log[at - 1] === 0x0a || log[at - 1] === 0x0d) return at;
    from = at + 1;
  }
}

function lineAt(log: Buffer, from: number): string {
  const end = log.indexOf(0x0a, from);
  return log.subarray(from, end === -1 ? log.length : end).toString('utf8');
}
