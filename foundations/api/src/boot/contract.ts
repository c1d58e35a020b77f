// The write API's contract, shared by its server and its client (and so by
// the Pulumi providers). Matchbox's own write API is gRPC; Strata's is JSON
// over HTTPS with client certificates (see docs/adr).
import type { Group, Profile, TemplateKind } from './model.ts';
import type { ServedMachine } from './served.ts';

export const WRITE_API_PREFIX = '/v1';

/**
 * Routes (all under WRITE_API_PREFIX, all require a client certificate signed by --ca-file):
 *   GET    /profiles            -> { items: Profile[] }
 *   GET    /profiles/{id}       -> Profile                      | 404 {kind:"NotFound"}
 *   PUT    /profiles/{id}       body Profile (id must match)    -> Profile (200 or 201)
 *   DELETE /profiles/{id}       -> 204                          | 404
 *   (the same for /groups)
 *   GET    /templates/{kind}            -> { items: string[] }   (kind: ignition | generic)
 *   GET    /templates/{kind}/{name}     -> the raw text (text/plain)
 *   PUT    /templates/{kind}/{name}     body raw text           -> 200 or 201
 *   DELETE /templates/{kind}/{name}     -> 204 | 404
 *   GET    /served              -> { items: ServedMachine[] }   (what the read side served, by MAC, since it started)
 * Errors: 4xx/5xx with body { kind: string, message: string, field?: string }.
 */
export interface WriteApiError {
  readonly kind: 'NotFound' | 'Invalid' | 'Conflict' | 'TooLarge' | 'Unauthorized' | 'Internal';
  readonly message: string;
  readonly field?: string;
}

/** What the Pulumi providers and the installer program against. */
export interface BootApi {
  listProfiles(): Promise<Profile[]>;
  getProfile(id: string): Promise<Profile | undefined>;
  putProfile(profile: Profile): Promise<void>;
  deleteProfile(id: string): Promise<boolean>;
  listGroups(): Promise<Group[]>;
  getGroup(id: string): Promise<Group | undefined>;
  putGroup(group: Group): Promise<void>;
  deleteGroup(id: string): Promise<boolean>;
  listTemplates(kind: Exclude<TemplateKind, 'cloud'>): Promise<string[]>;
  getTemplate(kind: Exclude<TemplateKind, 'cloud'>, name: string): Promise<string | undefined>;
  putTemplate(kind: Exclude<TemplateKind, 'cloud'>, name: string, content: string): Promise<void>;
  deleteTemplate(kind: Exclude<TemplateKind, 'cloud'>, name: string): Promise<boolean>;
  /** What the read side served, by MAC, since it started (sorted by MAC). */
  listServed(): Promise<ServedMachine[]>;
}

/** How a client reaches the write API: its https:// base URL and PEM credentials from Strata's PKI. */
export interface BootApiEndpoint {
  readonly url: string;
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}
