import { bytesDataUrl, textDataUrl } from './data-url.ts';
import { IgnitionBuildError } from './errors.ts';
import {
  dropinNameProblem,
  dropinPath,
  hashProblem,
  IGNITION_VERSION,
  modeProblem,
  ownerProblem,
  pathProblem,
  proxyUrlProblem,
  sourceProblem,
  unitNameProblem,
  unitPath,
} from './rules.ts';
import type {
  IgnitionConfig,
  IgnitionDirectory,
  IgnitionFile,
  IgnitionLink,
  IgnitionSection,
  NodeOwner,
  PasswdGroup,
  PasswdUser,
  Resource,
  SystemdDropin,
  SystemdUnit,
} from './schema.ts';
import { assertValidIgnition } from './validate.ts';

export interface OwnerInput {
  readonly id?: number;
  readonly name?: string;
}

export interface FileInput {
  readonly path: string;
  /** A string is written as UTF-8; bytes are written as they are. */
  readonly contents: string | Uint8Array;
  /** Required so that no file gets Ignition's default mode by accident; write it in octal (0o644). */
  readonly mode: number;
  readonly overwrite?: boolean;
  readonly user?: OwnerInput;
  readonly group?: OwnerInput;
}

/** A file Ignition fetches at first boot, for contents too large to embed in user data. */
export interface RemoteFileInput {
  readonly path: string;
  /** An http, https, tftp, s3 or gs URL. */
  readonly source: string;
  /** "sha512-<hex>" or "sha256-<hex>" of the contents; Ignition refuses contents that do not match. */
  readonly hash?: string;
  readonly mode: number;
  readonly overwrite?: boolean;
  readonly user?: OwnerInput;
  readonly group?: OwnerInput;
}

export interface DirectoryInput {
  readonly path: string;
  readonly mode: number;
  readonly overwrite?: boolean;
  readonly user?: OwnerInput;
  readonly group?: OwnerInput;
}

export interface LinkInput {
  readonly path: string;
  readonly target: string;
  readonly hard?: boolean;
  readonly overwrite?: boolean;
  readonly user?: OwnerInput;
  readonly group?: OwnerInput;
}

export interface DropinInput {
  readonly name: string;
  readonly contents: string;
}

export interface UnitInput {
  readonly name: string;
  readonly contents?: string;
  readonly enabled?: boolean;
  readonly mask?: boolean;
  readonly dropins?: readonly DropinInput[];
}

export interface UserInput {
  readonly name: string;
  readonly sshAuthorizedKeys: readonly string[];
  readonly groups?: readonly string[];
}

export interface GroupInput {
  readonly name: string;
  readonly gid?: number;
}

export interface ProxyInput {
  readonly httpProxy?: string;
  readonly httpsProxy?: string;
  readonly noProxy?: readonly string[];
}

type NodeKind = 'file' | 'directory' | 'link';

interface SystemdOwner {
  readonly unit: string;
  readonly dropin?: string;
}

interface UnitEntry {
  /** False while the entry exists only because dropin() named the unit. */
  declared: boolean;
  readonly name: string;
  enabled?: boolean;
  mask?: boolean;
  contents?: string;
  readonly dropins: SystemdDropin[];
}

/** Drops the keys whose value is undefined, so that built objects hold only what was set. */
function compact<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

const nonEmpty = <T>(items: readonly T[]): T[] | undefined => (items.length > 0 ? [...items] : undefined);

/**
 * Builds Ignition 3.4.0 configs. A call that would make the config invalid
 * throws an IgnitionBuildError at once, naming the path, unit or user involved,
 * and leaves the builder as it was; build() then validates the whole config as
 * a last guard.
 *
 * Output is deterministic: entries keep the order of the calls that added them,
 * and keys follow the order of the zod schema, which build() parses through.
 */
