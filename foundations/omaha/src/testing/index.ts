// Typed fixture builders for Omaha tests: a payload with its digests, an offer
// for it, a client machine, and requests in update_engine's own layout (quotes
// in track and machinealias left unescaped, as update_engine leaves them).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ClientMachine } from '../client-request.ts';
import { FLATCAR_APP_ID } from '../protocol.ts';
import type { Offer } from '../response.ts';

/** A payload and its digests (hex), so an offer or a release can describe real bytes. */
export function aPayload(text = 'strata test payload'): { bytes: Buffer; sha256: string; sha1: string } {
  const bytes = Buffer.from(text);
  return {
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sha1: createHash('sha1').update(bytes).digest('hex'),
  };
}

/** The offer of `aPayload()` as version 3374.2.1, as the golden grant carries it. */
export function anOffer(overrides: Partial<Offer> = {}): Offer {
  const payload = aPayload();
  return {
    version: '3374.2.1',
    codebase: 'https://updates.example.test/flatcar/3374.2.1/',
    packageName: 'flatcar_production_update.gz',
    sha1Base64: Buffer.from(payload.sha1, 'hex').toString('base64'),
    sha256Base64: Buffer.from(payload.sha256, 'hex').toString('base64'),
    size: payload.bytes.length,
    ...overrides,
  };
}

/** The machine of the golden requests. */
export function aClientMachine(overrides: Partial<ClientMachine> = {}): ClientMachine {
  return {
    appId: FLATCAR_APP_ID,
    version: '3374.2.0',
    track: 'stable',
    machineId: '8c2a9b6a3f0e4d1c9b7a5e3d1c0f2a4b',
    machineAlias: 'worker-1',
    bootId: '{5d4b6c3e-8f7a-4b21-9c0d-1e2f3a4b5c6d}',
    oem: 'qemu',
    oemVersion: '0.1.0',
    alephVersion: '3033.2.4',
    board: 'amd64-usr',
    osVersion: 'Chateau',
    osServicePack: '3374.2.0_x86_64',
    ...overrides,
  };
}

export interface EventFields {
  readonly type: number;
  readonly result: number;
  readonly errorCode?: number;
  readonly previousVersion?: string;
}

export interface RequestFields {
  readonly appId?: string;
  readonly version?: string;
  readonly track?: string;
  readonly machineId?: string;
  readonly machineAlias?: string;
  readonly updateCheck?: boolean;
  readonly ping?: boolean;
  readonly events?: readonly EventFields[];
}

/**
 * An Omaha request in update_engine's layout: attributes in its order, and
 * `track` and `machinealias` not escaped, as update_engine leaves them.
 */
export function anOmahaRequest(fields: RequestFields = {}): string {
  const version = fields.version ?? '3374.2.0';
  const events = (fields.events ?? [{ type: 3, result: 2, previousVersion: '' }])
    .map(
      (event) =>
        `        <event eventtype="${event.type}" eventresult="${event.result}"` +
        (event.errorCode === undefined ? '' : ` errorcode="${event.errorCode}"`) +
        (event.previousVersion === undefined ? '' : ` previousversion="${event.previousVersion}"`) +
        '></event>\n',
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<request protocol="3.0" version="update_engine-0.4.10" updaterversion="update_engine-0.4.10" installsource="scheduler" ismachine="1">\n' +
    `    <os version="Chateau" platform="CoreOS" sp="${version}_x86_64"></os>\n` +
    `    <app appid="${fields.appId ?? FLATCAR_APP_ID}" version="${version}" track="${fields.track ?? 'stable'}" bootid="{5d4b6c3e-8f7a-4b21-9c0d-1e2f3a4b5c6d}" oem="qemu" oemversion="0.1.0" alephversion="3374.2.0" machineid="${fields.machineId ?? 'c0ffee00c0ffee00c0ffee00c0ffee00'}" machinealias="${fields.machineAlias ?? ''}" lang="en-US" board="amd64-usr" hardware_class="" delta_okay="false" >\n` +
    ((fields.ping ?? true) ? '        <ping active="1"></ping>\n' : '') +
    ((fields.updateCheck ?? true) ? '        <updatecheck></updatecheck>\n' : '') +
    events +
    '    </app>\n' +
    '</request>\n'
  );
}

/** One of the golden request and response vectors (`src/fixtures/`), as text. */
export function goldenVector(name: string): string {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
}
export * from './payload-server.ts';
