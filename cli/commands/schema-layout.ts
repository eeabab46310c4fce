// Moving registries in and out in FactCast's layouts: a FactCast registry (deployed, or the source
// tree of FactCast's registry CLI) imported from a directory, factline's registry exported to one.
import { Command } from "commander";
import { readRegistryLayout } from "../../factcast/registry-layout/layout";
import { rejectedError, usageError } from "../errors";
import { formatCount } from "../output";
import type { Runtime } from "../runtime";
import { checkExportDir, readRegistryDir, writeRegistryDir } from "../schema/layout-dir";
import { describeKey, inRegistry, registeredBy } from "../schema/registry";

const IMPORT_EXAMPLES = `
Reads FactCast's registry layouts: index.json with <ns>/<type>/<version>/schema.json (what a
FactCast server reads), the same files without index.json, or the source tree of FactCast's
registry CLI, <ns>/<Type>/versions/<n>/schema.json with examples/*.json beside it. Transformations
come along: <ns>/<type>/<from>-<to>/transform.js (the CLI's <ns>/<Type>/transformations/<from>-<to>/),
and index.json's synthetic downcasts without code. Prints how many versions and transformations
were imported, were already registered unchanged, were replaced, or conflict: one registered
differently is left alone and the command exits 2, unless --force replaces it (recorded in its
history). Files FactCast would ignore are named on stderr.

Examples:
  $ factline schema import ./registry
  $ factline schema import ./factcast-schema-registry/src/main/resources/schemas --force
  $ factline schema import ./registry --json | jq .conflicts`;

export function schemaImportCommand(runtime: Runtime): Command {
  return new Command("import")
    .summary("import a FactCast schema registry directory")
    .description(
      "Import every schema and transformation of a FactCast registry directory (deployed or CLI source layout).",
    )
    .argument("<dir>", "the registry's root directory")
    .option("--force", "replace registered versions whose schema differs")
    .addHelpText("after", IMPORT_EXAMPLES)
    .action(async (dir: string, options: { force?: boolean }, cmd: Command) => {
      const { json } = runtime.globals(cmd);
      const files = await readRegistryDir(dir);
      // The store reads the layout again and refuses what it cannot import; read here too only to
      // name, on stderr, the files that would be skipped silently (FactCast ignores them as well).
      const layout = readRegistryLayout(files);
      if (
        layout.schemas.length === 0 &&
        layout.transformations.length === 0 &&
        !layout.problems.some((p) => p.severity === "error")
      ) {
        throw usageError(
          `found no schemas in ${dir}: expected index.json with <ns>/<type>/<version>/schema.json, or <ns>/<Type>/versions/<n>/schema.json`,
        );
      }
      for (const p of layout.problems) if (p.severity === "warning") runtime.note(`${dir}/${p.path}: ${p.message}`);

      const { store } = await runtime.connect(cmd);
      const res = await inRegistry(() =>
        store.registry.importRegistry(
          { files, force: options.force ?? false, registeredBy: registeredBy() },
          { signal: runtime.signal },
        ),
      );
      const conflicts = res.conflicts.map((k) => ({ ns: k.ns, type: k.type, version: k.version }));
      const transformationConflicts = res.transformationConflicts.map((k) => ({
        ns: k.ns,
        type: k.type,
        from: k.fromVersion,
        to: k.toVersion,
      }));
      const transformations = {
        imported: res.transformationsImported,
        unchanged: res.transformationsUnchanged,
        replaced: res.transformationsReplaced,
        conflicts: transformationConflicts,
      };
      if (json) {
        await runtime.stdout.line(
          JSON.stringify({
            imported: res.imported,
            unchanged: res.unchanged,
            replaced: res.replaced,
            conflicts,
            transformations,
          }),
        );
      } else {
        await runtime.stdout.line(
          `imported ${res.imported}, unchanged ${res.unchanged}, replaced ${res.replaced}, conflicts ${conflicts.length}`,
        );
        await runtime.stdout.line(
          `transformations: imported ${transformations.imported}, unchanged ${transformations.unchanged}, ` +
            `replaced ${transformations.replaced}, conflicts ${transformationConflicts.length}`,
        );
        for (const k of conflicts)
          await runtime.stdout.line(`conflict: ${describeKey(k)} is registered with a different schema; left as it is`);
        for (const k of transformationConflicts)
          await runtime.stdout.line(
            `conflict: ${k.ns}/${k.type} ${k.from} → ${k.to} is registered with different code; left as it is`,
          );
      }
      const n = conflicts.length + transformationConflicts.length;
      if (n > 0) {
        const what =
          transformationConflicts.length === 0
            ? `${n} version${n === 1 ? " differs" : "s differ"} from the registered schema`
            : conflicts.length === 0
              ? `${n} transformation${n === 1 ? " differs" : "s differ"} from the registered code`
              : `${n} versions and transformations differ from what is registered`;
        throw rejectedError(`${what} and ${n === 1 ? "was" : "were"} not imported; pass --force to replace them`);
      }
    });
}

const EXPORT_EXAMPLES = `
Writes FactCast's deployed layout: index.json (with each file's MD5 hash),
<ns>/<type>/<version>/schema.json and <ns>/<type>/<from>-<to>/transform.js (downcasts without code
as FactCast's synthetic entries), plus each version's examples as examples/<n>.json, which a
FactCast server ignores and a factline import reads back. Refuses a directory that is not empty
unless --force (files of the same name are then overwritten, others left alone).

Examples:
  $ factline schema export ./registry
  $ factline schema export ./shop-registry --ns shop
  $ factline schema export ./registry --force && git -C ./registry diff --stat`;

export function schemaExportCommand(runtime: Runtime): Command {
  return new Command("export")
    .summary("export the registry as a FactCast registry directory")
    .description("Export the registered schemas into a directory in FactCast's registry layout.")
    .argument("<dir>", "the directory to write (created when missing)")
    .option("--ns <namespace>", "only this namespace")
    .option("--force", "write into a directory that is not empty")
    .addHelpText("after", EXPORT_EXAMPLES)
    .action(async (dir: string, options: { ns?: string; force?: boolean }, cmd: Command) => {
      const { json } = runtime.globals(cmd);
      await checkExportDir(dir, options.force ?? false);
      const { store } = await runtime.connect(cmd);
      const res = await inRegistry(() =>
        store.registry.exportRegistry({ ns: options.ns ?? "" }, { signal: runtime.signal }),
      );
      const written = await writeRegistryDir(dir, res.files);
      const schemas = written.filter((p) => p.endsWith("/schema.json")).length;
      const transformations =
        (JSON.parse(res.files["index.json"] ?? "{}") as { transformations?: unknown[] }).transformations?.length ?? 0;
      if (json) await runtime.stdout.line(JSON.stringify({ directory: dir, schemas, transformations, files: written }));
      else
        await runtime.stdout.line(
          `exported ${formatCount(schemas)} schema version${schemas === 1 ? "" : "s"} and ${formatCount(transformations)} ` +
            `transformation${transformations === 1 ? "" : "s"} to ${dir} (${formatCount(written.length)} files)`,
        );
    });
}
