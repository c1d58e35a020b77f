import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
} from './x509.ts';
import { CertificateAuthority, CertificateRequestError, toPemPair } from './certificates.ts';
import { writePemPair, readPemPair } from './files.ts';
import { generateServiceAccountKeyPair } from './service-account.ts';
import { openssl } from '../testing/openssl.ts';
import { certificateRequest } from '../testing/fixtures.ts';
import type { KeyAlgorithm } from './keys.ts';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-pki-test-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

for (const keyAlgorithm of ['ecdsa-p256', 'rsa-2048'] satisfies KeyAlgorithm[]) {
  describe(`PKI with ${keyAlgorithm} keys`, () => {
    let ca: CertificateAuthority;
    let caPaths: Awaited<ReturnType<typeof writePemPair>>;

    before(async () => {
      ca = await CertificateAuthority.create({ commonName: `test-ca-${keyAlgorithm}`, validityDays: 10, keyAlgorithm });
      caPaths = await writePemPair(dir, `ca-${keyAlgorithm}`, await toPemPair(ca));
    });

    for (const profile of ['server', 'client', 'peer'] as const) {
      it(`issues a ${profile} certificate that openssl verifies for its purpose`, async () => {
        const issued = await ca.issue(certificateRequest({ commonName: `${profile}-cert`, profile, keyAlgorithm }));
        const paths = await writePemPair(dir, `${profile}-${keyAlgorithm}`, await toPemPair(issued));
        const purposes = { server: ['sslserver'], client: ['sslclient'], peer: ['sslserver', 'sslclient'] }[profile];
        for (const purpose of purposes) {
          const result = openssl([
            'verify',
            '-CAfile',
            caPaths.certificatePath,
            '-purpose',
            purpose,
            paths.certificatePath,
          ]);
          assert.equal(result.status, 0, result.output);
          assert.match(result.output, /: OK/);
        }
        const eku = issued.certificate.getExtension(ExtendedKeyUsageExtension);
        const expected = { server: [SERVER_AUTH], client: [CLIENT_AUTH], peer: [SERVER_AUTH, CLIENT_AUTH] }[profile];
        assert.deepEqual([...(eku?.usages ?? [])], expected);
        const keyUsage = issued.certificate.getExtension(KeyUsagesExtension);
        assert.ok(keyUsage, 'key usage extension present');
        assert.ok(keyUsage.usages & KeyUsageFlags.digitalSignature);
        assert.equal(keyUsage.usages & KeyUsageFlags.keyCertSign, 0, 'a leaf may not sign certificates');
      });
    }

    it('rejects a server certificate for client use and vice versa', async () => {
      const server = await writePemPair(
        dir,
        `only-server-${keyAlgorithm}`,
        await toPemPair(await ca.issue(certificateRequest({ profile: 'server', keyAlgorithm }))),
      );
      const result = openssl([
        'verify',
        '-CAfile',
        caPaths.certificatePath,
        '-purpose',
        'sslclient',
        server.certificatePath,
      ]);
      assert.notEqual(result.status, 0, 'openssl must refuse a server-only certificate as a client certificate');
    });

    it('writes private keys with mode 0600 and certificates with mode 0644', async () => {
      const paths = await writePemPair(
        dir,
        `modes-${keyAlgorithm}`,
        await toPemPair(await ca.issue(certificateRequest({ keyAlgorithm }))),
      );
      assert.equal((await stat(paths.privateKeyPath)).mode & 0o777, 0o600);
      assert.equal((await stat(paths.certificatePath)).mode & 0o777, 0o644);
    });

    it('reloads a CA from its PEM files and keeps issuing certificates that chain to it', async () => {
      const reloaded = await CertificateAuthority.fromPem(await readPemPair(dir, `ca-${keyAlgorithm}`));
      const issued = await reloaded.issue(certificateRequest({ commonName: 'after-reload', keyAlgorithm }));
      const paths = await writePemPair(dir, `reloaded-${keyAlgorithm}`, await toPemPair(issued));
      const result = openssl(['verify', '-CAfile', caPaths.certificatePath, paths.certificatePath]);
      assert.equal(result.status, 0, result.output);
    });
  });
}

describe('certificate contents', () => {
  it('puts DNS and IP SANs, organizations and validity where Kubernetes reads them', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'contents-ca', validityDays: 10 });
    const now = new Date('2030-01-01T00:00:00Z');
    const issued = await ca.issue(
      certificateRequest({
        commonName: 'system:node:worker-1',
        organizations: ['system:nodes'],
        dnsNames: ['kubernetes', 'kubernetes.default.svc'],
        ipAddresses: ['10.3.0.1', '::1'],
        validityDays: 7,
      }),
      now,
    );
    const san = issued.certificate.getExtension(SubjectAlternativeNameExtension);
    const names = san?.names.toJSON().map((name) => `${name.type}:${name.value}`);
    assert.deepEqual(names, ['dns:kubernetes', 'dns:kubernetes.default.svc', 'ip:10.3.0.1', 'ip:::1']);
    assert.equal(issued.certificate.subject, 'O=system:nodes, CN=system:node:worker-1');
    assert.equal(issued.certificate.notAfter.toISOString(), '2030-01-08T00:00:00.000Z');
    assert.ok(issued.certificate.notBefore < now, 'backdated for clock skew');
  });

  it('refuses an IP SAN that is not an IP address, naming the field', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'bad-ip-ca', validityDays: 1 });
    await assert.rejects(ca.issue(certificateRequest({ ipAddresses: ['10.0.0.300'] })), (error: unknown) => {
      assert.ok(error instanceof CertificateRequestError);
      assert.equal(error.context['field'], 'ipAddresses');
      assert.equal(error.context['value'], '10.0.0.300');
      return true;
    });
  });

  it('issues for a lifetime in seconds when asked, and refuses one that is not a positive whole number', async () => {
    const ca = await CertificateAuthority.create({ commonName: 'seconds-ca', validityDays: 10 });
    const now = new Date('2030-01-01T00:00:00Z');
    const issued = await ca.issue(certificateRequest({ validityDays: 7, validitySeconds: 180 }), now);
    assert.equal(issued.certificate.notAfter.toISOString(), '2030-01-01T00:03:00.000Z', 'seconds win over days');
    await assert.rejects(
      ca.issue(certificateRequest({ validitySeconds: 1.5 }), now),
      (error: unknown) => error instanceof CertificateRequestError && error.context['field'] === 'validitySeconds',
    );
  });

  it('refuses a validity that is not a positive whole number of days', async () => {
    await assert.rejects(CertificateAuthority.create({ commonName: 'ca', validityDays: 0 }), CertificateRequestError);
  });
});

describe('service-account key pair', () => {
  it('produces a PKCS#8 private key and a matching SPKI public key', async () => {
    const pair = await generateServiceAccountKeyPair();
    const privatePath = join(dir, 'sa.key');
    const { writeFileAtomic, SECRET_FILE_MODE } = await import('@strata/host');
    await writeFileAtomic(privatePath, pair.privateKeyPem, SECRET_FILE_MODE);
    const derived = openssl(['pkey', '-in', privatePath, '-pubout']);
    assert.equal(derived.status, 0, derived.output);
    assert.equal(derived.output.trim(), pair.publicKeyPem.trim());
  });
});
