// The console server's own log: pino's JSON lines on stdout, beside Next.js's. Entries name users, providers and
// reasons; never a token, a secret or a cookie value.
import { pino } from 'pino';

export const log = pino({ name: 'strata-console' });
