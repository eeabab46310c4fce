// Preloaded into `next start` (node --import, scripts/launch/console.ts). Next.js does not tell a
// route handler the address of the connection a request came on: it fills `x-forwarded-for` from
// the socket only when the client did not send one, so any client can name any address there. The
// console limits sign-in attempts per address (lib/backend/auth/rate-limit.ts) and records the
// address in the store's audit trail, so it needs the real one: this stamps every request with
// its socket's address under x-factline-peer, replacing whatever a client sent under that name.
import http from "node:http";

const PEER_HEADER = "x-factline-peer";
const createServer = http.createServer;

http.createServer = function createServerWithPeerAddress(...args) {
  const server = createServer.apply(this, args);
  // Prepended: runs before Next.js' own request listener sees the request.
  server.prependListener("request", (req) => {
    req.headers[PEER_HEADER] = req.socket.remoteAddress ?? "";
  });
  return server;
};
