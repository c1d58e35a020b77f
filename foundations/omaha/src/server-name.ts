/** The `server` attribute of every response, so a machine's logs say who answered. */
export const OMAHA_PROTOCOL_SERVER = 'strata-update-server';
