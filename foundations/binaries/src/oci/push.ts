// Pushes an image to an OCI registry through the distribution API, over HTTPS trusting one CA: each blob by a
// monolithic upload (POST for an upload URL, PUT of the bytes with their digest), then the manifest by tag. The
// registry checks every digest against the bytes, so what it stores is what was built here.
import { z } from 'zod';
import { StrataError } from '@strata/api';
import { httpsRequest, type HttpsAnswer } from '@strata/host';
import type { Blob, OciImage } from './image.ts';

/**
 * The registry refused a step of a push, or could not be reached. `context`: the step, the URL, and the registry's
 * answer (`status`, `body`) when there was one.
 */
export class RegistryPushError extends StrataError {}

// The distribution spec's grammar for repository names and tags.
const repositorySchema = z
  .string()
  .regex(
    /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/,
    'a repository name such as strata/pause',
  );
const tagSchema = z.string().regex(/^\w[\w.-]{0,127}$/, 'a tag such as 3.10.2');

export const pushTargetSchema = z.strictObject({
  /** `host:port` of the registry, as an image reference names it (`10.0.0.1:5000`). */
  registry: z.string().regex(/^[\w.-]+(:\d{1,5})?$/, 'host:port'),
  repository: repositorySchema,
  tag: tagSchema,
  /** The CA (PEM) the registry's certificate chains to; nothing else is trusted. */
  ca: z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'a PEM certificate' }),
  /** Per request; a blob upload may take a while. */
  timeoutMs: z.number().int().positive().default(60_000),
});

export type PushTarget = z.input<typeof pushTargetSchema>;
type Target = z.output<typeof pushTargetSchema>;

export interface PushedImage {
  /** `registry/repository:tag`, as containerd and crictl name it. */
  readonly reference: string;
  /** The manifest's digest: `registry/repository@digest` names exactly this image. */
  readonly digest: string;
  /** The blobs the registry already had (a second push of the same image uploads none). */
  readonly blobsSkipped: number;
}

function parseTarget(input: PushTarget): Target {
  const parsed = pushTargetSchema.safeParse(input);
  if (!parsed.success) {
    throw new RegistryPushError(`not a valid push target: ${z.prettifyError(parsed.error)}`, {
      issues: parsed.error.issues,
    });
  }
  return parsed.data;
}

/** One request; a transport failure (refused, untrusted certificate, time-out) becomes a RegistryPushError. */
async function request(
  target: Target,
  step: string,
  url: string,
  options: { method: string; headers?: Record<string, string>; body?: Uint8Array },
): Promise<HttpsAnswer> {
  try {
    return await httpsRequest(
      url,
      { ca: target.ca },
      { ...options, timeoutMs: target.timeoutMs, maxAnswerBytes: 64 * 1024 },
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new RegistryPushError(
      `${step}: ${options.method} ${url} failed: ${message}`,
      { step, url },
      { cause: error },
    );
  }
}

function refused(step: string, method: string, url: string, answer: HttpsAnswer): RegistryPushError {
  const body = answer.body.trim();
  return new RegistryPushError(`${step}: the registry answered ${method} ${url} with ${answer.status}: ${body}`, {
    step,
    url,
    status: answer.status,
    body,
  });
}

/** Uploads one blob unless the registry has it already. Returns whether it was uploaded. */
export async function pushBlob(input: PushTarget, blob: Pick<Blob, 'digest' | 'bytes'>): Promise<boolean> {
  const target = parseTarget(input);
  const base = `https://${target.registry}/v2/${target.repository}`;
  const step = `pushing blob ${blob.digest} to ${target.registry}/${target.repository}`;
  const headUrl = `${base}/blobs/${blob.digest}`;
  const head = await request(target, step, headUrl, { method: 'HEAD' });
  if (head.status === 200) return false;
  if (head.status !== 404) throw refused(step, 'HEAD', headUrl, head);

  const startUrl = `${base}/blobs/uploads/`;
  const started = await request(target, step, startUrl, { method: 'POST', headers: { 'Content-Length': '0' } });
  const location = started.headers.location;
  if (started.status !== 202 || location === undefined) throw refused(step, 'POST', startUrl, started);
  // The upload URL carries the registry's state in its query; the digest is added to it.
  const uploadUrl = new URL(location, `https://${target.registry}`);
  uploadUrl.searchParams.set('digest', blob.digest);
  const put = await request(target, step, uploadUrl.href, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(blob.bytes.byteLength) },
    body: blob.bytes,
  });
  if (put.status !== 201) throw refused(step, 'PUT', uploadUrl.href, put);
  return true;
}

/** Pushes the layer, the config and then the manifest (a registry refuses a manifest whose blobs it lacks). */
export async function pushImage(image: OciImage, input: PushTarget): Promise<PushedImage> {
  const target = parseTarget(input);
  let skipped = 0;
  for (const blob of [image.layer, image.config]) {
    if (!(await pushBlob(target, blob))) skipped += 1;
  }
  const url = `https://${target.registry}/v2/${target.repository}/manifests/${target.tag}`;
  const step = `pushing the manifest of ${target.registry}/${target.repository}:${target.tag}`;
  const answer = await request(target, step, url, {
    method: 'PUT',
    headers: { 'Content-Type': image.manifest.mediaType, 'Content-Length': String(image.manifest.size) },
    body: image.manifest.bytes,
  });
  if (answer.status !== 201) throw refused(step, 'PUT', url, answer);
  const digest = answer.headers['docker-content-digest'];
  if (digest !== image.manifest.digest) {
    throw new RegistryPushError(
      `${step}: the registry stored the manifest as ${String(digest)}, not as ${image.manifest.digest}`,
      { step, url, status: answer.status, body: answer.body },
    );
  }
  return {
    reference: `${target.registry}/${target.repository}:${target.tag}`,
    digest: image.manifest.digest,
    blobsSkipped: skipped,
  };
}
