/**
 * Transformations through the console backend: a fact as another version (ConsoleService), and the
 * store's transformations of a type — list, one with its code, check, register, delete, try on a
 * fact (TransformationService, a pass-through to the store's).
 */
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { ConsoleService } from "../../gen/factline/console/v1/console_pb";
import { TransformationService } from "../../gen/factline/console/v1/transformations_pb";

/**
 * A fact in a version (0: as published, with the versions within reach). The answer changes only
 * when someone registers a transformation; a minute is fresh enough, and a failure is an answer
 * (in the response), not an error to retry.
 */
export function useFactAsVersion(key: { serial: bigint } | { id: string }, version: number) {
  const input =
    "serial" in key
      ? { key: { case: "serial" as const, value: key.serial }, version }
      : { key: { case: "id" as const, value: key.id }, version };
  return useQuery(ConsoleService.method.getFactAsVersion, input, { staleTime: 60_000, refetchOnWindowFocus: false });
}

/** A type's transformations as edges (registered and synthetic) and the upcasts missing. */
export function useTransformations(ns: string, type: string) {
  return useQuery(TransformationService.method.listTransformations, { ns, type }, { retry: false });
}

/** One registered transformation with its code and history; disabled until `key` is complete. */
export function useTransformation(
  key: { ns: string; type: string; fromVersion: number; toVersion: number } | undefined,
) {
  return useQuery(
    TransformationService.method.getTransformation,
    key && key.fromVersion > 0 && key.toVersion > 0 && key.fromVersion !== key.toVersion ? { key } : undefined,
    { retry: false },
  );
}

export function useCheckTransformation() {
  return useMutation(TransformationService.method.checkTransformation);
}

export function useRegisterTransformation() {
  return useMutation(TransformationService.method.registerTransformation);
}

export function useDeleteTransformation() {
  return useMutation(TransformationService.method.deleteTransformation);
}

/** One stored fact through a candidate (or what is registered): the try-it panel. */
export function useTryTransformation() {
  return useMutation(TransformationService.method.transformFact);
}
