import { defineChain, http, webSocket, type Chain, type Transport } from "viem";
import { InvalidParameterError } from "./errors.js";

/** A viem transport for a JSON-RPC URL: http(s):// or ws(s)://. */
export function transportFor(url: string, opts: { retryCount?: number; retryDelay?: number } = {}): Transport {
  const retry = { retryCount: opts.retryCount ?? 5, retryDelay: opts.retryDelay ?? 250 };
  if (/^wss?:\/\//.test(url)) return webSocket(url, retry);
  if (/^https?:\/\//.test(url)) return http(url, retry);
  throw new InvalidParameterError(`RPC URL ${url} must start with http://, https://, ws:// or wss://`);
}

/** A minimal viem Chain for an endpoint whose chain id was read from it. */
export function chainFor(id: number, url: string): Chain {
  const urls = /^wss?:/.test(url) ? { http: [] as string[], webSocket: [url] } : { http: [url] };
  return defineChain({ id, name: `chain ${id}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: urls } });
}
