// Whether the chain an API server serves is the one this cluster's clients
// will accept: signed (directly or through the served intermediates) by the
// rendered CA, valid now, and naming the host clients dial. The TLS probe makes
// this decision itself rather than letting the handshake fail, so that it can
// name the served certificate, its issuer and the CA it was compared with.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { DiagnosticInputError } from './errors.ts';
import type { TlsProblem } from './findings.ts';

export interface ServedChainVerdict {
  /** The served leaf: subject, issuer, SANs, validity. */
  readonly served: string;
  /** The rendered CA that signs the chain, when one does. */
  readonly signedBy?: string;
  /** Empty when clients will accept the chain; otherwise every problem, the most fundamental first. */
  readonly problems: readonly TlsProblem[];
}

/** The certificates of a PEM bundle (a CA file may hold several). */
export function certificatesOfPem(pem: string, field: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw new DiagnosticInputError(`${field} holds no PEM certificate`, { field });
  }
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new DiagnosticInputError(
        `${field}: certificate ${index + 1} cannot be parsed`,
        { field, index },
        { cause: error },
      );
    }
  });
}

/** A distinguished name on one line: `O=system:masters, CN=admin`. */
export function nameOf(distinguishedName: string): string {
  return distinguishedName.split('\n').join(', ');
}

export function describeCertificate(certificate: X509Certificate): string {
  return (
    `${nameOf(certificate.subject)} issued by ${nameOf(certificate.issuer)}, ` +
    `SANs ${certificate.subjectAltName ?? 'none'}, ` +
    `valid ${certificate.validFromDate.toISOString()} to ${certificate.validToDate.toISOString()}`
  );
}

const signs = (issuer: X509Certificate, subject: X509Certificate): boolean =>
  subject.checkIssued(issuer) && subject.verify(issuer.publicKey);

/**
 * The path from the leaf to a rendered CA through the served certificates, or
 * undefined when there is none. Bounded: a served chain longer than this is
 * not one any client here builds.
 */
function pathToCa(
  served: readonly X509Certificate[],
  cas: readonly X509Certificate[],
): { readonly path: readonly X509Certificate[]; readonly anchor: X509Certificate } | undefined {
  const leaf = served[0];
  if (leaf === undefined) return undefined;
  const path = [leaf];
  for (let current = leaf; path.length <= 8;) {
    const anchor = cas.find((ca) => ca.fingerprint256 === current.fingerprint256 || signs(ca, current));
    if (anchor !== undefined) return { path, anchor };
    const next = served.find((candidate) => !path.includes(candidate) && signs(candidate, current));
    if (next === undefined) return undefined;
    path.push(next);
    current = next;
  }
  return undefined;
}

function validityProblem(certificate: X509Certificate, now: Date): TlsProblem | undefined {
  const notBefore = certificate.validFromDate;
  const notAfter = certificate.validToDate;
  const subject = nameOf(certificate.subject);
  if (now < notBefore) return { kind: 'not-yet-valid', subject, notBefore, notAfter };
  if (now > notAfter) return { kind: 'expired', subject, notBefore, notAfter };
  return undefined;
}

/**
 * Verifies a served chain (leaf first) against the rendered CA bundle, for
 * clients that dial `host`. Names are matched as Kubernetes' Go clients match
 * them: against the SANs only, never the common name.
 */
export function verifyServedChain(
  served: readonly X509Certificate[],
  caPem: string,
  host: string,
  now: Date = new Date(),
): ServedChainVerdict {
  const cas = certificatesOfPem(caPem, 'clusterCaPem');
  const leaf = served[0];
  if (leaf === undefined) {
    return {
      served: 'no certificate',
      problems: [
        {
          kind: 'handshake',
          failure: { kind: 'error', tried: host, message: 'the server completed the handshake without a certificate' },
        },
      ],
    };
  }
  const problems: TlsProblem[] = [];
  const trusted = pathToCa(served, cas);
  if (trusted === undefined) {
    const [ca] = cas;
    if (ca !== undefined) {
      problems.push({
        kind: 'untrusted',
        servedSubject: nameOf(leaf.subject),
        servedIssuer: nameOf(leaf.issuer),
        caSubject: nameOf(ca.subject),
        caFingerprint: ca.fingerprint256,
      });
    }
  }
  for (const certificate of trusted === undefined ? [leaf] : [...trusted.path, trusted.anchor]) {
    const problem = validityProblem(certificate, now);
    if (problem !== undefined) problems.push(problem);
  }
  const matches = isIP(host) === 0 ? leaf.checkHost(host, { subject: 'never' }) : leaf.checkIP(host);
  if (matches === undefined) problems.push({ kind: 'name-mismatch', host, sans: leaf.subjectAltName ?? 'none' });
  const description = describeCertificate(leaf);
  return trusted === undefined
    ? { served: description, problems }
    : {
        served: description,
        signedBy: `${nameOf(trusted.anchor.subject)} (SHA-256 ${trusted.anchor.fingerprint256})`,
        problems,
      };
}

/** One problem in words, naming what was served and what was expected. */
export function describeTlsProblem(problem: TlsProblem): string {
  switch (problem.kind) {
    case 'handshake':
      return `the TLS handshake with ${problem.failure.tried} failed: ${problem.failure.message}`;
    case 'untrusted':
      return (
        `served certificate ${problem.servedSubject} issued by ${problem.servedIssuer} is not signed by the rendered CA ` +
        `${problem.caSubject} (fingerprint ${problem.caFingerprint})`
      );
    case 'expired':
      return `the certificate ${problem.subject} expired on ${problem.notAfter.toISOString()}`;
    case 'not-yet-valid':
      return `the certificate ${problem.subject} is not valid before ${problem.notBefore.toISOString()} (check this machine's clock)`;
    case 'name-mismatch':
      return `the served certificate's SANs (${problem.sans}) do not cover ${problem.host}`;
  }
}
