import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1CertificateSigningRequest } from '@kubernetes/client-node';
import type { CertificateSigningRequestContents } from '@strata/assets';
import { decideCsr, type CsrDecision, type DecisionContext, type ExistingNode } from './csr-decision.ts';

const CONTROLLERS = new Set(['c-controller-0']);

/** A bootstrap token's CSR as the API server stores it; tests override what they are about. */
function csr(
  options: {
    readonly username?: string;
    readonly groups?: readonly string[];
    readonly usages?: readonly string[];
    readonly signerName?: string;
    readonly conditions?: readonly { type: string; status: string }[];
  } = {},
): V1CertificateSigningRequest {
  return {
    metadata: { name: 'node-csr-test' },
    spec: {
      request: '',
      signerName: options.signerName ?? 'kubernetes.io/kube-apiserver-client-kubelet',
      username: options.username ?? 'system:bootstrap:abc123',
      groups: [
        ...(options.groups ?? ['system:bootstrappers:strata:node:c-worker-0']),
        'system:bootstrappers',
        'system:authenticated',
      ],
      usages: [...(options.usages ?? ['digital signature', 'client auth'])],
    },
    ...(options.conditions === undefined ? {} : { status: { conditions: [...options.conditions] } }),
  };
}

/** What a kubelet's PKCS#10 request for `name` holds. */
function request(
  name: string,
  overrides: Partial<CertificateSigningRequestContents> = {},
): CertificateSigningRequestContents {
  return {
    commonNames: [`system:node:${name}`],
    organizations: ['system:nodes'],
    otherSubjectFields: [],
    extensionOids: [],
    subjectAltNames: [],
    signatureValid: true,
    ...overrides,
  };
}

function context(nodes: Record<string, ExistingNode> = {}): DecisionContext {
  return { controllers: CONTROLLERS, node: (name) => nodes[name] };
}

function denial(decision: CsrDecision): { reason: string; message: string } {
  assert.equal(decision.kind, 'deny', JSON.stringify(decision));
  return decision.kind === 'deny' ? decision : { reason: '', message: '' };
}

describe('decideCsr', () => {
  it("approves a node token's request for its own node", () => {
    const decision = decideCsr(csr(), request('c-worker-0'), context());
    assert.deepEqual(decision.kind === 'approve' && [decision.nodeName, decision.tokenId, decision.target], [
      'c-worker-0',
      'abc123',
      { kind: 'node', name: 'c-worker-0' },
    ]);
  });

  it("denies a node token's request for a controller, naming the requester, the name asked for and the token's node", () => {
    const { reason, message } = denial(decideCsr(csr(), request('c-controller-0'), context()));
    assert.equal(reason, 'NodeNameMismatch');
    assert.match(message, /system:bootstrap:abc123/);
    assert.match(message, /asks for node "c-controller-0"/);
    assert.match(message, /issued for node "c-worker-0"/);
  });

  it('denies a pool token a controller name, and a Node registered in another pool or in none', () => {
    const pool = csr({ groups: ['system:bootstrappers:strata:pool:gpu'] });
    assert.equal(denial(decideCsr(pool, request('c-controller-0'), context())).reason, 'ControllerName');
    const nodes = { 'ip-10-0-0-1': { pool: 'cpu' }, 'ip-10-0-0-2': { pool: undefined } };
    assert.equal(denial(decideCsr(pool, request('ip-10-0-0-1'), context(nodes))).reason, 'NodeOfAnotherPool');
    assert.equal(denial(decideCsr(pool, request('ip-10-0-0-2'), context(nodes))).reason, 'NodeOfAnotherPool');
  });

  it("approves a pool token's request for a new name or a Node of its own pool", () => {
    const pool = csr({ groups: ['system:bootstrappers:strata:pool:gpu'] });
    assert.equal(decideCsr(pool, request('ip-10-0-0-9'), context()).kind, 'approve');
    assert.equal(decideCsr(pool, request('ip-10-0-0-9'), context({ 'ip-10-0-0-9': { pool: 'gpu' } })).kind, 'approve');
  });

  it('denies a token bound to no machine, or to two', () => {
    assert.equal(denial(decideCsr(csr({ groups: [] }), request('c-worker-0'), context())).reason, 'TokenNotBound');
    const twice = csr({
      groups: ['system:bootstrappers:strata:node:c-worker-0', 'system:bootstrappers:strata:node:c-worker-1'],
    });
    assert.equal(denial(decideCsr(twice, request('c-worker-0'), context())).reason, 'TokenBoundTwice');
  });

  it('denies requests that are not what a kubelet asks for', () => {
    const cases: [string, CertificateSigningRequestContents | { unreadable: string }, V1CertificateSigningRequest][] = [
      ['MalformedRequest', { unreadable: 'not PEM' }, csr()],
      ['MalformedRequest', request('c-worker-0', { signatureValid: false }), csr()],
      ['WrongSubject', request('c-worker-0', { commonNames: ['admin'] }), csr()],
      ['WrongSubject', request('c-worker-0', { commonNames: ['system:node:c-worker-0', 'x'] }), csr()],
      ['WrongSubject', request('c-worker-0', { organizations: ['system:masters'] }), csr()],
      ['WrongSubject', request('c-worker-0', { organizations: ['system:nodes', 'system:masters'] }), csr()],
      ['WrongSubject', request('c-worker-0', { otherSubjectFields: ['OU'] }), csr()],
      ['UnexpectedSans', request('c-worker-0', { extensionOids: ['2.5.29.17'] }), csr()],
      ['WrongUsages', request('c-worker-0'), csr({ usages: ['digital signature', 'client auth', 'server auth'] })],
      ['WrongUsages', request('c-worker-0'), csr({ usages: ['client auth'] })],
      ['MalformedUser', request('c-worker-0'), csr({ username: 'system:bootstrap:Bad!' })],
    ];
    for (const [reason, contents, object] of cases) {
      assert.equal(denial(decideCsr(object, contents, context())).reason, reason, JSON.stringify(contents));
    }
  });

  it("accepts the RSA kubelet's usages too", () => {
    const rsa = csr({ usages: ['key encipherment', 'digital signature', 'client auth'] });
    assert.equal(decideCsr(rsa, request('c-worker-0'), context()).kind, 'approve');
  });

  it("leaves other signers, decided CSRs and a node's own renewal alone", () => {
    const ignored = [
      csr({ signerName: 'kubernetes.io/kubelet-serving' }),
      csr({ conditions: [{ type: 'Denied', status: 'True' }] }),
      csr({ conditions: [{ type: 'Approved', status: 'True' }] }),
      csr({ username: 'system:node:c-worker-0', groups: [] }),
    ];
    for (const object of ignored) assert.equal(decideCsr(object, request('c-worker-0'), context()).kind, 'ignore');
  });
});
