// The part of iPXE's script language that Strata's boot server emits: `#!ipxe`,
// `chain`, `kernel`, `initrd`, `boot`, and `${setting}` expansion. A machine
// that meets anything else stops with the line, as a firmware that does not
// know a command would.
import { IpxeScriptError } from './errors.ts';

/** The settings a simulated NIC has, as iPXE names them. */
export interface IpxeSettings {
  /** Lower-case colon form. */
  readonly mac: string;
  readonly uuid: string;
  readonly hostname?: string;
  readonly domain?: string;
  readonly serial?: string;
  readonly buildarch?: string;
}

export type IpxeOutcome =
  | { readonly kind: 'chain'; readonly url: string }
  | {
      readonly kind: 'boot';
      readonly kernel: string;
      readonly args: readonly string[];
      readonly initrd: readonly string[];
    };

/** iPXE's `uristring` type: everything but unreserved characters percent-encoded. */
const uriString = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function settingValue(name: string, settings: IpxeSettings): string {
  // `net0/mac` and `mac` name the same NIC here: the machine has one.
  const [path = '', type] = name.split(':');
  const key = path.replace(/^net0\//, '');
  let raw: string;
  switch (key) {
    case 'mac':
      raw = settings.mac;
      break;
    case 'uuid':
      raw = settings.uuid;
      break;
    case 'hostname':
      raw = settings.hostname ?? '';
      break;
    case 'domain':
      raw = settings.domain ?? '';
      break;
    case 'serial':
      raw = settings.serial ?? '';
      break;
    case 'buildarch':
      raw = settings.buildarch ?? 'x86_64';
      break;
    default:
      // iPXE expands a setting it does not have to nothing.
      raw = '';
  }
  switch (type) {
    case undefined:
    case 'hex':
    case 'string':
      return raw;
    case 'hexhyp':
      return raw.replaceAll(':', '-');
    case 'hexraw':
      return raw.replaceAll(':', '');
    case 'uristring':
      return uriString(raw);
    default:
      throw new IpxeScriptError(`setting type "${type}" of \${${name}} is not one the simulated firmware knows`, {
        setting: name,
      });
  }
}

/** Expands `${name}` and `${name:type}` as iPXE does when it runs a line. */
export function expandSettings(line: string, settings: IpxeSettings): string {
  return line.replace(/\$\{([^}]*)\}/g, (_match, name: string) => settingValue(name, settings));
}

/**
 * Runs a script fetched from `scriptUrl` and says where it leads: another
 * script (`chain`) or a kernel to boot. Relative URLs resolve against the
 * script's own URL, as iPXE resolves them.
 */
export function runIpxeScript(script: string, scriptUrl: string, settings: IpxeSettings): IpxeOutcome {
  const lines = script.split('\n');
  if (lines[0]?.trim() !== '#!ipxe') {
    throw new IpxeScriptError(
      `${scriptUrl} line 1: not an iPXE script (it must start with #!ipxe): ${JSON.stringify(lines[0] ?? '')}`,
      {
        url: scriptUrl,
        line: 1,
      },
    );
  }
  let kernel: { url: string; args: string[] } | undefined;
  const initrd: string[] = [];
  const resolve = (url: string) => new URL(url, scriptUrl).toString();
  for (const [index, text] of lines.entries()) {
    const lineNumber = index + 1;
    if (index === 0) continue;
    const line = text.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [command = '', ...words] = expandSettings(line, settings).split(/\s+/);
    const fail = (reason: string): never => {
      throw new IpxeScriptError(`${scriptUrl} line ${lineNumber}: ${reason}: ${JSON.stringify(text)}`, {
        url: scriptUrl,
        line: lineNumber,
        text,
      });
    };
    switch (command) {
      case 'chain': {
        const [url] = words;
        if (url === undefined) fail('chain without a URL');
        return { kind: 'chain', url: resolve(url ?? '') };
      }
      case 'kernel': {
        const [url, ...args] = words;
        if (url === undefined) fail('kernel without a URL');
        kernel = { url: resolve(url ?? ''), args };
        break;
      }
      case 'initrd': {
        const [url] = words;
        if (url === undefined) fail('initrd without a URL');
        initrd.push(resolve(url ?? ''));
        break;
      }
      case 'boot':
        if (kernel === undefined) fail('boot before any kernel');
        return { kind: 'boot', kernel: kernel?.url ?? '', args: kernel?.args ?? [], initrd };
      default:
        fail(`command "${command}" is not one the simulated firmware runs (only chain, kernel, initrd, boot)`);
    }
  }
  throw new IpxeScriptError(`${scriptUrl}: the script ended without chain or boot`, { url: scriptUrl });
}
