/**
 * The QuickJS engine one sandbox worker owns (docs/sandbox.md says why QuickJS, why in a worker).
 * User JavaScript runs in a QuickJS interpreter compiled to WebAssembly: a separate heap in its own
 * linear memory, with no host function, object or module ever handed to it, so there is nothing to
 * reach beyond the ECMAScript built-ins. Strings are the only thing that crosses: payload and
 * header texts in, result texts out.
 *
 * Limits: every script invocation (one fact) has a deadline enforced by QuickJS's interrupt hook;
 * the engine's whole WebAssembly memory is capped, so an allocation beyond it fails inside the
 * script with "out of memory". QuickJS's own malloc limit is not used: this build cannot measure
 * allocation sizes (no malloc_usable_size), so it counts allocations, not bytes. After a breach the
 * engine is discarded (the worker exits and the pool starts a new one): its memory stays grown and
 * its state is not to be trusted.
 */
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSContext,
  type QuickJSHandle,
} from "quickjs-emscripten-core";
import variant from "@jitl/quickjs-wasmfile-release-sync";
import type { EngineFailure, SandboxLimits } from "./protocol";
import type { Program } from "./scripts";

// WebAssembly pages are 64 KiB; this build links against at least 256 of them (16 MiB).
const PAGE_BYTES = 64 * 1024;
const MIN_PAGES = 256;
// QuickJS's own stack bound: 256 KiB gives ~1,500 nested calls and ~20,000 nested JSON levels, and
// measured in a worker (4 MiB native stack) it always fails inside QuickJS as a RangeError. Larger
// values let deep recursion overflow the native stack first, which kills the engine.
const QUICKJS_STACK_BYTES = 256 * 1024;
// Compiled scripts kept per engine. A context costs ~100 KB; subscriptions with their own filter
// scripts come and go, so the least recently used context is disposed beyond this.
const MAX_CONTEXTS = 64;
// How long one run call keeps starting new items (see run()): short beside any time limit, long
// enough that a batch crosses into WebAssembly a few times rather than once per fact.
const RUN_BUDGET_MS = 10;

/** A script compiled into its own context, with the functions the host calls. */
interface Compiled {
  context: QuickJSContext;
  /** load(batchText): keeps the parsed batch; returns its length. */
  load: QuickJSHandle;
  /** run(from, budgetMs): works through the batch from item `from`; "<count>\n<results>". */
  run: QuickJSHandle;
  /** where(): "<item> <step>" running when the last call ended. */
  where: QuickJSHandle;
}

/** A broken limit or host-level failure: the engine must not be used again. */
export class EngineBroken extends Error {
  constructor(
    readonly failure: EngineFailure,
    /** The item running when it broke; -1 when none was. */
    readonly index = -1,
  ) {
    super(failure.message);
  }
}

/** What one run call did: `count` more items done, their results in `text`; or where it failed. */
export type RunOutcome =
  { ok: true; count: number; text: string } | { ok: false; failure: EngineFailure; index: number; step: number };

export class QuickJsEngine {
  private deadline = Infinity;
  private readonly contexts = new Map<string, Compiled>();
  /** Where each user source begins in its context's script (Program.starts), for error positions. */
  private readonly starts = new WeakMap<QuickJSContext, readonly number[]>();

  private constructor(
    private readonly runtime: import("quickjs-emscripten-core").QuickJSRuntime,
    private readonly limits: SandboxLimits,
    private readonly memory: WebAssembly.Memory,
  ) {}

  static async create(limits: SandboxLimits): Promise<QuickJsEngine> {
    const maxPages = Math.max(MIN_PAGES, Math.floor(limits.memoryBytes / PAGE_BYTES));
    const memory = new WebAssembly.Memory({ initial: MIN_PAGES, maximum: maxPages });
    const module = await newQuickJSWASMModuleFromVariant(newVariant(variant, { wasmMemory: memory }));
    const runtime = module.newRuntime();
    runtime.setMaxStackSize(QUICKJS_STACK_BYTES);
    const engine = new QuickJsEngine(runtime, limits, memory);
    runtime.setInterruptHandler(() => performance.now() > engine.deadline);
    fastStringCopy((runtime as unknown as { module: EmscriptenStrings }).module);
    return engine;
  }

  /** Bytes of WebAssembly memory the engine holds (it grows up to the limit and never shrinks). */
  memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /**
   * Compiles a program (store/sandbox/scripts.ts) into a context of its own, once per key: the
   * wrapper, then the user's script, handed to the wrapper's install(). Returns a failure when the
   * script does not compile, throws, or is not what the wrapper expects.
   */
  compile(key: string, program: Program): EngineFailure | undefined {
    const known = this.contexts.get(key);
    if (known) {
      // Most recently used last: the Map's order is the eviction order.
      this.contexts.delete(key);
      this.contexts.set(key, known);
      return undefined;
    }
    const context = this.runtime.newContext();
    this.starts.set(context, program.starts);
    try {
      this.contexts.set(key, this.install(context, program));
    } catch (err) {
      context.dispose();
      if (err instanceof EngineBroken) throw err;
      const failure = err as EngineFailure;
      if (failure.kind === "timeout" || failure.kind === "memory") throw new EngineBroken(failure);
      return { kind: "compile", message: failure.message };
    }
    while (this.contexts.size > MAX_CONTEXTS) {
      const [oldest, entry] = this.contexts.entries().next().value!;
      this.contexts.delete(oldest);
      disposeCompiled(entry);
    }
    return undefined;
  }

