// /assets/: static files (kernels, initrds) from --assets-path, with range
// and conditional requests (the send library). A path can never leave the
// assets directory: ".." segments, NUL bytes and backslashes are refused
// before send, which also refuses them itself. Directories are not listed.
import type { IncomingMessage, ServerResponse } from 'node:http';
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
  const encoded = segments.map(encodeURIComponent).join('/');
  const stream = send(request, encoded, { root, dotfiles: 'ignore', index: false, cacheControl: false });
  stream.on('directory', () => write(NOT_FOUND));
  stream.on('error', (error: Error & { status?: number; code?: string; cause?: { code?: string } }) => {
    const code = error.code ?? error.cause?.code;
    const status = error.status ?? 500;
    if (response.headersSent) {
      response.destroy(error);
      return;
    }
    if (status === 404 || code === 'EISDIR') write(NOT_FOUND);
    else if (code === 'EACCES' || code === 'EPERM' || status === 403) write(plainError(403, '403 Forbidden'));
    else if (status < 500) write(plainError(status, error.message));
    else {
      logger.error({ err: error, path: decodedPath }, 'serving an asset failed');
      write(plainError(500, '500 Internal Server Error'));
    }
  });
  stream.pipe(response);
}
