import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { failed, passed, skipped, type Finding, type ProbeOutcome } from './findings.ts';
import { nextStep, type NextStepContext } from './next-step.ts';

const context: NextStepContext = {
  phase: 'wait-api',
  apiServerUrl: 'https://api.demo.strata.test:6443',
  adminKubeconfigPath: '/clusters/demo/auth/kubeconfig',
  logFiles: ['/clusters/demo/logs/kube-apiserver.log', '/clusters/demo/logs/etcd.log'],
};

const failing = (finding: Finding): ProbeOutcome => failed(finding, 'detail');

describe('nextStep', () => {
  it('answers for the first failure in client order, whatever the order of the outcomes', () => {
    const nodes = failing({ check: 'nodes', kind: 'missing', missing: ['worker-1'], notReady: [] });
    const tcp = failing({
      check: 'tcp',
      failure: { kind: 'timed-out', tried: '203.0.113.7:6443', message: 'no answer within 5000 ms' },
    });
    assert.equal(
      nextStep([nodes, passed('dns', 'ok'), tcp], context),
      'nothing answers at 203.0.113.7:6443: check that the machine or load balancer is up and that firewalls let the ' +
        'API port through; see /clusters/demo/logs/kube-apiserver.log',
    );
    assert.match(nextStep([nodes, skipped('tcp', 'not tried')], context), /^the node\(s\) worker-1 never registered/);
  });

  it('names the admin kubeconfig when the API server refuses its credentials', () => {
    assert.equal(
      nextStep([failing({ check: 'readyz', kind: 'refused-credentials', status: 401 })], context),
      'the API server refused the admin kubeconfig /clusters/demo/auth/kubeconfig (HTTP 401): its client certificate ' +
        "was not issued by the CA the API server trusts, or the server runs another cluster's assets",
    );
  });

  it('says when a certificate expired and when it is not valid yet', () => {
    const dates = {
      subject: 'CN=kube-apiserver',
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2026-02-01T00:00:00Z'),
    };
    assert.match(
      nextStep([failing({ check: 'tls', problem: { kind: 'expired', ...dates } })], context),
      /^the certificate CN=kube-apiserver expired on 2026-02-01T00:00:00\.000Z: render the assets again/,
    );
    assert.match(
      nextStep([failing({ check: 'tls', problem: { kind: 'not-yet-valid', ...dates } })], context),
      /valid only from 2026-01-01T00:00:00\.000Z: set this machine's and the server's clocks right/,
    );
  });

  it('points at the API server being reset or unreachable with what was tried', () => {
    const reset = failing({
      check: 'tcp',
      failure: { kind: 'reset', tried: '10.0.0.5:6443', message: 'read ECONNRESET' },
    });
    assert.match(nextStep([reset], context), /^10\.0\.0\.5:6443 resets connections/);
    const unreachable = failing({
      check: 'tcp',
      failure: { kind: 'unreachable', tried: '10.0.0.5:6443', code: 'EHOSTUNREACH', message: 'connect EHOSTUNREACH' },
    });
    assert.match(nextStep([unreachable], context), /^there is no route to 10\.0\.0\.5:6443 from this machine/);
  });

  it('says the phase may only have needed longer when nothing fails', () => {
    assert.match(
      nextStep([passed('tcp', 'ok'), skipped('dns', 'an address')], context),
      /^every probe passes now: the phase "wait-api"/,
    );
  });
});
