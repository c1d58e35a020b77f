// /assets/: static files (kernels, initrds) from --assets-path, with range
// and conditional requests (the send library), answering as matchbox's Go
// file server does: a directory without a trailing slash and a file with one
// are redirected (relative 301s), ".../index.html" is redirected to "./", and
// a directory is served by its index.html. Directories are listed only when
// the server is told to (Go lists them; a listing tells a visitor what to ask
// for), and then without dotfiles. The request path is already clean (the
// server redirects an unclean one, as Go's mux does).
//
// A path can never leave the assets directory: ".." segments, NUL bytes and
// backslashes are refused before send, which also refuses them itself.
// Symbolic links are resolved here, not by send: a link whose target (after
// every link on the way) stays inside the real assets root is served, one that
// leaves it answers 404 as if absent, so a link to /etc/passwd discloses
// nothing. send is then given the resolved path, which holds no link.
import { readdir, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAbsolute, relative, sep } from 'node:path';
import send from 'send';
import type { BootLogger } from '../logging.ts';
import { NOT_FOUND, plainError, type Answer } from './answer.ts';
import { goEscapePath, goLocalRedirect } from './go-http.ts';

export const ASSETS_PREFIX = '/assets/';
const INDEX_PAGE = '/index.html';

export interface AssetRequest {
  readonly root: string;
  /** The clean path after /assets, starting with "/". */
  readonly decodedPath: string;
  readonly rawQuery: string;
  /** List a directory that has no index.html (Go's file server does; off by default). */
  readonly listDirectories: boolean;
}

/** Serves one asset request; `write` sends an answer of ours. */
export function serveAsset(
  request: IncomingMessage,
  response: ServerResponse,
  asset: AssetRequest,
  logger: BootLogger,
  write: (answer: Answer) => void,
): void {
  const { decodedPath } = asset;
  const segments = decodedPath.split('/');
  if (
    decodedPath.includes('\0') ||
    decodedPath.includes('\\') ||
    segments.some((segment) => segment === '..' || segment === '.')
  ) {
    write(NOT_FOUND);
    return;
  }
  if (decodedPath.endsWith(INDEX_PAGE)) {
    write(goLocalRedirect('./', asset.rawQuery));
    return;
  }
  answerAsset(request, response, asset, logger, write).catch((error: unknown) =>
    answerFileError(response, error, decodedPath, logger, write),
  );
}

async function answerAsset(
  request: IncomingMessage,
  response: ServerResponse,
  asset: AssetRequest,
  logger: BootLogger,
  write: (answer: Answer) => void,
): Promise<void> {
  const { decodedPath, rawQuery } = asset;
  const trailingSlash = decodedPath.endsWith('/');
  const resolved = await resolveInsideRoot(asset.root, trailingSlash ? decodedPath.slice(0, -1) : decodedPath);
  // Dotfiles stay private, through a link or as a directory too.
  if (resolved === undefined || resolved.path.split('/').some((segment) => segment.startsWith('.')))
    return write(NOT_FOUND);
  const base = baseName(decodedPath);
  const info = await stat(resolved.realPath);
  if (!info.isDirectory()) {
    if (trailingSlash) return write(goLocalRedirect(`../${base}`, rawQuery));
    return sendResolved(request, response, resolved, decodedPath, logger, write);
  }
  if (!trailingSlash) return write(goLocalRedirect(`${base}/`, rawQuery));
  const index = await resolveInsideRoot(asset.root, `${resolved.path === '/' ? '' : resolved.path}${INDEX_PAGE}`);
  if (index !== undefined && (await stat(index.realPath)).isFile())
    return sendResolved(request, response, index, decodedPath, logger, write);
  if (!asset.listDirectories) return write(NOT_FOUND);
  write(await directoryListing(resolved.realPath));
}

/** Go's listing: entries sorted by name, directories with a trailing slash; dotfiles left out here. */
async function directoryListing(directory: string): Promise<Answer> {
  const entries = (await readdir(directory, { withFileTypes: true }))
    .filter((entry) => !entry.name.startsWith('.'))
    .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const links = entries.map((name) => `<a href="${linkOf(name)}">${htmlText(name)}</a>\n`).join('');
  return {
    status: 200,
    contentType: 'text/html; charset=utf-8',
    body: `<!doctype html>\n<meta name="viewport" content="width=device-width">\n<pre>\n${links}</pre>\n`,
  };
}

/** As Go's url.URL{Path: name}.String(): escaped, and "./" before a first segment holding a colon. */
function linkOf(name: string): string {
  const escaped = goEscapePath(name);
  const first = escaped.split('/')[0] ?? '';
  return first.includes(':') ? `./${escaped}` : escaped;
}

function htmlText(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&#34;')
    .replaceAll("'", '&#39;');
}

/** Go's path.Base of the request path, as the file server's redirects use it. */
function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

interface ResolvedAsset {
  readonly realRoot: string;
  /** The target's path below realRoot, "/"-separated, starting with "/" ("/" for the root itself). */
  readonly path: string;
  readonly realPath: string;
}

const MISSING_CODES = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG']);

/** The real path of root + decodedPath, or undefined when it is absent or lies outside the real root. */
async function resolveInsideRoot(root: string, decodedPath: string): Promise<ResolvedAsset | undefined> {
  const realRoot = await realpath(root);
  let target: string;
  try {
    target = await realpath(`${realRoot}${decodedPath}`);
  } catch (error) {
    if (MISSING_CODES.has(errorCode(error) ?? '')) return undefined;
    throw error;
  }
  const below = relative(realRoot, target);
  if (below === '..' || below.startsWith(`..${sep}`) || isAbsolute(below)) return undefined;
  return { realRoot, path: `/${below.split(sep).join('/')}`, realPath: target };
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function sendResolved(
  request: IncomingMessage,
  response: ServerResponse,
  resolved: ResolvedAsset,
  decodedPath: string,
  logger: BootLogger,
  write: (answer: Answer) => void,
): void {
  const encoded = resolved.path.split('/').map(encodeURIComponent).join('/');
  const stream = send(request, encoded, {
    root: resolved.realRoot,
    dotfiles: 'ignore',
    index: false,
    cacheControl: false,
  });
  stream.on('directory', () => write(NOT_FOUND));
  stream.on('error', (error: Error) => answerFileError(response, error, decodedPath, logger, write));
  stream.pipe(response);
}

function answerFileError(
  response: ServerResponse,
  error: unknown,
  decodedPath: string,
  logger: BootLogger,
  write: (answer: Answer) => void,
): void {
  const failure = error instanceof Error ? error : new Error(String(error));
  const code = errorCode(failure) ?? errorCode(failure.cause);
  const status = 'status' in failure && typeof failure.status === 'number' ? failure.status : 500;
  if (response.headersSent) {
    response.destroy(failure);
    return;
  }
  if (status === 404 || code === 'EISDIR') write(NOT_FOUND);
  else if (code === 'EACCES' || code === 'EPERM' || status === 403) write(plainError(403, '403 Forbidden'));
  else if (status < 500) write(plainError(status, failure.message));
  else {
    logger.error({ err: failure, path: decodedPath }, 'serving an asset failed');
    write(plainError(500, '500 Internal Server Error'));
  }
}
