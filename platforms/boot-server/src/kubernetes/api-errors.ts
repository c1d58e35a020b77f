// What the Kubernetes API server's refusals mean to the write API: a 422
// names the field the schema refused, which the caller can fix; a 409 is a
// lost race; anything else is the store failing. Reading the refusal (status,
// Status message, causes) is @strata/kube's.
import { ConflictingWriteError, InvalidWriteError } from '@strata/api';
import { apiStatusOf, statusCodeOf } from '@strata/kube';
import { KubernetesStoreError } from './errors.ts';

/** A field of the Kubernetes object, as the field of the matchbox resource it came from. */
export function resourceField(kubernetesField: string): string {
  if (kubernetesField === 'metadata.name') return 'id';
  if (kubernetesField.startsWith('spec.')) return kubernetesField.slice('spec.'.length);
  if (kubernetesField === 'data' || kubernetesField.startsWith('data[') || kubernetesField.startsWith('data.'))
    return 'body';
  return kubernetesField;
}

/** Turns what a Kubernetes call threw into a typed error; `action` says what was being done ("apply MachineProfile worker"). */
export function kubernetesError(action: string, error: unknown): Error {
  const code = statusCodeOf(error);
  if (code === undefined) {
    return new KubernetesStoreError(
      `${action}: ${error instanceof Error ? error.message : String(error)}`,
      { action },
      { cause: error },
    );
  }
  const status = apiStatusOf(error);
  const message = status?.message ?? (error instanceof Error ? error.message : String(error));
  if (code === 422) {
    const cause = status?.details?.causes?.find((entry) => entry.field !== undefined);
    return new InvalidWriteError(
      `${action}: the Kubernetes API refused it: ${message}`,
      { field: resourceField(cause?.field ?? 'body'), action, status: code },
      { cause: error },
    );
  }
  if (code === 413)
    return new InvalidWriteError(
      `${action}: too large for a Kubernetes object: ${message}`,
      { field: 'body', action, status: code },
      { cause: error },
    );
  if (code === 409)
    return new ConflictingWriteError(
      `${action}: changed by another writer at the same time; try again (${message})`,
      { action, status: code },
      { cause: error },
    );
  return new KubernetesStoreError(
    `${action}: the Kubernetes API answered ${code}: ${message}`,
    { action, status: code },
    { cause: error },
  );
}
