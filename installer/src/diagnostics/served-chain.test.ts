import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { aCertificateAuthority, aServingCertificate } from './test-fixtures.ts';
import { describeTlsProblem, verifyServedChain } from './served-chain.ts';
import { DiagnosticInputError } from './errors.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('verifyServedChain', () => {
  it('accepts a certificate the rendered CA signed that names the host, and describes both', async () => {
    const ca = await aCertificateAuthority('kubernetes-ca');
    const served = new X509Certificate((await aServingCertificate(ca)).certificatePem);
    const verdict = verifyServedChain([served], ca.caPem, '127.0.0.1');
    assert.deepEqual(verdict.problems, []);
    assert.match(
      verdict.served,
      /^CN=kube-apiserver issued by CN=kubernetes-ca, SANs DNS:localhost, IP Address:127\.0\.0\.1, valid /,
    );
    assert.equal(verdict.signedBy, `CN=kubernetes-ca (SHA-256 ${new X509Certificate(ca.caPem).fingerprint256})`);
    assert.deepEqual(verifyServedChain([served], ca.caPem, 'localhost').problems, []);
  });

  it('names the served issuer and the rendered CA when another CA signed the certificate', async () => {
    const rendered = await aCertificateAuthority('kubernetes-ca');
    const other = await aCertificateAuthority('other-ca');
    const served = new X509Certificate((await aServingCertificate(other)).certificatePem);
    const verdict = verifyServedChain([served], rendered.caPem, '127.0.0.1');
    const [problem] = verdict.problems;
    assert.equal(problem?.kind, 'untrusted');
    assert.equal(verdict.problems.length, 1);
    const fingerprint = new X509Certificate(rendered.caPem).fingerprint256;
    assert.equal(
      describeTlsProblem(problem),
      `served certificate CN=kube-apiserver issued by CN=other-ca is not signed by the rendered CA CN=kubernetes-ca (fingerprint ${fingerprint})`,
    );
  });

  it('does not trust a certificate whose issuer has the rendered CA name but another key', async () => {
    const rendered = await aCertificateAuthority('kubernetes-ca');
    const impostor = await aCertificateAuthority('kubernetes-ca');
    const served = new X509Certificate((await aServingCertificate(impostor)).certificatePem);
    assert.equal(verifyServedChain([served], rendered.caPem, '127.0.0.1').problems[0]?.kind, 'untrusted');
  });

  it('finds the rendered CA in a bundle of several', async () => {
    const old = await aCertificateAuthority('old-ca');
    const rendered = await aCertificateAuthority('kubernetes-ca');
    const served = new X509Certificate((await aServingCertificate(rendered)).certificatePem);
    assert.deepEqual(verifyServedChain([served], old.caPem + rendered.caPem, '127.0.0.1').problems, []);
  });

  it('names the served SANs when they do not cover the host, ignoring the common name', async () => {
    const ca = await aCertificateAuthority('kubernetes-ca');
    const served = new X509Certificate(
      (
        await aServingCertificate(ca, {
          commonName: 'other.example.test',
          dnsNames: ['api.example.test'],
          ipAddresses: ['10.0.0.1'],
        })
      ).certificatePem,
    );
    const ip = verifyServedChain([served], ca.caPem, '127.0.0.1');
    assert.deepEqual(ip.problems, [
      { kind: 'name-mismatch', host: '127.0.0.1', sans: 'DNS:api.example.test, IP Address:10.0.0.1' },
    ]);
    assert.equal(
      describeTlsProblem(ip.problems[0]!),
      "the served certificate's SANs (DNS:api.example.test, IP Address:10.0.0.1) do not cover 127.0.0.1",
    );
    // The common name is the host, yet Kubernetes' clients read only the SANs.
    assert.equal(verifyServedChain([served], ca.caPem, 'other.example.test').problems[0]?.kind, 'name-mismatch');
    assert.deepEqual(verifyServedChain([served], ca.caPem, 'api.example.test').problems, []);
  });

  it('reports an expired certificate and one not valid yet with their dates', async () => {
    const longAgo = new Date(Date.now() - 100 * DAY_MS);
    const ca = await aCertificateAuthority('kubernetes-ca', longAgo);
    const expired = new X509Certificate((await aServingCertificate(ca, { validityDays: 1 }, longAgo)).certificatePem);
    const [problem] = verifyServedChain([expired], ca.caPem, '127.0.0.1').problems;
    assert.equal(problem?.kind, 'expired');
    assert.match(describeTlsProblem(problem), /^the certificate CN=kube-apiserver expired on \d{4}-\d\d-\d\dT/);
    const current = await aCertificateAuthority('kubernetes-ca');
    const future = new X509Certificate(
      (await aServingCertificate(current, {}, new Date(Date.now() + 2 * DAY_MS))).certificatePem,
    );
    assert.equal(verifyServedChain([future], current.caPem, '127.0.0.1').problems[0]?.kind, 'not-yet-valid');
  });

  it('refuses a rendered CA that holds no certificate, naming the field', () => {
    assert.throws(
      () => verifyServedChain([], 'not a certificate', '127.0.0.1'),
      (error: unknown) =>
        error instanceof DiagnosticInputError && /clusterCaPem holds no PEM certificate/.test(error.message),
    );
  });
});
