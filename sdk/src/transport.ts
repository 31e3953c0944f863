import { defineChain, http, webSocket, type Chain, type EIP1193RequestFn, type Transport } from "viem";
import { InvalidParameterError } from "./errors.js";

/**
 * Whether a failed JSON-RPC request is worth retrying: transport failures, timeouts, rate limits
 * and internal errors are; a revert, a nonce or funds error is an answer and is not (viem's own
 * retry also repeats reverts that nodes report as internal errors, which only delays the answer).
 */
export function isRetryable(e: unknown): boolean {
  const err = e as { name?: string; code?: number; message?: string; details?: string; status?: number };
  const text = `${err.message ?? ""} ${err.details ?? ""}`;
  if (/revert|invalid opcode|nonce|insufficient funds|intrinsic gas|already known|replacement/i.test(text)) return false;
  if (err.name === "HttpRequestError" || err.name === "TimeoutError" || err.name === "SocketClosedError" || err.name === "WebSocketRequestError") return true;
  return err.code === -32603 || err.code === -32005 || err.code === 429 || err.status === 429 || (err.status !== undefined && err.status >= 500);
}

/**
 * A viem transport for a JSON-RPC URL, http(s):// or ws(s)://, retrying failed requests with
 * exponential backoff (`retryCount` times from `retryDelay` ms) unless the failure is an answer
 * (see isRetryable).
 */
export function transportFor(url: string, opts: { retryCount?: number; retryDelay?: number } = {}): Transport {
  const retryCount = opts.retryCount ?? 5;
  const retryDelay = opts.retryDelay ?? 250;
  let base: Transport;
  if (/^wss?:\/\//.test(url)) base = webSocket(url, { retryCount: 0 });
  else if (/^https?:\/\//.test(url)) base = http(url, { retryCount: 0 });
  else throw new InvalidParameterError(`RPC URL ${url} must start with http://, https://, ws:// or wss://`);
  return ((params: Parameters<Transport>[0]) => {
    const t = base({ ...params, retryCount: 0 });
    const request = (async (args: Parameters<EIP1193RequestFn>[0], options?: Parameters<EIP1193RequestFn>[1]) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await t.request(args, { ...options, retryCount: 0 });
        } catch (e) {
          if (attempt >= retryCount || !isRetryable(e)) throw e;
          await new Promise((r) => setTimeout(r, retryDelay * 2 ** attempt));
        }
      }
    }) as EIP1193RequestFn;
    return { ...t, request };
  }) as Transport;
}

/** A minimal viem Chain for an endpoint whose chain id was read from it. */
export function chainFor(id: number, url: string): Chain {
  const urls = /^wss?:/.test(url) ? { http: [] as string[], webSocket: [url] } : { http: [url] };
  return defineChain({ id, name: `chain ${id}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: urls } });
}
