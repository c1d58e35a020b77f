import {
  CertificateAuthority,
  keyedCertificateFromPem,
  toPemPair,
  type CertificateRequest,
  type PemPair,
} from '../pki/certificates.ts';
import { SECRET_FILE_MODE, PUBLIC_FILE_MODE } from '@strata/host';
import type { AssetContext, AssetDefinition, AssetOutput, RenderedFile } from './asset.ts';

/** `<base>.crt` and `<base>.key` under the asset directory. */
export function pemFiles(base: string, pair: PemPair): RenderedFile[] {
  return [
    { path: `${base}.crt`, contents: pair.certificatePem, mode: PUBLIC_FILE_MODE },
    { path: `${base}.key`, contents: pair.privateKeyPem, mode: SECRET_FILE_MODE },
  ];
}

export function pemPairOf(output: AssetOutput, base: string): PemPair {
  return { certificatePem: output.contents(`${base}.crt`), privateKeyPem: output.contents(`${base}.key`) };
}

function previousPair<Input>(context: AssetContext<Input>, base: string): PemPair | undefined {
  const files = context.previous?.files ?? [];
  const certificatePem = files.find((file) => file.path === `${base}.crt`)?.contents;
  const privateKeyPem = files.find((file) => file.path === `${base}.key`)?.contents;
  return certificatePem !== undefined && privateKeyPem !== undefined ? { certificatePem, privateKeyPem } : undefined;
}

/**
 * A certificate authority. When its inputs change (its validity), it is
 * re-signed with its existing key, so certificates it issued stay valid.
 */
export function certificateAuthorityAsset<Input>(options: {
  readonly id: string;
  readonly base: string;
  readonly commonName: string;
  readonly validityDays: (input: Input) => number;
}): AssetDefinition<Input> {
  return {
    id: options.id,
    dependsOn: [],
    revision: 1,
    inputs: (input) => ({ commonName: options.commonName, validityDays: options.validityDays(input) }),
    async generate(context) {
      const previous = previousPair(context, options.base);
      const existingKeys = previous === undefined ? undefined : (await keyedCertificateFromPem(previous)).keys;
      const ca = await CertificateAuthority.create(
        { commonName: options.commonName, validityDays: options.validityDays(context.input) },
        context.now,
        existingKeys,
      );
      return pemFiles(options.base, await toPemPair(ca));
    },
  };
}

/**
 * A certificate signed by the CA asset `caId`. A change of its request (SANs,
 * validity) re-issues it with the same key.
 */
export function certificateAsset<Input>(options: {
  readonly id: string;
  readonly base: string;
  readonly caId: string;
  readonly caBase: string;
  readonly request: (input: Input) => CertificateRequest;
}): AssetDefinition<Input> {
  return {
    id: options.id,
    dependsOn: [options.caId],
    revision: 1,
    inputs: (input) => options.request(input),
    async generate(context) {
      const ca = await CertificateAuthority.fromPem(pemPairOf(context.dependency(options.caId), options.caBase));
      const previous = previousPair(context, options.base);
      const existingKeys = previous === undefined ? undefined : (await keyedCertificateFromPem(previous)).keys;
      const issued = await ca.issue(options.request(context.input), context.now, existingKeys);
      return pemFiles(options.base, await toPemPair(issued));
    },
  };
}
