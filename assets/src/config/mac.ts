import type { Problem } from './problem.ts';

// The forms tools print: Linux and macOS (aa:bb:..), Windows (AA-BB-..),
// Cisco and some BMCs (aabb.ccdd.eeff), and bare hex from inventory exports.
const MAC_FORMS = [
  /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i,
  /^[0-9a-f]{2}(-[0-9a-f]{2}){5}$/i,
  /^[0-9a-f]{4}(\.[0-9a-f]{4}){2}$/i,
  /^[0-9a-f]{12}$/i,
];

/** The accepted forms as one case-sensitive pattern, for editors. */
export const MAC_PATTERN = new RegExp(
  MAC_FORMS.map((form) => form.source.replaceAll('[0-9a-f]', '[0-9A-Fa-f]')).join('|'),
);

export type MacResult = { readonly ok: true; readonly mac: string } | { readonly ok: false; readonly problem: Problem };

/** Parses a MAC address in any common form into the lower-case colon form that boot servers match on. */
export function parseMac(text: string): MacResult {
  if (!MAC_FORMS.some((form) => form.test(text))) {
    return {
      ok: false,
      problem: {
        message: 'is not a MAC address',
        hint: 'write six hex bytes, e.g. "52:54:00:a1:9c:ae" (also accepted: 52-54-00-A1-9C-AE, 5254.00a1.9cae)',
      },
    };
  }
  const hex = text.replace(/[^0-9a-f]/gi, '').toLowerCase();
  const mac = hex.match(/../g)?.join(':') ?? hex;
  // A network card answering PXE has a unicast address; the group bit means a
  // typo or a copied multicast/broadcast address that no machine will boot with.
  if ((parseInt(hex.slice(0, 2), 16) & 1) === 1) {
    return {
      ok: false,
      problem: {
        message: `${mac} is a multicast address (the lowest bit of the first byte is set)`,
        hint: "copy the machine's NIC address from its BMC or `ip link`",
      },
    };
  }
  if (/^0+$/.test(hex)) {
    return {
      ok: false,
      problem: {
        message: '00:00:00:00:00:00 is not a real MAC address',
        hint: "copy the machine's NIC address from its BMC or `ip link`",
      },
    };
  }
  return { ok: true, mac };
}
