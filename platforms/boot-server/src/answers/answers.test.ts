import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aGroup, aProfile } from '../testing/builders.ts';
import { templateData } from '../templates/template-data.ts';
import { labelsFromQuery } from '../labels/labels.ts';
import { cloudConfigProblem } from './cloud.ts';
import { grubConfig } from './grub.ts';
import { ignitionAnswer, ignitionIssues } from './ignition.ts';
import { IPXE_BOOTSTRAP, ipxeScript } from './ipxe.ts';
import { renderEnvFile } from './metadata.ts';

const boot = { kernel: '/image/kernel', initrd: ['/image/initrd_a', '/image/initrd_b'], args: ['a=b', 'c'] };

describe('iPXE answers', () => {
  it('/boot.ipxe, as iPXE runs it, chains to /ipxe with the machine identity as labels a group can select on', () => {
    // The settings of one machine, as iPXE formats them when it expands ${name:type}.
    const settings: Record<string, string> = {
      uuid: '4c4c4544-0051-3010-8056-b4c04f4c4d32',
      'mac:hexhyp': '52-54-00-a1-9c-ae',
      domain: 'lab.example',
      hostname: 'node1',
      serial: 'SN42',
      'buildarch:uristring': 'x86_64',
    };
    const [shebang, command, ...rest] = IPXE_BOOTSTRAP.replace(
      /\$\{([^}]+)\}/g,
      (_, name: string) => settings[name] ?? assert.fail(`iPXE has no setting ${name}`),
    ).split('\n');
    assert.equal(shebang, '#!ipxe');
    assert.deepEqual(rest, [''], 'one command');
    const [verb, target, ...more] = (command ?? '').split(' ');
    assert.equal(verb, 'chain');
    assert.deepEqual(more, [], 'one argument');
    const chained = new URL(target ?? '', 'http://boot.example:8080/boot.ipxe');
    assert.equal(chained.pathname, '/ipxe');
    const { labels, droppedMacKeys } = labelsFromQuery(chained.search.slice(1));
    assert.deepEqual(droppedMacKeys, []);
    assert.deepEqual(Object.fromEntries(labels), {
      uuid: '4c4c4544-0051-3010-8056-b4c04f4c4d32',
      mac: '52:54:00:a1:9c:ae',
      domain: 'lab.example',
      hostname: 'node1',
      serial: 'SN42',
      arch: 'x86_64',
    });
  });

  it('/ipxe writes kernel and arguments, one initrd line per image, then boot', () => {
    assert.equal(
      ipxeScript(boot),
      '#!ipxe\nkernel /image/kernel a=b c\ninitrd /image/initrd_a\ninitrd /image/initrd_b\nboot\n',
    );
    assert.equal(ipxeScript({ kernel: '/k', initrd: [], args: [] }), '#!ipxe\nkernel /k\nboot\n');
  });
});

describe('GRUB answer', () => {
  it('has an EFI entry and a BIOS entry, with matchbox\u2019s exact spacing', () => {
    assert.equal(
      grubConfig(boot),
      [
        'default=0',
        'fallback=1',
        'timeout=1',
        'menuentry "CoreOS (EFI)" {',
        'echo "Loading kernel"',
        'linuxefi "/image/kernel" a=b c',
        'echo "Loading initrd"',
        'initrdefi  "/image/initrd_a" "/image/initrd_b"',
        '}',
        'menuentry "CoreOS (BIOS)" {',
        'echo "Loading kernel"',
        'linux "/image/kernel" a=b c',
        'echo "Loading initrd"',
        'initrd  "/image/initrd_a" "/image/initrd_b"',
        '}',
        '',
      ].join('\n'),
    );
  });
});

describe('/metadata env file', () => {
  it('writes selectors, metadata and the request, nested keys joined by "_" and upper-cased (matchbox\u2019s test case)', () => {
    const group = aGroup({
      selector: { mac: '52:54:00:a1:9c:ae' },
      metadata: { meta: 'data', etcd: { name: 'node1' }, some: { nested: { data: 'some-value' } } },
    });
    const query = 'mac=52-54-00-a1-9c-ae&foo=bar&count=3&gate=true';
    const lines = renderEnvFile(templateData(group, labelsFromQuery(query).labels, query));
    assert.equal(
      lines,
      [
        'ETCD_NAME=node1',
        'MAC=52:54:00:a1:9c:ae',
        'META=data',
        'REQUEST_QUERY_COUNT=3',
        'REQUEST_QUERY_FOO=bar',
        'REQUEST_QUERY_GATE=true',
        'REQUEST_QUERY_MAC=52:54:00:a1:9c:ae',
        `REQUEST_RAW_QUERY=${query}`,
        'SOME_NESTED_DATA=some-value',
        '',
      ].join('\n'),
    );
  });

  it('prints numbers and booleans as Go does and leaves out lists and nulls', () => {
    const data = templateData(
      aGroup({ selector: {}, metadata: { num: 3, big: 1234567, yes: true, no: false, list: [1], nothing: null } }),
      new Map(),
      '',
    );
    assert.equal(renderEnvFile(data), 'BIG=1.234567e+06\nNO=false\nNUM=3\nREQUEST_RAW_QUERY=\nYES=true\n');
  });
});

describe('Ignition answer', () => {
  it('serves a 3.0-3.3 config as 3.4.0, otherwise unchanged', () => {
    const upgraded = ignitionAnswer('{"ignition":{"version":"3.3.0","timeouts":{}},"passwd":{}}');
    assert.deepEqual(upgraded, {
      body: '{"ignition":{"version":"3.4.0","timeouts":{}},"passwd":{}}',
      declaredVersion: '3.3.0',
      upgraded: true,
    });
    assert.equal(ignitionAnswer('{"ignition":{"version":"3.0.0"}}').body, '{"ignition":{"version":"3.4.0"}}');
    const current = '{ "ignition": { "version": "3.4.0" } }';
    assert.deepEqual(ignitionAnswer(current), { body: current, declaredVersion: '3.4.0', upgraded: false });
    const legacy = '{"ignition":{"version":"2.3.0"}}';
    assert.equal(ignitionAnswer(legacy).body, legacy);
    assert.deepEqual(ignitionAnswer('variant: flatcar\nversion: 1.0.0\n'), {
      body: 'variant: flatcar\nversion: 1.0.0\n',
      upgraded: false,
    });
  });

  it('checks the served config with Ignition\u2019s rules', () => {
    assert.deepEqual(ignitionIssues('{"ignition":{"version":"3.4.0"}}'), []);
    assert.ok(ignitionIssues('{"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"relative"}]}}').length > 0);
  });
});

describe('/cloud answer', () => {
  it('accepts #cloud-config YAML and scripts only', () => {
    assert.equal(cloudConfigProblem('#cloud-config\nhostname: a\n'), undefined);
    assert.equal(cloudConfigProblem('#!/bin/sh\necho hi\n'), undefined);
    assert.match(cloudConfigProblem('hostname: a\n') ?? '', /neither/);
    assert.match(cloudConfigProblem('#cloud-config\n: : bad: [\n') ?? '', /not valid YAML/);
  });
});

describe('profiles from the builders', () => {
  it('render through both boot answers', () => {
    const profile = aProfile({ id: 'p' });
    assert.match(ipxeScript(profile.boot), /^#!ipxe\nkernel \/assets\/flatcar/);
    assert.match(grubConfig(profile.boot), /linuxefi "\/assets\/flatcar/);
  });
});
