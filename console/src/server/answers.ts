// The backend-for-frontend's answers: JSON, a 4xx for anything the client sent wrong, and the API server's own
// status and words when it refused. Never a stack trace, never a token.
import { z } from 'zod';
import { StrataError } from '@strata/api';
import { KubernetesApiError, kubernetesApiError, statusCodeOf, type ApiCall } from '@strata/kube';

export class RequestBodyError extends StrataError {
  readonly status: 400 | 413 | 415;

  constructor(message: string, status: 400 | 413 | 415, context: Record<string, unknown> = {}) {
    super(message, { ...context, status });
    this.status = status;
  }
}

/** The console refuses an action the API server would allow, because of the object's state (409, with why). */
export class ActionRefusedError extends StrataError {
  readonly status = 409;
}

export const errorAnswer = (status: number, error: string): Response => Response.json({ error }, { status });

/**
 * The JSON body of a request, at most `maxBytes` long, parsed with `schema`. The body is read as a stream and
 * refused as soon as it passes the limit, so a client cannot make the console buffer more than it would accept.
 */
export async function readJsonBody<T>(request: Request, schema: z.ZodType<T>, maxBytes: number): Promise<T> {
  if (!(request.headers.get('content-type') ?? '').startsWith('application/json'))
    throw new RequestBodyError('the body must be application/json', 415);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body !== null) {
    for await (const chunk of request.body) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new RequestBodyError(`the body is over the limit of ${maxBytes} bytes`, 413);
      chunks.push(chunk);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new RequestBodyError('the body is not JSON', 400);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new RequestBodyError(`the body is invalid: ${z.prettifyError(parsed.error)}`, 400);
  return parsed.data;
}

/** The answer for what a handler threw: a refused body as its 4xx, a failed API call with the API server's status and message. */
export function failureAnswer(call: ApiCall, error: unknown): Response {
  if (error instanceof RequestBodyError || error instanceof ActionRefusedError)
    return errorAnswer(error.status, error.message);
  // Already in the API server's words, with the call that failed named (a handler of several calls says which).
  if (error instanceof KubernetesApiError) return errorAnswer(error.status ?? 502, error.message);
  const status = statusCodeOf(error);
  // No answer from the API server at all: the console's upstream failed, not the request.
  return errorAnswer(status ?? 502, kubernetesApiError(call, error).message);
}
