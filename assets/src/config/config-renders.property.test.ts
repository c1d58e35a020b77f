// Every config the schema accepts renders: configs drawn by fast-check from the
// schema's shape, boundary values included, must either pass validation and
// render every asset, or be refused by validation with a field path. Any other
// end (an exception from a renderer, the Ignition builder or the manifest
// inputs) means the schema accepts something the renderer cannot do. A failure
// prints the seed and path that replay it (fc.assert's `seed` and `path`).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { CertificateAuthority, toPemPair } from '../pki/certificates.ts';
import { ASSET_PATHS } from '../render/layout.ts';
import { applyRenderPlan, planClusterRender } from '../render/render.ts';
import { renderConfig } from '../testing/fixtures.ts';
import { TEST_SYSEXT_SHA512 } from '../testing/sysext-pin.ts';
import { clusterTopology } from '../topology/topology.ts';
import { TEST_SSH_KEYS } from './fixtures.ts';
import { validateClusterConfig } from './parse.ts';
import {
  CONTROLLER_COUNTS,
  ETCD_QUOTA_BACKEND_BYTES,
  MAX_CLUSTER_NAME_LENGTH,
  OPERATING_SYSTEMS,
  type OperatingSystem,
  OS_CHANNELS,
  OS_VERSION_FORMATS,
  SUPPORTED_KUBERNETES_VERSIONS,
  TAINT_EFFECTS,
  type ClusterConfigInput,
  type Platform,
} from './schema.ts';

const RUNS = 120;
/** Draws that only validate (cheap): enough that the valid share is known to about a percent. */
const SHARE_SAMPLE = 3000;
const LABEL_MAX = 63;

const ALNUM = [...'abcdefghijklmnopqrstuvwxyz0123456789'];

/** A DNS-1123 label of 1 to `max` characters, the longest among the likely draws. */
function dnsLabel(max = LABEL_MAX): fc.Arbitrary<string> {
  const inner = fc
    .tuple(
      fc.constantFrom(...ALNUM),
      fc.array(fc.constantFrom(...ALNUM, '-'), { maxLength: Math.max(0, max - 2) }),
      fc.constantFrom(...ALNUM),
    )
    .map(([first, middle, last]) => `${first}${middle.join('')}${last}`.slice(0, max));
  const longest = fc.constantFrom(...ALNUM).map((c) => `${c}${'x-'.repeat(max).slice(0, max - 2)}${c}`.slice(0, max));
  return fc.oneof({ arbitrary: fc.constantFrom(...ALNUM), weight: 1 }, { arbitrary: inner, weight: 4 }, longest);
}

function dnsSubdomain(maxLabels = 3): fc.Arbitrary<string> {
  return fc.array(dnsLabel(20), { minLength: 1, maxLength: maxLabels }).map((labels) => labels.join('.'));
}

function optional<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arbitrary, { nil: undefined });
}

/** Mostly `valid`, now and then `invalid`: enough configs stay valid to reach the renderers. */
function rarely<T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: invalid, weight: 1 });
}

/** Drops the keys whose value is undefined, so that "absent" is absent rather than present as undefined. */
function defined<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}

const mac = fc
  .array(fc.integer({ min: 0, max: 255 }), { minLength: 5, maxLength: 5 })
  .map((bytes) => ['02', ...bytes.map((byte) => byte.toString(16).padStart(2, '0'))].join(':'));

const labelKey = fc.oneof(
  dnsLabel(20),
  fc.tuple(dnsSubdomain(2), dnsLabel(20)).map(([prefix, name]) => `${prefix}/${name}`),
  fc.constantFrom('node.strata.dev/pool', 'example.com/gpu', 'dedicated'),
);
const labelValue = fc.oneof(fc.constant(''), dnsLabel(LABEL_MAX));

const taint = fc
  .record({ key: labelKey, value: optional(labelValue), effect: fc.constantFrom(...TAINT_EFFECTS) })
  .map((t) => defined(t));

