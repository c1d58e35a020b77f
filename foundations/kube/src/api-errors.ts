// What a failed Kubernetes API call means, for every Strata package: its HTTP
// status, the API server's own Status (message, reason, the fields it refused),
// and a typed error that names the call that failed.
import { ApiException } from '@kubernetes/client-node';
import { z } from 'zod';
import { StrataError } from '@strata/api';

/**
 * The HTTP status of a failed call, or undefined if the call never got an
 * answer (a refused connection, a timeout). The shapes that occur: the typed
 * API's ApiException (`code`), a failed watch request (an Error with
 * `statusCode`), and a watch ERROR event's Status object (`kind: 'Status'`, `code`).
 */
export function statusCodeOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return (error as ApiException<unknown>).code;
  if (typeof error !== 'object' || error === null) return undefined;
  if ('statusCode' in error && typeof error.statusCode === 'number') return error.statusCode;
  if ('kind' in error && error.kind === 'Status' && 'code' in error && typeof error.code === 'number')
    return error.code;
  return undefined;
}

export const isNotFound = (error: unknown): boolean => statusCodeOf(error) === 404;
export const isConflict = (error: unknown): boolean => statusCodeOf(error) === 409;
export const isAlreadyExists = (error: unknown): boolean =>
  statusCodeOf(error) === 409 && apiStatusOf(error)?.reason === 'AlreadyExists';
export const isGone = (error: unknown): boolean => statusCodeOf(error) === 410;

/**
 * Worth retrying as it is: the API server is starting or busy (429, 5xx,
 * "storage is (re)initializing" right after a CRD is established) or was
 * unreachable for a moment. Refusals (400, 401, 403, 404, 409, 422) are not:
 * they need the caller or someone else to act.
 */
export function isTransient(error: unknown): boolean {
  const code = statusCodeOf(error);
  if (code === undefined) return true;
  return code === 429 || code >= 500;
}

/**
 * A Service's fixed clusterIP refused as taken (422 "provided IP is already allocated"). After an apply that failed
 * transiently once the API server had allocated the address, the retry gets this until the first attempt completes or
 * the API server's repair loop releases the address: whoever retries transient failures of a Service with a fixed
 * clusterIP (the bootstrap's kube-dns) retries this too.
 */
export function isClusterIpAlreadyAllocated(error: unknown): boolean {
  return statusCodeOf(error) === 422 && /provided IP is already allocated/.test(apiStatusOf(error)?.message ?? '');
}

const apiStatusSchema = z.looseObject({
  message: z.string().optional(),
  reason: z.string().optional(),
  details: z
    .looseObject({
      causes: z
        .array(
          z.looseObject({
            reason: z.string().optional(),
            message: z.string().optional(),
            field: z.string().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

/** The metav1.Status the API server sent with a refusal (the parts Strata reads). */
export type ApiStatus = z.infer<typeof apiStatusSchema>;

/**
 * The API server's Status from a failed call, when it sent one. A body that is
 * not JSON (a proxy's page, a plain-text answer) becomes the message as it is.
 */
export function apiStatusOf(error: unknown): ApiStatus | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const body: unknown = (error as ApiException<unknown>).body;
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() === '' ? undefined : { message: body.trim() };
    }
  }
  const parsed = apiStatusSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * A failed call in the server's own words ("HTTP 409: Operation cannot be
 * fulfilled ...") rather than the client's text, which carries every response
 * header; for a call that got no answer, the error's own message.
 */
export function describeApiError(error: unknown): string {
  const code = statusCodeOf(error);
  const message = apiStatusOf(error)?.message;
  if (code !== undefined && message !== undefined) return `HTTP ${code}: ${message}`;
  if (error instanceof ApiException) return `HTTP ${code ?? '?'}: no message`;
  const text = error instanceof Error ? error.message : String(error);
  return code === undefined ? text : `HTTP ${code}: ${text}`;
}

/** The call that failed, as a log line or an operator names it. */
export interface ApiCall {
  /** The API verb: get, list, watch, create, update, patch, delete, apply. */
  readonly verb: string;
  /** The resource, e.g. "nodes", "leases.coordination.k8s.io", "pods/eviction". */
  readonly resource: string;
  readonly name?: string;
  readonly namespace?: string;
}

/**
 * A Kubernetes API call failed. `context` holds the call (verb, resource,
 * name, namespace), the HTTP status (undefined if no answer came) and the
 * server's Status: message, reason and the refused fields' causes.
 */
export class KubernetesApiError extends StrataError {
  /** The HTTP status, or undefined if the call never got an answer. */
  readonly status: number | undefined;
  /** The Status reason (NotFound, Conflict, AlreadyExists, Invalid, ...), when the server gave one. */
  readonly reason: string | undefined;

  constructor(
    message: string,
    context: ApiCall & {
      readonly status: number | undefined;
      readonly reason?: string;
      readonly serverMessage?: string;
      readonly causes?: unknown;
    },
    options?: ErrorOptions,
  ) {
    super(message, { ...context }, options);
    this.status = context.status;
    this.reason = context.reason;
  }
}

/** Turns what a Kubernetes call threw into a KubernetesApiError naming the call; `cause` keeps the original. */
export function kubernetesApiError(call: ApiCall, error: unknown): KubernetesApiError {
  const status = statusCodeOf(error);
  const answer = apiStatusOf(error);
  const object =
    call.name === undefined ? '' : ` ${call.namespace === undefined ? '' : `${call.namespace}/`}${call.name}`;
  const what = `${call.verb} ${call.resource}${object}`;
  const message =
    status === undefined
      ? `${what} failed without an answer from the API server: ${error instanceof Error ? error.message : String(error)}`
      : `${what}: the API server answered ${describeApiError(error)}`;
  return new KubernetesApiError(
    message,
    {
      ...call,
      status,
      ...(answer?.reason === undefined ? {} : { reason: answer.reason }),
      ...(answer?.message === undefined ? {} : { serverMessage: answer.message }),
      ...(answer?.details?.causes === undefined ? {} : { causes: answer.details.causes }),
    },
    { cause: error },
  );
}
