// The install diagnostics: what the engine calls when a phase fails or times out.
export type { CheckStatus, Diagnose, DiagnosticCheck, DiagnosticContext, Diagnosis } from './diagnosis.ts';
export { createDiagnose, diagnose, type DiagnoseOptions } from './diagnose.ts';
export { formatDiagnosis } from './format.ts';
export { DiagnosticInputError } from './errors.ts';
export { parseEndpoint, type Endpoint } from './endpoint.ts';
export type { ProbeOptions } from './probe-options.ts';
export type { ConnectFailure, Finding, ProbeOutcome, TlsProblem } from './findings.ts';
export { probeDns } from './dns.ts';
export { probeTcp } from './tcp.ts';
export { probeTls } from './tls.ts';
export { verifyServedChain, type ServedChainVerdict } from './served-chain.ts';
export { loadAdminCredentials, ApiRequestError, type ApiCredentials } from './api-client.ts';
export { probeReadyz, failingReadyzChecks, type ReadyzOutcome } from './readyz.ts';
export { probeEtcd, type EtcdApiView, type EtcdMember } from './etcd.ts';
export { probeNodes } from './nodes.ts';
export { tailLogs, type LogTailOptions } from './logs.ts';
export { redactSecrets } from './redact.ts';
export { nextStep } from './next-step.ts';
