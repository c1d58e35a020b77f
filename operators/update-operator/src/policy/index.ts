// Window maths, budget resolution and node selection of an UpdatePolicy.
export { PolicyValueError } from './errors.ts';
export { resolveMaxUnavailable } from './max-unavailable.ts';
export { selectorMatches } from './label-selector.ts';
export { windowState, type WindowState } from './reboot-windows.ts';
