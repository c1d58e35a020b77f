// Strata's Ignition validator against the real one: Ignition's own `ignition-validate` (v2.24.0, built from Go modules
// by @strata/binaries). The configs Strata renders must pass both; each config broken in one place must be refused by
// both, and the real one must name the same field as Strata's. Where the two disagree on purpose, the case says why.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBinary } from '@strata/binaries';
import { runCommand } from '@strata/host';
import { validConfig } from '../config/fixtures.ts';
import type { Platform } from '../config/schema.ts';
import { fixtureConfig, platformRenderDirectory } from '../testing/platform-render.ts';
import { ignitionConfigSchema, type IgnitionConfig } from './schema.ts';
import { config as fixtureIgnition, file, link, resource, sha512, unit, user } from './test-fixtures.ts';
import { validateIgnition } from './validate.ts';

interface RealVerdict {
  readonly code: number | null;
  /** What ignition-validate printed: one `error at $.<path>, line L col C: <reason>` (or warning) per finding. */
  readonly output: string;
}

let validator: string;
let scratch: string;

async function realValidate(config: unknown): Promise<RealVerdict> {
  const path = join(await mkdtemp(join(scratch, 'config-')), 'config.ign');
  await writeFile(path, JSON.stringify(config));
  const result = await runCommand(validator, [path]);
  return { code: result.code, output: `${result.stdout}${result.stderr}`.trim() };
}

/** Strata's field path (`storage.files[1].path`) as Ignition's reports name it (`$.storage.files.1.path`). */
function ignitionPath(strataPath: string): string {
  return `$.${strataPath.replace(/\[(\d+)\]/g, '.$1')}`;
}

/** The controller and a worker of a platform's fixture cluster, as `strata render` writes them. */
async function renderedConfigs(platform: Platform): Promise<{ controller: IgnitionConfig; worker: IgnitionConfig }> {
  const config = fixtureConfig(validConfig(platform));
  const directory = await platformRenderDirectory(platform);
  try {
    const { topology, ignition } = await directory.render(config);
    const read = (node: string | undefined): IgnitionConfig => {
      const text = node === undefined ? undefined : ignition.get(node);
      assert.ok(text !== undefined, `the ${platform} fixture has a controller and a worker, each with its Ignition`);
      return ignitionConfigSchema.parse(JSON.parse(text));
    };
    return { controller: read(topology.controllers[0]?.name), worker: read(topology.workers[0]?.name) };
  } finally {
    await directory.remove();
  }
}

const rendered = new Map<string, IgnitionConfig>();

before(async () => {
  validator = await resolveBinary('ignition-validate');
  scratch = await mkdtemp(join(tmpdir(), 'strata-ignition-differential-'));
  for (const platform of ['bare-metal', 'local'] as const) {
    const { controller, worker } = await renderedConfigs(platform);
    rendered.set(`${platform} controller`, controller);
    rendered.set(`${platform} worker`, worker);
  }
});

after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('the Ignition configs Strata renders', () => {
  it('are accepted by Ignition v2.24.0 and by Strata', async () => {
    assert.equal(rendered.size, 4);
    for (const [name, config] of rendered) {
      assert.deepEqual(validateIgnition(config), [], `Strata refuses the ${name}'s config`);
      const real = await realValidate(config);
      assert.equal(real.code, 0, `ignition-validate refuses the ${name}'s config: ${real.output}`);
      assert.equal(real.output, '', `ignition-validate warns about the ${name}'s config`);
    }
  });
});

/** The bare-metal worker's config, which writes files, units with drop-ins, a masked unit, a link and a user. */
function worker(): IgnitionConfig {
  const config = rendered.get('bare-metal worker');
  assert.ok(config !== undefined);
  return structuredClone(config);
}

function storage(config: IgnitionConfig): {
  files: NonNullable<NonNullable<IgnitionConfig['storage']>['files']>;
  links: NonNullable<NonNullable<IgnitionConfig['storage']>['links']>;
} {
  const files = config.storage?.files;
  const links = config.storage?.links;
  assert.ok(files !== undefined && files.length >= 2 && links !== undefined && links.length >= 1);
  return { files, links };
}

