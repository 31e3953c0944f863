/**
 * Typed errors of the stepper. Every error that bad input can cause is one of
 * these: a user can act on `shortMessage`, and `kind` is stable for tools
 * (the CLI prints it as `{"error": {"kind", "message"}}`).
 *
 * Traps are NOT errors: a trap is a terminal machine state (see spec/EXECUTION.md).
 */
export type StepperErrorKind =
  | "malformed"
  | "invalid"
  | "unsupported"
  | "link"
  | "usage"
  | "limit";

export interface StepperErrorOptions {
  /** Section name where the problem was found (for module errors). */
  section?: string;
  /** Byte offset in the Wasm binary. */
  offset?: number;
  /** Function index (in the function index space, imports included). */
  funcIndex?: number;
  /** Function name from the name section or the exports, when known. */
  funcName?: string;
  /** Feature name, for unsupported-feature errors (e.g. "f32", "simd"). */
  feature?: string;
  cause?: unknown;
}

export class StepperError extends Error {
  override name = "StepperError";
  readonly kind: StepperErrorKind;
  readonly shortMessage: string;
  readonly section?: string;
  readonly offset?: number;
  readonly funcIndex?: number;
  readonly funcName?: string;
  readonly feature?: string;

  constructor(kind: StepperErrorKind, shortMessage: string, opts: StepperErrorOptions = {}) {
    super(formatMessage(shortMessage, opts), opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.kind = kind;
    this.shortMessage = shortMessage;
    this.section = opts.section;
    this.offset = opts.offset;
    this.funcIndex = opts.funcIndex;
    this.funcName = opts.funcName;
    this.feature = opts.feature;
  }
}

function formatMessage(msg: string, o: StepperErrorOptions): string {
  const where: string[] = [];
  if (o.feature !== undefined) where.push(`feature ${o.feature}`);
  if (o.section !== undefined) where.push(`section ${o.section}`);
  if (o.funcIndex !== undefined) where.push(`function ${o.funcIndex}${o.funcName ? ` (${o.funcName})` : ""}`);
  if (o.offset !== undefined) where.push(`offset 0x${o.offset.toString(16)}`);
  return where.length ? `${msg} [${where.join(", ")}]` : msg;
}

/** The binary is not a well-formed Wasm module (bad magic, truncated, bad LEB128, ...). */
export class MalformedModuleError extends StepperError {
  override name = "MalformedModuleError";
  constructor(msg: string, opts: StepperErrorOptions = {}) {
    super("malformed", msg, opts);
  }
}

/** The module is well-formed but fails validation (type mismatch, bad index, ...). */
export class InvalidModuleError extends StepperError {
  override name = "InvalidModuleError";
  constructor(msg: string, opts: StepperErrorOptions = {}) {
    super("invalid", msg, opts);
  }
}

/** The module uses a feature outside the deterministic subset (floats, SIMD, threads, ...). */
export class UnsupportedFeatureError extends StepperError {
  override name = "UnsupportedFeatureError";
  constructor(feature: string, msg: string, opts: StepperErrorOptions = {}) {
    super("unsupported", msg, { ...opts, feature });
  }
}

/** Imports or exports do not match what the machine provides (unknown import, missing entry). */
export class LinkError extends StepperError {
  override name = "LinkError";
  constructor(msg: string, opts: StepperErrorOptions = {}) {
    super("link", msg, opts);
  }
}

/** The caller used the API or CLI wrongly (bad argument syntax, unknown export, ...). */
export class UsageError extends StepperError {
  override name = "UsageError";
  constructor(msg: string, opts: StepperErrorOptions = {}) {
    super("usage", msg, opts);
  }
}
