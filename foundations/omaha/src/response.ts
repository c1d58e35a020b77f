// Writing an Omaha 3.0 response with everything update_engine reads: the first
// updatecheck's status, a codebase ending in `/`, the package's name, hash and
// decimal size, and the postinstall action's sha256 in standard base64.
import { OMAHA_PROTOCOL_SERVER } from './server-name.ts';
import { escapeAttribute } from './xml.ts';

/** What a machine is offered, already in update_engine's terms. */
export interface Offer {
  readonly version: string;
  /** The payload's directory, ending in `/`; update_engine appends the package name. */
  readonly codebase: string;
  readonly packageName: string;
  /** The payload's SHA-1, standard base64 (Omaha's `hash`). */
  readonly sha1Base64: string;
  /** The payload's SHA-256, standard base64 (what update_engine verifies). */
  readonly sha256Base64: string;
  readonly size: number;
}

export type UpdateCheckAnswer = { readonly status: 'ok'; readonly offer: Offer } | { readonly status: 'noupdate' };

export type AppAnswer =
  | { readonly kind: 'unknown-application'; readonly appId: string }
  | {
      readonly kind: 'answered';
      readonly appId: string;
      /** `ok`, or the reason a machine is held (update_engine does not read it; people and logs do). */
      readonly status: string;
      readonly ping: boolean;
      readonly updateCheck: UpdateCheckAnswer | undefined;
      /** One acknowledgement per event received. */
      readonly events: number;
    };

const attributes = (values: Readonly<Record<string, string | number | boolean>>) =>
  Object.entries(values)
    .map(([name, value]) => ` ${name}="${escapeAttribute(String(value))}"`)
    .join('');

/** Seconds since midnight UTC: Omaha's `daystart`, which update_engine keeps for its ping bookkeeping. */
export function elapsedSecondsToday(now: Date): number {
  return now.getUTCHours() * 3600 + now.getUTCMinutes() * 60 + now.getUTCSeconds();
}

function updateCheck(answer: UpdateCheckAnswer): string {
  if (answer.status === 'noupdate') return '<updatecheck status="noupdate"></updatecheck>';
  const offer = answer.offer;
  return [
    '<updatecheck status="ok">',
    `<urls><url${attributes({ codebase: offer.codebase })}></url></urls>`,
    `<manifest${attributes({ version: offer.version })}>`,
    `<packages><package${attributes({ name: offer.packageName, hash: offer.sha1Base64, size: offer.size, required: true })}></package></packages>`,
    `<actions><action${attributes({ event: 'postinstall', sha256: offer.sha256Base64, DisablePayloadBackoff: true })}></action></actions>`,
    '</manifest>',
    '</updatecheck>',
  ].join('');
}

function app(answer: AppAnswer): string {
  if (answer.kind === 'unknown-application')
    return `<app${attributes({ appid: answer.appId, status: 'error-unknownApplication' })}></app>`;
  return [
    `<app${attributes({ appid: answer.appId, status: answer.status })}>`,
    answer.updateCheck === undefined ? '' : updateCheck(answer.updateCheck),
    answer.ping ? '<ping status="ok"></ping>' : '',
    '<event status="ok"></event>'.repeat(answer.events),
    '</app>',
  ].join('');
}

/** The whole response body. */
export function buildOmahaResponse(now: Date, apps: readonly AppAnswer[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<response${attributes({ protocol: '3.0', server: OMAHA_PROTOCOL_SERVER })}>`,
    `<daystart${attributes({ elapsed_seconds: elapsedSecondsToday(now) })}></daystart>`,
    ...apps.map(app),
    '</response>\n',
  ].join('');
}