function workerPool(platform: Platform) {
  const cloud = platform === 'aws' || platform === 'gcp' || platform === 'azure';
  const instanceType = cloud
    ? optional(
        rarely(
          fc.constant({ aws: 't3.large', gcp: 'n2-standard-4', azure: 'Standard_D4as_v5' }[platform]),
          fc.constant('bogus'),
        ),
      )
    : fc.constant(undefined);
  return fc
    .record({
      // Names that node names are also made of ("<cluster>-controller-0").
      name: rarely(dnsLabel(), fc.constantFrom('controller', 'controller-0', 'worker')),
      count: optional(fc.integer({ min: 0, max: 3 })),
      instanceType,
      labels: optional(fc.dictionary(labelKey, labelValue, { maxKeys: 3 })),
      taints: optional(fc.array(taint, { maxLength: 3 })),
    })
    .map((pool) => defined(pool));
}

/**
 * IPv4 single-stack networking as the schema takes it today. Part of the
 * networking work (IPv6, dual stack) extends this one function.
 */
function networkingArbitrary(): fc.Arbitrary<Record<string, unknown> | undefined> {
  // IPv4, IPv6 and dual-stack (IPv4 first or IPv6 first); each pair of pod and service ranges has the same families
  // in the same order, and mixed pairs (a single-stack pod range with a dual-stack service range) are drawn too, so
  // that validation's family rule is exercised as well as rendering.
  const ipv4Pods = fc.constantFrom('10.2.0.0/16', '10.244.0.0/14', '172.16.0.0/12', '192.168.0.0/22');
  const ipv4Services = fc.constantFrom('10.3.0.0/16', '10.96.0.0/12', '10.3.0.0/24', '172.31.255.0/24');
  const ipv6Pods = fc.constantFrom('fd00:10:2::/56', 'fd12:3456:789a::/48', 'fd00:10:2::/64');
  const ipv6Services = fc.constantFrom('fd00:10:3::/112', 'fd00:10:3::/108', 'fd00:10:3::/120');
  const ranges = fc.oneof(
    { arbitrary: fc.record({ podCidr: ipv4Pods, serviceCidr: ipv4Services }), weight: 4 },
    fc.record({ podCidr: ipv6Pods, serviceCidr: ipv6Services }),
    fc.record({ podCidr: fc.tuple(ipv4Pods, ipv6Pods), serviceCidr: fc.tuple(ipv4Services, ipv6Services) }),
    fc.record({ podCidr: fc.tuple(ipv6Pods, ipv4Pods), serviceCidr: fc.tuple(ipv6Services, ipv4Services) }),
    fc.record({ podCidr: ipv4Pods, serviceCidr: fc.tuple(ipv4Services, ipv6Services) }),
  );
  return optional(
    fc
      .record({
        ranges: optional(ranges),
        clusterDomain: optional(fc.oneof(fc.constant('cluster.local'), dnsSubdomain(3))),
        // The edges of the schema's range, and the IPv6 floor that applies once the pod network has IPv6.
        // The edges on both sides, the outer ones rarely (valid configs must stay common).
        mtu: optional(
          rarely(fc.constantFrom(576, 1280, 1349, 1350, 1450, 1500, 8950, 9000), fc.constantFrom(575, 9001)),
        ),
      })
      .map(({ ranges: picked, ...rest }) => defined({ ...rest, ...picked })),
  );
}

function platformSection(platform: Platform, clusterName: string): fc.Arbitrary<Partial<ClusterConfigInput>> {
  switch (platform) {
    case 'local':
      return optional(
        fc.record({ apiServerPort: optional(fc.constantFrom(1, 443, 6443, 65_535)) }).map((local) => defined(local)),
      ).map((local) => (local === undefined ? {} : { local }));
    case 'bare-metal': {
      const machine = (role: 'controller' | 'worker') =>
        fc
          .record({
            name: dnsLabel(),
            mac,
            domain: dnsSubdomain(3).map((domain) => `${domain}.${clusterName}.example`),
            pool: role === 'worker' ? fc.constantFrom('worker', 'gpu') : fc.constant(undefined),
          })
          .map((fields) => defined({ ...fields, role }));
      return fc
        .tuple(
          fc.constantFrom(...CONTROLLER_COUNTS),
          fc.array(machine('controller'), { minLength: 5, maxLength: 5 }),
          fc.array(machine('worker'), { maxLength: 3 }),
        )
        .map(([controllers, candidates, workers]) => ({
          controllers: { count: controllers },
          bareMetal: {
            bootServer: { endpoint: 'http://matchbox.example.com:8080' },
            machines: [...candidates.slice(0, controllers), ...workers] as never,
          },
        }));
    }
    case 'aws':
      return fc.constant({
        aws: { region: 'us-east-1', zones: ['us-east-1a', 'us-east-1b'], controllerType: 't3.medium' },
      });
    case 'gcp':
      return fc.constant({
        gcp: { project: 'strata-demo', region: 'us-central1', zones: ['us-central1-a'], controllerType: 'e2-medium' },
      });
    case 'azure':
      return fc.constant({
        azure: { location: 'eastus', resourceGroup: 'strata-demo', controllerType: 'Standard_D2as_v5' },
      });
  }
}

