import { parse } from 'yaml';
import { z } from 'zod';
import { X509Certificate } from '../../pki/x509.ts';
import { PUBLIC_FILE_MODE } from '@strata/host';
import type { AssetDefinition } from '../asset.ts';
import { ASSET_PATHS } from '../layout.ts';
import type { RenderInput } from '../render-input.ts';

export const INVENTORY_ASSET_ID = 'tls/inventory';

export interface CertificateRecord {
  readonly path: string;
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly serialNumber: string;
}

/** The certificates a file holds: a .crt itself, or a kubeconfig's embedded client certificate. */
function certificatesIn(path: string, contents: string): { path: string; pem: string }[] {
  if (path.endsWith('.crt')) return [{ path, pem: contents }];
  if (!path.endsWith('.kubeconfig')) return [];
  const kubeconfig = kubeconfigSchema.parse(parse(contents));
  return kubeconfig.users.flatMap(({ user }) =>
    user['client-certificate-data'] === undefined
      ? []
      : [{ path, pem: Buffer.from(user['client-certificate-data'], 'base64').toString('utf8') }],
  );
}

const kubeconfigSchema = z.object({
  users: z.array(z.object({ user: z.object({ 'client-certificate-data': z.string().optional() }) })),
});

/**
 * Every certificate of the cluster with its expiry, so that a later command
 * (`strata certificates check`) can warn before one lapses and rotate it.
 */
export function inventoryAsset(certificateAssetIds: readonly string[]): AssetDefinition<RenderInput> {
  return {
    id: INVENTORY_ASSET_ID,
    dependsOn: certificateAssetIds,
    revision: 1,
    inputs: () => ({}),
    generate(context) {
      const records: CertificateRecord[] = certificateAssetIds
        .flatMap((id) => context.dependency(id).files)
        .flatMap((file) => certificatesIn(file.path, file.contents))
        .map(({ path, pem }) => {
          const certificate = new X509Certificate(pem);
          return {
            path,
            subject: certificate.subject,
            issuer: certificate.issuer,
            notBefore: certificate.notBefore.toISOString(),
            notAfter: certificate.notAfter.toISOString(),
            serialNumber: certificate.serialNumber,
          };
        })
        .sort((a, b) => a.path.localeCompare(b.path));
      return [
        {
          path: ASSET_PATHS.certificateInventory,
          contents: JSON.stringify({ certificates: records }, null, 2) + '\n',
          mode: PUBLIC_FILE_MODE,
        },
      ];
    },
  };
}
