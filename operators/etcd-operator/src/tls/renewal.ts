// When automatic TLS's certificates are renewed: each is reissued once less than a third of its lifetime is left,
// i.e. at two thirds of it. The lifetime is the cluster's certificateValidityHours, capped by the operator's
// --certificate-validity-seconds (a test shortens it to minutes to watch renewals happen). Members are renewed by the
// planner's rolling restart (plan.ts), the client Secret by the operator in place (cluster-tls.ts).
import type { X509Certificate } from 'node:crypto';
import { connect as connectTls } from 'node:tls';
import { StrataError, type EtcdCluster } from '@strata/api';
import type { EtcdClientTls } from '../etcd/tls.ts';

/** Renewal starts once less than this share of a certificate's lifetime is left. */
export const RENEW_WHEN_LEFT = 1 / 3;

/** The lifetime, in seconds, of the certificates automatic TLS issues for `cluster` now. */
export function certificateValiditySeconds(cluster: EtcdCluster, capSeconds: number | undefined): number {
  const hours = cluster.spec.tls.auto?.certificateValidityHours ?? 0;
  const asked = hours * 3600;
  return capSeconds === undefined ? asked : Math.min(asked, capSeconds);
}

/** A certificate valid until `notAfter` is due for renewal at `now`, given the lifetime certificates get now. */
export function renewalDue(notAfter: Date, validitySeconds: number, now: Date): boolean {
  return notAfter.getTime() - now.getTime() <= validitySeconds * 1000 * RENEW_WHEN_LEFT;
}

/** When a certificate valid until `notAfter` becomes due. */
export function renewalTime(notAfter: Date, validitySeconds: number): Date {
  return new Date(notAfter.getTime() - validitySeconds * 1000 * RENEW_WHEN_LEFT);
}

/** A member's client port did not complete a TLS handshake. */
export class ServingCertificateError extends StrataError {}

/**
 * The certificate a member serves on its client URL, read over a TLS handshake that presents `tls` (the cluster's
 * client certificate) and trusts only its CA: what etcd itself presents, not what the operator thinks it issued.
 */
export function readServingCertificate(
  clientURL: string,
  tls: EtcdClientTls,
  timeoutMs: number,
): Promise<X509Certificate> {
  const url = new URL(clientURL);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || '2379');
  return new Promise((resolve, reject) => {
    const fail = (cause: unknown): void => {
      socket.destroy();
      reject(
        new ServingCertificateError(`no TLS handshake with ${clientURL}`, { clientURL }, { cause: cause as Error }),
      );
    };
    // servername '': a member's certificate names its IP, which SNI cannot carry; the IP is checked against `host`.
    const socket = connectTls({ host, port, ca: tls.ca, cert: tls.cert, key: tls.key, servername: '' }, () => {
      const certificate = socket.getPeerX509Certificate();
      socket.end();
      if (certificate === undefined) fail(new Error('no certificate presented'));
      else resolve(certificate);
    });
    socket.setTimeout(timeoutMs, () => fail(new Error(`timed out after ${timeoutMs} ms`)));
    socket.once('error', fail);
  });
}
