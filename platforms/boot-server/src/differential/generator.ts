// A seeded generator of matchbox data directories and of the requests to ask
// of them: groups with equal selectors and without ids, templates in
// subdirectories, .ign files valid and not, Butane templates valid and not,
// metadata with keys Go and JavaScript upper-case differently.
import type { Random } from '../testing/random.ts';

export interface GeneratedCase {
  /** File path below the data directory → its text. */
  readonly files: ReadonlyMap<string, string>;
  readonly requests: readonly GeneratedRequest[];
}

export interface GeneratedRequest {
  readonly path: (typeof ENDPOINTS)[number];
  /** Below the endpoint, for /assets/ only. */
  readonly subpath?: string;
  readonly query: string;
}

/** The assets directory each case serves: files, a directory with index.html, one without. */
export const ASSET_FILES: ReadonlyMap<string, string> = new Map([
  ['flatcar/current/vmlinuz', 'KERNEL'],
  ['flatcar/current/initrd.cpio.gz', 'INITRD'],
  ['flatcar/a&b <c>.txt', 'odd name'],
  ['flatcar/x:y', 'colon'],
  ['site/index.html', '<h1>site</h1>'],
]);
const ASSET_PATHS = [
  'flatcar/current/vmlinuz',
  'flatcar/current/vmlinuz/',
  'flatcar/current',
  'flatcar/current/',
  'flatcar/',
  '',
  'site',
  'site/',
  'site/index.html',
  'flatcar/./current//vmlinuz',
  'flatcar/../site/',
  'missing',
  'flatcar/a%26b%20%3Cc%3E.txt',
  'flatcar/x:y',
];

interface IgnitionFile {
  readonly name: string;
  readonly text: string;
}

const OS = ['installed', 'live', 'rescue'];
const ODD_KEYS = ['straße', 'ǆ_key', 'ﬁle', 'ᾀ', 'MiXeD', 'k-1', 'déjà'];
export const ENDPOINTS = ['/ipxe', '/grub', '/ignition', '/generic', '/metadata', '/assets/'] as const;

function ignitionFiles(random: Random, count: number): IgnitionFile[] {
  const files: IgnitionFile[] = [];
  for (let n = 0; n < count; n += 1) {
    const kind = random.int(7);
    const path = `/etc/f${n}`;
    if (kind === 0)
      files.push({
        name: `cfg${n}.ign`,
        text: JSON.stringify({
          _comment: 'dropped',
          ignition: { version: random.pick(['3.0.0', '3.1.0', '3.2.0', '3.3.0', '3.4.0']) },
          storage: { files: [{ path, mode: 420, contents: { source: `data:,n${n}&x=1` } }] },
        }),
      });
    else if (kind === 1)
      files.push({
        name: `cfg${n}.ignition`,
        text: random.pick([
          'not json',
          '{"ignition":{"version":"2.3.0"}}',
          `{"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"${path}","mode":"420"}]}}`,
          // Decodes, but breaks Ignition's rules (a relative path): matchbox serves an empty config.
          '{"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"relative"}]}}',
        ]),
      });
    else if (kind === 2)
      files.push({
        name: random.chance(0.5) ? `site/cfg${n}.ign` : `cfg${n}.ign`,
        text: JSON.stringify({
          ignition: { version: '3.4.0' },
          passwd: { users: [{ name: 'core', sshAuthorizedKeys: [`ssh-ed25519 K${n}`] }] },
        }),
      });
    else if (kind === 3 || kind === 4)
      files.push({
        name: `worker${n}.${random.pick(['yaml', 'bu', 'tmpl'])}`,
        text:
          `variant: ${random.pick(['flatcar', 'fcos'])}\nversion: ${kind === 3 ? '1.0.0' : '1.4.0'}\n`.replace(
            'flatcar\nversion: 1.4.0',
            'flatcar\nversion: 1.0.0',
          ) +
          `storage:\n  files:\n    - path: ${path}\n      contents:\n        inline: "{{.name}} {{.request.query.uuid}}"\n`,
      });
    else if (kind === 5)
      files.push({
        // Ignition JSON under a template name: matchbox tries Butane on it, which refuses it (no variant).
        name: `node${n}.json`,
        text: '{"ignition":{"version":"3.4.0"}}',
      });
    else
      files.push({
        name: `broken${n}.yaml`,
        text: random.pick([
          'variant: flatcar\nversion: [1.0.0\n',
          'variant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n    - path: relative\n',
          '{{.missing_key}}',
        ]),
      });
  }
  return files;
}

export function generateCase(random: Random): GeneratedCase {
  const files = new Map<string, string>();
  const ignition = ignitionFiles(random, 4 + random.int(6));
  for (const file of ignition) files.set(`ignition/${file.name}`, file.text);
  files.set('generic/env.tmpl', 'NAME={{.name}}\nUUID={{.uuid}}\n');
  files.set('generic/site/nested.tmpl', 'nested {{.name}}\n');

  const profiles = ignition.map((file, n) => ({ id: `p${n}`, file }));
  for (const { id, file } of profiles) {
    files.set(
      `profiles/${id}.json`,
      JSON.stringify({
        id,
        boot: { kernel: `/assets/${id}/vmlinuz`, initrd: [`/assets/${id}/initrd`], args: ['console=ttyS0', `p=${id}`] },
        ignition_id: file.name,
        generic_id: random.pick(['env.tmpl', 'site/nested.tmpl', '../generic/env.tmpl', 'absent.tmpl']),
      }),
    );
  }

  const uuids: string[] = [];
  const groupCount = 4 + random.int(8);
  for (let n = 0; n < groupCount; n += 1) {
    const profile = random.pick(profiles);
    const uuid = `u${random.int(6)}`;
    const selector: Record<string, string> = {};
    if (random.chance(0.8)) selector.uuid = uuid;
    if (random.chance(0.4)) selector.os = random.pick(OS);
    const metadata: Record<string, unknown> = { name: `g${n}` };
    for (const key of ODD_KEYS) if (random.chance(0.3)) metadata[key] = random.pick(['v', 1.5, true, { inner: 'x' }]);
    // Some files declare no id, as matchbox allows; equal selectors happen on purpose (few uuids).
    const body: Record<string, unknown> = { profile: profile.id, selector, metadata };
    if (random.chance(0.8)) body.id = `g${n}`;
    files.set(`groups/g${String(n).padStart(2, '0')}${random.pick(['', '-x', '.b'])}.json`, JSON.stringify(body));
    if (selector.uuid !== undefined) {
      uuids.push(uuid);
    }
  }
  const requests: GeneratedRequest[] = [];
  for (let n = 0; n < 100; n += 1) {
    const uuid = random.chance(0.9) ? random.pick([...uuids, 'none']) : undefined;
    const pairs: string[] = [];
    if (uuid !== undefined) pairs.push(`uuid=${uuid}`);
    if (random.chance(0.4)) pairs.push(`os=${random.pick(OS)}`);
    if (random.chance(0.2)) pairs.push('mac=52-54-00-00-00-01');
    const path = random.pick(ENDPOINTS);
    requests.push(
      path === '/assets/'
        ? { path, subpath: random.pick(ASSET_PATHS), query: random.chance(0.3) ? 'x=1' : '' }
        : { path, query: pairs.join('&') },
    );
  }
  return { files, requests };
}
