import type { CertificateRequest } from '../pki/certificates.ts';

/** A valid certificate request; tests override only what they are about. */
export function certificateRequest(overrides: Partial<CertificateRequest> = {}): CertificateRequest {
  return {
    commonName: 'test-server',
    dnsNames: ['test.example.com'],
    ipAddresses: ['127.0.0.1'],
    profile: 'server',
    validityDays: 30,
    ...overrides,
  };
}
