// The built-in agent used when no runner is given: it streams a few lines,
// one every `delay` ms, and stops at once when its signal aborts. Every
// example works with it and no network.
export function simulatedRunner(delay) {
  return async ({ agent, prompt, signal, write }) => {
    const words = prompt.trim().split(/\s+/).filter(Boolean).length;
    const steps = [
      `[${agent}] Received a ${words}-word prompt.\n`,
      `[${agent}] Working on: ${prompt}\n`,
      `[${agent}] Drafting the answer...\n`,
      `[${agent}] Done.\n`,
    ];
    for (const step of steps) {
      await pause(delay, signal);
      write(step);
    }
    return { agent, prompt, response: `Simulated response from ${agent} to: ${prompt}`, simulated: true };
  };
}

function pause(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