function units(config: IgnitionConfig): NonNullable<NonNullable<IgnitionConfig['systemd']>['units']> {
  const list = config.systemd?.units;
  assert.ok(list !== undefined && list.length >= 2);
  return list;
}

/** What Ignition says of a broken config. */
type RealVerdictOf =
  /** An error at this field of its report (`$.storage.files.1`). */
  | { readonly at: string }
  /** A refusal before it has fields to name: it cannot parse a config of that version at all. */
  | { readonly parseError: RegExp }
  /** Ignition accepts it; Strata refuses it on purpose, for the reason given. */
  | { readonly accepts: string };

interface InvalidCase {
  readonly name: string;
  /** The valid config broken in one place. */
  readonly config: () => IgnitionConfig;
  /** The field Strata's validator names. */
  readonly path: string;
  /** Ignition's verdict, when it is not an error at Strata's field. */
  readonly real?: RealVerdictOf;
}

// Ignition reports a duplicate, a node under a link and a missing required source at the list entry, one level above
// the field Strata names (the path or name that repeats, the source that is missing).
const entryOf = (path: string): RealVerdictOf => ({ at: ignitionPath(path.replace(/\.[a-z]+$/i, '')) });

const INVALID: readonly InvalidCase[] = [
  {
    name: 'an unreleased spec version',
    config: () => ({ ...worker(), ignition: { version: '3.9.0' } }),
    path: 'ignition.version',
    real: { parseError: /^couldn't parse config: unsupported config version$/m },
  },
  {
    name: 'a version that is no semantic version',
    config: () => ({ ...worker(), ignition: { version: '3.4' } }),
    path: 'ignition.version',
    real: { parseError: /^couldn't parse config: invalid config version \(couldn't parse\)$/m },
  },
  {
    name: 'two files at one path',
    config: () => {
      const config = worker();
      const { files } = storage(config);
      files[1] = { ...files[1], path: files[0]?.path ?? '' };
      return config;
    },
    path: 'storage.files[1].path',
    real: entryOf('storage.files[1].path'),
  },
  {
    name: 'a relative file path',
    config: () => {
      const config = worker();
      const { files } = storage(config);
      files[0] = { ...files[0], path: 'etc/hostname' };
      return config;
    },
    path: 'storage.files[0].path',
  },
  {
    name: 'a file path that is not clean',
    config: () => {
      const config = worker();
      const { files } = storage(config);
      files[0] = { ...files[0], path: '/etc/../etc/hostname' };
      return config;
    },
    path: 'storage.files[0].path',
  },
  {
    name: 'a mode above 07777',
    config: () => {
      const config = worker();
      const { files } = storage(config);
      files[0] = { ...file({ path: files[0]?.path ?? '' }), mode: 0o10000 };
      return config;
    },
    path: 'storage.files[0].mode',
  },
  {
    name: 'a source with an unsupported scheme',
    config: () => {
      const config = worker();
      const { files } = storage(config);
      files[0] = file({ path: files[0]?.path ?? '', contents: { source: 'ftp://files.example.com/hostname' } });
      return config;
    },
    path: 'storage.files[0].contents.source',
  },
  {
    name: 'a source with no scheme',
    config: () => {
      const config = worker();
      const { files } = storage(config);
      files[0] = file({ path: files[0]?.path ?? '', contents: { source: 'files.example.com/hostname' } });
      return config;
    },
    path: 'storage.files[0].contents.source',
  },
  {
    name: 'a data URL that does not decode',
    config: () => {
      const config = worker();
      const { files } = storage(config);
      files[0] = file({ path: files[0]?.path ?? '', contents: { source: 'data:;base64,!!!' } });
      return config;
    },
    path: 'storage.files[0].contents.source',
  },
  {
    name: 'a sha512 hash of the wrong length',
    config: () => {
      const config = worker();
      const { files } = storage(config);
      files[0] = file({
        path: files[0]?.path ?? '',
        contents: { source: 'data:,x', verification: { hash: 'sha512-abc' } },
      });
      return config;
    },
    path: 'storage.files[0].contents.verification.hash',
  },
  {
    name: 'a hash function Ignition does not know',
    config: () => {
      const config = worker();
      const { files } = storage(config);
      const md5 = `md5-${'0'.repeat(32)}`;
      files[0] = file({ path: files[0]?.path ?? '', contents: { source: 'data:,x', verification: { hash: md5 } } });
      return config;
    },
    path: 'storage.files[0].contents.verification.hash',
  },
  {
    name: 'an unsupported compression',
    config: () => {
      const config = worker();
      const { files } = storage(config);
      files[0] = file({ path: files[0]?.path ?? '', contents: { source: 'data:,x', compression: 'xz' } });
      return config;
    },
    path: 'storage.files[0].contents.compression',
  },
  {
    name: 'overwrite without a source',
    config: () => {
      const config = worker();
      const { files } = storage(config);
      files[0] = { path: files[0]?.path ?? '', overwrite: true, contents: {} };
      return config;
    },
    path: 'storage.files[0].overwrite',
  },
  {
    name: 'an owner given by both id and name',
    config: () => {
      const config = worker();
      const { files } = storage(config);
      files[0] = file({ path: files[0]?.path ?? '', user: { id: 0, name: 'root' } });
      return config;
    },
    path: 'storage.files[0].user',
  },
  {
    name: 'HTTP headers on a data source',
    config: () => {
      const config = worker();
      const { files } = storage(config);
      files[0] = file({
        path: files[0]?.path ?? '',
        contents: { source: 'data:,x', httpHeaders: [{ name: 'Authorization', value: 'Bearer x' }] },
      });
      return config;
    },
    path: 'storage.files[0].contents.httpHeaders',
  },
  {
    name: 'a hard link with a relative target',
    config: () => {
      const config = worker();
      const { links } = storage(config);
      links[0] = link({ path: links[0]?.path ?? '', target: 'kubernetes.raw', hard: true });
      return config;
    },
    path: 'storage.links[0].target',
    real: {
      accepts:
        "Ignition joins a hard link's target to the root it writes into, so a relative target means one at the root, " +
        "not beside the link, as a relative symbolic link's target would; Strata refuses the ambiguity",
    },
  },
  {
    name: 'a file under a link of the same config',
    config: () => {
      const config = worker();
      const { files, links } = storage(config);
      links[0] = link({ path: '/opt/strata', target: '/var/strata' });
      files[0] = file({ path: '/opt/strata/cluster.json' });
      return config;
    },
    path: 'storage.files[0].path',
    real: entryOf('storage.files[0].path'),
  },
  {
    name: 'a file where a unit with contents is written',
    config: () => {
      const config = worker();
      const { files } = storage(config);
      files[0] = file({ path: '/etc/systemd/system/kubelet.service' });
      return config;
    },
    path: 'storage.files[0].path',
  },
  {
    name: 'a unit name without a unit type suffix',
    config: () => {
      const config = worker();
      const list = units(config);
      list[0] = { ...list[0], name: 'kubelet' };
      return config;
    },
    path: 'systemd.units[0].name',
  },
  {
    name: 'two units of one name',
    config: () => {
      const config = worker();
      const list = units(config);
      list[1] = { ...list[1], name: list[0]?.name ?? '' };
      return config;
    },
    path: 'systemd.units[1].name',
    real: entryOf('systemd.units[1].name'),
  },
  {
    name: 'a drop-in name without .conf',
    config: () => {
      const config = worker();
      const list = units(config);
      list[0] = unit({ name: list[0]?.name ?? '', dropins: [{ name: '10-strata', contents: '[Service]\n' }] });
      return config;
    },
    path: 'systemd.units[0].dropins[0].name',
  },
  {
    name: 'two users of one name',
    config: () => ({ ...worker(), passwd: { users: [user(), user()] } }),
    path: 'passwd.users[1].name',
    real: entryOf('passwd.users[1].name'),
  },
  {
    name: 'a merged config without a source',
    config: () => ({ ...worker(), ignition: { version: '3.4.0', config: { merge: [{}] } } }),
    path: 'ignition.config.merge[0].source',
    real: entryOf('ignition.config.merge[0].source'),
  },
  {
    name: 'a proxy that is no http or https URL',
    config: () => ({ ...worker(), ignition: { version: '3.4.0', proxy: { httpProxy: 'socks5://proxy:1080' } } }),
    path: 'ignition.proxy.httpProxy',
  },
  {
    name: 'one certificate authority twice',
    config: () => {
      const ca = resource({ verification: { hash: sha512('ca') } });
      return { ...worker(), ignition: { version: '3.4.0', security: { tls: { certificateAuthorities: [ca, ca] } } } };
    },
    path: 'ignition.security.tls.certificateAuthorities[1].source',
    real: entryOf('ignition.security.tls.certificateAuthorities[1].source'),
  },
  {
    name: 'one SSH key twice for a user',
    config: () => {
      const config = worker();
      const core = config.passwd?.users?.[0];
      const key = core?.sshAuthorizedKeys?.[0];
      assert.ok(core !== undefined && key !== undefined, 'the bare-metal worker has a user with a key');
      return { ...config, passwd: { users: [{ ...core, sshAuthorizedKeys: [key, key] }] } };
    },
    path: 'passwd.users[0].sshAuthorizedKeys[1]',
  },
  {
    name: 'one supplementary group twice for a user',
    config: () => ({ ...worker(), passwd: { users: [user({ groups: ['sudo', 'sudo'] })] } }),
    path: 'passwd.users[0].groups[1]',
  },
  {
    name: 'one noProxy entry twice',
    config: () => ({ ...worker(), ignition: { version: '3.4.0', proxy: { noProxy: ['.local', '.local'] } } }),
    path: 'ignition.proxy.noProxy[1]',
  },
  {
    name: 'a kernel argument both asked for and against',
    config: () => ({ ...worker(), kernelArguments: { shouldExist: ['quiet'], shouldNotExist: ['quiet'] } }),
    path: 'kernelArguments.shouldNotExist[0]',
  },
  {
    name: 'one merged config twice',
    config: () => ({ ...worker(), ignition: { version: '3.4.0', config: { merge: [resource(), resource()] } } }),
    path: 'ignition.config.merge[1].source',
    real: entryOf('ignition.config.merge[1].source'),
  },
  {
    name: "a file where a masked unit's link is written",
    config: () => {
      const config = worker();
      const list = units(config);
      const masked = list.find((each) => each.mask === true);
      assert.ok(masked !== undefined, 'the worker masks a unit');
      const { files } = storage(config);
      files[0] = file({ path: `/etc/systemd/system/${masked.name}` });
      return config;
    },
    path: 'storage.files[0].path',
    real: {
      accepts:
        "Ignition checks a node against units with contents only, but it writes a masked unit's /dev/null link at the " +
        'same path, so one of the two would silently replace the other on the machine',
    },
  },
];

