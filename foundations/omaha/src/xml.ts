import { XMLParser } from 'fast-xml-parser';

/**
 * A parser that keeps attributes as strings under '@' and repeated elements as arrays. Only XML's five predefined
 * entities remain possible: both readers refuse any `<!` before parsing, so no DTD reaches it.
 */
export function omahaXmlParser(options: { readonly arrays: readonly string[]; readonly maxNestedTags: number }) {
  const arrays = new Set(options.arrays);
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    attributesGroupName: '@',
    parseAttributeValue: false,
    parseTagValue: false,
    processEntities: true,
    htmlEntities: false,
    allowBooleanAttributes: false,
    maxNestedTags: options.maxNestedTags,
    isArray: (name) => arrays.has(name),
  });
}

/** An attribute value as XML text, safe inside double quotes. */
export const escapeAttribute = (value: string): string =>
  value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
