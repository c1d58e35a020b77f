// Reading an Omaha request as update_engine writes it. The XML parser never
// sees a DTD (refused up front, so no entity can expand), the body has a size
// limit, and zod checks the parsed shape before anything else looks at it.
import { XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { OmahaRequestError } from './errors.ts';
import { omahaXmlParser } from './xml.ts';

/** Far above what update_engine sends (under 2 KiB), far below what could hurt. */
export const DEFAULT_MAX_REQUEST_BYTES = 16 * 1024;

/** Longest attribute value accepted; update_engine's longest are IDs and the alias. */
const MAX_ATTRIBUTE = 256;

const text = z.string().max(MAX_ATTRIBUTE);
const decimal = (max: number) =>
  z
    .string()
    .regex(/^-?\d{1,12}$/)
    .transform(Number)
    .pipe(z.number().int().min(-max).max(max));

/** An element that may be written `<x/>`, `<x></x>` or with attributes. */
const element = <T extends z.ZodRawShape>(shape: T) =>
  z.preprocess((value) => (value === '' ? {} : value), z.object({ '@': z.object(shape).optional() }));

const eventSchema = element({
  eventtype: decimal(1_000_000),
  eventresult: decimal(1_000_000),
  // Printed by update_engine as a signed 32-bit integer; the flag bits are masked later.
  errorcode: decimal(2 ** 32).optional(),
  previousversion: text.optional(),
});

const appSchema = z.object({
  '@': z.object({
    appid: text,
    version: text.default(''),
    track: text.default(''),
    bootid: text.optional(),
    machineid: text.default(''),
    machinealias: text.default(''),
    oem: text.optional(),
    oemversion: text.optional(),
    alephversion: text.optional(),
    board: text.optional(),
  }),
  ping: z
    .array(element({ active: text.optional() }))
    .max(1)
    .optional(),
  updatecheck: z
    .array(element({ targetversionprefix: text.optional() }))
    .max(1)
    .optional(),
  event: z.array(eventSchema).max(16).optional(),
});

const requestSchema = z.object({
  request: z.object({
    '@': z.object({ protocol: z.literal('3.0'), version: text.optional(), ismachine: text.optional() }),
    os: z
      .array(element({ platform: text.optional(), version: text.optional(), sp: text.optional() }))
      .max(1)
      .optional(),
    app: z.array(appSchema).min(1).max(8),
  }),
});

export interface OmahaEvent {
  readonly type: number;
  readonly result: number;
  /** As sent, flags included; `baseErrorCode` masks them. */
  readonly errorCode: number | undefined;
  readonly previousVersion: string;
}

export interface OmahaAppRequest {
  readonly appId: string;
  readonly version: string;
  readonly track: string;
  readonly machineId: string;
  readonly machineAlias: string;
  readonly bootId: string | undefined;
  readonly oem: string | undefined;
  readonly board: string | undefined;
  readonly ping: boolean;
  readonly updateCheck: boolean;
  readonly events: readonly OmahaEvent[];
}

export interface OmahaRequest {
  readonly os: {
    readonly platform: string | undefined;
    readonly version: string | undefined;
    readonly sp: string | undefined;
  };
  readonly apps: readonly OmahaAppRequest[];
  /** True when unescaped quotes in `track` or `machinealias` had to be repaired (see `repairUnescapedQuotes`). */
  readonly repaired: boolean;
}

const parser = omahaXmlParser({
  arrays: ['app', 'event', 'ping', 'updatecheck', 'os'],
  // update_engine nests three deep (request, app, event); anything far deeper is refused, not walked.
  maxNestedTags: 8,
});

/**
 * update_engine writes `track` (GROUP= in update.conf) and `machinealias`
 * without escaping, so a quote in either makes the request malformed. The
 * value ends at the quote that is followed by the next attribute or the end
 * of the tag; quotes before it are escaped. Bounded in length so a hostile
 * body cannot make the scan expensive.
 */
export function repairUnescapedQuotes(xml: string): string {
  return xml.replace(
    new RegExp(`\\b(track|machinealias)="([^<>]{0,${MAX_ATTRIBUTE}}?)"(?=\\s+[A-Za-z_][\\w-]*="|\\s*/?>)`, 'g'),
    (_match, name: string, value: string) => `${name}="${value.replaceAll('"', '&quot;')}"`,
  );
}

function wellFormed(xml: string): string | undefined {
  const result = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  return result === true ? undefined : `${result.err.msg} (line ${result.err.line}, column ${result.err.col})`;
}

/** Parses an Omaha request body. Throws `OmahaRequestError` for anything update_engine would not have sent. */
export function parseOmahaRequest(body: Buffer | string, maxBytes = DEFAULT_MAX_REQUEST_BYTES): OmahaRequest {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (size > maxBytes)
    throw new OmahaRequestError('too-large', `the request is ${size} bytes; at most ${maxBytes} are accepted`, {
      size,
      limit: maxBytes,
    });
  let xml = typeof body === 'string' ? body : body.toString('utf8');
  // No DTD, no entity declaration, no CDATA: update_engine sends none, and refusing them here costs one scan.
  if (xml.includes('<!'))
    throw new OmahaRequestError('dtd', 'the request holds a DTD, entity declaration, comment or CDATA section');
  let repaired = false;
  let problem = wellFormed(xml);
  if (problem !== undefined) {
    const candidate = repairUnescapedQuotes(xml);
    if (candidate !== xml && wellFormed(candidate) === undefined) {
      xml = candidate;
      repaired = true;
      problem = undefined;
    }
  }
  if (problem !== undefined) throw new OmahaRequestError('malformed', `the request is not well-formed XML: ${problem}`);
  let tree: unknown;
  try {
    tree = parser.parse(xml);
  } catch (error) {
    // The validator passed, so the parser refused a limit of its own (nesting depth).
    throw new OmahaRequestError(
      'malformed',
      `the request cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = requestSchema.safeParse(tree);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue === undefined ? '' : issue.path.filter((part) => part !== '@').join('.');
    throw new OmahaRequestError('shape', `the request is not an Omaha 3.0 request: ${field}: ${issue?.message ?? ''}`, {
      field,
    });
  }
  const request = parsed.data.request;
  const os = request.os?.[0]?.['@'];
  return {
    os: { platform: os?.platform, version: os?.version, sp: os?.sp },
    repaired,
    apps: request.app.map((app) => {
      const attributes = app['@'];
      return {
        appId: attributes.appid,
        version: attributes.version,
        track: attributes.track,
        machineId: attributes.machineid,
        machineAlias: attributes.machinealias,
        bootId: attributes.bootid,
        oem: attributes.oem,
        board: attributes.board,
        ping: app.ping !== undefined,
        updateCheck: app.updatecheck !== undefined,
        events: (app.event ?? []).map(({ '@': event }) => ({
          type: event?.eventtype ?? -1,
          result: event?.eventresult ?? -1,
          errorCode: event?.errorcode,
          previousVersion: event?.previousversion ?? '',
        })),
      };
    }),
  };
}
