// The test side of the protocol: posting a request, and reading an answer the
// way update_engine does (the first app, its first updatecheck, and what that
// holds), independently of the server's own response builder.
import { request as httpRequest, type Agent } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** POSTs a body (string or bytes) over plain HTTP, or over HTTPS trusting `ca`; `path` defaults to the URL's. */
export function postOmaha(
  url: string,
  body: string | Buffer,
  options: { agent?: Agent; method?: string; headers?: Record<string, string>; ca?: string } = {},
): Promise<RawAnswer> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: options.method ?? 'POST',
        agent: options.agent,
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body), ...options.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: '@',
  parseAttributeValue: false,
  isArray: (name) => ['app', 'updatecheck', 'url', 'package', 'action', 'event'].includes(name),
});

const attrs = <T extends z.ZodRawShape>(shape: T) => z.object({ '@': z.object(shape) });

const answerSchema = z.object({
  response: z.object({
    '@': z.object({ protocol: z.literal('3.0') }),
    daystart: attrs({ elapsed_seconds: z.string() }),
    app: z.array(
      attrs({ appid: z.string(), status: z.string() }).extend({
        updatecheck: z
          .array(
            attrs({ status: z.string() }).extend({
              urls: z.object({ url: z.array(attrs({ codebase: z.string() })) }).optional(),
              manifest: attrs({ version: z.string() })
                .extend({
                  packages: z.object({
                    package: z.array(
                      attrs({ name: z.string(), hash: z.string(), size: z.string(), required: z.string() }),
                    ),
                  }),
                  actions: z.object({
                    action: z.array(
                      attrs({ event: z.string(), sha256: z.string(), DisablePayloadBackoff: z.string() }),
                    ),
                  }),
                })
                .optional(),
            }),
          )
          .optional(),
        event: z.array(z.unknown()).optional(),
      }),
    ),
  }),
});

export interface UpdateEngineView {
  readonly appStatus: string;
  readonly elapsedSeconds: number;
  /** The first updatecheck's status: the only one update_engine reads. */
  readonly updateCheckStatus: string | undefined;
  readonly eventAcks: number;
  readonly offer?: {
    readonly codebase: string;
    readonly version: string;
    readonly packageName: string;
    readonly hash: string;
    readonly size: string;
    readonly sha256: string;
    readonly disablePayloadBackoff: string;
  };
}

/** Reads the first app of an Omaha response as update_engine would. Throws if the shape is not Omaha's. */
export function readAsUpdateEngine(xml: string): UpdateEngineView {
  const { response } = answerSchema.parse(parser.parse(xml));
  const app = response.app[0];
  if (app === undefined) throw new Error('the response has no app');
  const check = app.updatecheck?.[0];
  const url = check?.urls?.url[0];
  const manifest = check?.manifest;
  const pkg = manifest?.packages.package[0];
  const action = manifest?.actions.action.find((each) => each['@'].event === 'postinstall');
  return {
    appStatus: app['@'].status,
    elapsedSeconds: Number(response.daystart['@'].elapsed_seconds),
    updateCheckStatus: check?.['@'].status,
    eventAcks: app.event?.length ?? 0,
    ...(url !== undefined && manifest !== undefined && pkg !== undefined && action !== undefined
      ? {
          offer: {
            codebase: url['@'].codebase,
            version: manifest['@'].version,
            packageName: pkg['@'].name,
            hash: pkg['@'].hash,
            size: pkg['@'].size,
            sha256: action['@'].sha256,
            disablePayloadBackoff: action['@'].DisablePayloadBackoff,
          },
        }
      : {}),
  };
}
