import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CertificateAuthority, toPemPair, type PemPair } from '@strata/assets';
import { KubeConfig } from '@kubernetes/client-node';
import { nodeKubeConfig, pemBlocks, unusableBecause } from './kubelet-certificate.ts';
import { csrOutcome } from './node-identity.ts';

const NOW = new Date();
const DAY_MS = 24 * 60 * 60 * 1000;

let ca: CertificateAuthority;
let caPem: string;
let otherCaPem: string;
let good: PemPair;

const asStored = (pair: PemPair) => ({ certificatePem: pair.certificatePem, privateKeyPem: pair.privateKeyPem });

before(async () => {
  ca = await CertificateAuthority.create({ commonName: 'cluster-ca', validityDays: 3650 });
  caPem = (await toPemPair(ca)).certificatePem;
  otherCaPem = (await toPemPair(await CertificateAuthority.create({ commonName: 'other-ca', validityDays: 3650 })))
    .certificatePem;
  good = await toPemPair(
    await ca.issue({
      commonName: 'system:node:n1',
      organizations: ['system:nodes'],
      profile: 'client',
      validityDays: 10,
    }),
  );
});

describe('a kubelet client certificate kept on disk', () => {
  it('is reused when it is this node’s, from the cluster CA and not due for rotation', () => {
    assert.equal(unusableBecause(asStored(good), 'n1', [caPem], NOW), undefined);
  });

  it('is not reused for another node, another cluster, a foreign key or past 70% of its life', async () => {
    assert.match(unusableBecause(asStored(good), 'n2', [caPem], NOW) ?? '', /it is for .*system:node:n1/);
    assert.equal(unusableBecause(asStored(good), 'n1', [otherCaPem], NOW), 'it was not issued by the cluster CA');
    const other = await toPemPair(
      await ca.issue({
        commonName: 'system:node:n1',
        organizations: ['system:nodes'],
        profile: 'client',
        validityDays: 10,
      }),
    );
    assert.equal(
      unusableBecause({ certificatePem: good.certificatePem, privateKeyPem: other.privateKeyPem }, 'n1', [caPem], NOW),
      'the key does not match the certificate',
    );
    assert.match(
      unusableBecause(asStored(good), 'n1', [caPem], new Date(NOW.getTime() + 7.5 * DAY_MS)) ?? '',
      /due for rotation/,
    );
  });

  it('gives a kubeconfig for system:node:<name> on the bootstrap kubeconfig’s cluster', () => {
    const bootstrap = new KubeConfig();
    bootstrap.loadFromOptions({
      clusters: [
        {
          name: 'c',
          server: 'https://127.0.0.1:6443',
          caData: Buffer.from(caPem).toString('base64'),
          skipTLSVerify: false,
        },
      ],
      users: [{ name: 'b', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'b' }],
      currentContext: 'x',
    });
    const config = nodeKubeConfig(bootstrap, 'n1', asStored(good));
    assert.equal(config.getCurrentCluster()?.server, 'https://127.0.0.1:6443');
    assert.equal(config.getCurrentUser()?.name, 'system:node:n1');
    assert.equal(config.getCurrentUser()?.token, undefined);
    assert.equal(Buffer.from(config.getCurrentUser()?.certData ?? '', 'base64').toString(), good.certificatePem);
  });

  it('is found in a file that holds certificate and key together', () => {
    const combined = good.certificatePem + good.privateKeyPem;
    assert.deepEqual(pemBlocks(combined, 'CERTIFICATE'), [good.certificatePem]);
    assert.deepEqual(pemBlocks(combined, 'PRIVATE KEY'), [good.privateKeyPem]);
  });
});

describe('the state of a CSR', () => {
  const csr = (
    conditions: { type: string; status: string; reason?: string; message?: string }[],
    certificate?: string,
  ) => ({
    spec: { request: '', signerName: 'kubernetes.io/kube-apiserver-client-kubelet' },
    status: {
      conditions: conditions.map((condition) => ({ ...condition })),
      ...(certificate === undefined ? {} : { certificate }),
    },
  });

  it('is issued only once approved and signed', () => {
    assert.deepEqual(csrOutcome(csr([])), { kind: 'pending', observed: 'neither approved nor denied' });
    assert.deepEqual(csrOutcome(csr([{ type: 'Approved', status: 'True' }])), {
      kind: 'pending',
      observed: 'approved, not yet signed',
    });
    const issued = csrOutcome(csr([{ type: 'Approved', status: 'True' }], Buffer.from('PEM').toString('base64')));
    assert.deepEqual(issued, { kind: 'issued', certificatePem: 'PEM' });
  });

  it('is refused when denied or failed, with the reason', () => {
    assert.deepEqual(csrOutcome(csr([{ type: 'Denied', status: 'True', reason: 'Nope', message: 'no' }])), {
      kind: 'refused',
      type: 'Denied',
      reason: 'Nope',
      message: 'no',
    });
    assert.deepEqual(
      csrOutcome(
        csr([
          { type: 'Approved', status: 'True' },
          { type: 'Failed', status: 'True', reason: 'SignerError' },
        ]),
      ),
      {
        kind: 'refused',
        type: 'Failed',
        reason: 'SignerError',
        message: '',
      },
    );
  });
});
