// The two ways a probe reaches a server: a TCP connection, and a TLS handshake
// that takes whatever chain is served without deciding whether to trust it
// (the TLS probe decides that itself, against the rendered CA, so that it can
// say exactly what does not match).
import { X509Certificate } from 'node:crypto';
import { connect as connectSocket, type Socket } from 'node:net';
import { connect as connectTls, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import { z } from 'zod';
import type { ConnectFailure, ConnectFailureKind } from './findings.ts';
import { messageOf, probeSignal, timedOut, type ProbeOptions } from './probe-options.ts';

export interface Target {
  readonly host: string;
  readonly port: number;
  /** host:port as people write it. */
  readonly address: string;
  readonly isIpLiteral: boolean;
}

export type TcpOutcome =
  | { readonly connected: true; readonly remoteAddress: string }
  | { readonly connected: false; readonly failure: ConnectFailure };

export type HandshakeOutcome =
  | { readonly handshake: true; readonly chain: readonly X509Certificate[]; readonly protocol: string }
  | { readonly handshake: false; readonly failure: ConnectFailure };

const KINDS: Readonly<Record<string, ConnectFailureKind>> = {
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'timed-out',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  ENOTFOUND: 'unresolved',
  EAI_AGAIN: 'unresolved',
};

const systemErrorSchema = z.looseObject({
  code: z.string().optional(),
  address: z.string().optional(),
  port: z.number().optional(),
});

/** A socket error as a failure; a name with several addresses fails with one error per address. */
export function connectFailureOf(error: unknown, target: Target): ConnectFailure {
  const errors: readonly unknown[] = error instanceof AggregateError ? error.errors : [error];
  const parsed = errors.map((each) => systemErrorSchema.safeParse(each).data ?? {});
  const code = parsed.find((each) => each.code !== undefined)?.code;
  const addresses = parsed.flatMap((each) =>
    each.address === undefined
      ? []
      : [
          each.address.includes(':')
            ? `[${each.address}]:${each.port ?? target.port}`
            : `${each.address}:${each.port ?? target.port}`,
        ],
  );
  const tried =
    addresses.length === 0 || target.isIpLiteral ? target.address : `${target.address} (${addresses.join(', ')})`;
  return {
    kind: (code === undefined ? undefined : KINDS[code]) ?? 'error',
    tried,
    ...(code === undefined ? {} : { code }),
    message: messageOf(error),
  };
}

function abortFailure(signal: AbortSignal, target: Target, timeoutMs: number): ConnectFailure {
  return timedOut(signal)
    ? { kind: 'timed-out', tried: target.address, message: `no answer within ${timeoutMs} ms` }
    : { kind: 'cancelled', tried: target.address, message: 'the diagnosis was cancelled' };
}

/**
 * Runs `open` until `settle` is called with an outcome or the signal aborts,
 * and always destroys the socket: a probe leaves no connection behind.
 */
function withSocket<S extends Socket, T>(
  options: ProbeOptions,
  open: () => S,
  attach: (socket: S, settle: (outcome: T) => void) => void,
  onAbort: (signal: AbortSignal) => T,
): Promise<T> {
  const signal = probeSignal(options);
  return new Promise<T>((resolve) => {
    if (signal.aborted) {
      resolve(onAbort(signal));
      return;
    }
    const socket = open();
    const settle = (outcome: T) => {
      signal.removeEventListener('abort', abort);
      socket.destroy();
      resolve(outcome);
    };
    const abort = () => settle(onAbort(signal));
    signal.addEventListener('abort', abort, { once: true });
    attach(socket, settle);
  });
}

/** Opens a TCP connection to the target and closes it at once. */
export function connectTcp(target: Target, options: ProbeOptions): Promise<TcpOutcome> {
  return withSocket<Socket, TcpOutcome>(
    options,
    () => connectSocket({ host: target.host, port: target.port }),
    (socket, settle) => {
      socket.once('connect', () =>
        settle({
          connected: true,
          remoteAddress:
            socket.remoteFamily === 'IPv6'
              ? `[${socket.remoteAddress ?? '?'}]:${socket.remotePort ?? target.port}`
              : `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? target.port}`,
        }),
      );
      socket.once('error', (error) => settle({ connected: false, failure: connectFailureOf(error, target) }));
    },
    (signal) => ({ connected: false, failure: abortFailure(signal, target, options.timeoutMs) }),
  );
}

/** The chain the server sent, leaf first, as Node's detailed peer certificate links it. */
function servedChain(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (current !== undefined && current.raw !== undefined && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    chain.push(new X509Certificate(current.raw));
    // A self-signed certificate is its own issuer; an unlinked chain ends with an empty object.
    const issuer: DetailedPeerCertificate | undefined = current.issuerCertificate;
    current = issuer === current ? undefined : issuer;
  }
  return chain;
}

/**
 * A TLS handshake that accepts any chain (`rejectUnauthorized: false`) and
 * returns what was served. No client certificate is sent: a server that
 * requires one (etcd) still completes the handshake from the client's side in
 * TLS 1.3, and otherwise answers with an alert, which proves it is there.
 */
export function handshakeTls(target: Target, options: ProbeOptions): Promise<HandshakeOutcome> {
  return withSocket<TLSSocket, HandshakeOutcome>(
    options,
    () =>
      connectTls({
        host: target.host,
        port: target.port,
        // SNI carries names only.
        ...(target.isIpLiteral ? {} : { servername: target.host }),
        rejectUnauthorized: false,
      }),
    (tlsSocket, settle) => {
      tlsSocket.once('secureConnect', () =>
        settle({ handshake: true, chain: servedChain(tlsSocket), protocol: tlsSocket.getProtocol() ?? 'TLS' }),
      );
      tlsSocket.once('error', (error) => settle({ handshake: false, failure: connectFailureOf(error, target) }));
    },
    (signal) => ({ handshake: false, failure: abortFailure(signal, target, options.timeoutMs) }),
  );
}

/** "refused", "timed out" … with what was tried, for a check's detail. */
export function describeConnectFailure(failure: ConnectFailure): string {
  const words: Readonly<Record<ConnectFailureKind, string>> = {
    refused: 'connection refused',
    'timed-out': 'timed out',
    reset: 'connection reset',
    unreachable: 'host unreachable',
    unresolved: 'name not resolved',
    cancelled: 'cancelled',
    error: 'failed',
  };
  const code = failure.code === undefined ? '' : ` (${failure.code})`;
  return `${failure.tried}: ${words[failure.kind]}${code}${failure.kind === 'error' ? `: ${failure.message}` : ''}`;
}
