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
/** An opaque key of SubtleCrypto. */
interface CryptoKey {
  readonly type: string;
}
/** HKDF and AES as private shares use them (core/private/cipher.ts). */
type CoreCipherParams =
  | { name: 'AES-CTR'; counter: Uint8Array<ArrayBuffer>; length: number }
  | { name: 'AES-GCM'; iv: Uint8Array<ArrayBuffer>; additionalData?: Uint8Array<ArrayBuffer> };
interface CoreSubtleCrypto {
  digest(algorithm: 'SHA-1' | 'SHA-256', data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>;
  importKey(format: 'raw', keyData: Uint8Array<ArrayBuffer>, algorithm: 'HKDF', extractable: false, usages: 'deriveKey'[]): Promise<CryptoKey>;
  deriveKey(
    algorithm: { name: 'HKDF'; hash: 'SHA-256'; salt: Uint8Array<ArrayBuffer>; info: Uint8Array<ArrayBuffer> },
    baseKey: CryptoKey,
    derivedKeyType: { name: 'AES-GCM' | 'AES-CTR'; length: 128 },
    extractable: false,
    usages: ('encrypt' | 'decrypt')[],
  ): Promise<CryptoKey>;
  encrypt(algorithm: CoreCipherParams, key: CryptoKey, data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>;
  decrypt(algorithm: CoreCipherParams, key: CryptoKey, data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>;
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
