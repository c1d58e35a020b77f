// The write API's URL space, in one place for the server (parsing) and the
// client (building). Each path segment is decoded once and then validated, so
// "%2F", "%00" and ".." are refused as names instead of reaching a store.
import { resourceIdSchema, templateNameSchema } from './model.ts';
import { WRITE_API_PREFIX } from './contract.ts';

export type WritableTemplateKind = 'ignition' | 'generic';
export const WRITABLE_TEMPLATE_KINDS: readonly WritableTemplateKind[] = ['ignition', 'generic'];

export type WriteApiRoute =
  | { readonly resource: 'profiles' | 'groups'; readonly id?: string }
  | { readonly resource: 'templates'; readonly kind: WritableTemplateKind; readonly name?: string }
  /** What the read side served, by MAC (read only). */
  | { readonly resource: 'served' };

/** Why a request target is not a route: 404 for an unknown path, 400 for a bad name in a known one. */
export type RouteProblem =
  | { readonly status: 404; readonly message: string }
  | { readonly status: 400; readonly message: string; readonly field: string };

export type RouteResult =
  { readonly ok: true; readonly route: WriteApiRoute } | { readonly ok: false; readonly problem: RouteProblem };

const notFound = (path: string): RouteResult => ({
  ok: false,
  problem: {
    status: 404,
    message: `no such route: ${path} (routes are ${WRITE_API_PREFIX}/profiles, ${WRITE_API_PREFIX}/groups, ${WRITE_API_PREFIX}/templates/{ignition|generic} and ${WRITE_API_PREFIX}/served)`,
  },
});
const invalid = (field: string, message: string): RouteResult => ({
  ok: false,
  problem: { status: 400, field, message },
});

function validName(field: 'id' | 'name', value: string): RouteResult | undefined {
  const result = (field === 'id' ? resourceIdSchema : templateNameSchema).safeParse(value);
  if (result.success) return undefined;
  return invalid(field, `${field} ${JSON.stringify(value)} ${result.error.issues[0]?.message ?? 'is not valid'}`);
}

/** Parses the request target (path and query) into a route. */
export function parseRoute(target: string): RouteResult {
  const path = target.split('?', 1)[0] ?? '';
  if (!path.startsWith(`${WRITE_API_PREFIX}/`)) return notFound(path);
  let segments: string[];
  try {
    segments = path
      .slice(WRITE_API_PREFIX.length + 1)
      .split('/')
      .map((segment) => decodeURIComponent(segment));
  } catch {
    return invalid('path', `the path ${JSON.stringify(path)} has a malformed percent-encoding`);
  }
  const [resource, first, second, ...rest] = segments;
  if (rest.length > 0) return notFound(path);
  if (resource === 'profiles' || resource === 'groups') {
    if (second !== undefined) return notFound(path);
    if (first === undefined) return { ok: true, route: { resource } };
    return validName('id', first) ?? { ok: true, route: { resource, id: first } };
  }
  if (resource === 'served') return first === undefined ? { ok: true, route: { resource } } : notFound(path);
  if (resource === 'templates' && first !== undefined) {
    if (first === 'cloud')
      return invalid(
        'kind',
        'cloud templates are read-only (deprecated in matchbox); write ignition or generic templates',
      );
    if (first !== 'ignition' && first !== 'generic')
      return invalid(
        'kind',
        `template kind ${JSON.stringify(first)} is not one of: ${WRITABLE_TEMPLATE_KINDS.join(', ')}`,
      );
    if (second === undefined) return { ok: true, route: { resource, kind: first } };
    return validName('name', second) ?? { ok: true, route: { resource, kind: first, name: second } };
  }
  return notFound(path);
}

/** The path of a route, each name percent-encoded. */
export function routePath(route: WriteApiRoute): string {
  const segments: string[] =
    route.resource === 'served'
      ? ['served']
      : route.resource === 'templates'
        ? ['templates', route.kind, ...(route.name === undefined ? [] : [route.name])]
        : [route.resource, ...(route.id === undefined ? [] : [route.id])];
  return `${WRITE_API_PREFIX}/${segments.map((segment) => encodeURIComponent(segment)).join('/')}`;
}

/** A route with its names replaced by placeholders, for logs and metrics that must not grow with every id. */
export function routePattern(route: WriteApiRoute): string {
  if (route.resource === 'served') return `${WRITE_API_PREFIX}/served`;
  if (route.resource === 'templates')
    return `${WRITE_API_PREFIX}/templates/${route.kind}${route.name === undefined ? '' : '/{name}'}`;
  return `${WRITE_API_PREFIX}/${route.resource}${route.id === undefined ? '' : '/{id}'}`;
}
