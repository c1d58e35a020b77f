/**
 * A port of Go's `path.Clean`. Ignition rejects any node path for which
 * `path.Clean(p) !== p`, so the validator has to reproduce Go's result exactly,
 * including its corner cases ("" becomes ".", a rooted ".." stays at "/"),
 * rather than rely on Node's `path.posix.normalize`, which keeps trailing slashes
 * and turns "" into ".".
 *
 * Works on UTF-16 code units where Go works on bytes; the only characters the
 * algorithm inspects are "/" and ".", which are single units in both, so the
 * results agree for every string.
 */
export function cleanPath(path: string): string {
  if (path === '') {
    return '.';
  }
  const rooted = path[0] === '/';
  const n = path.length;
  // `out` is the output buffer; `dotdot` is the index in it that a ".." may not
  // back up past: just after the root slash, or after a leading run of "../".
  let out = rooted ? '/' : '';
  let r = rooted ? 1 : 0;
  let dotdot = rooted ? 1 : 0;

  while (r < n) {
    if (path[r] === '/') {
      r++;
    } else if (path[r] === '.' && (r + 1 === n || path[r + 1] === '/')) {
      r++;
    } else if (path[r] === '.' && path[r + 1] === '.' && (r + 2 === n || path[r + 2] === '/')) {
      r += 2;
      if (out.length > dotdot) {
        let w = out.length - 1;
        while (w > dotdot && out[w] !== '/') {
          w--;
        }
        out = out.slice(0, w);
      } else if (!rooted) {
        out += out.length > 0 ? '/..' : '..';
        dotdot = out.length;
      }
    } else {
      if ((rooted && out.length !== 1) || (!rooted && out.length !== 0)) {
        out += '/';
      }
      const end = path.indexOf('/', r);
      const stop = end === -1 ? n : end;
      out += path.slice(r, stop);
      r = stop;
    }
  }
  return out === '' ? '.' : out;
}
