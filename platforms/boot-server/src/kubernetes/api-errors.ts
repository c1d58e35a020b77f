// What the Kubernetes API server's refusals mean to the write API: a 422
// names the field the schema refused, which the caller can fix; a 409 is a
// lost race; anything else is the store failing.
import { ApiException } from '@kubernetes/client-node';
import { z } from 'zod';
import { ConflictingWriteError, InvalidWriteError } from '@strata/api';
import { KubernetesStoreError } from './errors.ts';

const statusSchema = z.object({
  message: z.string().optional(),
  details: z.object({ causes: z.array(z.object({ field: z.string().optional(), message: z.string().optional() })).optional() }).optional(),
});

type Status = z.infer<typeof statusSchema>;

function statusOf(body: unknown): Status {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      return { message: body };
    }
  }
  const parsed = statusSchema.safeParse(value);
  return parsed.success ? parsed.data : {};
}

/** A field of the Kubernetes object, as the field of the matchbox resource it came from. */
export function resourceField(kubernetesField: string): string {
  if (kubernetesField === 'metadata.name') return 'id';
  if (kubernetesField.startsWith('spec.')) return kubernetesField.slice('spec.'.length);
  if (kubernetesField === 'data' || kubernetesField.startsWith('data[') || kubernetesField.startsWith('data.')) return 'body';
  return kubernetesField;
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

/** Turns what a Kubernetes call threw into a typed error; `action` says what was being done ("apply MachineProfile worker"). */
export function kubernetesError(action: string, error: unknown): Error {
  if (!(error instanceof ApiException)) {
    return new KubernetesStoreError(`${action}: ${error instanceof Error ? error.message : String(error)}`, { action }, { cause: error });
  }
  const code = (error as ApiException<unknown>).code;
  const status = statusOf((error as ApiException<unknown>).body);
  const message = status.message ?? error.message;
  if (code === 422) {
    const cause = status.details?.causes?.find((entry) => entry.field !== undefined);
    return new InvalidWriteError(`${action}: the Kubernetes API refused it: ${message}`, { field: resourceField(cause?.field ?? 'body'), action, status: code }, { cause: error });
  }
  if (code === 413) return new InvalidWriteError(`${action}: too large for a Kubernetes object: ${message}`, { field: 'body', action, status: code }, { cause: error });
  if (code === 409) return new ConflictingWriteError(`${action}: changed by another writer at the same time; try again (${message})`, { action, status: code }, { cause: error });
  return new KubernetesStoreError(`${action}: the Kubernetes API answered ${code}: ${message}`, { action, status: code }, { cause: error });
}

/** The HTTP status of a failed Kubernetes call, from the typed API (ApiException) or from a watch (statusCode). */
export function statusCodeOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return (error as ApiException<unknown>).code;
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof statusCode === 'number' ? statusCode : undefined;
}

/** A short description of a failed call: the status and the API server's own message, without headers. */
export function describeKubernetesError(error: unknown): string {
  const code = statusCodeOf(error);
  if (error instanceof ApiException) return `${code} ${statusOf((error as ApiException<unknown>).body).message ?? 'no message'}`;
  const message = error instanceof Error ? error.message : String(error);
  return code === undefined ? message : `${code} ${message}`;
}

/**
 * Worth retrying: the API server is starting or busy (429, 5xx, "storage is
 * (re)initializing" right after a CRD is established) or unreachable for a
 * moment. Refusals (401, 403, 404) are not: they need someone to act.
 */
export function isTransient(error: unknown): boolean {
  const code = statusCodeOf(error);
  if (code === undefined) return true;
  return code === 429 || code >= 500;
}
