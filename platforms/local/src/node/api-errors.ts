import { ApiException } from '@kubernetes/client-node';

/** The HTTP status of a failed API call, or undefined if the call never got an answer. */
export function statusCodeOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  if (typeof error === 'object' && error !== null && 'statusCode' in error && typeof error.statusCode === 'number') {
    return error.statusCode;
  }
  return undefined;
}

export const isNotFound = (error: unknown): boolean => statusCodeOf(error) === 404;
export const isConflict = (error: unknown): boolean => statusCodeOf(error) === 409;

/** The server's own words (a Status object's message) rather than the client's generic text. */
export function describeApiError(error: unknown): string {
  if (error instanceof ApiException) {
    const body: unknown = error.body;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') {
        return `HTTP ${error.code}: ${parsed.message}`;
      }
    } catch {
      // Not JSON: fall through to the raw body.
    }
    return `HTTP ${error.code}: ${text}`;
  }
  return error instanceof Error ? error.message : String(error);
}
