// Programs of this machine as files of a pod image, for tools that Strata does not build: the netfilter tools that
// kube-proxy (iptables mode) and flanneld exec. The node image is the same Debian release as this machine (bookworm),
// so the tools are the node's own: the executable, the names it is run by (links to it), the shared libraries the
// dynamic loader finds for it (as `ldd` reports them), the loader itself, and the plugins it loads with dlopen (with
// their libraries). Each file's content is its real file's; each keeps the name it is asked for by: the executable's
// links, the loader's path from the ELF header, a library's soname in the directory the loader found it in. The image
// has no /etc/ld.so.cache, so a library must lie in one of the loader's default directories, which is checked.
import { lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { StrataError } from '@strata/api';
import { findHostTool, runCommand } from '@strata/host';

/** A host program could not be carried into an image. `context`: the program, its Debian package, what was wrong. */
export class HostExecutableError extends StrataError {}

const fileNameSchema = z.string().regex(/^[\w.+-]+$/, 'a file name, without a directory');

export const hostExecutableSchema = z.strictObject({
  /** The executable's file name, looked up on PATH and in the sbin directories (findHostTool). */
  program: fileNameSchema,
  /** The Debian package that provides it, which a missing program, library or plugin directory names. */
  debianPackage: z.string().min(1),
  /** Other names it runs by, links to it beside it: a multi-call binary dispatches on its name. */
  links: z.array(fileNameSchema).default([]),
  /** Directories of the plugins it loads with dlopen, as it names them: every `*.so` in each, with their libraries. */
  pluginDirs: z.array(z.string().startsWith('/')).default([]),
  /** The program's file on this machine when it is not the one on PATH (the Node.js runtime the repository pins). */
  hostPath: z.string().startsWith('/').optional(),
  /** Where in the image the program goes; its own directory on this machine unless given. */
  installDir: z.string().startsWith('/').optional(),
});

/** A program of this machine to carry into an image, with what it needs to run there. */
export type HostExecutable = z.input<typeof hostExecutableSchema>;

/**
 * iptables, iptables-save, iptables-restore and their ip6tables counterparts, as the node runs them: Debian's
 * iptables package, whose alternatives select the nf_tables backend (iptables-nft, priority 20, over iptables-legacy,
 * priority 10) on the node image as on bookworm's default. The multi-call binary is named here rather than followed
 * from /usr/sbin/iptables, so that a machine whose alternatives select legacy still builds the image the node
 * matches: rules that kube-proxy, flanneld and the node's own CNI plugins (portmap, bridge) write must meet in one
 * backend. The extensions (`-m conntrack`, `-j MASQUERADE`, …) are plugins that libxtables dlopens from its
 * compiled-in directory. Debian's amd64 paths: the images are amd64.
 */
export const NETFILTER_TOOLS = {
  program: 'xtables-nft-multi',
  debianPackage: 'iptables',
  links: ['iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'ip6tables-save', 'ip6tables-restore'],
  pluginDirs: ['/usr/lib/x86_64-linux-gnu/xtables'],
} as const satisfies HostExecutable;

/**
 * The dynamic loader's default library directories on Debian amd64 (`ld.so --help`: "system search path"): where it
 * looks when there is no /etc/ld.so.cache, as in an image.
 */
export const LOADER_SEARCH_DIRS: readonly string[] = [
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
  '/lib',
  '/usr/lib',
];

/** One line of `ldd`'s report on a file. */
export type LddEntry =
  /** The kernel's vDSO (linux-vdso.so.1): mapped into every process, no file. */
  | { readonly kind: 'virtual'; readonly name: string }
  /** A needed library and the path the loader found it at. */
  | { readonly kind: 'library'; readonly name: string; readonly path: string }
  /** The dynamic loader, at the path the ELF header names (the kernel opens exactly that path). */
  | { readonly kind: 'loader'; readonly path: string }
  /** A needed library the loader did not find. */
  | { readonly kind: 'missing'; readonly name: string };

/** What `ldd` said of one file: `static` when it needs no loader (`statically linked`, or no entries at all). */
export interface LddReport {
  readonly static: boolean;
  readonly entries: readonly LddEntry[];
}

const ADDRESS = String.raw`\(0x[0-9a-fA-F]+\)`;
const LIBRARY_LINE = new RegExp(String.raw`^(\S+) => (/.*?) ${ADDRESS}$`);
const MISSING_LINE = /^(\S+) => not found$/;
/** An older glibc's vDSO line: a name, an arrow and no path. */
const NO_PATH_LINE = new RegExp(String.raw`^(\S+) =>\s+${ADDRESS}$`);
const LOADER_LINE = new RegExp(String.raw`^(/.*?) ${ADDRESS}$`);
const VIRTUAL_LINE = new RegExp(String.raw`^(\S+) ${ADDRESS}$`);

function parseLddLine(line: string, file: string): LddEntry | 'static' {
  if (line === 'statically linked') return 'static';
  let match = MISSING_LINE.exec(line);
  if (match !== null) return { kind: 'missing', name: match[1] ?? '' };
  match = LIBRARY_LINE.exec(line);
  if (match !== null) return { kind: 'library', name: match[1] ?? '', path: match[2] ?? '' };
  match = NO_PATH_LINE.exec(line) ?? (line.startsWith('/') ? null : VIRTUAL_LINE.exec(line));
  if (match !== null) return { kind: 'virtual', name: match[1] ?? '' };
  match = LOADER_LINE.exec(line);
  if (match !== null) return { kind: 'loader', path: match[1] ?? '' };
  throw new HostExecutableError(`cannot read ldd's line for ${file}: ${JSON.stringify(line)}`, { file, line });
}

/**
 * `ldd`'s standard output for `files`, file by file. With one file ldd prints its lines alone; with more, each file's
 * lines follow a `<file>:` line. A file that is not dynamic has no lines (ldd says so on standard error).
 */
export function parseLddOutput(stdout: string, files: readonly string[]): Map<string, LddReport> {
  const lines = new Map<string, string[]>(files.map((file) => [file, []]));
  let current = files.length === 1 ? files[0] : undefined;
  for (const raw of stdout.split('\n')) {
    if (raw.trim() === '') continue;
    if (!/^\s/.test(raw)) {
      const header = raw.endsWith(':') ? raw.slice(0, -1) : undefined;
      if (header === undefined || !lines.has(header) || files.length === 1) {
        throw new HostExecutableError(`ldd printed ${JSON.stringify(raw)}, which names none of the files asked for`, {
          line: raw,
          files,
        });
      }
      current = header;
      continue;
    }
    if (current === undefined) {
      throw new HostExecutableError(`ldd printed ${JSON.stringify(raw)} before naming a file`, { line: raw, files });
    }
    lines.get(current)?.push(raw.trim());
  }
  const reports = new Map<string, LddReport>();
  for (const [file, fileLines] of lines) {
    const parsed = fileLines.map((line) => parseLddLine(line, file));
    const entries = parsed.filter((entry): entry is LddEntry => entry !== 'static');
    reports.set(file, { static: entries.length === 0, entries });
  }
  return reports;
}

/** A file of the image whose content is read from a file of this machine when the image is built. */
export interface HostFileEntry {
  readonly path: string;
  readonly hostFile: string;
  readonly mode: number;
}
/** A file of the image (its path without the leading slash): a host file's content, or a link. */
export type HostImageFile = HostFileEntry | { readonly path: string; readonly symlinkTo: string };

const imagePath = (absolute: string): string => absolute.replace(/^\/+/, '');

async function hostFileEntry(path: string, asked: string): Promise<HostFileEntry> {
  const real = await realpath(asked);
  // Permission bits only: no set-uid bit travels into an image.
  return { path: imagePath(path), hostFile: real, mode: (await stat(real)).mode & 0o777 };
}

type Source = z.output<typeof hostExecutableSchema>;

async function runLdd(
  files: readonly string[],
  source: Source,
  env: NodeJS.ProcessEnv,
): Promise<Map<string, LddReport>> {
  const ldd = await findHostTool('ldd', 'libc-bin', env);
  const result = await runCommand(ldd, files, { env });
  // ldd exits 1 when any file is not dynamic, and says so on standard error: only its own errors count.
  const failures = result.stderr.split('\n').filter((line) => line.startsWith('ldd: '));
  if (failures.length > 0 || result.code === null) {
    throw new HostExecutableError(
      `ldd failed on ${source.program}'s files (from the Debian package ${source.debianPackage}): ${failures.join('; ') || result.stderr.trim()}`,
      { program: source.program, package: source.debianPackage, files, stderr: result.stderr },
    );
  }
  return parseLddOutput(result.stdout, files);
}

/** The plugins of a directory: `*.so` files by content, links between them kept as links. */
async function pluginFiles(dir: string, source: Source): Promise<{ files: HostImageFile[]; loaded: string[] }> {
  const names = await readdir(dir).catch((error: unknown) => {
    throw new HostExecutableError(
      `${source.program}'s plugin directory ${dir} cannot be read (${String(error)}); install it: apt-get install ${source.debianPackage}`,
      { program: source.program, package: source.debianPackage, dir },
    );
  });
  const files: HostImageFile[] = [];
  const loaded: string[] = [];
  for (const name of names.filter((entry) => entry.endsWith('.so')).sort()) {
    const path = join(dir, name);
    const info = await lstat(path);
    if (info.isSymbolicLink()) {
      const target = await readlink(path);
      // A link to another plugin of the directory (libxt_SNAT.so -> libxt_NAT.so) stays one; any other is followed.
      if (!target.includes('/')) {
        files.push({ path: imagePath(path), symlinkTo: target });
        continue;
      }
    } else if (!info.isFile()) {
      continue;
    }
    const entry = await hostFileEntry(path, path);
    files.push(entry);
    loaded.push(entry.hostFile);
  }
  return { files, loaded };
}

/** The image files of one host program: see the module's comment. */
async function filesOf(input: HostExecutable, env: NodeJS.ProcessEnv): Promise<HostImageFile[]> {
  const source = hostExecutableSchema.parse(input);
  const found = source.hostPath ?? (await findHostTool(source.program, source.debianPackage, env));
  // Where the program really lives (/usr/sbin, whether PATH named /sbin or /usr/sbin), under its own name.
  const home = source.installDir ?? (await realpath(dirname(found)));
  const program = await hostFileEntry(join(home, source.program), found);
  const files: HostImageFile[] = [
    program,
    ...source.links.map((link) => ({ path: imagePath(join(home, link)), symlinkTo: source.program })),
  ];
  const loaded = [program.hostFile];
  for (const dir of source.pluginDirs) {
    const plugins = await pluginFiles(dir, source);
    files.push(...plugins.files);
    loaded.push(...plugins.loaded);
  }
  const reports = await runLdd(loaded, source, env);
  for (const [file, report] of reports) {
    for (const entry of report.entries) {
      if (entry.kind === 'virtual') continue;
      if (entry.kind === 'missing') {
        throw new HostExecutableError(
          `${file} needs ${entry.name}, which this machine's loader does not find; reinstall ${source.program}'s package: apt-get install --reinstall ${source.debianPackage}`,
          { program: source.program, package: source.debianPackage, file, library: entry.name },
        );
      }
      if (entry.kind === 'library' && !LOADER_SEARCH_DIRS.includes(dirname(entry.path))) {
        throw new HostExecutableError(
          `${file} loads ${entry.path}, outside the loader's default directories (${LOADER_SEARCH_DIRS.join(', ')}): an image has no ld.so.cache to find it by`,
          { program: source.program, package: source.debianPackage, file, library: entry.path },
        );
      }
      files.push(await hostFileEntry(entry.path, entry.path));
    }
  }
  return files;
}

/**
 * The image files that carry `executables` of this machine into an image, sorted by path, each path once. A missing
 * program fails with `HostToolMissingError` (from @strata/host), naming its Debian package; a missing library or
 * plugin directory, or a library the image's loader would not find, with a `HostExecutableError`.
 */
export async function hostExecutableFiles(
  executables: readonly HostExecutable[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<HostImageFile[]> {
  const byPath = new Map<string, HostImageFile>();
  for (const executable of executables) {
    for (const file of await filesOf(executable, env)) {
      const existing = byPath.get(file.path);
      if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(file)) {
        throw new HostExecutableError(`/${file.path} would be two different files of the image`, {
          path: file.path,
          files: [existing, file],
        });
      }
      byPath.set(file.path, file);
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