const window = fc
  .record({
    days: fc.uniqueArray(fc.constantFrom('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'), {
      minLength: 1,
      maxLength: 7,
    }),
    start: fc.constantFrom('00:00', '02:30', '23:59'),
    duration: fc.constantFrom('30m', '3h', '1h30m', '24h'),
    // Names Intl knows under other spellings too: aliases, abbreviations, offsets.
    timeZone: optional(
      rarely(
        fc.constantFrom('UTC', 'Etc/UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham'),
        fc.constantFrom('US/Eastern', 'EST', 'GMT', 'europe/berlin'),
      ),
    ),
  })
  .map((w) => defined(w));

function sshKeys(platform: Platform) {
  const key = fc.oneof(
    fc.constantFrom(TEST_SSH_KEYS.ed25519, TEST_SSH_KEYS.ecdsa),
    // A comment in any language: the key is rendered into Ignition as text.
    fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
      .map((comment) => `${TEST_SSH_KEYS.ed25519.split(' ').slice(0, 2).join(' ')} ${comment.replace(/\s/g, '_')}`),
  );
  return platform === 'local'
    ? optional(fc.array(key, { maxLength: 2 }))
    : fc.array(key, { minLength: 1, maxLength: 2 });
}

/** Drawn first on bare metal, the one platform it runs on, and now and then elsewhere to exercise that rule. */
function osName(platform: Platform): fc.Arbitrary<OperatingSystem> {
  const others = OPERATING_SYSTEMS.filter((os) => os !== 'strata');
  return platform === 'bare-metal'
    ? fc.constantFrom(...OPERATING_SYSTEMS)
    : rarely(fc.constantFrom(...others), fc.constant<OperatingSystem>('strata'));
}

/**
 * The OS section and the kubernetes sysext pin together: the node image carries its own kubelet, so the pin is absent
 * with it, and present (as validation requires off the local platform) with the others, but for a few draws that
 * exercise each rule (rarer than `rarely`: valid configs are already scarce enough to reach the renderers).
 */
function osAndSysext(platform: Platform): fc.Arbitrary<{
  os: Record<string, string> | undefined;
  kubernetesSysext: { sha512: string } | { url: string } | undefined;
}> {
  const pinned = fc.constant({ sha512: TEST_SYSEXT_SHA512 });
  const mispinned = fc.constant({ url: 'https://mirror.example.com/kubernetes.raw' });
  return fc.option(osName(platform), { nil: undefined }).chain((os) => {
    const kubernetesSysext =
      os === 'strata'
        ? fc.oneof({ arbitrary: fc.constant(undefined), weight: 29 }, { arbitrary: pinned, weight: 1 })
        : fc.oneof({ arbitrary: pinned, weight: 29 }, { arbitrary: mispinned, weight: 1 });
    const section =
      os === undefined
        ? fc.constant(undefined)
        : fc
            .record({
              name: os === 'flatcar' ? optional(fc.constant(os)) : fc.constant(os),
              channel: optional(
                rarely(fc.constantFrom(...OS_CHANNELS[os]), fc.constantFrom('stable', 'beta', 'testing')),
              ),
              version: optional(
                rarely(fc.constant(OS_VERSION_FORMATS[os].example), fc.constantFrom('4230.2.3', '42.20250901.3.0')),
              ),
            })
            .map((fields) => defined(fields));
    return fc.record({ os: section, kubernetesSysext });
  });
}

