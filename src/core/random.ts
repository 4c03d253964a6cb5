/**
 * A small seeded PRNG (mulberry32): deterministic tie-breaking and fuzzing in tests and the
 * simulator. Not for anything that needs unpredictability (peer ids use crypto.getRandomValues).
 */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Puts the items of `a` in a random order (Fisher–Yates, in place) and returns it. */
export function shuffle<A extends { length: number; [i: number]: unknown }>(a: A, random: () => number): A {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}
