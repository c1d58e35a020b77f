import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  certificateSigningRequestPublicKey,
  createCertificateSigningRequest,
  readCertificateSigningRequest,
} from './csr.ts';
import { CertificateAuthority, CertificateRequestError } from './certificates.ts';
import { SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import { openssl } from '../testing/openssl.ts';
import type { KeyAlgorithm } from './keys.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-csr-test-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('certificate signing requests', () => {
  for (const keyAlgorithm of ['ecdsa-p256', 'rsa-2048'] satisfies KeyAlgorithm[]) {
    it(`makes a ${keyAlgorithm} PKCS#10 request that openssl verifies, with the kubelet's subject`, async () => {
      const { csrPem, privateKeyPem } = await createCertificateSigningRequest({
        commonName: 'system:node:worker-1',
        organizations: ['system:nodes'],
        keyAlgorithm,
      });
      assert.match(csrPem, /^-----BEGIN CERTIFICATE REQUEST-----\n/);
      assert.match(privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
      const csrPath = join(dir, `${keyAlgorithm}.csr`);
      const keyPath = join(dir, `${keyAlgorithm}.key`);
      await writeFile(csrPath, csrPem);
      await writeFile(keyPath, privateKeyPem);

      const verified = openssl(['req', '-in', csrPath, '-verify', '-noout', '-subject', '-nameopt', 'RFC2253']);
      assert.equal(verified.status, 0, verified.output);
      assert.match(verified.output, /verify OK/);
      assert.match(verified.output, /subject=CN=system:node:worker-1,O=system:nodes/);

      // The request certifies the key that is handed back, not some other one.
      const requestKey = openssl(['req', '-in', csrPath, '-noout', '-pubkey']);
      const ownKey = openssl(['pkey', '-in', keyPath, '-pubout']);
      assert.equal(requestKey.status, 0, requestKey.output);
      assert.equal(requestKey.output.trim(), ownKey.output.trim());
    });
  }

  it('makes a fresh key for every request', async () => {
    const first = await createCertificateSigningRequest({ commonName: 'a' });
    const second = await createCertificateSigningRequest({ commonName: 'a' });
    assert.notEqual(first.privateKeyPem, second.privateKeyPem);
  });

  it('refuses an empty common name, naming the field', async () => {
    await assert.rejects(createCertificateSigningRequest({ commonName: '' }), (error: unknown) => {
      assert.ok(error instanceof CertificateRequestError);
      assert.equal(error.context['field'], 'commonName');
      return true;
    });
  });
});

describe('reading a certificate signing request', () => {
  it('reads back the subject of a kubelet request, no extensions, and a valid signature', async () => {
    const { csrPem } = await createCertificateSigningRequest({
      commonName: 'system:node:n1',
      organizations: ['system:nodes'],
    });
    assert.deepEqual(await readCertificateSigningRequest(csrPem), {
      commonNames: ['system:node:n1'],
      organizations: ['system:nodes'],
      otherSubjectFields: [],
      extensionOids: [],
      subjectAltNames: [],
      signatureValid: true,
    });
  });

  it('reads back the subject alternative names a serving request asks for', async () => {
    const subjectAltNames = [
      { type: 'dns', value: 'n1' },
      { type: 'ip', value: '10.0.0.5' },
    ] as const;
    const { csrPem } = await createCertificateSigningRequest({ commonName: 'system:node:n1', subjectAltNames });
    const contents = await readCertificateSigningRequest(csrPem);
    assert.deepEqual(contents.subjectAltNames, subjectAltNames);
    assert.deepEqual(contents.extensionOids, ['2.5.29.17']);
  });

  it('refuses what is not a certificate request, naming the field', async () => {
    await assert.rejects(readCertificateSigningRequest('not a request'), (error: unknown) => {
      assert.ok(error instanceof CertificateRequestError);
      assert.equal(error.context['field'], 'request');
      return true;
    });
  });

  it("lets a CA certify the request's key without ever holding the private key, which openssl pairs", async () => {
    const { csrPem, privateKeyPem } = await createCertificateSigningRequest({ commonName: 'member-a' });
    const ca = await CertificateAuthority.create({ commonName: 'test CA', validityDays: 1 });
    const certificate = await ca.certify(
      { commonName: 'member-a', profile: 'peer', ipAddresses: ['127.0.64.9'], validityDays: 1 },
      await certificateSigningRequestPublicKey(csrPem),
    );
    assert.ok(await certificate.verify({ publicKey: ca.certificate.publicKey }));
    const certificatePath = join(dir, 'certified.crt');
    const keyPath = join(dir, 'certified.key');
    await writeFile(certificatePath, certificate.toString('pem'));
    await writeFileAtomic(keyPath, privateKeyPem, SECRET_FILE_MODE);
    const fromCertificate = openssl(['x509', '-in', certificatePath, '-noout', '-pubkey']);
    const fromKey = openssl(['pkey', '-in', keyPath, '-pubout']);
    assert.equal(fromCertificate.status, 0, fromCertificate.output);
    assert.equal(fromCertificate.output, fromKey.output);
    await assert.rejects(certificateSigningRequestPublicKey('not a request'), CertificateRequestError);
  });
});
