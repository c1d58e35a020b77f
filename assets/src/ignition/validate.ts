import { IgnitionValidationError, type IgnitionIssue } from './errors.ts';
import { formatFieldPath } from '@strata/api';

type PathSegment = string | number;
import {
  compressionProblem,
  dropinNameProblem,
  dropinPath,
  hashProblem,
  modeProblem,
  ownerProblem,
  pathProblem,
  proxyUrlProblem,
  sourceProblem,
  unitNameProblem,
  unitPath,
  urlScheme,
  versionProblem,
} from './rules.ts';
import { ignitionConfigSchema, type IgnitionConfig, type NodeOwner, type Resource } from './schema.ts';
import { shapeIssues } from './shape-issues.ts';

/**
 * Every problem Ignition would find in `config`, plus a few it would only find
 * on the machine (a file at a unit's path). The shape is checked first; the
 * semantic rules run only on a config of the right shape, since they could not
 * make sense of anything else.
 */
export function validateIgnition(config: unknown): IgnitionIssue[] {
  return check(config).issues;
}

/** Throws an IgnitionValidationError listing every issue, or returns the config typed. */
export function assertValidIgnition(config: unknown): IgnitionConfig {
  const { issues, parsed } = check(config);
  if (parsed === undefined || issues.length > 0) {
    throw new IgnitionValidationError(issues);
  }
  return parsed;
}

function check(config: unknown): { readonly issues: IgnitionIssue[]; readonly parsed?: IgnitionConfig } {
  const parsed = ignitionConfigSchema.safeParse(config);
  if (!parsed.success) {
    return { issues: shapeIssues(parsed.error.issues, config) };
  }
  return { issues: semanticIssues(parsed.data), parsed: parsed.data };
}

type Report = (at: readonly PathSegment[], problem: string | undefined) => void;

function semanticIssues(config: IgnitionConfig): IgnitionIssue[] {
  const issues: IgnitionIssue[] = [];
  const report: Report = (at, problem) => {
    if (problem !== undefined) {
      issues.push({ path: formatFieldPath(at), message: problem });
    }
  };
  checkIgnitionSection(config, report);
  checkKernelArguments(config, report);
  checkPasswd(config, report);
  checkNodes(config, report);
  checkUnits(config, report);
  checkNodesAgainstUnits(config, report);
  return issues;
}

/** Reports a later occurrence of a key already seen, naming where the first one is. */
function uniqueness(report: Report, what: string): (key: string, at: readonly PathSegment[]) => void {
  const seen = new Map<string, string>();
  return (key, at) => {
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, formatFieldPath(at));
    } else {
      report(at, `duplicate ${what} ${JSON.stringify(key)} (first at ${first})`);
    }
  };
}

function checkResource(resource: Resource, at: readonly PathSegment[], report: Report, sourceRequired: boolean): void {
  const source = resource.source ?? '';
  if (source === '') {
    report([...at, 'source'], sourceRequired ? 'source is required' : undefined);
  } else {
    report([...at, 'source'], sourceProblem(source));
  }
  if (resource.compression !== undefined) {
    report([...at, 'compression'], compressionProblem(resource.compression));
  }
  const hash = resource.verification?.hash;
  if (hash !== undefined) {
    report(
      [...at, 'verification', 'hash'],
      hashProblem(hash) ?? (source === '' ? 'a hash cannot be verified without a source' : undefined),
    );
  }
  const headers = resource.httpHeaders ?? [];
  if (headers.length > 0) {
    const scheme = urlScheme(source);
    report(
      [...at, 'httpHeaders'],
      scheme === 'http' || scheme === 'https' ? undefined : 'HTTP headers need an http or https source',
    );
  }
  const headerName = uniqueness(report, 'HTTP header');
  headers.forEach((header, i) => {
    if (header.name === '') {
      report([...at, 'httpHeaders', i, 'name'], 'HTTP header name is empty');
    } else {
      headerName(header.name, [...at, 'httpHeaders', i, 'name']);
    }
  });
}

/**
 * Reports each later occurrence of a value already listed. Ignition refuses a repeated entry in every list of its
 * config ("duplicate entry defined"), lists of plain strings included.
 */
