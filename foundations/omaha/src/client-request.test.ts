import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildOmahaRequest } from './client-request.ts';
import { ERROR_CODE, ERROR_CODE_FLAG, errorCodeWithFlags, EVENT_RESULT, EVENT_TYPE } from './protocol.ts';
import { parseOmahaRequest } from './request.ts';
import { aClientMachine, goldenVector } from './testing/index.ts';

const bootedAfterUpdate = '{0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}';

describe('buildOmahaRequest: byte for byte as update_engine writes the golden requests', () => {
  it('writes an update check with ping and the 3/2 event every check carries', () => {
    const xml = buildOmahaRequest({
      machine: aClientMachine(),
      updateCheck: true,
      events: [{ type: EVENT_TYPE.updateComplete, result: EVENT_RESULT.successReboot, previousVersion: '' }],
    });
    assert.equal(xml, goldenVector('update-check.request.xml'));
  });

  it('writes an event report (download started) without ping or updatecheck', () => {
    const xml = buildOmahaRequest({
      machine: aClientMachine(),
      updateCheck: false,
      events: [{ type: EVENT_TYPE.downloadStarted, result: EVENT_RESULT.success }],
    });
    assert.equal(xml, goldenVector('download-started.request.xml'));
  });

  it('writes the first check after the reboot with the previous version', () => {
    const xml = buildOmahaRequest({
      machine: aClientMachine({ version: '3374.2.1', osServicePack: '3374.2.1_x86_64', bootId: bootedAfterUpdate }),
      updateCheck: true,
      events: [{ type: EVENT_TYPE.updateComplete, result: EVENT_RESULT.successReboot, previousVersion: '3374.2.0' }],
    });
    assert.equal(xml, goldenVector('updated.request.xml'));
  });

  it('writes a rollback with its flag bits as a negative signed integer', () => {
    const xml = buildOmahaRequest({
      machine: aClientMachine({ bootId: bootedAfterUpdate }),
      updateCheck: false,
      events: [
        {
          type: EVENT_TYPE.updateComplete,
          result: EVENT_RESULT.error,
          errorCode: errorCodeWithFlags(ERROR_CODE.rollback, ERROR_CODE_FLAG.devMode),
        },
      ],
    });
    assert.equal(xml, goldenVector('rollback.request.xml'));
  });
});

describe('buildOmahaRequest → parseOmahaRequest: the server reads what the client wrote', () => {
  it('round-trips every field, and a quote in the group or alias stays well-formed', () => {
    const machine = aClientMachine({ track: 'team "blue"', machineAlias: `Bob's <db> & "box"` });
    const events = [
      { type: EVENT_TYPE.updateComplete, result: EVENT_RESULT.error, errorCode: ERROR_CODE.payloadHashMismatch },
      { type: EVENT_TYPE.updateComplete, result: EVENT_RESULT.successReboot, previousVersion: '3374.1.0' },
    ];
    const request = parseOmahaRequest(buildOmahaRequest({ machine, updateCheck: true, events }));
    assert.equal(request.repaired, false, 'nothing to repair: the client escapes');
    assert.deepEqual(request.os, { platform: 'CoreOS', version: machine.osVersion, sp: machine.osServicePack });
    assert.deepEqual(request.apps, [
      {
        appId: machine.appId,
        version: machine.version,
        track: machine.track,
        machineId: machine.machineId,
        machineAlias: machine.machineAlias,
        bootId: machine.bootId,
        oem: machine.oem,
        board: machine.board,
        ping: true,
        updateCheck: true,
        events: [
          { type: 3, result: 0, errorCode: ERROR_CODE.payloadHashMismatch, previousVersion: '' },
          { type: 3, result: 2, errorCode: undefined, previousVersion: '3374.1.0' },
        ],
      },
    ]);
  });
});
