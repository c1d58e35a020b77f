// Merges translated snippets into the Ignition Strata rendered for one node.
// Unlike Ignition's own `merge` (where a later config silently replaces a file
// or unit of an earlier one), every addition is checked here: a snippet adds,
// it never replaces what Strata renders or what another snippet added.
import { assertValidIgnition } from '../ignition/validate.ts';
import { IgnitionValidationError } from '../ignition/errors.ts';
import type { IgnitionConfig, SystemdUnit } from '../ignition/schema.ts';
import { SnippetConflictError } from './errors.ts';
import type { TranslatedSnippet } from './translate.ts';

/** Who put an entry into the config: Strata, or a snippet. */
type Owner = { readonly kind: 'strata' } | { readonly kind: 'snippet'; readonly snippet: TranslatedSnippet };

const STRATA: Owner = { kind: 'strata' };

function describe(owner: Owner, node: string): string {
  return owner.kind === 'strata'
    ? `Strata renders it for ${node}`
    : `${owner.snippet.field} (${owner.snippet.file}) adds it too`;
}

/** One namespace of entries (node paths, units, users, groups), with who owns each. */
class Claims {
  readonly #owners = new Map<string, Owner>();
  readonly #what: string;
  readonly #node: string;

  constructor(what: string, node: string) {
    this.#what = what;
    this.#node = node;
  }

  owner(key: string): Owner | undefined {
    return this.#owners.get(key);
  }

