/**
 * The few platform globals the core may use: they exist alike in Node 20 and in browsers.
 * The core is type-checked with no DOM library (tsconfig.core.json), so anything beyond
 * these (DOM, WebRTC, IndexedDB) fails to compile there.
 */
declare class TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
interface CoreSubtleCrypto {
  digest(algorithm: 'SHA-1' | 'SHA-256', data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>;
}
declare var crypto: { readonly subtle?: CoreSubtleCrypto; getRandomValues<T extends Uint8Array>(array: T): T };
declare function setTimeout(handler: () => void, ms?: number): object | number;
declare function clearTimeout(handle: unknown): void;
declare function queueMicrotask(callback: () => void): void;
/** Only what the core uses of AbortController / AbortSignal (cancelling a web seed's HTTP requests). */
interface AbortSignal {
  readonly aborted: boolean;
}
declare class AbortController {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}
