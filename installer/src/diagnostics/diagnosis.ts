// The contract between the install engine and its diagnostics: when a phase
// fails or times out, the engine hands what it knows of the cluster to
// `diagnose`, and prints the Diagnosis it gets back (plain text, one JSON line
// under --json, or the Ink UI). A failure never ends with only "timed out".

/** What the engine knows when a phase fails. Paths are inside the cluster directory. */
export interface DiagnosticContext {
  /** The phase that failed, as the journal names it. */
  readonly phase: string;
  /** The API URL clients use (https://<apiDnsName or address>:<port>). */
  readonly apiServerUrl: string;
  /** The rendered cluster CA certificate (PEM) the served chain must verify against. */
  readonly clusterCaPem: string;
  /** The admin kubeconfig, for /readyz?verbose, nodes and etcd membership once the API answers. */
  readonly adminKubeconfigPath: string;
  /** The node names the cluster should have. */
  readonly expectedNodes: readonly string[];
  /** The etcd members the cluster should have: name and client URL. */
  readonly expectedEtcdMembers: readonly { readonly name: string; readonly clientUrl: string }[];
  /** Log files worth tailing (control-plane components, the local cluster's daemon), most relevant first. */
  readonly logFiles: readonly string[];
  /** Cancels the diagnosis (each probe has its own short timeout too). */
  readonly signal?: AbortSignal;
}

export type CheckStatus = 'ok' | 'failed' | 'skipped';

/** One probe: DNS, TCP, TLS, /readyz, etcd members, nodes. */
export interface DiagnosticCheck {
  readonly name: 'dns' | 'tcp' | 'tls' | 'readyz' | 'etcd' | 'nodes';
  readonly status: CheckStatus;
  /** What was tried and what answered: the address resolved, the SANs served, the failing readyz checks … */
  readonly detail: string;
}

export interface Diagnosis {
  readonly checks: readonly DiagnosticCheck[];
  /** The last lines of the logs it could read, each prefixed with its file's name. */
  readonly logTail: readonly string[];
  /** One suggested next step, for the first failed check. */
  readonly nextStep: string;
}

export type Diagnose = (context: DiagnosticContext) => Promise<Diagnosis>;
