// The time zones a reboot window may name. The operator computes windows with Intl (ICU's copy of the IANA database
// in the Node.js runtime), so the names offered are exactly those it can compute with; the CRD lists the same names,
// so the API server refuses any other. The list depends on the Node.js version's ICU data: the repository pins Node.js
// 24 (package.json), and the operator image runs the same runtime.

/**
 * Current IANA names that ICU still lists under an older name for stability (it lists Asia/Calcutta, not
 * Asia/Kolkata). Intl accepts both; Intl.supportedValuesOf offers only the older one. Derived by comparing tzdata
 * 2025b's Zone entries with Intl.supportedValuesOf('timeZone') under Node.js 24.21 (ICU 78.3); a unit test checks
 * that Intl accepts each of them.
 */
const CURRENT_NAMES_ICU_LISTS_UNDER_OLDER_ONES = [
  'Africa/Asmara',
  'America/Argentina/Buenos_Aires',
  'America/Argentina/Catamarca',
  'America/Argentina/Cordoba',
  'America/Argentina/Jujuy',
  'America/Argentina/Mendoza',
  'America/Atikokan',
  'America/Indiana/Indianapolis',
  'America/Kentucky/Louisville',
  'America/Nuuk',
  'Asia/Ho_Chi_Minh',
  'Asia/Kathmandu',
  'Asia/Kolkata',
  'Asia/Yangon',
  'Atlantic/Faroe',
  'Europe/Kyiv',
  'Pacific/Chuuk',
  'Pacific/Kanton',
  'Pacific/Pohnpei',
] as const;

/** Coordinated Universal Time under the names people write; Intl lists neither among the region names. */
const UTC_NAMES = ['UTC', 'Etc/UTC'] as const;

function accepted(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    // A RangeError is Intl's only way of saying it does not know the zone.
    return false;
  }
}

/** Every time zone name a reboot window accepts, sorted. */
export const TIME_ZONES: readonly string[] = [
  ...new Set([...Intl.supportedValuesOf('timeZone'), ...UTC_NAMES, ...CURRENT_NAMES_ICU_LISTS_UNDER_OLDER_ONES]),
]
  .filter(accepted)
  .sort();

const TIME_ZONE_SET: ReadonlySet<string> = new Set(TIME_ZONES);

export function isTimeZone(name: string): boolean {
  return TIME_ZONE_SET.has(name);
}
