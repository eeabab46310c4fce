/** The markdown table printed at the end of a run (and pasted into docs/performance.md). */
import type { Figure, Results } from "../measure";

function number(x: number, unit: string): string {
  if (!Number.isFinite(x)) return "–";
  if (unit === "facts/s") return Math.round(x).toLocaleString("en");
  // Shares near 100 % are what the targets are about (99.9 %): keep the digits that tell them apart.
  if (unit === "%" && x >= 99 && x < 100) return x.toFixed(2);
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function spread(f: Figure): string {
  const s = f.summary;
  if (s.n < 2) return "(1 sample)";
  return `${number(s.min, f.unit)}–${number(s.max, f.unit)}`;
}

function ratios(f: Figure, which: "raw" | "emmett"): string {
  const picked = (f.comparisons ?? []).filter((c) =>
    which === "emmett" ? c.label === "Emmett" : c.label !== "Emmett",
  );
  return picked
    .map((c) => `${c.ratio.toFixed(2)}× ${which === "raw" ? c.label.replace("raw ", "") : ""}`.trim())
    .join(", ");
}

function targets(f: Figure): string {
  return (f.targets ?? []).map((t) => `${t.met ? "✅ met" : "❌ missed"} ${t.text}`).join("; ");
}

function cpu(f: Figure): string {
  if (!f.cpu) return "";
  const parts = [`client ${f.cpu.client.toFixed(2)}`];
  if (f.cpu.store !== undefined) parts.push(`store ${f.cpu.store.toFixed(2)}`);
  if (f.cpu.postgres !== undefined) parts.push(`PG ${f.cpu.postgres.toFixed(2)}`);
  const perOp = f.cpu.clientMsPerOp !== undefined ? `; client ${f.cpu.clientMsPerOp} ms/op` : "";
  const perFact = f.cpu.storeUsPerFact !== undefined ? `; store ${f.cpu.storeUsPerFact} µs/fact` : "";
  return `${parts.join(" · ")} cores${perOp}${perFact}`;
}

const escape = (s: string) => s.replace(/\|/g, "\\|");

/** One row per figure, grouped by scenario in the order they ran; unavailable parts listed last. */
export function markdownTable(results: Results): string {
  const lines = [
    "| Scenario | Figure | System | Median | Spread (min–max) | vs raw PostgreSQL | vs Emmett | Target | Client | CPU while measured |",
    "|---|---|---|---:|---:|---|---|---|---|---|",
  ];
  for (const f of results.figures) {
    const cells = [
      f.scenario,
      f.name,
      f.system,
      `${number(f.summary.median, f.unit)} ${f.unit}`,
      spread(f),
      ratios(f, "raw"),
      ratios(f, "emmett"),
      targets(f),
      f.client,
      cpu(f) + (f.note ? ` — ${f.note}` : ""),
    ];
    lines.push(`| ${cells.map(escape).join(" | ")} |`);
  }
  for (const u of results.unavailable) {
    lines.push(`| ${escape(u.scenario)} | ${escape(u.name)} | – | not available | | | | | | ${escape(u.reason)} |`);
  }
  return lines.join("\n");
}
