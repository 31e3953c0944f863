// Retries: a failing endpoint is retried with backoff; a revert is an answer, returned at once.
import { createServer, type Server } from "node:http";
import { once } from "node:events";
import { createPublicClient } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import { InvalidParameterError, transportFor } from "../src/index.js";

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A JSON-RPC server on 127.0.0.1 answering each request with `answer(n)` (n counts from 0). */
async function serve(answer: (n: number) => { status: number; body: unknown }): Promise<{ url: string; count: () => number }> {
  let n = 0;
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const { id } = JSON.parse(body) as { id: number };
      const a = answer(n++);
      res.writeHead(a.status, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id, ...(a.body as object) }));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, count: () => n };
}

describe("transportFor", () => {
  it("test_transport_serverErrors_retriedThenAnswered", async () => {
    const s = await serve((n) => (n < 2 ? { status: 503, body: {} } : { status: 200, body: { result: "0x7a69" } }));
    const c = createPublicClient({ transport: transportFor(s.url, { retryDelay: 10 }) });
    expect(await c.getChainId()).toBe(31337);
    expect(s.count()).toBe(3);
  });
  it("test_transport_revert_notRetried", async () => {
    const s = await serve(() => ({ status: 200, body: { error: { code: -32603, message: "Error: VM Exception while processing transaction: reverted with custom error 'UnknownTask(7)'" } } }));
    const c = createPublicClient({ transport: transportFor(s.url, { retryDelay: 10 }) });
    await expect(c.request({ method: "eth_call", params: [{ to: "0x0000000000000000000000000000000000000001", data: "0x" }, "latest"] })).rejects.toThrow(/reverted/);
    expect(s.count()).toBe(1);
  });
  it("test_transport_givesUpAfterRetryCount", async () => {
    const s = await serve(() => ({ status: 500, body: {} }));
    const c = createPublicClient({ transport: transportFor(s.url, { retryCount: 2, retryDelay: 5 }) });
    await expect(c.getChainId()).rejects.toThrow();
    expect(s.count()).toBe(3);
  });
  it("test_transport_badScheme_throwsInvalidParameter", () => {
    expect(() => transportFor("ftp://x")).toThrow(InvalidParameterError);
  });
});
