// Test support: a small Azure Resource Manager on loopback (HTTPS, since the
// SDK sends bearer tokens only over TLS) that answers what the existence
// checks ask (locations, SKUs, Marketplace image versions) with ARM-shaped
// JSON from typed builders, and records each request's path and Authorization
// header.
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CertificateAuthority, toPemPair } from '@strata/assets';

/** A location of `GET /subscriptions/{id}/locations`, as ARM returns it. */
export interface ArmLocation {
  readonly id: string;
  readonly name: string;
  readonly type: 'Region' | 'EdgeZone';
  readonly displayName: string;
  readonly regionalDisplayName: string;
  readonly metadata: { readonly regionType: string; readonly regionCategory: string; readonly geography: string };
  readonly availabilityZoneMappings: readonly { readonly logicalZone: string; readonly physicalZone: string }[];
}

export function aLocation(
  subscriptionId: string,
  name: string,
  zones: readonly string[] = ['1', '2', '3'],
): ArmLocation {
  return {
    id: `/subscriptions/${subscriptionId}/locations/${name}`,
    name,
    type: 'Region',
    displayName: name,
    regionalDisplayName: `(Europe) ${name}`,
    metadata: { regionType: 'Physical', regionCategory: 'Recommended', geography: 'Europe' },
    availabilityZoneMappings: zones.map((zone) => ({ logicalZone: zone, physicalZone: `${name}-az${zone}` })),
  };
}

/** A restriction of a SKU: in a whole location, or in some of its zones. */
export interface ArmSkuRestriction {
  readonly type: 'Location' | 'Zone';
  readonly values: readonly string[];
  readonly restrictionInfo: { readonly locations?: readonly string[]; readonly zones?: readonly string[] };
  readonly reasonCode: 'QuotaId' | 'NotAvailableForSubscription';
}

/** A SKU of `GET /subscriptions/{id}/providers/Microsoft.Compute/skus`, as ARM returns it. */
export interface ArmSku {
  readonly resourceType: string;
  readonly name: string;
  readonly tier: string;
  readonly size: string;
  readonly family: string;
  readonly locations: readonly string[];
  readonly locationInfo: readonly { readonly location: string; readonly zones: readonly string[] }[];
  readonly capabilities: readonly { readonly name: string; readonly value: string }[];
  readonly restrictions: readonly ArmSkuRestriction[];
}

export interface VmSkuOptions {
  readonly location: string;
  readonly zones?: readonly string[];
  readonly restrictions?: readonly ArmSkuRestriction[];
  readonly resourceType?: string;
  /** The Hyper-V generations the size boots, as ARM lists them ("V1,V2"). */
  readonly hyperVGenerations?: string;
}

export function aVmSku(name: string, options: VmSkuOptions): ArmSku {
  const zones = options.zones ?? ['1', '2', '3'];
  return {
    resourceType: options.resourceType ?? 'virtualMachines',
    name,
    tier: 'Standard',
    size: name.replace(/^Standard_/, ''),
    family: `standard${name.replace(/^Standard_[A-Z]+\d*/, '')}Family`,
    locations: [options.location],
    locationInfo: [{ location: options.location, zones }],
    capabilities: [
      { name: 'vCPUs', value: '2' },
      { name: 'HyperVGenerations', value: options.hyperVGenerations ?? 'V1,V2' },
    ],
    restrictions: options.restrictions ?? [],
  };
}

/** The restriction ARM reports for a size the subscription may not use in `location`. */
export function notAvailableForSubscription(location: string): ArmSkuRestriction {
  return {
    type: 'Location',
    values: [location],
    restrictionInfo: { locations: [location] },
    reasonCode: 'NotAvailableForSubscription',
  };
}

/** The restriction ARM reports for a size the subscription may not use in some zones of `location`. */
export function notInZones(location: string, zones: readonly string[]): ArmSkuRestriction {
  return {
    type: 'Zone',
    values: [location],
    restrictionInfo: { locations: [location], zones },
    reasonCode: 'NotAvailableForSubscription',
  };
}

