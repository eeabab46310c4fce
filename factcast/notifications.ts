// What a subscription delivers: FactCast sends facts in two notification shapes — `Fact` (one,
// as older servers do) and `Facts` (a batch, as factline and newer servers do) — and a reader
// must take both. Every other notification (Info, Catchup, Complete, KeepAlive, Ffwd) carries none.
import {
  MSG_Notification_Type,
  type MSG_Fact,
  type MSG_Notification,
} from "../gen/org/factcast/grpc/api/gen/FactStore_pb";

/** The facts one notification carries, in order; empty for the notifications without facts. */
export function notificationFacts(n: Pick<MSG_Notification, "type" | "fact" | "facts">): MSG_Fact[] {
  if (n.type === MSG_Notification_Type.Facts) return n.facts?.fact ?? [];
  if (n.type === MSG_Notification_Type.Fact && n.fact) return [n.fact];
  return [];
}
