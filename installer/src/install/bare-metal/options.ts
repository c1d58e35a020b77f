// What `strata install` needs on bare metal beyond cluster.yaml: how to reach
// the boot server's write API (its URL and the mutual-TLS files, as
// matchbox's clients take them) and how to reach the controllers over SSH to
// deliver their withheld secrets. None of it belongs in cluster.yaml: the
// files are credentials of the person installing, not of the cluster.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { BootApiEndpoint } from '@strata/api';
import { InstallUsageError } from '../errors.ts';

export const bareMetalInstallOptionsSchema = z.strictObject({
  /** The write API (https://host:port); its client certificate and CA come from the three files. */
  bootApi: z
    .strictObject({
      url: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }),
      caFile: z.string().min(1),
      certFile: z.string().min(1),
      keyFile: z.string().min(1),
    })
    .optional(),
  /** The private key whose public half is in sshAuthorizedKeys; default ~/.ssh/id_ed25519, then ~/.ssh/id_rsa. */
  sshIdentity: z.string().min(1).optional(),
  /** Flatcar's sshd listens on 22 and lets `core` in; other values are for machines that differ. */
  sshPort: z.coerce.number().int().min(1).max(65_535).default(22),
  sshUser: z.string().min(1).default('core'),
});

export type BareMetalInstallOptions = z.output<typeof bareMetalInstallOptionsSchema>;
export type BareMetalInstallOptionsInput = z.input<typeof bareMetalInstallOptionsSchema>;

/** The options as commander hands them over; every flag is optional. */
export interface RawBareMetalOptions {
  readonly bootApi?: string;
  readonly bootApiCa?: string;
  readonly bootApiCert?: string;
  readonly bootApiKey?: string;
  readonly sshIdentity?: string;
  readonly sshPort?: string;
  readonly sshUser?: string;
}

const FLAGS = {
  bootApi: '--boot-api',
  caFile: '--boot-api-ca',
  certFile: '--boot-api-cert',
  keyFile: '--boot-api-key',
  sshIdentity: '--ssh-identity',
  sshPort: '--ssh-port',
  sshUser: '--ssh-user',
} as const;

/** Checks the flags' shapes (exit 2 on a mistake, naming the flag); the files themselves are preflight's. */
export function parseBareMetalOptions(raw: RawBareMetalOptions): BareMetalInstallOptions {
  const tls = [raw.bootApiCa, raw.bootApiCert, raw.bootApiKey];
  const anyApi = raw.bootApi !== undefined || tls.some((value) => value !== undefined);
  const parsed = bareMetalInstallOptionsSchema.safeParse({
    ...(anyApi
      ? { bootApi: { url: raw.bootApi, caFile: raw.bootApiCa, certFile: raw.bootApiCert, keyFile: raw.bootApiKey } }
      : {}),
    ...(raw.sshIdentity === undefined ? {} : { sshIdentity: raw.sshIdentity }),
    ...(raw.sshPort === undefined ? {} : { sshPort: raw.sshPort }),
    ...(raw.sshUser === undefined ? {} : { sshUser: raw.sshUser }),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path.at(-1);
      const flag = key === 'url' ? FLAGS.bootApi : FLAGS[key as keyof typeof FLAGS];
      return `${flag ?? issue.path.join('.')}: ${issue.message}`;
    });
    throw new InstallUsageError(
      `bare-metal options: ${problems.join('; ')} (the write API needs all four of ${FLAGS.bootApi}, ${FLAGS.caFile}, ${FLAGS.certFile}, ${FLAGS.keyFile})`,
      { problems },
    );
  }
  return parsed.data;
}

/** The SSH identities tried when --ssh-identity is not given, in order. */
export function defaultSshIdentities(home: string = homedir()): string[] {
  return [join(home, '.ssh', 'id_ed25519'), join(home, '.ssh', 'id_rsa')];
}

/** The write API endpoint from the files (their contents are secret: they never reach an error message). */
export async function bootApiEndpoint(
  bootApi: NonNullable<BareMetalInstallOptions['bootApi']>,
): Promise<BootApiEndpoint> {
  const [caPem, certPem, keyPem] = await Promise.all(
    [bootApi.caFile, bootApi.certFile, bootApi.keyFile].map((file) => readFile(file, 'utf8')),
  );
  return { url: bootApi.url, caPem: caPem ?? '', certPem: certPem ?? '', keyPem: keyPem ?? '' };
}
