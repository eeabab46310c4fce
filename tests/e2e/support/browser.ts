/**
 * Chromium for one test file: a fresh profile (user-data-dir) per file, so no cookie or cache
 * leaks between files, and `e2eDescribe`, which skips everything when the setup found no browser.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { describe, inject } from "vitest";
import { CHROMIUM_ARGS } from "./chromium";
import "./provided";

/** `describe`, or `describe.skip` when the global setup found no Chromium (it printed why). */
export const e2eDescribe = inject("e2eSkipReason") ? describe.skip : describe;

export interface TestBrowser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function openBrowser(
  options: { colorScheme?: "light" | "dark"; timezoneId?: string } = {},
): Promise<TestBrowser> {
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), "factline-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: inject("chromiumPath"),
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1440, height: 900 },
    colorScheme: options.colorScheme ?? "light",
    timezoneId: options.timezoneId,
    acceptDownloads: true,
  });
  return {
    context,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close();
      await fs.rm(profile, { recursive: true, force: true });
    },
  };
}

/** Errors thrown in the page, collected so a test can assert there were none. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

/**
 * Waits until React has taken the page over. Pages arrive server-rendered with their data, and
 * clicks or keys do nothing until then; the header's store indicator says "Connecting…" in the
 * server's HTML and changes only in the browser.
 */
export async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const indicator = document.querySelector('[data-testid="store-indicator"]');
    return indicator !== null && !indicator.textContent?.includes("Connecting");
  });
}
