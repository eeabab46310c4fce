"use client";
/**
 * Transport and QueryClient for the whole console, created inside React (one per browser tab,
 * one per server render) rather than as module singletons that would leak between requests.
 */
import { TransportProvider } from "@connectrpc/connect-query";
import { QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { createConsoleQueryClient } from "./query-client";
import { createConsoleTransport } from "./transport";

export function ConsoleProviders({ children }: { children: ReactNode }) {
  const [transport] = useState(createConsoleTransport);
  const [queryClient] = useState(createConsoleQueryClient);
  return (
    <TransportProvider transport={transport}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </TransportProvider>
  );
}