export class IgnitionBuilder {
  readonly #files: IgnitionFile[] = [];
  readonly #directories: IgnitionDirectory[] = [];
  readonly #links: IgnitionLink[] = [];
  readonly #units = new Map<string, UnitEntry>();
  readonly #users: PasswdUser[] = [];
  readonly #groups: PasswdGroup[] = [];
  readonly #certificateAuthorities: Resource[] = [];
  #proxy: IgnitionSection['proxy'];
  /** Paths of files, directories and links, with what sits there. */
  readonly #nodePaths = new Map<string, NodeKind>();
  /** Paths Ignition writes for units and drop-ins, with whose they are. */
  readonly #systemdPaths = new Map<string, SystemdOwner>();

  file(input: FileInput): this {
    let source: string;
    if (typeof input.contents === 'string') {
      if (!input.contents.isWellFormed()) {
        throw new IgnitionBuildError(
          `contents of file ${input.path} hold an unpaired UTF-16 surrogate, which has no UTF-8 encoding`,
          { path: input.path },
        );
      }
      source = textDataUrl(input.contents);
    } else {
      source = bytesDataUrl(input.contents);
    }
    return this.#addFile(input, { source });
  }

  remoteFile(input: RemoteFileInput): this {
    const problem = input.source === '' ? 'source is required' : sourceProblem(input.source);
    if (problem !== undefined) {
      throw new IgnitionBuildError(`file ${input.path}: ${problem}`, { path: input.path, source: input.source });
    }
    const hash = input.hash === undefined ? undefined : hashProblem(input.hash);
    if (hash !== undefined) {
      throw new IgnitionBuildError(`file ${input.path}: ${hash}`, { path: input.path, hash: input.hash });
    }
    return this.#addFile(
      input,
      compact({ source: input.source, verification: input.hash === undefined ? undefined : { hash: input.hash } }),
    );
  }

  directory(input: DirectoryInput): this {
    this.#checkNodePath(input.path, 'directory');
    this.#checkMode(input.path, input.mode);
    const user = this.#owner(input.path, 'user', input.user);
    const group = this.#owner(input.path, 'group', input.group);
    this.#nodePaths.set(input.path, 'directory');
    this.#directories.push(compact({ path: input.path, overwrite: input.overwrite, mode: input.mode, user, group }));
    return this;
  }

  link(input: LinkInput): this {
    this.#checkNodePath(input.path, 'link');
    if (input.target === '') {
      throw new IgnitionBuildError(`link ${input.path}: link target is required`, { path: input.path });
    }
    if (input.hard === true && !input.target.startsWith('/')) {
      throw new IgnitionBuildError(
        `link ${input.path}: hard link target ${JSON.stringify(input.target)} is not absolute`,
        {
          path: input.path,
          target: input.target,
        },
      );
    }
    const user = this.#owner(input.path, 'user', input.user);
    const group = this.#owner(input.path, 'group', input.group);
    this.#nodePaths.set(input.path, 'link');
    this.#links.push(
      compact({ path: input.path, target: input.target, hard: input.hard, overwrite: input.overwrite, user, group }),
    );
    return this;
  }

  /**
   * Declares a unit. A unit that so far only received drop-ins through dropin()
   * may still be declared once; declaring the same unit twice throws.
   */
  unit(input: UnitInput): this {
    this.#checkUnitName(input.name);
    const existing = this.#units.get(input.name);
    if (existing?.declared === true) {
      throw new IgnitionBuildError(`duplicate systemd unit ${input.name}`, { unit: input.name });
    }
    const writesUnitFile = (input.contents ?? '') !== '' || input.mask === true;
    if (writesUnitFile) {
      this.#checkSystemdPath(unitPath(input.name), { unit: input.name });
    }
    const dropins = input.dropins ?? [];
    dropins.forEach((dropin, i) =>
      this.#checkDropin(input.name, dropin, [...(existing?.dropins ?? []), ...dropins.slice(0, i)]),
    );

    const entry = existing ?? { declared: false, name: input.name, dropins: [] };
    entry.declared = true;
    entry.enabled = input.enabled;
    entry.mask = input.mask;
    entry.contents = input.contents;
    this.#units.set(input.name, entry);
    if (writesUnitFile) {
      this.#systemdPaths.set(unitPath(input.name), { unit: input.name });
    }
    for (const dropin of dropins) {
      this.#addDropin(entry, dropin);
    }
    return this;
  }

  /** Adds a drop-in to the named unit, creating a drop-in-only entry for it if it has none yet. */
  dropin(unitName: string, input: DropinInput): this {
    this.#checkUnitName(unitName);
    const existing = this.#units.get(unitName);
    this.#checkDropin(unitName, input, existing?.dropins ?? []);
    const entry = existing ?? { declared: false, name: unitName, dropins: [] };
    this.#units.set(unitName, entry);
    this.#addDropin(entry, input);
    return this;
  }

  user(input: UserInput): this {
    if (this.#users.some((user) => user.name === input.name)) {
      throw new IgnitionBuildError(`duplicate user ${input.name}`, { user: input.name });
    }
    this.#users.push(
      compact({
        name: input.name,
        sshAuthorizedKeys: nonEmpty(input.sshAuthorizedKeys),
        groups: nonEmpty(input.groups ?? []),
      }),
    );
    return this;
  }

  group(input: GroupInput): this {
    if (this.#groups.some((group) => group.name === input.name)) {
      throw new IgnitionBuildError(`duplicate group ${input.name}`, { group: input.name });
    }
    this.#groups.push(compact({ name: input.name, gid: input.gid }));
    return this;
  }

  /** Trusts a CA (PEM, one or more certificates) when Ignition fetches over https. */
  certificateAuthority(pem: string): this {
    if (!pem.isWellFormed()) {
      throw new IgnitionBuildError('certificate authority PEM holds an unpaired UTF-16 surrogate', {});
    }
    const source = textDataUrl(pem);
    const existing = this.#certificateAuthorities.findIndex((resource) => resource.source === source);
    if (existing !== -1) {
      throw new IgnitionBuildError(
        `duplicate certificate authority (the same PEM as certificate authority ${existing})`,
        { certificateAuthority: existing },
      );
    }
    this.#certificateAuthorities.push({ source });
    return this;
  }

  proxy(input: ProxyInput): this {
    if (this.#proxy !== undefined) {
      throw new IgnitionBuildError('the proxy is already set', {});
    }
    for (const key of ['httpProxy', 'httpsProxy'] as const) {
      const url = input[key];
      const problem = url === undefined ? undefined : proxyUrlProblem(url);
      if (problem !== undefined) {
        throw new IgnitionBuildError(`${key}: ${problem}`, { [key]: url });
      }
    }
    this.#proxy = compact({
      httpProxy: input.httpProxy,
      httpsProxy: input.httpsProxy,
      noProxy: nonEmpty(input.noProxy ?? []),
    });
    return this;
  }

  /** A fresh, validated config; later builder calls do not change it, nor does changing it change the builder. */
  build(): IgnitionConfig {
    const security =
      this.#certificateAuthorities.length > 0
        ? { tls: { certificateAuthorities: this.#certificateAuthorities } }
        : undefined;
    const hasPasswd = this.#users.length + this.#groups.length > 0;
    const hasStorage = this.#files.length + this.#directories.length + this.#links.length > 0;
    const units = [...this.#units.values()].map((entry): SystemdUnit =>
      compact({
        name: entry.name,
        enabled: entry.enabled,
        mask: entry.mask,
        contents: entry.contents,
        dropins: nonEmpty(entry.dropins),
      }),
    );
    const config: IgnitionConfig = compact({
      ignition: compact({ version: IGNITION_VERSION, security, proxy: this.#proxy }),
      passwd: hasPasswd ? compact({ users: nonEmpty(this.#users), groups: nonEmpty(this.#groups) }) : undefined,
      storage: hasStorage
        ? compact({
            files: nonEmpty(this.#files),
            directories: nonEmpty(this.#directories),
            links: nonEmpty(this.#links),
          })
        : undefined,
      systemd: units.length > 0 ? { units } : undefined,
    });
    // Parsing copies every object and array, so the result shares nothing with the builder.
    return assertValidIgnition(config);
  }

  /** Lets JSON.stringify(builder) give the same text as render(). */
  toJSON(): IgnitionConfig {
    return this.build();
  }

  /**
   * Compact JSON: configs travel as cloud user data, which is size-limited
   * (16 KiB on EC2), and only machines read them; pretty-print with
   * JSON.stringify(builder.build(), null, 2) for a person.
   */
  render(): string {
    return JSON.stringify(this.build());
  }

  #addFile(input: Omit<FileInput, 'contents'>, contents: Resource): this {
    this.#checkNodePath(input.path, 'file');
    this.#checkMode(input.path, input.mode);
    const user = this.#owner(input.path, 'user', input.user);
    const group = this.#owner(input.path, 'group', input.group);
    this.#nodePaths.set(input.path, 'file');
    this.#files.push(
      compact({ path: input.path, overwrite: input.overwrite, contents, mode: input.mode, user, group }),
    );
    return this;
  }

  #checkNodePath(path: string, kind: NodeKind): void {
    const problem = pathProblem(path);
    if (problem !== undefined) {
      throw new IgnitionBuildError(`${kind} ${path}: ${problem}`, { path });
    }
    const existing = this.#nodePaths.get(path);
    if (existing !== undefined) {
      throw new IgnitionBuildError(`duplicate path ${path}: a ${existing} is already there`, { path, existing });
    }
    const owner = this.#systemdPaths.get(path);
    if (owner !== undefined) {
      throw new IgnitionBuildError(`${kind} ${path} sits where Ignition writes ${describeSystemdOwner(owner)}`, {
        path,
        ...owner,
      });
    }
  }

  #checkSystemdPath(path: string, owner: SystemdOwner): void {
    const existing = this.#nodePaths.get(path);
    if (existing !== undefined) {
      throw new IgnitionBuildError(
        `${describeSystemdOwner(owner)} would be written at ${path}, where a ${existing} already is`,
        { path, existing, ...owner },
      );
    }
  }

  #checkUnitName(name: string): void {
    const problem = unitNameProblem(name);
    if (problem !== undefined) {
      throw new IgnitionBuildError(problem, { unit: name });
    }
  }

  #checkDropin(unitName: string, dropin: DropinInput, siblings: readonly { readonly name: string }[]): void {
    const problem = dropinNameProblem(dropin.name);
    if (problem !== undefined) {
      throw new IgnitionBuildError(`unit ${unitName}: ${problem}`, { unit: unitName, dropin: dropin.name });
    }
    if (siblings.some((sibling) => sibling.name === dropin.name)) {
      throw new IgnitionBuildError(`duplicate drop-in ${dropin.name} of systemd unit ${unitName}`, {
        unit: unitName,
        dropin: dropin.name,
      });
    }
    if (dropin.contents !== '') {
      this.#checkSystemdPath(dropinPath(unitName, dropin.name), { unit: unitName, dropin: dropin.name });
    }
  }

  #addDropin(entry: UnitEntry, dropin: DropinInput): void {
    if (dropin.contents !== '') {
      this.#systemdPaths.set(dropinPath(entry.name, dropin.name), { unit: entry.name, dropin: dropin.name });
    }
    entry.dropins.push({ name: dropin.name, contents: dropin.contents });
  }

  #checkMode(path: string, mode: number): void {
    const problem = modeProblem(mode);
    if (problem !== undefined) {
      throw new IgnitionBuildError(`${path}: ${problem}`, { path, mode });
    }
  }

  #owner(path: string, field: 'user' | 'group', owner: OwnerInput | undefined): NodeOwner | undefined {
    if (owner === undefined) {
      return undefined;
    }
    const problem = ownerProblem(owner);
    if (problem !== undefined) {
      throw new IgnitionBuildError(`${path}: ${field}: ${problem}`, { path, [field]: owner });
    }
    return compact({ id: owner.id, name: owner.name });
  }
}

function describeSystemdOwner(owner: SystemdOwner): string {
  return owner.dropin === undefined
    ? `systemd unit ${owner.unit}`
    : `drop-in ${owner.dropin} of systemd unit ${owner.unit}`;
}