  /** The wrapper, then the user's script handed to its install(); throws an EngineFailure. */
  private install(context: QuickJSContext, program: Program): Compiled {
    const api = this.evaluate(context, program.wrapper, "wrapper.js");
    try {
      const user = this.evaluate(context, program.user, "script.js");
      const install = context.getProp(api, "install");
      try {
        const installed = this.invoke(context, install, [user]);
        if (!installed.ok) throw installed.failure;
      } finally {
        install.dispose();
        user.dispose();
      }
      return {
        context,
        load: context.getProp(api, "load"),
        run: context.getProp(api, "run"),
        where: context.getProp(api, "where"),
      };
    } finally {
      api.dispose();
    }
  }

  /** Evaluates a global script within the time limit; its value, or throws its EngineFailure. */
  private evaluate(context: QuickJSContext, code: string, filename: string): QuickJSHandle {
    this.deadline = performance.now() + this.limits.timeMs;
    let result;
    try {
      result = context.evalCode(code, filename, { type: "global" });
    } catch (err) {
      throw this.broken(err);
    } finally {
      this.deadline = Infinity;
    }
    if (result.error) {
      const failure = this.describe(context, result.error, "compile");
      result.error.dispose();
      throw failure;
    }
    return result.value;
  }

  /** Hands a batch (a JSON array text) to a compiled script; returns how many items it holds. */
  load(key: string, batchText: string): number {
    const compiled = this.contexts.get(key)!;
    const { context } = compiled;
    const text = context.newString(batchText);
    try {
      const result = this.invoke(compiled.context, compiled.load, [text]);
      if (!result.ok) throw new EngineBroken(result.failure);
      return result.value as number;
    } finally {
      text.dispose();
    }
  }

  /**
   * Runs the loaded batch from item `from` in one call. The call's deadline is the per-invocation
   * limit plus RUN_BUDGET_MS, and the wrapper starts no item after RUN_BUDGET_MS: so every item has
   * at least the full limit, and a batch needs one call per RUN_BUDGET_MS of work instead of one
   * per item (a call across the WebAssembly boundary costs ~6 µs, an eighth of a typical item).
   */
  run(key: string, from: number, onCall: () => void): RunOutcome {
    const compiled = this.contexts.get(key)!;
    const { context } = compiled;
    const args = [context.newNumber(from), context.newNumber(RUN_BUDGET_MS)];
    try {
      onCall();
      const result = this.invoke(context, compiled.run, args, this.limits.timeMs + RUN_BUDGET_MS);
      if (!result.ok) {
        const [index, step] = this.where(compiled);
        if (result.failure.kind === "timeout" || result.failure.kind === "memory") {
          throw new EngineBroken(result.failure, index);
        }
        return { ok: false, failure: result.failure, index, step };
      }
      const text = result.value as string;
      const newline = text.indexOf("\n");
      return { ok: true, count: Number(text.slice(0, newline)), text: text.slice(newline + 1) };
    } finally {
      for (const arg of args) arg.dispose();
    }
  }

  /** Drops a loaded batch so its memory is free for the next one. */
  unload(key: string): void {
    const compiled = this.contexts.get(key);
    if (!compiled) return;
    const result = this.invoke(compiled.context, compiled.load, [compiled.context.null]);
    if (!result.ok) throw new EngineBroken(result.failure);
  }

  /** [item, step] running when the last call ended; [-1, -1] when that cannot be read. */
  private where(compiled: Compiled): [number, number] {
    try {
      const result = this.invoke(compiled.context, compiled.where, []);
      if (!result.ok) return [-1, -1];
      const [index, step] = String(result.value).split(" ").map(Number);
      return [index, step];
    } catch {
      return [-1, -1];
    }
  }

  private invoke(
    context: QuickJSContext,
    fn: QuickJSHandle,
    args: QuickJSHandle[],
    timeMs = this.limits.timeMs,
  ): { ok: true; value: unknown } | { ok: false; failure: EngineFailure } {
    this.deadline = performance.now() + timeMs;
    let result;
    try {
      result = context.callFunction(fn, context.undefined, args);
    } catch (err) {
      // A host-level error (e.g. the native stack overflowed inside WebAssembly) leaves QuickJS's
      // C state unwound half-way: nothing in this engine can be trusted afterwards.
      throw this.broken(err);
    } finally {
      this.deadline = Infinity;
    }
    if (result.error) {
      const failure = this.describe(context, result.error, "error");
      result.error.dispose();
      return { ok: false, failure };
    }
    const handle = result.value;
    try {
      const type = context.typeof(handle);
      if (type === "string") return { ok: true, value: context.getString(handle) };
      if (type === "number") return { ok: true, value: context.getNumber(handle) };
      if (type === "boolean") return { ok: true, value: context.dump(handle) as boolean };
      return { ok: true, value: undefined };
    } finally {
      handle.dispose();
    }
  }

