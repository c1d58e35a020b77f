// Writing an Omaha request as update_engine writes it: its attribute order and
// layout, so a server reads a Strata client exactly as it reads a machine.
// Unlike update_engine, every attribute is escaped: a quote in GROUP or the
// alias stays well-formed XML.
import { escapeAttribute } from './xml.ts';

/** One event as update_engine reports it. */
export interface ClientEvent {
  readonly type: number;
  readonly result: number;
  /** With flag bits, as a signed 32-bit integer (`errorCodeWithFlags`); only on error events. */
  readonly errorCode?: number;
  /** update_engine writes it on the 3/2 event every check carries: empty unless an update just completed. */
  readonly previousVersion?: string;
}

/** What a machine says about itself in every request. */
export interface ClientMachine {
  readonly appId: string;
  readonly version: string;
  /** `GROUP=` in update.conf. */
  readonly track: string;
  readonly machineId: string;
  readonly machineAlias: string;
  readonly bootId: string;
  readonly oem: string;
  readonly oemVersion: string;
  /** The version the machine was first installed with. */
  readonly alephVersion: string;
  readonly board: string;
  /** `<os version>`: the release codename. */
  readonly osVersion: string;
  /** `<os sp>`: the version and the architecture. */
  readonly osServicePack: string;
}

export interface ClientRequest {
  readonly machine: ClientMachine;
  /** A check sends `<ping>` and `<updatecheck>`; an event report sends neither. */
  readonly updateCheck: boolean;
  readonly events: readonly ClientEvent[];
}

/** The update_engine version Strata's client presents itself as (the one whose requests the golden vectors hold). */
export const CLIENT_UPDATER_VERSION = 'update_engine-0.4.10';

const attributes = (values: ReadonlyArray<readonly [string, string | number]>) =>
  values.map(([name, value]) => `${name}="${escapeAttribute(String(value))}"`).join(' ');

function event(each: ClientEvent): string {
  const fields: Array<readonly [string, string | number]> = [
    ['eventtype', each.type],
    ['eventresult', each.result],
  ];
  if (each.errorCode !== undefined) fields.push(['errorcode', each.errorCode]);
  if (each.previousVersion !== undefined) fields.push(['previousversion', each.previousVersion]);
  return `        <event ${attributes(fields)}></event>\n`;
}

/** The request body. */
export function buildOmahaRequest(request: ClientRequest): string {
  const { machine } = request;
  const app = attributes([
    ['appid', machine.appId],
    ['version', machine.version],
    ['track', machine.track],
    ['bootid', machine.bootId],
    ['oem', machine.oem],
    ['oemversion', machine.oemVersion],
    ['alephversion', machine.alephVersion],
    ['machineid', machine.machineId],
    ['machinealias', machine.machineAlias],
    ['lang', 'en-US'],
    ['board', machine.board],
    ['hardware_class', ''],
    ['delta_okay', 'false'],
  ]);
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<request ${attributes([
      ['protocol', '3.0'],
      ['version', CLIENT_UPDATER_VERSION],
      ['updaterversion', CLIENT_UPDATER_VERSION],
      ['installsource', 'scheduler'],
      ['ismachine', '1'],
    ])}>\n` +
    `    <os ${attributes([
      ['version', machine.osVersion],
      ['platform', 'CoreOS'],
      ['sp', machine.osServicePack],
    ])}></os>\n` +
    `    <app ${app} >\n` +
    (request.updateCheck ? '        <ping active="1"></ping>\n        <updatecheck></updatecheck>\n' : '') +
    request.events.map(event).join('') +
    '    </app>\n' +
    '</request>\n'
  );
}
