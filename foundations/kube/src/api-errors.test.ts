import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import {
  apiStatusOf,
  describeApiError,
  isAlreadyExists,
  isConflict,
  isNotFound,
  isTransient,
  KubernetesApiError,
  kubernetesApiError,
  statusCodeOf,
  isClusterIpAlreadyAllocated,
} from './api-errors.ts';

/** A refusal as the typed client throws it: the Status arrives as the JSON text of the body. */
function refusal(code: number, status: Record<string, unknown>): ApiException<string> {
  return new ApiException(
    code,
    'Unknown API Status Code!',
    JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, ...status }),
    { 'content-type': 'application/json' },
  );
}

/** A failed watch request, as client-node's Watch reports it. */
function failedWatch(code: number): Error {
  return Object.assign(new Error('Forbidden'), { statusCode: code });
}

describe('statusCodeOf', () => {
  it('reads the typed client, a failed watch and a watch ERROR event', () => {
    assert.equal(statusCodeOf(refusal(404, { reason: 'NotFound' })), 404);
    assert.equal(statusCodeOf(failedWatch(403)), 403);
    assert.equal(statusCodeOf({ kind: 'Status', code: 410, reason: 'Expired' }), 410);
  });

  it('is undefined for a call that got no answer, and for anything else', () => {
    assert.equal(statusCodeOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), undefined);
    assert.equal(
      statusCodeOf({ code: 404 }),
      undefined,
      'a number named code on something not a Status is no HTTP status',
    );
    assert.equal(statusCodeOf(undefined), undefined);
    assert.equal(statusCodeOf('404'), undefined);
  });
});

describe('the status predicates', () => {
  it('tell NotFound, Conflict and AlreadyExists apart', () => {
    const notFound = refusal(404, { reason: 'NotFound', message: 'nodes "x" not found' });
    const conflict = refusal(409, { reason: 'Conflict', message: 'the object has been modified' });
    const exists = refusal(409, { reason: 'AlreadyExists', message: 'leases "x" already exists' });
    assert.deepEqual([isNotFound(notFound), isConflict(notFound), isAlreadyExists(notFound)], [true, false, false]);
    assert.deepEqual([isNotFound(conflict), isConflict(conflict), isAlreadyExists(conflict)], [false, true, false]);
    assert.deepEqual([isNotFound(exists), isConflict(exists), isAlreadyExists(exists)], [false, true, true]);
  });

  it('count no answer, 429 and 5xx as transient, and refusals not', () => {
    assert.equal(isTransient(new Error('socket hang up')), true);
    assert.equal(isTransient(refusal(429, {})), true);
    assert.equal(isTransient(refusal(503, {})), true);
    for (const code of [400, 401, 403, 404, 409, 422])
      assert.equal(isTransient(refusal(code, {})), false, String(code));
  });

  it('tell a Service whose fixed clusterIP is still held from other 422s', () => {
    const held = refusal(422, {
      reason: 'Invalid',
      message:
        'Service "kube-dns" is invalid: spec.clusterIPs: Invalid value: ["10.3.0.10"]: failed to allocate IP 10.3.0.10: provided IP is already allocated',
    });
    assert.equal(isClusterIpAlreadyAllocated(held), true);
    assert.equal(isClusterIpAlreadyAllocated(refusal(422, { message: 'spec.ports: Required value' })), false);
    assert.equal(isClusterIpAlreadyAllocated(refusal(409, { message: 'provided IP is already allocated' })), false);
    assert.equal(isClusterIpAlreadyAllocated(new Error('provided IP is already allocated')), false);
  });
});

describe('apiStatusOf and describeApiError', () => {
  it("read the server's Status, with the refused fields", () => {
    const invalid = refusal(422, {
      reason: 'Invalid',
      message: 'spec.x: Invalid value',
      details: { causes: [{ reason: 'FieldValueInvalid', field: 'spec.x', message: 'Invalid value' }] },
    });
    assert.deepEqual(apiStatusOf(invalid)?.details?.causes, [
      { reason: 'FieldValueInvalid', field: 'spec.x', message: 'Invalid value' },
    ]);
    assert.equal(describeApiError(invalid), 'HTTP 422: spec.x: Invalid value');
  });

  it('keep a body that is not JSON as the message, and parsed bodies as they are', () => {
    assert.equal(
      describeApiError(new ApiException(502, 'Bad Gateway', 'upstream connect error', {})),
      'HTTP 502: upstream connect error',
    );
    assert.equal(
      describeApiError(new ApiException(404, 'Not Found', { message: 'already parsed' }, {})),
      'HTTP 404: already parsed',
    );
    assert.equal(describeApiError(new ApiException(500, 'x', '', {})), 'HTTP 500: no message');
  });

  it('describe a call without an answer by its own message, and a failed watch with its status', () => {
    assert.equal(apiStatusOf(new Error('x')), undefined);
    assert.equal(
      describeApiError(new Error('connect ECONNREFUSED 127.0.0.1:6443')),
      'connect ECONNREFUSED 127.0.0.1:6443',
    );
    assert.equal(describeApiError(failedWatch(403)), 'HTTP 403: Forbidden');
  });
});

describe('kubernetesApiError', () => {
  it("names the call and carries the server's answer", () => {
    const cause = refusal(409, {
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on nodes "n1": the object has been modified',
    });
    const error = kubernetesApiError({ verb: 'patch', resource: 'nodes', name: 'n1' }, cause);
    assert.ok(error instanceof KubernetesApiError);
    assert.ok(error instanceof StrataError);
    assert.equal(error.status, 409);
    assert.equal(error.reason, 'Conflict');
    assert.equal(error.cause, cause);
    assert.equal(
      error.message,
      'patch nodes n1: the API server answered HTTP 409: Operation cannot be fulfilled on nodes "n1": the object has been modified',
    );
    assert.deepEqual(error.context, {
      verb: 'patch',
      resource: 'nodes',
      name: 'n1',
      status: 409,
      reason: 'Conflict',
      serverMessage: 'Operation cannot be fulfilled on nodes "n1": the object has been modified',
    });
  });

  it('says so when no answer came', () => {
    const error = kubernetesApiError(
      { verb: 'get', resource: 'configmaps', namespace: 'kube-system', name: 'c' },
      new Error('socket hang up'),
    );
    assert.equal(error.status, undefined);
    assert.equal(
      error.message,
      'get configmaps kube-system/c failed without an answer from the API server: socket hang up',
    );
  });
});
