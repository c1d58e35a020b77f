import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1CertificateSigningRequest } from '@kubernetes/client-node';
import type { CertificateSigningRequestContents, SubjectAltName } from '@strata/assets';
import { decideServingCsr, type NodeAddresses, type ServingDecision } from './serving-decision.ts';

const NODE = 'w-0';
const REGISTERED: NodeAddresses = {
  addresses: [
    { type: 'InternalIP', address: '10.0.0.5' },
    { type: 'Hostname', address: 'w-0.lan' },
  ],
};

/** A kubelet serving CSR as the API server stores it; tests override what they are about. */
function csr(
  options: {
    readonly username?: string;
    readonly groups?: readonly string[];
    readonly usages?: readonly string[];
  } = {},
): V1CertificateSigningRequest {
  return {
    metadata: { name: 'csr-serving' },
    spec: {
      request: '',
      signerName: 'kubernetes.io/kubelet-serving',
      username: options.username ?? `system:node:${NODE}`,
      groups: [...(options.groups ?? ['system:nodes', 'system:authenticated'])],
      usages: [...(options.usages ?? ['digital signature', 'server auth'])],
    },
  };
}

function request(
  subjectAltNames: readonly SubjectAltName[],
  overrides: Partial<CertificateSigningRequestContents> = {},
): CertificateSigningRequestContents {
  return {
    commonNames: [`system:node:${NODE}`],
    organizations: ['system:nodes'],
    otherSubjectFields: [],
    extensionOids: ['2.5.29.17'],
    subjectAltNames,
    signatureValid: true,
    ...overrides,
  };
}

const registered = (name: string) => (name === NODE ? REGISTERED : undefined);
const reasonOf = (decision: ServingDecision) => (decision.kind === 'deny' ? decision.reason : decision.kind);

describe('decideServingCsr', () => {
  it("approves a node's request for its own name and addresses", () => {
    const sans: SubjectAltName[] = [
      { type: 'dns', value: NODE },
      { type: 'dns', value: 'w-0.lan' },
      { type: 'ip', value: '10.0.0.5' },
    ];
    assert.equal(decideServingCsr(csr(), request(sans), registered).kind, 'approve');
  });

  it("denies another node's name or address, an e-mail or URI, naming what it asked for", () => {
    for (const san of [
      { type: 'dns', value: 'c-controller-0' },
      { type: 'ip', value: '10.0.0.6' },
      { type: 'email', value: 'w-0@example.com' },
      { type: 'url', value: 'https://w-0' },
    ] satisfies SubjectAltName[]) {
      const decision = decideServingCsr(csr(), request([{ type: 'dns', value: NODE }, san]), registered);
      assert.equal(reasonOf(decision), 'ForeignSans');
      assert.match(decision.kind === 'deny' ? decision.message : '', new RegExp(`${san.type} ${san.value}`));
    }
  });

  it('waits for a Node that is not registered yet', () => {
    assert.deepEqual(
      decideServingCsr(csr(), request([{ type: 'dns', value: NODE }]), () => undefined),
      {
        kind: 'wait',
        nodeName: NODE,
      },
    );
  });

  it('denies a requester that is not a node, a foreign subject, the wrong usages, no SANs', () => {
    const own = [{ type: 'dns', value: NODE }] as const;
    const cases: [string, ServingDecision][] = [
      ['NotANode', decideServingCsr(csr({ username: 'system:bootstrap:abc123' }), request(own), registered)],
      ['NotANode', decideServingCsr(csr({ groups: [] }), request(own), registered)],
      ['WrongSubject', decideServingCsr(csr(), request(own, { commonNames: ['system:node:w-1'] }), registered)],
      ['WrongSubject', decideServingCsr(csr(), request(own, { organizations: [] }), registered)],
      [
        'WrongUsages',
        decideServingCsr(csr({ usages: ['client auth', 'digital signature'] }), request(own), registered),
      ],
      ['NoSans', decideServingCsr(csr(), request([]), registered)],
      ['MalformedRequest', decideServingCsr(csr(), request(own, { signatureValid: false }), registered)],
    ];
    for (const [reason, decision] of cases) assert.equal(reasonOf(decision), reason);
  });
});