  /** Classifies what a script threw: the interrupt, out of memory, or its own error. */
  private describe(context: QuickJSContext, error: QuickJSHandle, otherwise: "compile" | "error"): EngineFailure {
    const dumped = context.dump(error) as unknown;
    const name = isErrorLike(dumped) ? String(dumped.name ?? "Error") : "";
    const message = isErrorLike(dumped) ? String(dumped.message ?? "") : stringify(dumped);
    if (name === "InternalError" && message === "interrupted") {
      return { kind: "timeout", message: `exceeded the sandbox time limit of ${this.limits.timeMs} ms per call` };
    }
    if (message === "out of memory" || (name === "InternalError" && /out of memory/i.test(message))) {
      return { kind: "memory", message: `exceeded the sandbox memory limit of ${mib(this.limits.memoryBytes)} MB` };
    }
    if (/stack overflow|call stack/i.test(message)) {
      return { kind: otherwise, message: `${name}: ${message} (recursion too deep for the sandbox's stack)` };
    }
    const where =
      isErrorLike(dumped) && typeof dumped.stack === "string"
        ? scriptPosition(dumped.stack, this.starts.get(context) ?? [1])
        : "";
    return { kind: otherwise, message: `${name ? `${name}: ` : "threw "}${message}${where}` };
  }

  private broken(err: unknown): EngineBroken {
    const message = (err as Error)?.message ?? String(err);
    if (/memory|Aborted/i.test(message)) {
      return new EngineBroken({
        kind: "memory",
        message: `exceeded the sandbox memory limit of ${mib(this.limits.memoryBytes)} MB`,
      });
    }
    if (/call stack/i.test(message)) {
      return new EngineBroken({ kind: "error", message: "RangeError: recursion too deep for the sandbox's stack" });
    }
    return new EngineBroken({ kind: "crash", message: `the sandbox engine failed: ${message}` });
  }
}

function disposeCompiled(c: Compiled): void {
  c.load.dispose();
  c.run.dispose();
  c.where.dispose();
  c.context.dispose();
}

function isErrorLike(value: unknown): value is { name?: unknown; message?: unknown; stack?: unknown } {
  return typeof value === "object" && value !== null && "message" in value;
}

function stringify(value: unknown): string {
  try {
    return typeof value === "string" ? JSON.stringify(value) : String(JSON.stringify(value));
  } catch {
    return String(value);
  }
}

/**
 * " (line 3, column 14)" (" (step 2, line 3, column 14)" in a chain) from QuickJS's stack text,
 * counted within the user's own source rather than the script the sandbox built around it.
 */
function scriptPosition(stack: string, starts: readonly number[]): string {
  const m = /script\.js:(\d+):(\d+)/.exec(stack);
  if (!m) return "";
  const line = Number(m[1]);
  let part = starts.length - 1;
  while (part > 0 && starts[part] > line) part--;
  const step = starts.length > 1 ? `step ${part + 1}, ` : "";
  return ` (${step}line ${Math.max(1, line - starts[part] + 1)}, column ${m[2]})`;
}

function mib(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}

interface EmscriptenStrings {
  HEAPU8: Uint8Array;
  lengthBytesUTF8(text: string): number;
  stringToUTF8(text: string, pointer: number, maxBytes: number): number;
  UTF8ToString(pointer: number, maxBytes?: number): string;
}

/**
 * Emscripten copies strings into and out of WebAssembly memory one character at a time in
 * JavaScript (~10 µs per 1 KB payload, a quarter of a transformation's cost); Buffer's native UTF-8
 * codec does the same copy in well under a microsecond. Same contract: NUL-terminated UTF-8.
 */
function fastStringCopy(module: EmscriptenStrings): void {
  const heap = () => Buffer.from(module.HEAPU8.buffer, module.HEAPU8.byteOffset, module.HEAPU8.byteLength);
  module.lengthBytesUTF8 = (text) => Buffer.byteLength(text, "utf8");
  module.stringToUTF8 = (text, pointer, maxBytes) => {
    const written = heap().write(text, pointer, maxBytes - 1, "utf8");
    module.HEAPU8[pointer + written] = 0;
    return written;
  };
  module.UTF8ToString = (pointer, maxBytes) => {
    const bytes = module.HEAPU8;
    let end = bytes.indexOf(0, pointer);
    if (end < 0) end = bytes.length;
    if (maxBytes !== undefined && end > pointer + maxBytes) end = pointer + maxBytes;
    return heap().toString("utf8", pointer, end);
  };
}
