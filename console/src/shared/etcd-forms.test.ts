import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backupNowSchema, createEtcdClusterSchema, issueLines, scaleEtcdClusterSchema } from './etcd-forms.ts';

const asked = (spec: Record<string, unknown>) => ({
  namespace: 'db',
  name: 'main',
  spec: { size: 3, version: '3.6.16', storage: { emptyDir: {} }, ...spec },
});

describe('the etcd forms', () => {
  it('refuse a size outside 1 to 7 in the CRD’s own words, naming the field', () => {
    for (const size of [0, 8, 2.5]) {
      const parsed = createEtcdClusterSchema.safeParse(asked({ size }));
      assert.ok(!parsed.success, String(size));
      assert.match(issueLines(parsed.error).join('\n'), /^spec\.size: must be/m);
    }
    const scale = scaleEtcdClusterSchema.safeParse({ size: 9 });
    assert.ok(!scale.success);
    assert.deepEqual(issueLines(scale.error), ['size: must be from 1 to 7']);
  });

  it('refuse a name that is no DNS label, a version with a v, and storage of both kinds', () => {
    const parsed = createEtcdClusterSchema.safeParse({
      ...asked({ version: 'v3.6.16', storage: { emptyDir: {}, pvc: { size: '1Gi' } } }),
      name: 'Main!',
    });
    assert.ok(!parsed.success);
    const lines = issueLines(parsed.error).join('\n');
    assert.match(lines, /^name: must be a DNS label/m);
    assert.match(lines, /^spec\.version: must be an etcd release/m);
    assert.match(lines, /^spec\.storage: must set exactly one of pvc and emptyDir/m);
  });

  it('take a good cluster, with the schema’s defaults, and refuse anything else in the body', () => {
    const parsed = createEtcdClusterSchema.parse(asked({ storage: { pvc: { size: '8Gi' } } }));
    assert.equal(parsed.spec.repository, 'registry.k8s.io/etcd');
    assert.equal(parsed.spec.paused, false);
    assert.ok(!createEtcdClusterSchema.safeParse({ ...asked({}), admin: true }).success);
    assert.ok(backupNowSchema.safeParse({ destination: { pvc: { claimName: 'backups' } } }).success);
    assert.ok(!backupNowSchema.safeParse({ destination: { pvc: { claimName: 'Not A Claim' } } }).success);
  });
});
