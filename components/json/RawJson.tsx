"use client";
/**
 * The text exactly as stored, shown in chunks: one 5 MB text node would stall layout for
 * seconds, and nobody reads 5 MB on screen anyway (Copy and Download give all of it).
 */
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { formatCount } from "@/lib/view/numbers";

/** About a screenful of dense minified JSON many times over, and still quick to lay out. */
const RAW_CHUNK_CHARS = 200_000;

export function RawJson({ text, label }: { text: string; label: string }) {
  const [shown, setShown] = useState(RAW_CHUNK_CHARS);
  return (
    <div className="max-h-[70vh] overflow-auto rounded-b-lg bg-surface p-3" data-testid={`json-raw-${label}`}>
      <pre className="whitespace-pre-wrap break-all font-mono text-xs leading-5 text-fg">{text.slice(0, shown)}</pre>
      {shown < text.length && (
        <div className="mt-2 flex items-center gap-3 text-xs text-muted">
          <span>
            Showing {formatCount(shown)} of {formatCount(text.length)} characters.
          </span>
          <Button size="sm" onClick={() => setShown((s) => s + RAW_CHUNK_CHARS)}>
            Show {formatCount(Math.min(RAW_CHUNK_CHARS, text.length - shown))} more
          </Button>
        </div>
      )}
    </div>
  );
}
