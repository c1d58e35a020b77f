import { X509Certificate } from 'node:crypto';
import type { Problem } from './problem.ts';

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';
const BLOCK = /^-----BEGIN CERTIFICATE-----\r?\n([\s\S]*?)-----END CERTIFICATE-----$/;

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** Checks one trusted CA entry: exactly one PEM CERTIFICATE block that parses as X.509. */
export function checkPemCertificate(pem: string): Problem | undefined {
  const text = pem.trim();
  if (text.includes('PRIVATE KEY-----')) {
    return {
      message: 'is a private key',
      hint: 'never put a private key in the config: give the CA certificate ("-----BEGIN CERTIFICATE-----")',
    };
  }
  const blocks = count(text, BEGIN);
  if (blocks === 0) {
    return {
      message: 'is not a PEM certificate',
      hint: `paste the certificate including its "${BEGIN}" and "${END}" lines; use a YAML block scalar (|) to keep the line breaks`,
    };
  }
  if (blocks > 1) {
    return { message: `holds ${blocks} certificates`, hint: 'give each certificate its own list entry' };
  }
  const body = BLOCK.exec(text)?.[1];
  if (body === undefined) {
    return {
      message: 'is not a complete PEM certificate block',
      hint: `it must start with "${BEGIN}" on its own line and end with "${END}"`,
    };
  }
  const base64 = body.replace(/\s+/g, '');
  if (base64.length === 0 || base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    return {
      message: 'has a body that is not valid base64',
      hint: 'copy the certificate file again; it was probably cut or edited',
    };
  }
  try {
    new X509Certificate(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      message: `does not parse as an X.509 certificate (${reason})`,
      hint: 'check it with `openssl x509 -noout -text -in ca.pem`',
    };
  }
  return undefined;
}
