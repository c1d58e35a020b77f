// Regenerates assets/schema/cluster.schema.json from the zod schema:
//   node_modules/.bin/node assets/src/config/generate-json-schema.ts
// json-schema.test.ts fails while the committed file differs from the output.
import { relative } from 'node:path';
import { writeFileAtomic } from '@strata/host';
import { CLUSTER_SCHEMA_PATH, renderClusterConfigJsonSchema } from './json-schema.ts';

await writeFileAtomic(CLUSTER_SCHEMA_PATH, renderClusterConfigJsonSchema());
process.stdout.write(`wrote ${relative(process.cwd(), CLUSTER_SCHEMA_PATH)}\n`);
