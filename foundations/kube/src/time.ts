/**
 * A time as Kubernetes writes metav1.Time: RFC 3339 in UTC, whole seconds
 * ("2026-01-02T03:04:05Z"). Annotations and conditions written this way
 * compare and parse like the ones Kubernetes components write.
 */
export function rfc3339(time: number | Date): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