  claim(key: string, owner: Owner): void {
    const earlier = this.#owners.get(key);
    if (earlier !== undefined && owner.kind === 'snippet') {
      throw conflict(owner.snippet, `${this.#what} ${key}`, describe(earlier, this.#node), this.#node);
    }
    this.#owners.set(key, owner);
  }
}

function conflict(snippet: TranslatedSnippet, what: string, other: string, node: string): SnippetConflictError {
  return new SnippetConflictError(
    `${snippet.field}: ${snippet.file} sets ${what}, but ${other}: a snippet may add to a node's Ignition, not replace it`,
    { field: snippet.field, file: snippet.file, conflict: what, node },
  );
}

/** Units a snippet may extend with drop-ins only: it names the unit and nothing else but `dropins`. */
function dropinsOnly(unit: SystemdUnit): boolean {
  return unit.contents === undefined && unit.enabled === undefined && unit.mask === undefined;
}

/**
 * `rendered` with every snippet's entries added, in order. Throws a `SnippetConflictError` naming the snippet and
 * what it collides with: a node path (file, directory or link: one namespace, as on the machine), a unit (a snippet
 * may add drop-ins of another name to a unit it does not own, and nothing else), a user or a group, the timeouts.
 * The result is checked against Ignition's own rules.
 */
export function mergeSnippets(
  rendered: IgnitionConfig,
  snippets: readonly TranslatedSnippet[],
  node: string,
): IgnitionConfig {
  if (snippets.length === 0) return rendered;
  const paths = new Claims('the path', node);
  const units = new Claims('the unit', node);
  const dropins = new Claims('the drop-in', node);
  const users = new Claims('the user', node);
  const groups = new Claims('the group', node);
  for (const entry of [
    ...(rendered.storage?.files ?? []),
    ...(rendered.storage?.directories ?? []),
    ...(rendered.storage?.links ?? []),
  ])
    paths.claim(entry.path, STRATA);
  for (const unit of rendered.systemd?.units ?? []) {
    units.claim(unit.name, STRATA);
    for (const dropin of unit.dropins ?? []) dropins.claim(`${unit.name}.d/${dropin.name}`, STRATA);
  }
  for (const user of rendered.passwd?.users ?? []) users.claim(user.name, STRATA);
  for (const group of rendered.passwd?.groups ?? []) groups.claim(group.name, STRATA);

  const files = [...(rendered.storage?.files ?? [])];
  const directories = [...(rendered.storage?.directories ?? [])];
  const links = [...(rendered.storage?.links ?? [])];
  const unitList: SystemdUnit[] = [...(rendered.systemd?.units ?? [])];
  const userList = [...(rendered.passwd?.users ?? [])];
  const groupList = [...(rendered.passwd?.groups ?? [])];
  const authorities = [...(rendered.ignition.security?.tls?.certificateAuthorities ?? [])];
  const shouldExist = [...(rendered.kernelArguments?.shouldExist ?? [])];
  const shouldNotExist = [...(rendered.kernelArguments?.shouldNotExist ?? [])];
  let timeouts = rendered.ignition.timeouts;
  let timeoutsOwner: Owner | undefined = timeouts === undefined ? undefined : STRATA;

  for (const snippet of snippets) {
    const owner: Owner = { kind: 'snippet', snippet };
    const add = snippet.ignition;
    for (const file of add.storage?.files ?? []) {
      paths.claim(file.path, owner);
      files.push(file);
    }
    for (const directory of add.storage?.directories ?? []) {
      paths.claim(directory.path, owner);
      directories.push(directory);
    }
    for (const link of add.storage?.links ?? []) {
      paths.claim(link.path, owner);
      links.push(link);
    }
    for (const unit of add.systemd?.units ?? []) {
      const earlier = units.owner(unit.name);
      if (earlier === undefined) {
        units.claim(unit.name, owner);
        for (const dropin of unit.dropins ?? []) dropins.claim(`${unit.name}.d/${dropin.name}`, owner);
        unitList.push(unit);
        continue;
      }
      if (!dropinsOnly(unit)) {
        throw conflict(
          snippet,
          `the unit ${unit.name}`,
          `${describe(earlier, node)} (a snippet may only add drop-ins to it)`,
          node,
        );
      }
      for (const dropin of unit.dropins ?? []) dropins.claim(`${unit.name}.d/${dropin.name}`, owner);
      const index = unitList.findIndex((existing) => existing.name === unit.name);
      const existing = unitList[index];
      if (existing !== undefined) {
        unitList[index] = { ...existing, dropins: [...(existing.dropins ?? []), ...(unit.dropins ?? [])] };
      }
    }
    for (const user of add.passwd?.users ?? []) {
      users.claim(user.name, owner);
      userList.push(user);
    }
    for (const group of add.passwd?.groups ?? []) {
      groups.claim(group.name, owner);
      groupList.push(group);
    }
    authorities.push(...(add.ignition.security?.tls?.certificateAuthorities ?? []));
    shouldExist.push(...(add.kernelArguments?.shouldExist ?? []));
    shouldNotExist.push(...(add.kernelArguments?.shouldNotExist ?? []));
    if (add.ignition.timeouts !== undefined) {
      if (timeoutsOwner !== undefined)
        throw conflict(snippet, "Ignition's timeouts", describe(timeoutsOwner, node), node);
      timeouts = add.ignition.timeouts;
      timeoutsOwner = owner;
    }
  }

  const merged: IgnitionConfig = {
    ...rendered,
    ignition: {
      ...rendered.ignition,
      ...(timeouts === undefined ? {} : { timeouts }),
      ...(authorities.length === 0 ? {} : { security: { tls: { certificateAuthorities: authorities } } }),
    },
    ...(shouldExist.length + shouldNotExist.length === 0
      ? {}
      : {
          kernelArguments: {
            ...(shouldExist.length === 0 ? {} : { shouldExist }),
            ...(shouldNotExist.length === 0 ? {} : { shouldNotExist }),
          },
        }),
    ...(userList.length + groupList.length === 0
      ? {}
      : {
          passwd: {
            ...(userList.length === 0 ? {} : { users: userList }),
            ...(groupList.length === 0 ? {} : { groups: groupList }),
          },
        }),
    ...(files.length + directories.length + links.length === 0
      ? {}
      : {
          storage: {
            ...(files.length === 0 ? {} : { files }),
            ...(directories.length === 0 ? {} : { directories }),
            ...(links.length === 0 ? {} : { links }),
          },
        }),
    ...(unitList.length === 0 ? {} : { systemd: { units: unitList } }),
  };
  try {
    return assertValidIgnition(merged);
  } catch (error) {
    if (!(error instanceof IgnitionValidationError)) throw error;
    const named = snippets.map((snippet) => `${snippet.field} (${snippet.file})`).join(', ');
    throw new SnippetConflictError(
      `${node}: its Ignition with the snippets ${named} breaks Ignition's rules:\n${error.issues
        .map((issue) => `  ${issue.path}: ${issue.message}`)
        .join('\n')}`,
      { node, snippets: snippets.map((snippet) => snippet.file), issues: error.issues },
      { cause: error },
    );
  }
}
