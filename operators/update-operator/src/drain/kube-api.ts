// Small helpers around @kubernetes/client-node shared by the drain and the agent.
import { ApiException, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

/** The HTTP status of a failed API call, or undefined if the call never got an answer. */
export function statusCodeOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number') return error.code;
  return undefined;
}

/** A metav1.Status from an error answer, when the server sent one. */
export interface ApiStatus {
  readonly message?: string;
  readonly reason?: string;
  readonly details?: { readonly causes?: readonly { readonly reason?: string; readonly message?: string; readonly field?: string }[] };
}

export function apiStatusOf(error: unknown): ApiStatus | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const body: unknown = error.body;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return { message: body };
    }
  }
  return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
}

/** The server's own words (a Status object's message) rather than the client's generic text. */
export function describeApiError(error: unknown): string {
  const code = statusCodeOf(error);
  const message = apiStatusOf(error)?.message;
  if (code !== undefined && message !== undefined) return `HTTP ${code}: ${message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Request options that send a patch as a JSON merge patch (RFC 7386). */
export const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
