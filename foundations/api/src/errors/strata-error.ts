/**
 * Base class of every error Strata raises on purpose. `context` names the
 * resource, field or server answer involved so that a caller can report the
 * problem precisely without parsing the message.
 */
export class StrataError extends Error {
  readonly context: Readonly<Record<string, unknown>>;

  constructor(message: string, context: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.context = context;
  }
}
