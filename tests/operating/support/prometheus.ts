// A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: it refuses
// what promtool's parser refuses — a sample before its family's TYPE, names or labels outside the
// grammar, bad escapes, values that are not numbers, a series twice, a histogram whose buckets are
// not cumulative or whose +Inf bucket differs from _count — and returns every sample.
// (prom-client writes the format but has no parser; the npm parsers are lenient and unmaintained.)

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
  /** The value of one series; 0 when absent (a labelled counter appears on first increment). */
  value(name: string, labels?: Record<string, string>): number;
  /** The sum over every series of `name` whose labels include `labels`. */
  sum(name: string, labels?: Record<string, string>): number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Record<string, string[]> = {
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["_sum", "_count", ""],
};

export function parsePrometheusText(text: string): Exposition {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  const lines = text.split("\n");
  if (lines[lines.length - 1] !== "") throw new Error("the exposition must end with a line feed");
  lines.forEach((line, i) => {
    const at = `line ${i + 1}: ${JSON.stringify(line.slice(0, 120))}`;
    if (line === "") return;
    if (line.startsWith("#")) {
      const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!meta) return; // a plain comment
      const [, kind, name, rest] = meta;
      if (!METRIC_NAME.test(name)) throw new Error(`${at}: bad metric name`);
      if (kind === "TYPE") {
        if (!TYPES.has(rest)) throw new Error(`${at}: unknown type`);
        if (types.has(name)) throw new Error(`${at}: second TYPE for ${name}`);
        if (samples.some((s) => familyOf(s.name, types) === name)) throw new Error(`${at}: TYPE after samples`);
        types.set(name, rest);
      } else {
        if (helps.has(name)) throw new Error(`${at}: second HELP for ${name}`);
        if (/\\(?![\\n])/.test(rest)) throw new Error(`${at}: bad escape in HELP`);
        helps.add(name);
      }
      return;
    }
    const sample = parseSample(line, at);
    const family = familyOf(sample.name, types);
    if (!family) throw new Error(`${at}: sample of a metric without TYPE`);
    const key = `${sample.name}{${Object.entries(sample.labels)
      .sort()
      .map(([k, v]) => `${k}=${v}`)
      .join(",")}}`;
    if (seen.has(key)) throw new Error(`${at}: series ${key} appears twice`);
    seen.add(key);
    samples.push(sample);
  });
  checkHistograms(types, samples);

  const matches = (s: Sample, name: string, labels: Record<string, string>) =>
    s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v);
  return {
    types,
    samples,
    value(name, labels = {}) {
      const found = samples.filter(
        (s) => matches(s, name, labels) && Object.keys(s.labels).length === Object.keys(labels).length,
      );
      if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} names ${found.length} series`);
      return found[0]?.value ?? 0;
    },
    sum(name, labels = {}) {
      return samples.filter((s) => matches(s, name, labels)).reduce((n, s) => n + s.value, 0);
    },
  };
}

function familyOf(name: string, types: Map<string, string>): string | undefined {
  // A histogram has no sample of its own name, only _bucket, _sum and _count.
  if (types.has(name) && types.get(name) !== "histogram") return name;
  for (const [family, type] of types) {
    for (const suffix of SUFFIXES[type] ?? []) if (suffix && name === family + suffix) return family;
  }
  return undefined;
}

function parseSample(line: string, at: string): Sample {
  const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!head) throw new Error(`${at}: bad metric name`);
  const name = head[1];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    while (!rest.startsWith("}")) {
      const label = /^([^=]+)="/.exec(rest);
      if (!label || !LABEL_NAME.test(label[1])) throw new Error(`${at}: bad label name`);
      rest = rest.slice(label[0].length);
      let value = "";
      for (;;) {
        if (rest === "") throw new Error(`${at}: unterminated label value`);
        const c = rest[0];
        if (c === '"') break;
        if (c === "\\") {
          const e = rest[1];
          if (e === "\\" || e === '"') value += e;
          else if (e === "n") value += "\n";
          else throw new Error(`${at}: bad escape in a label value`);
          rest = rest.slice(2);
        } else {
          value += c;
          rest = rest.slice(1);
        }
      }
      rest = rest.slice(1);
      if (label[1] in labels) throw new Error(`${at}: label ${label[1]} twice`);
      labels[label[1]] = value;
      if (rest.startsWith(",")) rest = rest.slice(1);
      else if (!rest.startsWith("}")) throw new Error(`${at}: expected , or } after a label`);
    }
    rest = rest.slice(1);
  }
  const tail = /^ (\S+)( -?\d+)?$/.exec(rest);
  if (!tail) throw new Error(`${at}: expected " <value> [timestamp]"`);
  const raw = tail[1];
  // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case (prom-client writes "Nan").
  if (!/^(nan|[+-]?inf(inity)?|[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?)$/i.test(raw)) {
    throw new Error(`${at}: value is not a number`);
  }
  const special = raw.toLowerCase().replace(/^\+/, "");
  const value =
    special === "nan" ? NaN : /^-?inf/.test(special) ? (special.startsWith("-") ? -Infinity : Infinity) : Number(raw);
  return { name, labels, value };
}

/** Buckets cumulative and in order of `le`, ending in +Inf equal to _count, per series. */
function checkHistograms(types: Map<string, string>, samples: Sample[]): void {
  for (const [family, type] of types) {
    if (type !== "histogram") continue;
    const series = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
    const keyOf = (labels: Record<string, string>) =>
      JSON.stringify(
        Object.entries(labels)
          .filter(([k]) => k !== "le")
          .sort(),
      );
    for (const s of samples) {
      if (s.name === `${family}_bucket`) {
        if (s.labels.le === undefined) throw new Error(`${family}_bucket without le`);
        const entry = series.get(keyOf(s.labels)) ?? { buckets: [] };
        entry.buckets.push([s.labels.le === "+Inf" ? Infinity : Number(s.labels.le), s.value]);
        series.set(keyOf(s.labels), entry);
      } else if (s.name === `${family}_count`) {
        const entry = series.get(keyOf(s.labels)) ?? { buckets: [] };
        entry.count = s.value;
        series.set(keyOf(s.labels), entry);
      }
    }
    for (const [key, { buckets, count }] of series) {
      for (let i = 1; i < buckets.length; i++) {
        if (!(buckets[i][0] > buckets[i - 1][0])) throw new Error(`${family}${key}: buckets out of order`);
        if (buckets[i][1] < buckets[i - 1][1]) throw new Error(`${family}${key}: buckets not cumulative`);
      }
      const last = buckets[buckets.length - 1];
      if (!last || last[0] !== Infinity) throw new Error(`${family}${key}: no +Inf bucket`);
      if (last[1] !== count) throw new Error(`${family}${key}: +Inf bucket ${last[1]} but _count ${count}`);
    }
  }
}
