// The two WASI interfaces the component imports, for jco's --map: the wall
// clock reads `clock` (the real one unless a test sets a virtual one), the
// random source is the platform's crypto.getRandomValues.
let clock = { now: () => Date.now() };

/** Makes the wall clock read `c.now()` (ms since the epoch). */
export function useClock(c) {
  clock = c;
}

export const wallClock = {
  now() {
    const ms = clock.now();
    const seconds = Math.floor(ms / 1000);
    return { seconds: BigInt(seconds), nanoseconds: Math.round((ms - seconds * 1000) * 1e6) };
  },
  resolution() {
    return { seconds: 0n, nanoseconds: 1_000_000 };
  },
};

export const random = {
  getRandomBytes(len) {
    const bytes = new Uint8Array(Number(len));
    for (let i = 0; i < bytes.length; i += 65536) {
      crypto.getRandomValues(bytes.subarray(i, i + 65536));
    }
    return bytes;
  },
  getRandomU64() {
    return new BigUint64Array(crypto.getRandomValues(new BigUint64Array(1)).buffer)[0];
  },
};
