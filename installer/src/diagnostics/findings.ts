// What a failed probe found, typed, so that the next step can be specific
// (which port, which CA, which node) without reparsing the check's text.
import type { DiagnosticCheck } from './diagnosis.ts';

/** Why a connection did not open: the socket's error, in words a person acts on. */
export type ConnectFailureKind =
  'refused' | 'timed-out' | 'reset' | 'unreachable' | 'unresolved' | 'cancelled' | 'error';

export interface ConnectFailure {
  readonly kind: ConnectFailureKind;
  /** What was tried: host:port, or each address a name resolved to. */
  readonly tried: string;
  /** The system's code (ECONNREFUSED, ETIMEDOUT, …) or the TLS library's, when there is one. */
  readonly code?: string;
  readonly message: string;
}

export type TlsProblem =
  | { readonly kind: 'handshake'; readonly failure: ConnectFailure }
  | {
      readonly kind: 'untrusted';
      readonly servedSubject: string;
      readonly servedIssuer: string;
      readonly caSubject: string;
      readonly caFingerprint: string;
    }
  | {
      readonly kind: 'expired' | 'not-yet-valid';
      readonly subject: string;
      readonly notBefore: Date;
      readonly notAfter: Date;
    }
  | { readonly kind: 'name-mismatch'; readonly host: string; readonly sans: string };

export interface UnansweredMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly failure: ConnectFailure;
}

export interface NotReadyNode {
  readonly name: string;
  readonly reason: string;
  readonly message: string;
}

export type Finding =
  | { readonly check: 'dns'; readonly host: string; readonly code: string }
  | { readonly check: 'tcp'; readonly failure: ConnectFailure }
  | { readonly check: 'tls'; readonly problem: TlsProblem }
  | { readonly check: 'readyz'; readonly kind: 'not-ready'; readonly failing: readonly string[] }
  | { readonly check: 'readyz'; readonly kind: 'refused-credentials'; readonly status: number }
  | { readonly check: 'readyz' | 'nodes'; readonly kind: 'no-answer' | 'bad-kubeconfig'; readonly message: string }
  | {
      readonly check: 'etcd';
      readonly unanswered: readonly UnansweredMember[];
      /** The API server's own view, `/readyz/etcd`, when it answered and said no. */
      readonly apiView?: string;
    }
  | {
      readonly check: 'nodes';
      readonly kind: 'missing';
      readonly missing: readonly string[];
      readonly notReady: readonly NotReadyNode[];
    };

/** One probe's answer: the check the user sees and, when it failed, what the next step is made of. */
export interface ProbeOutcome {
  readonly check: DiagnosticCheck;
  readonly finding?: Finding;
}

export function skipped(name: DiagnosticCheck['name'], reason: string): ProbeOutcome {
  return { check: { name, status: 'skipped', detail: reason } };
}

export function passed(name: DiagnosticCheck['name'], detail: string): ProbeOutcome {
  return { check: { name, status: 'ok', detail } };
}

export function failed(finding: Finding, detail: string): ProbeOutcome {
  return { check: { name: finding.check, status: 'failed', detail }, finding };
}
