import assert from 'node:assert/strict';
import { describe, it, after } from 'node:test';
import { z } from 'zod';
import type { ClusterConfigInput } from '../../config/schema.ts';
import { fixtureConfig, platformRenderDirectory } from '../../testing/platform-render.ts';
import { TEST_SYSEXT_SHA512 } from '../../testing/sysext-pin.ts';
import { decodeDataUrl } from '../../ignition/data-url.ts';
import {
  METADATA_BLOCK_RULES_PATH,
  METADATA_BLOCK_UNIT,
  metadataBlockRules,
  metadataBlockSystem,
} from './metadata-block.ts';

const DUAL_STACK = '10.2.0.0/16,fd00:10:2::/56';

/** A GCP cluster as a user writes one: 1 controller, one pool. */
function gcpInput(podCidr: string | readonly string[], serviceCidr: string | readonly string[]): ClusterConfigInput {
  return {
    apiVersion: 'strata.dev/v1alpha1',
    kind: 'Cluster',
    name: 'meta',
    baseDomain: 'gcp.example.com',
    platform: 'gcp',
    gcp: {
      project: 'strata-test-123',
      region: 'europe-west4',
      zones: ['europe-west4-a'],
      controllerType: 'n2-standard-2',
    },
    controllers: { count: 1 },
    workerPools: [{ name: 'general', count: 2 }],
    os: { name: 'flatcar', channel: 'stable' },
    networking: { podCidr: [...podCidr], serviceCidr: [...serviceCidr] },
    sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKRNkThcvD8KWu8Mejxa29enICHJDP5j1sTxRpzjodJp test'],
    kubernetesSysext: { sha512: TEST_SYSEXT_SHA512 },
  };
}

const ignitionSchema = z.object({
  storage: z.object({ files: z.array(z.object({ path: z.string(), contents: z.object({ source: z.string() }) })) }),
  systemd: z.object({ units: z.array(z.object({ name: z.string(), enabled: z.boolean().optional() })) }),
});

describe('the metadata server block', () => {
  it('drops forwarded traffic from every pod range of the family the metadata server answers on', () => {
    const rules = metadataBlockRules(DUAL_STACK, { ipv4: '169.254.169.254', ipv6: 'fd20:ce::254' });
    assert.match(rules, /^\s+type filter hook forward priority -10; policy accept;$/m);
    assert.match(rules, /^\s+ip saddr \{ 10\.2\.0\.0\/16 \} ip daddr 169\.254\.169\.254 counter drop$/m);
    assert.match(rules, /^\s+ip6 saddr \{ fd00:10:2::\/56 \} ip6 daddr fd20:ce::254 counter drop$/m);
    // Replaces its own table when applied again, and touches no other.
    assert.deepEqual(
      rules.split('\n').filter((line) => /^(table|delete)/.test(line)),
      [
        'table inet strata_metadata_block',
        'delete table inet strata_metadata_block',
        'table inet strata_metadata_block {',
      ],
    );
  });

  it('has no IPv6 rule where the cloud serves no IPv6 metadata address, and none for a family without pods', () => {
    assert.doesNotMatch(metadataBlockRules(DUAL_STACK, { ipv4: '169.254.169.254' }), /ip6/);
    assert.doesNotMatch(metadataBlockRules('10.2.0.0/16', { ipv4: '169.254.169.254', ipv6: 'fd20:ce::254' }), /ip6/);
    assert.doesNotMatch(metadataBlockRules('fd00:10:2::/56', { ipv4: '169.254.169.254' }), /ip saddr/);
  });

  it('is rendered on GCP and Azure, and not on AWS (IMDSv2 with a hop limit of 1), bare metal or local', () => {
    for (const platform of ['gcp', 'azure'] as const) {
      const system = metadataBlockSystem(platform, '10.2.0.0/16');
      assert.deepEqual(
        system.files.map((file) => file.path),
        [METADATA_BLOCK_RULES_PATH],
      );
      assert.deepEqual(
        system.units.map((unit) => unit.name),
        [METADATA_BLOCK_UNIT],
      );
      const unit = system.units[0]?.contents ?? '';
      assert.match(unit, /^Before=.*kubelet\.service/m);
      assert.match(unit, /^RequiredBy=kubelet\.service$/m);
      assert.match(unit, new RegExp(`^ExecStart=/usr/sbin/nft -f ${METADATA_BLOCK_RULES_PATH}$`, 'm'));
    }
    for (const platform of ['aws', 'bare-metal', 'local'] as const) {
      assert.deepEqual(metadataBlockSystem(platform, '10.2.0.0/16'), { files: [], units: [] });
    }
  });

  describe('in a real render', () => {
    const directory = platformRenderDirectory('gcp-metadata');
    after(async () => (await directory).remove());

    it("every GCP node's Ignition carries the rules for its pod ranges and enables the unit", async () => {
      const config = fixtureConfig(gcpInput(['10.2.0.0/16', 'fd00:10:2::/56'], ['10.3.0.0/16', 'fd00:10:3::/112']));
      const rendered = await (await directory).render(config);
      assert.ok(rendered.ignition.size >= 2, `${rendered.ignition.size} targets`);
      for (const [target, text] of rendered.ignition) {
        const ignition = ignitionSchema.parse(JSON.parse(text));
        const file = ignition.storage.files.find((candidate) => candidate.path === METADATA_BLOCK_RULES_PATH);
        assert.ok(file, `${target} has no ${METADATA_BLOCK_RULES_PATH}`);
        const decoded = decodeDataUrl(file.contents.source);
        assert.ok(decoded.ok);
        assert.equal(
          Buffer.from(decoded.value.data).toString(),
          metadataBlockRules(DUAL_STACK, { ipv4: '169.254.169.254', ipv6: 'fd20:ce::254' }),
        );
        const unit = ignition.systemd.units.find((candidate) => candidate.name === METADATA_BLOCK_UNIT);
        assert.equal(unit?.enabled, true, `${target} does not enable ${METADATA_BLOCK_UNIT}`);
      }
    });
  });
});
