// One bootstrap token per Ignition target: each controller, each worker
// machine, and on clouds each worker pool whose machines share one config.
// A token carries its expiration and the machine or pool it was issued for;
// the manifests turn that into the token Secret's `expiration` and
// `auth-extra-groups`, which the join approver holds each CSR to.
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { BOOTSTRAP_TOKEN_ID_PATTERN, joinGroupOf, StrataError, type JoinTarget } from '@strata/api';
import { SECRET_FILE_MODE } from '@strata/host';
import { renderKubeconfig } from '../../kubeconfig/kubeconfig.ts';
import type { ClusterTopology } from '../../topology/topology.ts';
import type { AssetDefinition } from '../asset.ts';
import { ASSET_PATHS, CERT } from '../layout.ts';
import type { RenderInput } from '../render-input.ts';
import { PKI_ASSET_IDS } from './pki.ts';

/** A target whose name no bootstrap group can carry, or a token file that is not one. */
export class JoinTokenError extends StrataError {}

export const JOIN_TOKEN_ASSET_IDS = {
  token: (target: string) => `auth/bootstrap-token/${target}`,
  kubeconfig: (target: string) => `auth/bootstrap-kubeconfig/${target}`,
} as const;

export interface JoinTokenTarget {
  /** The Ignition target's name (the machine, or the pool's template on clouds). */
  readonly ignitionName: string;
  readonly target: JoinTarget;
}

/** Every Ignition target's join target; throws JoinTokenError when a name cannot be put into a bootstrap group. */
export function joinTokenTargets(topology: ClusterTopology): JoinTokenTarget[] {
  const targets: JoinTokenTarget[] = [
    ...topology.controllers.map((node) => ({
      ignitionName: node.name,
      target: { kind: 'node', name: node.name } as const,
    })),
    ...topology.workers.map((node) => ({
      ignitionName: node.name,
      target: node.sharedByPool
        ? ({ kind: 'pool', name: node.pool } as const)
        : ({ kind: 'node', name: node.name } as const),
    })),
  ];
  for (const { ignitionName, target } of targets) {
    if (joinGroupOf(target) === undefined) {
      throw new JoinTokenError(
        `${target.kind} "${target.name}" (Ignition target ${ignitionName}) cannot be named in a bootstrap token group: ` +
          'the API server accepts only lower-case letters, digits, "-" and ":" there, at most 256 characters in all',
        { target: ignitionName, kind: target.kind, name: target.name },
      );
    }
  }
  return targets;
}

const tokenFileSchema = z.strictObject({
  id: z.string().regex(BOOTSTRAP_TOKEN_ID_PATTERN),
  secret: z.string().regex(/^[a-z0-9]{16}$/),
  expiration: z.iso.datetime(),
  target: z.strictObject({ kind: z.enum(['node', 'pool']), name: z.string() }),
});

export type JoinTokenFile = z.output<typeof tokenFileSchema>;

/** Reads a token file as render wrote it; throws JoinTokenError (never showing the secret) when it is not one. */
export function parseJoinTokenFile(path: string, contents: string): JoinTokenFile {
  let json: unknown;
  try {
    json = JSON.parse(contents);
  } catch {
    json = undefined;
  }
  const parsed = tokenFileSchema.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
    throw new JoinTokenError(`${path} is not a bootstrap token file (fields: ${fields.join(', ')})`, { path, fields });
  }
  return parsed.data;
}

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const randomToken = (length: number) =>
  Array.from({ length }, () => TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)]).join('');

const HOUR_MS = 3_600_000;

const expired = (file: JoinTokenFile, now: Date): boolean => new Date(file.expiration).getTime() <= now.getTime();

/** A token per target, reused across renders until its expiration passes, and the kubeconfig that holds only it. */
export function joinTokenAssets(input: RenderInput): AssetDefinition<RenderInput>[] {
  return joinTokenTargets(input.topology).flatMap(({ ignitionName, target }) => {
    const tokenPath = ASSET_PATHS.bootstrapToken(ignitionName);
    const tokenAsset: AssetDefinition<RenderInput> = {
      id: JOIN_TOKEN_ASSET_IDS.token(ignitionName),
      dependsOn: [],
      revision: 1,
      inputs: (i) => ({ target, ttlHours: i.config.join.tokenTtlHours }),
      isStale: (output, now) => {
        const file = output.files.find((candidate) => candidate.path === tokenPath);
        return file === undefined || expired(parseJoinTokenFile(tokenPath, file.contents), now);
      },
      generate(context) {
        const expiration = new Date(context.now.getTime() + context.input.config.join.tokenTtlHours * HOUR_MS);
        const previous = context.previous?.files.find((file) => file.path === tokenPath);
        if (previous !== undefined) {
          const parsed = parseJoinTokenFile(tokenPath, previous.contents);
          // Kept while valid, for this very target, and not outliving a TTL that was shortened since.
          if (
            !expired(parsed, context.now) &&
            new Date(parsed.expiration).getTime() <= expiration.getTime() &&
            parsed.target.kind === target.kind &&
            parsed.target.name === target.name
          )
            return [previous];
        }
        const file: JoinTokenFile = {
          id: randomToken(6),
          secret: randomToken(16),
          // Whole seconds: the API server parses RFC 3339 and the Secret should read as people write it.
          expiration: expiration.toISOString().replace(/\.\d{3}Z$/, 'Z'),
          target,
        };
        return [{ path: tokenPath, contents: JSON.stringify(file, null, 2) + '\n', mode: SECRET_FILE_MODE }];
      },
    };
    const kubeconfigAsset: AssetDefinition<RenderInput> = {
      id: JOIN_TOKEN_ASSET_IDS.kubeconfig(ignitionName),
      dependsOn: [PKI_ASSET_IDS.clusterCa, tokenAsset.id],
      revision: 1,
      inputs: (i) => ({ server: i.topology.apiServerUrl, cluster: i.config.name }),
      generate(context) {
        const token = parseJoinTokenFile(tokenPath, context.dependency(tokenAsset.id).contents(tokenPath));
        const contents = renderKubeconfig({
          clusterName: context.input.config.name,
          server: context.input.topology.apiServerUrl,
          certificateAuthorityPem: context.dependency(PKI_ASSET_IDS.clusterCa).contents(CERT(ASSET_PATHS.clusterCa)),
          userName: 'kubelet-bootstrap',
          credentials: { token: `${token.id}.${token.secret}` },
        });
        return [{ path: ASSET_PATHS.bootstrapKubeconfig(ignitionName), contents, mode: SECRET_FILE_MODE }];
      },
    };
    return [tokenAsset, kubeconfigAsset];
  });
}
