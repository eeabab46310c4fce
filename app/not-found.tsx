/** Anything the console has no page for, and facts that do not exist (notFound() in a page). */
import type { Metadata } from "next";
import { ButtonLink } from "@/components/ui/Button";
import { Kbd } from "@/components/ui/Kbd";

export const metadata: Metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <div className="mx-auto mt-16 max-w-lg text-center">
      <p className="font-mono text-sm text-subtle">404</p>
      <h1 className="mt-2 text-xl font-semibold text-fg">Nothing here</h1>
      <p className="mt-2 text-sm text-muted">
        There is no such page, or no fact with that serial or id in this store. Press <Kbd>/</Kbd> to go to another
        serial or fact id.
      </p>
      <div className="mt-6 flex justify-center gap-2">
        <ButtonLink href="/facts" variant="primary">
          Browse facts
        </ButtonLink>
        <ButtonLink href="/">Overview</ButtonLink>
      </div>
    </div>
  );
}
