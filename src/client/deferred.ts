/** A promise with its resolve and reject at hand (a torrent's `ready` and `done`). */
export type Deferred = { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void };

export function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // surfaced through the `error` event; awaiting callers still see it
  return { promise, resolve, reject };
}
