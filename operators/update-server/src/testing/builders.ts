// Typed fixture builders: a release, channel, group and catalog with sensible
// defaults, and Omaha requests written the way update_engine writes them.
import { createHash } from 'node:crypto';
import { FLATCAR_APP_ID } from '../omaha/protocol.ts';
import type { CatalogInput, Group, Release } from '../policy/model.ts';

/** A payload and its digests, so a release can describe real bytes. */
export function aPayload(text = 'strata test payload'): { bytes: Buffer; sha256: string; sha1: string } {
  const bytes = Buffer.from(text);
  return {
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sha1: createHash('sha1').update(bytes).digest('hex'),
  };
}

export function aRelease(overrides: Partial<Release> = {}): Release {
  const payload = aPayload();
  return {
    version: '3374.2.1',
    payloadUrl: 'https://updates.example.test/flatcar/3374.2.1/flatcar_production_update.gz',
    sha256: payload.sha256,
    sha1: payload.sha1,
    size: payload.bytes.length,
    ...overrides,
  };
}

type PolicyInput = Partial<Group['policy']>;

export interface CatalogOptions {
  readonly release?: Release | undefined;
  readonly track?: string;
  readonly policy?: PolicyInput;
}

/** One channel, `stable`, and one group, `default`, following it on `track`. */
export function aCatalog(options: CatalogOptions = {}): CatalogInput {
  const release = 'release' in options ? options.release : aRelease();
  return {
    channels: [{ name: 'stable', ...(release === undefined ? {} : { release }) }],
    groups: [{ name: 'default', track: options.track ?? 'stable', channel: 'stable', policy: options.policy ?? {} }],
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
