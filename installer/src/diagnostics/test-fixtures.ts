// Real things on loopback for the diagnostics' tests: certificate authorities
// and serving certificates from the project's PKI, a TLS server that serves
// them, a port nothing listens on, and a diagnostic context to override.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { CertificateAuthority, toPemPair, type CertificateRequest, type PemPair } from '@strata/assets';
import type { DiagnosticContext } from './diagnosis.ts';

export interface TestAuthority {
  readonly authority: CertificateAuthority;
  readonly caPem: string;
}

export async function aCertificateAuthority(commonName: string, now?: Date): Promise<TestAuthority> {
  const authority = await CertificateAuthority.create({ commonName, validityDays: 30 }, now);
  return { authority, caPem: authority.certificate.toString('pem') + '\n' };
}

/** A serving certificate for loopback unless the test says otherwise. */
export async function aServingCertificate(
  ca: TestAuthority,
  overrides: Partial<CertificateRequest> = {},
  now?: Date,
): Promise<PemPair> {
  const request: CertificateRequest = {
    commonName: 'kube-apiserver',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    profile: 'server',
    validityDays: 30,
    ...overrides,
  };
  return toPemPair(await ca.authority.issue(request, now));
}

export interface LoopbackServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<LoopbackServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('a TCP server has a port once it listens');
  const { port } = address;
  return {
    port,
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

/** A TLS server on loopback that serves `pair` and closes every connection after the handshake. */
export function startTlsServer(pair: PemPair): Promise<LoopbackServer> {
  return listen(
    createTlsServer({ cert: pair.certificatePem, key: pair.privateKeyPem }, (socket) => {
      socket.end();
    }),
  );
}

/** A TCP server on loopback that accepts connections and never says anything (a TLS handshake hangs). */
export function startSilentServer(): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const closeConnections = () => {
    for (const socket of sockets) socket.destroy();
  };
  return listen(server).then((running) => ({
    ...running,
    close: () => {
      closeConnections();
      return running.close();
    },
  }));
}

/** A loopback port that nothing listens on: bound by the system, then released. */
export async function aClosedPort(): Promise<number> {
  const server = await listen(createTcpServer());
  await server.close();
  return server.port;
}

export interface TemporaryDirectory {
  readonly path: string;
  remove(): Promise<void>;
}

export async function aTemporaryDirectory(): Promise<TemporaryDirectory> {
  const path = await mkdtemp(join(tmpdir(), 'strata-diagnostics-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** What the engine would pass after a failed phase; tests override what they are about. */
export function aDiagnosticContext(overrides: Partial<DiagnosticContext> = {}): DiagnosticContext {
  return {
    phase: 'wait-api',
    apiServerUrl: 'https://127.0.0.1:6443',
    clusterCaPem: '',
    adminKubeconfigPath: '/nonexistent/auth/kubeconfig',
    expectedNodes: [],
    expectedEtcdMembers: [],
    logFiles: [],
    ...overrides,
  };
}