/**
 * Mirrors as the schema takes them, and now and then ones it refuses (an http endpoint, a registry under two mirrors),
 * each rarer than `rarely`: valid configs are already scarce enough to reach the renderers.
 */
function registryMirrors(caPems: readonly string[]): fc.Arbitrary<Record<string, unknown>[]> {
  const mirror = (endpoint: fc.Arbitrary<string>) =>
    fc
      .record({
        registries: fc.uniqueArray(
          fc.constantFrom('docker.io', 'registry.k8s.io', 'ghcr.io', 'quay.io', 'localhost:5000'),
          { minLength: 1, maxLength: 3 },
        ),
        endpoint,
        caCertificate: optional(fc.constantFrom(...caPems)),
      })
      .map((m) => defined(m));
  const https = fc.constantFrom('https://mirror.example.com', 'https://10.0.0.5:5000', 'https://[fd00::5]:5000');
  return fc.oneof(
    { arbitrary: mirror(https).map((m) => [m]), weight: 18 },
    { arbitrary: mirror(fc.constant('http://mirror.example.com')).map((m) => [m]), weight: 1 },
    { arbitrary: fc.tuple(mirror(https), mirror(https)).map((pair) => [...pair]), weight: 1 },
  );
}

function clusterConfig(caPems: readonly string[]): fc.Arbitrary<ClusterConfigInput> {
  return fc
    .record({
      platform: fc.constantFrom<Platform>('local', 'bare-metal', 'aws', 'gcp', 'azure'),
      name: dnsLabel(MAX_CLUSTER_NAME_LENGTH),
    })
    .chain(({ platform, name }) =>
      fc
        .record({
          section: platformSection(platform, name),
          baseDomain: fc.oneof(dnsSubdomain(3), fc.constant('example.com')),
          apiDnsName: optional(dnsSubdomain(4)),
          controllers: optional(fc.constantFrom(...CONTROLLER_COUNTS).map((count) => ({ count }))),
          // On bare metal the machines make the pools; explicit pools must agree with them.
          workerPools:
            platform === 'bare-metal'
              ? rarely(fc.constant(undefined), fc.array(workerPool(platform), { maxLength: 2 }))
              : optional(fc.array(workerPool(platform), { maxLength: 3 })),
          osAndSysext: osAndSysext(platform),
          kubernetesVersion: optional(fc.constantFrom(...SUPPORTED_KUBERNETES_VERSIONS)),
          networking: networkingArbitrary(),
          sshAuthorizedKeys: sshKeys(platform),
          registryMirrors: optional(registryMirrors(caPems)),
          allowUnverifiedDownloads: optional(rarely(fc.constant(false), fc.constant(true))),
          etcd: optional(
            fc.constantFrom(ETCD_QUOTA_BACKEND_BYTES.min, ETCD_QUOTA_BACKEND_BYTES.max).map((bytes) => ({
              quotaBackendBytes: bytes,
            })),
          ),
          updates: optional(
            fc
              .record({
                rebootStrategy: optional(rarely(fc.constant('operator'), fc.constant('off'))),
                maxUnavailable: optional(fc.oneof(fc.constantFrom(1, 1000), fc.constantFrom('1%', '10%', '100%'))),
                windows: optional(
                  fc.oneof(
                    { arbitrary: fc.array(window, { maxLength: 3 }), weight: 4 },
                    // The most windows there may be, and one more.
                    fc.array(window, { minLength: 16, maxLength: 17 }),
                  ),
                ),
                // Mostly absent: a server is refused with Fedora CoreOS, and valid configs must stay common.
                server: rarely(
                  fc.constant(undefined),
                  fc.constantFrom('https://updates.example.com/v1/update/', 'HTTPS://UPDATES.EXAMPLE/'),
                ),
                group: optional(fc.constantFrom('stable', 'my.group_1', 'a')),
              })
              .map((updates) => defined(updates)),
          ),
          proxy: optional(
            fc
              .record({
                httpProxy: optional(fc.constantFrom('http://proxy.example.com:3128', 'HTTPS://Proxy.Example')),
                httpsProxy: optional(fc.constantFrom('http://proxy.example.com:3128', 'https://user:pw@proxy:8443/')),
                // A repeated entry is refused; drawn rarely, so that valid configs stay common.
                noProxy: optional(
                  rarely(
                    fc.uniqueArray(fc.constantFrom('.example.com', '10.0.0.0/8', 'localhost'), { maxLength: 3 }),
                    fc.constant<string[]>(['localhost', 'localhost']),
                  ),
                ),
              })
              .map((proxy) => defined(proxy)),
          ),
          trustedCaCertificates: optional(
            rarely(
              fc.uniqueArray(fc.constantFrom(...caPems), { maxLength: caPems.length }),
              fc.constantFrom(...caPems).map((pem) => [pem, pem]),
            ),
          ),
          certificates: optional(
            rarely<{ caValidityDays?: number; validityDays?: number }>(
              fc.constantFrom(
                {},
                { caValidityDays: 2, validityDays: 1 },
                { caValidityDays: 366 },
                { caValidityDays: 36_500, validityDays: 36_499 },
                { validityDays: 1 },
              ),
              fc.constantFrom({ caValidityDays: 1 }, { caValidityDays: 365 }, { validityDays: 3650 }),
            ),
          ),
        })
        .map(
          ({ section, osAndSysext: { os, kubernetesSysext }, ...rest }) =>
            ({
              apiVersion: 'strata.dev/v1alpha1',
              kind: 'Cluster',
              name,
              platform,
              ...defined({ ...rest, os, kubernetesSysext }),
              ...section,
            }) as ClusterConfigInput,
        ),
    );
}

