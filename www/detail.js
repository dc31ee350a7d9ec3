// The detail view of one task: everything the manager holds of it (the
// whole output, not the tail the list shows), with copy buttons.
import { show, time } from './format.js';

export class Detail {
  constructor(dialog, manager, onError) {
    this.dialog = dialog;
    this.manager = manager;
    this.onError = onError;
    this.values = {};
    this.status = dialog.querySelector('[data-copied]');
    dialog.querySelector('[data-close]').addEventListener('click', () => dialog.close());
    for (const b of dialog.querySelectorAll('[data-copy]')) {
      b.addEventListener('click', () => this.copy(b.dataset.copy, b.dataset.label));
    }
  }

  async open(id) {
    try {
      const [task, out] = await Promise.all([this.manager.getTask(id), this.manager.getOutput(id)]);
      if (task === null) throw new Error(`Task "${id}" is no longer held (evicted after its TTL)`);
      const fields = {
        id: task.id,
        status: task.status,
        agent: task.agent ?? '—',
        prompt: task.prompt ?? '—',
        created: time(task.createdAt),
        updated: time(task.updatedAt),
        options: show(task.options) || '—',
        result: 'result' in task ? show(task.result) : '—',
        error: task.error ?? '—',
        output: out.output,
      };
      for (const [key, value] of Object.entries(fields)) {
        this.dialog.querySelector(`[data-field="${key}"]`).textContent = value;
      }
      this.dialog.querySelector('[data-field="output-size"]').textContent = `${out.cursor} characters written`;
      this.values = { id: task.id, output: out.output, result: fields.result, options: fields.options };
      this.status.textContent = '';
      if (!this.dialog.open) this.dialog.showModal();
    } catch (error) {
      this.onError(error);
    }
  }

  async copy(key, label) {
    try {
      await navigator.clipboard.writeText(this.values[key] ?? '');
      this.status.textContent = `Copied the ${label}.`;
    } catch {
      this.status.textContent = `Could not copy the ${label}: select it and copy by hand.`;
    }
  }
}
