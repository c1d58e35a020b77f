// The query of the kubelet API's /containerLogs, as kube-apiserver builds it from a pods/log request (PodLogOptions):
// every parameter checked, each problem named, so a bad request is a precise 400 rather than a guess.
import { z } from 'zod';
import { ContainerLogQueryError } from './errors.ts';
import type { ContainerLogRequest } from './pod-runtime.ts';

/** Go's strconv.ParseBool, which the kubelet's query decoding uses. */
const goBool = z
  .enum(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'], {
    error: 'must be true or false',
  })
  .transform((text) => ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text));

const integer = (minimum: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: 'must be a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(minimum, { error: `must be at least ${minimum}` })
        .max(Number.MAX_SAFE_INTEGER),
    );

const rfc3339 = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, { error: 'must be an RFC 3339 time' })
  .transform((text) => new Date(text))
  .refine((date) => !Number.isNaN(date.getTime()), { error: 'must be an RFC 3339 time' });

export const containerLogQuerySchema = z
  .strictObject({
    follow: goBool.optional(),
    previous: goBool.optional(),
    timestamps: goBool.optional(),
    tailLines: integer(0).optional(),
    sinceSeconds: integer(1).optional(),
    sinceTime: rfc3339.optional(),
    limitBytes: integer(1).optional(),
    stream: z.enum(['All', 'Stdout', 'Stderr'], { error: 'must be All, Stdout or Stderr' }).optional(),
  })
  .refine((query) => query.sinceSeconds === undefined || query.sinceTime === undefined, {
    error: 'at most one of sinceSeconds or sinceTime may be specified',
  })
  .refine((query) => query.tailLines === undefined || query.stream === undefined || query.stream === 'All', {
    error: 'tailLines cannot be combined with a single stream',
  });

export type ContainerLogQuery = z.infer<typeof containerLogQuerySchema>;

/** The request a query asks for, or a ContainerLogQueryError naming every problem. `now` anchors sinceSeconds. */
export function parseContainerLogQuery(search: URLSearchParams, now: Date = new Date()): ContainerLogRequest {
  const raw: Record<string, string> = {};
  const repeated: string[] = [];
  for (const [key, value] of search) {
    if (key in raw) repeated.push(key);
    raw[key] = value;
  }
  if (repeated.length > 0) {
    throw new ContainerLogQueryError(`query parameters given more than once: ${repeated.join(', ')}`, {
      problems: repeated,
    });
  }
  const parsed = containerLogQuerySchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys') return `unknown query parameters: ${issue.keys.join(', ')}`;
      const field = issue.path.join('.');
      return field === '' ? issue.message : `${field}: ${issue.message}`;
    });
    throw new ContainerLogQueryError(problems.join('; '), { problems });
  }
  const query = parsed.data;
  const since =
    query.sinceTime ??
    (query.sinceSeconds === undefined ? undefined : new Date(now.getTime() - query.sinceSeconds * 1000));
  const stream = query.stream === 'Stdout' ? 'stdout' : query.stream === 'Stderr' ? 'stderr' : undefined;
  return {
    follow: query.follow ?? false,
    previous: query.previous ?? false,
    timestamps: query.timestamps ?? false,
    ...(query.tailLines === undefined ? {} : { tailLines: query.tailLines }),
    ...(since === undefined ? {} : { since }),
    ...(query.limitBytes === undefined ? {} : { limitBytes: query.limitBytes }),
    ...(stream === undefined ? {} : { stream }),
  };
}
