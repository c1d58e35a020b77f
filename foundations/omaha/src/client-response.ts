// Reading an Omaha response the way update_engine does: the app with our app
// ID, its first updatecheck's status and nothing else to decide, and for an
// offer every field update_engine needs before it downloads: a codebase ending
// in '/', the package's name, a decimal size above 0 and the postinstall
// action's sha256 in standard base64. Anything less is refused with the code
// update_engine would report.
import { XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { OmahaResponseError } from './errors.ts';
import { ERROR_CODE } from './protocol.ts';
import type { Offer } from './response.ts';
import { omahaXmlParser } from './xml.ts';

/** A response far larger than any grant is not read. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

export type ClientUpdateCheck =
  | { readonly status: 'noupdate' }
  | { readonly status: 'ok'; readonly offer: Offer; readonly disablePayloadBackoff: boolean };

export interface ClientResponse {
  /** The app's status: `ok`, or why the machine is held (update_engine only logs it). */
  readonly appStatus: string;
  readonly elapsedSeconds: number;
  /** Undefined when the request held no updatecheck (an event report). */
  readonly updateCheck: ClientUpdateCheck | undefined;
  readonly eventAcks: number;
}

// A grant nests six deep (response, app, updatecheck, manifest, packages, package).
const parser = omahaXmlParser({
  arrays: ['app', 'updatecheck', 'url', 'package', 'action', 'event', 'ping'],
  maxNestedTags: 12,
});

const attrs = <T extends z.ZodRawShape>(shape: T) =>
  z.preprocess((value) => (value === '' ? {} : value), z.object({ '@': z.object(shape) }));
const loose = z.preprocess((value) => (value === '' ? {} : value), z.object({}).loose());

const updateCheckSchema = z.preprocess(
  (value) => (value === '' ? {} : value),
  z.object({
    '@': z.object({ status: z.string() }),
    urls: z.object({ url: z.array(attrs({ codebase: z.string() })) }).optional(),
    manifest: z
      .object({
        '@': z.object({ version: z.string() }),
        packages: z.object({
          package: z.array(attrs({ name: z.string(), hash: z.string(), size: z.string() })),
        }),
        actions: z.object({
          action: z.array(
            attrs({ event: z.string(), sha256: z.string().optional(), DisablePayloadBackoff: z.string().optional() }),
          ),
        }),
      })
      .optional(),
  }),
);

const responseSchema = z.object({
  response: z.object({
    '@': z.object({ protocol: z.literal('3.0') }),
    daystart: attrs({ elapsed_seconds: z.string().regex(/^\d{1,6}$/) }).optional(),
    app: z.array(
      z.object({
        '@': z.object({ appid: z.string(), status: z.string() }),
        updatecheck: z.array(updateCheckSchema).optional(),
        ping: z.array(loose).optional(),
        event: z.array(loose).optional(),
      }),
    ),
  }),
});

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const invalid = (message: string, context: Record<string, unknown> = {}) =>
  new OmahaResponseError(ERROR_CODE.omahaResponseInvalid, message, context);

/** Standard base64 of exactly `bytes` bytes; refuses URL-safe base64, hex and unpadded text. */
function base64Digest(value: string, bytes: number, field: string): string {
  if (!STANDARD_BASE64.test(value) || Buffer.from(value, 'base64').length !== bytes)
    throw invalid(`${field} is not a ${bytes}-byte digest in standard base64: ${JSON.stringify(value)}`, { field });
  return value;
}

function offerOf(check: z.output<typeof updateCheckSchema>): { offer: Offer; disablePayloadBackoff: boolean } {
  const codebase = check.urls?.url[0]?.['@'].codebase;
  const manifest = check.manifest;
  const pkg = manifest?.packages.package[0]?.['@'];
  const action = manifest?.actions.action.find((each) => each['@'].event === 'postinstall')?.['@'];
  if (codebase === undefined) throw invalid('the grant has no url codebase', { field: 'urls.url.codebase' });
  if (!codebase.endsWith('/'))
    throw invalid(`the codebase ${codebase} does not end in '/'`, { field: 'urls.url.codebase', codebase });
  if (!URL.canParse(codebase))
    throw invalid(`the codebase ${codebase} is not a URL`, { field: 'urls.url.codebase', codebase });
  if (manifest === undefined || pkg === undefined)
    throw invalid('the grant has no manifest package', { field: 'manifest.packages.package' });
  if (pkg.name === '' || pkg.name.includes('/'))
    throw invalid(`the package name ${JSON.stringify(pkg.name)} is not a file name`, { field: 'package.name' });
  if (!/^[1-9]\d{0,15}$/.test(pkg.size))
    throw invalid(`the package size ${JSON.stringify(pkg.size)} is not a decimal above 0`, { field: 'package.size' });
  if (action?.sha256 === undefined)
    throw invalid('the grant has no postinstall action with a sha256', { field: 'actions.action.sha256' });
  return {
    offer: {
      version: manifest['@'].version,
      codebase,
      packageName: pkg.name,
      sha1Base64: base64Digest(pkg.hash, 20, 'package.hash'),
      sha256Base64: base64Digest(action.sha256, 32, 'action.sha256'),
      size: Number(pkg.size),
    },
    disablePayloadBackoff: action.DisablePayloadBackoff === 'true',
  };
}

/**
 * Parses a server's answer for `appId`. Throws `OmahaResponseError` carrying
 * update_engine's code: 31 for a body that is not XML it reads, 34 for one it
 * will not act on.
 */
export function parseOmahaResponse(body: string, appId: string, maxBytes = DEFAULT_MAX_RESPONSE_BYTES): ClientResponse {
  const parseError = (message: string) => new OmahaResponseError(ERROR_CODE.omahaRequestXmlParse, message);
  if (Buffer.byteLength(body) > maxBytes) throw parseError(`the response is over ${maxBytes} bytes`);
  if (body.includes('<!')) throw parseError('the response holds a DTD, comment or CDATA section');
  const valid = XMLValidator.validate(body);
  if (valid !== true)
    throw parseError(`the response is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  let tree: unknown;
  try {
    tree = parser.parse(body);
  } catch (error) {
    throw parseError(`the response cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = responseSchema.safeParse(tree);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue === undefined ? '' : issue.path.filter((part) => part !== '@').join('.');
    throw invalid(`the response is not an Omaha 3.0 response: ${field}: ${issue?.message ?? ''}`, { field });
  }
  const { response } = parsed.data;
  const app = response.app.find((each) => each['@'].appid.toLowerCase() === appId.toLowerCase());
  if (app === undefined) throw invalid(`the response has no app ${appId}`, { appId });
  const check = app.updatecheck?.[0];
  const status = check?.['@'].status;
  let updateCheck: ClientUpdateCheck | undefined;
  if (check === undefined) updateCheck = undefined;
  else if (status === 'noupdate') updateCheck = { status: 'noupdate' };
  else if (status === 'ok') updateCheck = { status: 'ok', ...offerOf(check) };
  else throw invalid(`the updatecheck status is ${JSON.stringify(status)}, neither ok nor noupdate`, { status });
  return {
    appStatus: app['@'].status,
    elapsedSeconds: Number(response.daystart?.['@'].elapsed_seconds ?? 0),
    updateCheck,
    eventAcks: app.event?.length ?? 0,
  };
}