function checkUniqueStrings(
  values: readonly string[] | undefined,
  at: readonly PathSegment[],
  report: Report,
  what: string,
): void {
  const unique = uniqueness(report, what);
  values?.forEach((value, i) => unique(value, [...at, i]));
}

function checkIgnitionSection({ ignition }: IgnitionConfig, report: Report): void {
  report(['ignition', 'version'], versionProblem(ignition.version));
  const mergeSource = uniqueness(report, 'merged config source');
  ignition.config?.merge?.forEach((resource, i) => {
    checkResource(resource, ['ignition', 'config', 'merge', i], report, true);
    if (resource.source !== undefined && resource.source !== '') {
      mergeSource(resource.source, ['ignition', 'config', 'merge', i, 'source']);
    }
  });
  if (ignition.config?.replace !== undefined) {
    checkResource(ignition.config.replace, ['ignition', 'config', 'replace'], report, false);
  }
  const caSource = uniqueness(report, 'certificate authority source');
  ignition.security?.tls?.certificateAuthorities?.forEach((resource, i) => {
    const at = ['ignition', 'security', 'tls', 'certificateAuthorities', i];
    checkResource(resource, at, report, true);
    if (resource.source !== undefined && resource.source !== '') {
      caSource(resource.source, [...at, 'source']);
    }
  });
  const proxy = ignition.proxy;
  if (proxy?.httpProxy !== undefined) {
    report(['ignition', 'proxy', 'httpProxy'], proxyUrlProblem(proxy.httpProxy));
  }
  if (proxy?.httpsProxy !== undefined) {
    report(['ignition', 'proxy', 'httpsProxy'], proxyUrlProblem(proxy.httpsProxy));
  }
  checkUniqueStrings(proxy?.noProxy, ['ignition', 'proxy', 'noProxy'], report, 'noProxy entry');
}

/**
 * Ignition keys both lists of kernel arguments alike, so an argument may appear once in all: twice in one list, or in
 * both (which would ask for it and against it at once).
 */
function checkKernelArguments({ kernelArguments }: IgnitionConfig, report: Report): void {
  const argument = uniqueness(report, 'kernel argument');
  for (const list of ['shouldExist', 'shouldNotExist'] as const) {
    kernelArguments?.[list]?.forEach((value, i) => argument(value, ['kernelArguments', list, i]));
  }
}

function checkPasswd({ passwd }: IgnitionConfig, report: Report): void {
  const userName = uniqueness(report, 'user name');
  passwd?.users?.forEach((user, i) => {
    userName(user.name, ['passwd', 'users', i, 'name']);
    checkUniqueStrings(user.sshAuthorizedKeys, ['passwd', 'users', i, 'sshAuthorizedKeys'], report, 'SSH key');
    checkUniqueStrings(user.groups, ['passwd', 'users', i, 'groups'], report, 'supplementary group');
  });
  const groupName = uniqueness(report, 'group name');
  passwd?.groups?.forEach((group, i) => groupName(group.name, ['passwd', 'groups', i, 'name']));
}

interface NodeRef {
  readonly kind: 'files' | 'directories' | 'links';
  readonly index: number;
  readonly path: string;
}

function nodesOf({ storage }: IgnitionConfig): NodeRef[] {
  return [
    ...(storage?.files ?? []).map((node, index) => ({ kind: 'files' as const, index, path: node.path })),
    ...(storage?.directories ?? []).map((node, index) => ({ kind: 'directories' as const, index, path: node.path })),
    ...(storage?.links ?? []).map((node, index) => ({ kind: 'links' as const, index, path: node.path })),
  ];
}

const nodeAt = (node: NodeRef, ...rest: PathSegment[]): PathSegment[] => ['storage', node.kind, node.index, ...rest];

function checkOwners(
  owners: { readonly user?: NodeOwner | undefined; readonly group?: NodeOwner | undefined },
  at: readonly PathSegment[],
  report: Report,
): void {
  if (owners.user !== undefined) {
    report([...at, 'user'], ownerProblem(owners.user));
  }
  if (owners.group !== undefined) {
    report([...at, 'group'], ownerProblem(owners.group));
  }
}