/** The versions of one Marketplace image SKU in one location, as `virtualMachineImages.list` returns them. */
export interface ArmImageVersions {
  readonly location: string;
  readonly publisher: string;
  readonly offer: string;
  readonly sku: string;
  readonly versions: readonly string[];
}

export function flatcarVersions(location: string, sku: string, versions: readonly string[]): ArmImageVersions {
  return { location, publisher: 'kinvolk', offer: 'flatcar-container-linux-free', sku, versions };
}

/** An ARM error answer: the status and the body's `error`. */
export interface ArmRefusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** The WWW-Authenticate header ARM sends with a 401. */
  readonly challenge?: string;
}

export interface ArmState {
  readonly subscriptionId: string;
  locations: readonly ArmLocation[];
  skus: readonly ArmSku[];
  images: readonly ArmImageVersions[];
  /** When set, every request is answered with it. */
  refusal?: ArmRefusal;
}

export interface ArmRequest {
  readonly path: string;
  readonly filter: string | null;
  readonly authorization: string | undefined;
}

export interface TestArmServer {
  readonly endpoint: string;
  /** The PEM of the CA that signed the server's certificate. */
  readonly ca: string;
  readonly state: ArmState;
  readonly requests: ArmRequest[];
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: unknown, challenge?: string): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    ...(challenge === undefined ? {} : { 'www-authenticate': challenge }),
  });
  response.end(JSON.stringify(body));
}

export async function startArmServer(initial: ArmState): Promise<TestArmServer> {
  const ca = await CertificateAuthority.create({ commonName: 'strata-azure-arm-test-ca', validityDays: 1 });
  const serving = await toPemPair(
    await ca.issue({ commonName: 'arm', ipAddresses: ['127.0.0.1'], profile: 'server', validityDays: 1 }),
  );
  const state: ArmState = { ...initial };
  const requests: ArmRequest[] = [];
  const server: Server = createServer(
    { cert: serving.certificatePem, key: serving.privateKeyPem },
    (request, response) => {
      const url = new URL(request.url ?? '/', 'https://127.0.0.1');
      requests.push({
        path: url.pathname,
        filter: url.searchParams.get('$filter'),
        authorization: request.headers.authorization,
      });
      if (state.refusal !== undefined) {
        const { status, code, message, challenge } = state.refusal;
        send(response, status, { error: { code, message } }, challenge);
        return;
      }
      const base = `/subscriptions/${state.subscriptionId}`;
      if (url.pathname === `${base}/locations`) {
        send(response, 200, { value: state.locations });
        return;
      }
      if (url.pathname === `${base}/providers/Microsoft.Compute/skus`) {
        const location = /^location eq '([^']+)'$/.exec(url.searchParams.get('$filter') ?? '')?.[1];
        send(response, 200, {
          value: state.skus.filter((sku) => location === undefined || sku.locations.includes(location)),
        });
        return;
      }
      const image =
        /^\/providers\/Microsoft\.Compute\/locations\/([^/]+)\/publishers\/([^/]+)\/artifacttypes\/vmimage\/offers\/([^/]+)\/skus\/([^/]+)\/versions$/.exec(
          url.pathname.slice(base.length),
        );
      if (image !== null) {
        const [, location, publisher, offer, sku] = image;
        const found = state.images.find(
          (entry) =>
            entry.location === location && entry.publisher === publisher && entry.offer === offer && entry.sku === sku,
        );
        if (found === undefined) {
          send(response, 404, { error: { code: 'NotFound', message: 'Artifact: VMImage was not found.' } });
          return;
        }
        send(
          response,
          200,
          found.versions.map((version) => ({
            id: `${url.pathname}/${version}`,
            name: version,
            location: found.location,
          })),
        );
        return;
      }
      send(response, 404, { error: { code: 'NotFound', message: `no route ${url.pathname}` } });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `https://127.0.0.1:${port}`,
    ca: (await toPemPair(ca)).certificatePem,
    state,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
