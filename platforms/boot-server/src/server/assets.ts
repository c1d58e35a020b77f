// /assets/: static files (kernels, initrds) from --assets-path, with range
// and conditional requests (the send library). A path can never leave the
// assets directory: ".." segments, NUL bytes and backslashes are refused
// before send, which also refuses them itself. Directories are not listed.
// Symbolic links are resolved here, not by send: a link whose target (after
// every link on the way) stays inside the real assets root is served, one that
// leaves it answers 404 as if absent, so a link to /etc/passwd discloses
// nothing. send is then given the resolved path, which holds no link.
import { realpath } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAbsolute, relative, sep } from 'node:path';
import send from 'send';
import type { BootLogger } from '../logging.ts';
import { NOT_FOUND, plainError, type Answer } from './answer.ts';

export const ASSETS_PREFIX = '/assets/';

/** Serves `decodedPath` (the path after /assets, starting with "/"); `write` sends an answer of ours. */
export function serveAsset(
  request: IncomingMessage,
  response: ServerResponse,
  root: string,
  decodedPath: string,
  logger: BootLogger,
  write: (answer: Answer) => void,
): void {
  const segments = decodedPath.split('/');
  if (
    decodedPath.includes('\0') ||
    decodedPath.includes('\\') ||
    segments.some((segment) => segment === '..' || segment === '.')
  ) {
    write(NOT_FOUND);
    return;
  }
  resolveInsideRoot(root, decodedPath).then(
    (resolved) => {
      if (resolved === undefined) write(NOT_FOUND);
      else sendResolved(request, response, resolved, decodedPath, logger, write);
    },
    (error: unknown) => answerFileError(response, error, decodedPath, logger, write),
  );
}

interface ResolvedAsset {
  readonly realRoot: string;
  /** The target's path below realRoot, "/"-separated, starting with "/". */
  readonly path: string;
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
  if (below === '' || below === '..' || below.startsWith(`..${sep}`) || isAbsolute(below)) return undefined;
  return { realRoot, path: `/${below.split(sep).join('/')}` };
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
