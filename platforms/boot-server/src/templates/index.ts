export { GoTemplate, renderGoTemplate } from './template.ts';
export { DEFAULT_LIMITS, type ExecutionLimits } from './exec.ts';
export { templateData } from './template-data.ts';
export { formatValue, formatFloat, StringMap, type GoObject, type GoValue } from './values.ts';
export { FUNCTION_NAMES } from './builtins.ts';
