// A vite app using the installed package as a user would: vite bundles the
// module and emits the .wasm as an asset; the built page runs one task.
import init, { BackgroundManager } from 'background-manager';

const result = document.getElementById('result');
try {
  await init();
  const manager = new BackgroundManager({
    runner: async ({ prompt, write }) => {
      write(`echo ${prompt}`);
      return prompt.toUpperCase();
    },
  });
  await manager.initialize({ id: 'vite', getStatus: () => 'running', sendMessage: () => {} });
  const task = await manager.launch({ agent: 'echo', prompt: 'hello vite' });
  const out = await manager.getOutput(task.id, { wait: true, timeout: 10_000 });
  result.textContent = `${out.status} | ${out.output} | ${out.result}`;
  await manager.cleanup();
} catch (error) {
  result.textContent = `failed: ${error?.code ?? ''} ${error?.message ?? error}`;
}
