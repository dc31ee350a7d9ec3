// The console's simulated agent: the runner the page gives the manager. It
// streams a few lines (one every `delay` ms), stops at once when its signal
// aborts, and fails at `failRate` (0 to 1), so every state can be seen. A
// prompt that ends with "?" makes it ask a question first (`ask`): the
// task is 'input-required' until the answer box on its card answers.
export function simulatedAgent({ delay, failRate }) {
  return async ({ agent, prompt, signal, write, progress, ask, taskId }) => {
    if (taskId !== undefined && prompt.trim().endsWith('?')) {
      const answer = await ask(`${agent} asks: what should the answer to "${prompt.trim()}" focus on?`);
      write(`[${agent}] You said: ${answer}\n`);
    }
    const steps = [
      `[${agent}] Received: ${prompt}\n`,
      `[${agent}] Thinking about it...\n`,
      `[${agent}] Drafting the answer...\n`,
    ];
    const total = steps.length + 1;
    for (const [i, step] of steps.entries()) {
      await pause(delay, signal);
      write(step);
      progress({ done: i + 1, total, message: step.trim() });
    }
    await pause(delay, signal);
    if (Math.random() < failRate) throw new Error(`${agent} gave up: the simulated model failed`);
    write(`[${agent}] Done.\n`);
    progress({ done: total, total, message: 'Done' });
    return { response: `Simulated response from ${agent} to: ${prompt}` };
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
