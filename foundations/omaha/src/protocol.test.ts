import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baseErrorCode, ERROR_CODE, ERROR_CODE_FLAG, ERROR_CODE_ROLLBACK, errorCodeWithFlags } from './protocol.ts';

describe('baseErrorCode', () => {
  it('masks the four flag bits, whichever are set', () => {
    for (const flags of [0, 1 << 28, 1 << 29, 1 << 30, 1 << 31, 0xf0000000])
      assert.equal(baseErrorCode((ERROR_CODE_ROLLBACK | flags) >> 0), ERROR_CODE_ROLLBACK, `flags ${flags}`);
  });

  it('reads a code printed as unsigned the same as one printed as signed', () => {
    assert.equal(baseErrorCode(2147483692), 44);
    assert.equal(baseErrorCode(-2147483604), 44);
  });

  it('keeps a code without flags', () => assert.equal(baseErrorCode(34), 34));
});

describe('errorCodeWithFlags', () => {
  it('prints a code with the top flag bit as update_engine does, negative, and masks back to the base', () => {
    const code = errorCodeWithFlags(ERROR_CODE.rollback, ERROR_CODE_FLAG.devMode);
    assert.equal(code, -2147483604);
    assert.equal(baseErrorCode(code), ERROR_CODE.rollback);
  });

  it('combines several flags and keeps the base code', () => {
    const code = errorCodeWithFlags(ERROR_CODE.payloadHashMismatch, ERROR_CODE_FLAG.resumed, ERROR_CODE_FLAG.testImage);
    assert.equal(code, ERROR_CODE.payloadHashMismatch | (1 << 30) | (1 << 29));
    assert.equal(baseErrorCode(code), ERROR_CODE.payloadHashMismatch);
  });
});
