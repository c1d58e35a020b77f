// Azure Resource Manager, reached with Microsoft's SDK clients and a token the
// azure-native provider obtained from the user's credentials: the endpoint of
// the cloud the provider is set to, a credential that hands the SDK that one
// token, and the words for a refusal that never include the token.
import { isRestError } from '@azure/arm-compute';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { z } from 'zod';
import type { Environment } from './preflight.ts';

/** The Resource Manager endpoint of each cloud the provider's `environment` setting (ARM_ENVIRONMENT) names. */
export const ARM_ENDPOINTS: Readonly<Record<string, string>> = {
  public: 'https://management.azure.com',
  usgovernment: 'https://management.usgovcloudapi.net',
  china: 'https://management.chinacloudapi.cn',
};

/** Where the SDK clients send their requests, and, for a test's own server, which CA to trust. */
export interface ArmAccess {
  readonly endpoint: string;
  readonly tlsOptions?: { readonly ca: string };
}

/** The cloud the provider talks to, as its settings in the environment choose it, or why it cannot be told. */
export type ArmCloud =
  { readonly environment: string; readonly endpoint: string } | { readonly problem: string; readonly fix: string };

/**
 * The cloud of the provider's ARM_ENVIRONMENT (public when unset) and its Resource Manager endpoint. A custom cloud
 * (ARM_METADATA_HOSTNAME, as Azure Stack uses) or a name the provider does not know is a problem, with its fix.
 */
export function armCloud(env: Environment): ArmCloud {
  const metadataHost = env['ARM_METADATA_HOSTNAME'] ?? '';
  if (metadataHost !== '') {
    return {
      problem: `ARM_METADATA_HOSTNAME "${metadataHost}" names a custom cloud, whose Resource Manager endpoint preflight does not look up`,
      fix: `unset ARM_METADATA_HOSTNAME and set ARM_ENVIRONMENT to one of ${Object.keys(ARM_ENDPOINTS).join(', ')}`,
    };
  }
  const environment = (env['ARM_ENVIRONMENT'] ?? '').trim().toLowerCase() || 'public';
  const endpoint = ARM_ENDPOINTS[environment];
  if (endpoint === undefined) {
    return {
      problem: `ARM_ENVIRONMENT "${env['ARM_ENVIRONMENT'] ?? ''}" is not a cloud the provider knows`,
      fix: `set ARM_ENVIRONMENT to one of ${Object.keys(ARM_ENDPOINTS).join(', ')}, or unset it for the public cloud`,
    };
  }
  return { environment, endpoint };
}

// The SDK caches the token until shortly before this moment; the checks take seconds, and a token that expired
// earlier is refused by ARM with a 401, which the checks report.
const TOKEN_LIFETIME_MS = 10 * 60 * 1000;

/** A credential that gives the SDK the token the provider obtained, and never asks anything else for one. */
export function providerTokenCredential(token: string): TokenCredential {
  const access: AccessToken = { token, expiresOnTimestamp: Date.now() + TOKEN_LIFETIME_MS, tokenType: 'Bearer' };
  return { getToken: () => Promise.resolve(access) };
}

/** Whether ARM refused the credentials themselves (rather than the request). */
export function isCredentialRefusal(error: unknown): boolean {
  return isRestError(error) && (error.statusCode === 401 || error.statusCode === 403);
}

const armErrorSchema = z.object({ error: z.object({ code: z.string().optional(), message: z.string().optional() }) });

/** ARM's error body of a failed response: its code and message. */
export type ArmErrorBody = z.infer<typeof armErrorSchema>['error'];

/**
 * Keeps the error body of the last failed response of one SDK call, given as the call's `onResponse`: the SDK's
 * paged listings report a failure as "Pagination failed with unexpected statusCode 403", without ARM's message.
 */
export class ArmResponses {
  #lastError: ArmErrorBody | undefined;

  readonly onResponse = (response: { status: number; parsedBody?: unknown }): void => {
    if (response.status >= 400) this.#lastError = armErrorSchema.safeParse(response.parsedBody).data?.error;
  };

  get lastError(): ArmErrorBody | undefined {
    return this.#lastError;
  }
}

/** What ARM answered, as words to show: status, ARM's error code and message, with the token cut out. */
export function armAnswer(error: unknown, token: string, responses?: ArmResponses): string {
  let text: string;
  if (isRestError(error)) {
    const status = error.statusCode === undefined ? '' : `HTTP ${error.statusCode}`;
    const body = responses?.lastError;
    text = [status, body?.code ?? error.code, body?.message ?? error.message]
      .filter((part) => part !== undefined && part !== '')
      .join(': ');
  } else {
    text = error instanceof Error ? error.message : String(error);
  }
  return token === '' ? text : text.split(token).join('<token>');
}