function checkNodes(config: IgnitionConfig, report: Report): void {
  const storage = config.storage;
  storage?.files?.forEach((file, i) => {
    const at = ['storage', 'files', i];
    report([...at, 'path'], pathProblem(file.path));
    if (file.mode !== undefined) {
      report([...at, 'mode'], modeProblem(file.mode));
    }
    checkOwners(file, at, report);
    if (file.overwrite === true && (file.contents?.source ?? '') === '') {
      report([...at, 'overwrite'], 'overwrite is true but contents.source is unspecified');
    }
    if (file.contents !== undefined) {
      checkResource(file.contents, [...at, 'contents'], report, false);
    }
    file.append?.forEach((resource, j) => checkResource(resource, [...at, 'append', j], report, false));
  });
  storage?.directories?.forEach((directory, i) => {
    const at = ['storage', 'directories', i];
    report([...at, 'path'], pathProblem(directory.path));
    if (directory.mode !== undefined) {
      report([...at, 'mode'], modeProblem(directory.mode));
    }
    checkOwners(directory, at, report);
  });
  const directoryPaths = new Set(storage?.directories?.map((directory) => directory.path));
  storage?.links?.forEach((link, i) => {
    const at = ['storage', 'links', i];
    report([...at, 'path'], pathProblem(link.path));
    checkOwners(link, at, report);
    if (link.target === '') {
      report([...at, 'target'], 'link target is required');
    } else if (link.hard === true) {
      if (!link.target.startsWith('/')) {
        report([...at, 'target'], `hard link target ${JSON.stringify(link.target)} is not absolute`);
      } else if (directoryPaths.has(link.target)) {
        report([...at, 'target'], `hard link target ${JSON.stringify(link.target)} is a directory in this config`);
      }
    }
  });

  const nodes = nodesOf(config);
  const nodePath = uniqueness(report, 'path');
  for (const node of nodes) {
    nodePath(node.path, nodeAt(node, 'path'));
  }
  // Ignition would create such a node through the link, somewhere other than its
  // path says. Links with bad paths are already reported and would only add noise.
  const linkPaths = (storage?.links ?? []).map((link) => link.path).filter((path) => pathProblem(path) === undefined);
  for (const node of nodes) {
    const link = linkPaths.find((linkPath) => node.path.startsWith(`${linkPath}/`));
    if (link !== undefined) {
      report(
        nodeAt(node, 'path'),
        `path ${JSON.stringify(node.path)} lies under link ${JSON.stringify(link)} of this config`,
      );
    }
  }
}

function checkUnits({ systemd }: IgnitionConfig, report: Report): void {
  const unitName = uniqueness(report, 'unit name');
  systemd?.units?.forEach((unit, i) => {
    const at = ['systemd', 'units', i];
    report([...at, 'name'], unitNameProblem(unit.name));
    unitName(unit.name, [...at, 'name']);
    const dropinName = uniqueness(report, 'drop-in name');
    unit.dropins?.forEach((dropin, j) => {
      report([...at, 'dropins', j, 'name'], dropinNameProblem(dropin.name));
      dropinName(dropin.name, [...at, 'dropins', j, 'name']);
    });
  });
}

/**
 * Ignition writes unit contents (and a masked unit's /dev/null link) and drop-in
 * contents under /etc/systemd/system, so a storage node at the same path would
 * be silently overwritten or fail the boot. Ignition itself checks this only for
 * units with contents; a masked unit's link is counted here as well.
 */
function checkNodesAgainstUnits(config: IgnitionConfig, report: Report): void {
  const owners = new Map<string, string>();
  config.systemd?.units?.forEach((unit, i) => {
    if ((unit.contents ?? '') !== '' || unit.mask === true) {
      owners.set(unitPath(unit.name), `systemd unit ${JSON.stringify(unit.name)} (systemd.units[${i}])`);
    }
    unit.dropins?.forEach((dropin, j) => {
      if ((dropin.contents ?? '') !== '') {
        owners.set(
          dropinPath(unit.name, dropin.name),
          `drop-in ${JSON.stringify(dropin.name)} of ${JSON.stringify(unit.name)} (systemd.units[${i}].dropins[${j}])`,
        );
      }
    });
  });
  for (const node of nodesOf(config)) {
    const owner = owners.get(node.path);
    if (owner !== undefined) {
      report(nodeAt(node, 'path'), `path ${JSON.stringify(node.path)} is where Ignition writes ${owner}`);
    }
  }
}
