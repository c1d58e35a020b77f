import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { CertificateAuthority, toPemPair } from '../pki/certificates.ts';
import { clusterConfigYaml, issuesOf, parseForTest, positionOf, validConfig } from './fixtures.ts';
import { checkPemCertificate } from './pem.ts';

describe('trusted CA certificates', () => {
  let certificatePem: string;
  let privateKeyPem: string;
  before(async () => {
    ({ certificatePem, privateKeyPem } = await toPemPair(
      await CertificateAuthority.create({ commonName: 'corporate-ca', validityDays: 30 }),
    ));
  });

  it('accepts a PEM certificate in a YAML block scalar', () => {
    const result = parseForTest(clusterConfigYaml(validConfig(), { trustedCaCertificates: [certificatePem] }));
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.deepEqual(result.config.trustedCaCertificates, [certificatePem]);
  });

  it('rejects a certificate whose base64 was damaged, at its list entry', () => {
    const damaged = certificatePem.replace(/\n([A-Za-z0-9+/]{10})/, '\n$1!');
    const text = clusterConfigYaml(validConfig(), { trustedCaCertificates: [damaged] });
    assert.deepEqual(issuesOf(text), [
      {
        path: 'trustedCaCertificates[0]',
        message: 'has a body that is not valid base64',
        value: damaged,
        hint: 'copy the certificate file again; it was probably cut or edited',
        ...positionOf(text, '|', 'trustedCaCertificates:'),
      },
    ]);
  });

  it('explains the usual mistakes', () => {
    const body = certificatePem.split('\n').slice(1, -2).join('\n');
    const truncated = `-----BEGIN CERTIFICATE-----\n${body.slice(0, 40)}\n-----END CERTIFICATE-----`;
    assert.deepEqual(
      [
        privateKeyPem,
        `${certificatePem}${certificatePem}`,
        body,
        truncated.replace('-----END CERTIFICATE-----', ''),
      ].map((pem) => checkPemCertificate(pem)?.message),
      [
        'is a private key',
        'holds 2 certificates',
        'is not a PEM certificate',
        'is not a complete PEM certificate block',
      ],
    );
    // The reason in parentheses is OpenSSL's and varies with its version.
    assert.match(checkPemCertificate(truncated)?.message ?? '', /^does not parse as an X\.509 certificate \(.+\)$/);
  });
});
