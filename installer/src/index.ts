// @strata/installer is used through its `strata` command; it has no library API yet.
export { version } from './version.ts';
