import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { structuralSchema } from './structural-schema.ts';

describe('structuralSchema', () => {
  it('gives a field-less marker object no empty properties, as the API server stores none', () => {
    const schema = structuralSchema(z.strictObject({ disabled: z.strictObject({}).optional(), name: z.string() }));
    const properties = schema['properties'] as Record<string, Record<string, unknown>>;
    assert.deepEqual(properties['disabled'], { type: 'object' });
    assert.deepEqual(properties['name'], { type: 'string' });
  });
});