describe('every config the schema accepts renders', () => {
  let dir: string;
  let caPems: string[];

  before(async () => {
    // One rendered asset directory for every run: planning a render runs every
    // generator whose inputs changed and reuses the keys it finds on disk, so
    // the runs do not each pay for generating the CAs and the other keys.
    dir = await mkdtemp(join(tmpdir(), 'strata-config-renders-'));
    await applyRenderPlan(await planClusterRender({ config: renderConfig(), dir }));
    caPems = await Promise.all(
      ['corporate-ca', 'proxy-ca'].map(async (commonName) => {
        const { certificatePem } = await toPemPair(await CertificateAuthority.create({ commonName, validityDays: 30 }));
        return certificatePem;
      }),
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('renders a validated config, or validation refuses it with a field path', async () => {
    let rendered = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(clusterConfig(caPems), async (input) => {
        const result = validateClusterConfig(input, { hostNetworks: [] });
        if (!result.ok) {
          refused += 1;
          for (const issue of result.issues) {
            assert.notEqual(issue.path, '', `an issue without a field path:\n${result.message}`);
          }
          return;
        }
        rendered += 1;
        const plan = await planClusterRender({ config: result.config, dir });
        const files = new Set([...plan.writes.map((file) => file.path), ...plan.unchanged]);
        const { controllers, workers } = clusterTopology(result.config);
        for (const node of [...controllers, ...workers]) {
          assert.ok(files.has(ASSET_PATHS.ignition(node.name)), `no Ignition for ${node.name}`);
        }
      }),
      { numRuns: RUNS },
    );
    assert.ok(rendered >= 1 && refused >= 1, `${rendered} rendered and ${refused} refused of ${RUNS}: both must occur`);
  });

  // Both outcomes must be common, or the generators test only one side. Counted over a sample large enough that the
  // share does not hang on the seed (the property's 120 draws alone vary by about 4 either way).
  it('draws valid and refused configs alike, each at least a fifth of the time', (t) => {
    const sample = fc.sample(clusterConfig(caPems), SHARE_SAMPLE);
    const valid = sample.filter((input) => validateClusterConfig(input, { hostNetworks: [] }).ok).length;
    const share = valid / SHARE_SAMPLE;
    t.diagnostic(`${valid} of ${SHARE_SAMPLE} drawn configs valid (${(share * 100).toFixed(1)} %)`);
    assert.ok(share >= 0.2 && share <= 0.8, `${valid} of ${SHARE_SAMPLE} drawn configs were valid`);
  });
});
