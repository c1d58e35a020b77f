export { bootWithCheck, CHECK_PREFIX, CHECK_UNIT, type BootMarks, type BootOptions, type CheckedBoot } from './boot.ts';
