/** A clock the session and the mock server share (`createSession({ now: clock.now })`). */
export function createClock(start = 1_700_000_000_000) {
  let time = start;
  const advance = (ms: number) => {
    time += ms;
  };
  return { now: () => time, advance };
}