describe('a config broken in one place', () => {
  it('starts from a config both accept', async () => {
    assert.deepEqual(validateIgnition(worker()), []);
    assert.equal((await realValidate(worker())).code, 0);
    // The fixture config that uses every part of the schema, from which some parts below come.
    assert.deepEqual(validateIgnition(fixtureIgnition()), []);
    const real = await realValidate(fixtureIgnition());
    assert.equal(real.code, 0, real.output);
  });

  for (const invalid of INVALID) {
    it(`${invalid.real !== undefined && 'accepts' in invalid.real ? 'is refused by Strata only' : 'is refused by both'}: ${invalid.name}`, async () => {
      const config = invalid.config();
      const issues = validateIgnition(config);
      assert.ok(
        issues.some((issue) => issue.path === invalid.path),
        `Strata does not refuse ${invalid.path}: ${JSON.stringify(issues)}`,
      );
      const real = await realValidate(config);
      const verdict = invalid.real ?? { at: ignitionPath(invalid.path) };
      if ('accepts' in verdict) {
        // Recorded so that the day Ignition refuses it too, this case says so and moves to the refused ones.
        assert.equal(real.code, 0, `ignition-validate now refuses ${invalid.name}:\n${real.output}`);
        return;
      }
      assert.notEqual(real.code, 0, `ignition-validate accepts ${invalid.name}: ${real.output}`);
      if ('parseError' in verdict) {
        assert.match(real.output, verdict.parseError);
      } else {
        assert.ok(
          real.output.split('\n').some((line) => line.startsWith(`error at ${verdict.at},`)),
          `ignition-validate refuses ${invalid.name} elsewhere than ${verdict.at}:\n${real.output}`,
        );
      }
    });
  }
});
