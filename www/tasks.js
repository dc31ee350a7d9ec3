// The task list: one card per task, a table row on wide screens and a card
// on narrow ones (style.css). It renders what the page's model holds; the
// model follows the manager's events (app.js).
import { FINAL, STATUSES, button, duration, el, short, show } from './format.js';

const OUTPUT_SHOWN = 4000;
const ORDER = { 'input-required': 0, running: 0, queued: 1, error: 2, interrupted: 3, cancelled: 3, completed: 4 };

export class TaskList {
  /** @param {HTMLElement} list @param {{ details, wait, cancel, respond }} actions */
  constructor(list, actions) {
    this.list = list;
    this.actions = actions;
    this.cards = new Map();
    this.filter = '';
    this.sort = 'created';
  }

  add(task) {
    const li = el('li', 'task');
    li.dataset.id = task.id;
    const name = task.prompt ? `${short(task.id)} (${task.prompt.slice(0, 40)})` : short(task.id);
    const id = el('span', 'id', short(task.id));
    id.title = task.id;
    const badge = el('span', 'badge');
    const elapsed = el('span', 'elapsed num');
    const output = el('pre', 'output');
    const detail = el('span', 'detail');
    // The runner's latest progress report: a bar and its message.
    const bar = el('progress', 'bar');
    bar.hidden = true;
    bar.setAttribute('aria-label', `Progress of task ${name}`);
    const step = el('span', 'step');
    const wait = button('Wait', 'small', () => this.actions.wait(task.id, wait), `Wait for task ${name}`);
    const cancel = button('Cancel', 'small', () => this.actions.cancel(task.id), `Cancel task ${name}`);
    const details = button('Details', 'small', () => this.actions.details(task.id), `Details of task ${name}`);
    const actions = el('span', 'actions');
    actions.append(details, wait, cancel);
    // The runner's question, while it asks: its text and an answer box.
    const question = el('form', 'question');
    question.hidden = true;
    const asked = el('span', 'asked');
    const answer = document.createElement('input');
    answer.type = 'text';
    answer.setAttribute('aria-label', `Your answer to task ${name}`);
    question.append(asked, answer, button('Answer', 'small primary', () => question.requestSubmit(), `Answer task ${name}`));
    question.addEventListener('submit', (e) => {
      e.preventDefault();
      this.actions.respond(task.id, answer.value);
      answer.value = '';
    });
    const out = el('div', 'out');
    out.append(bar, step, question, output, detail);
    li.append(id, el('span', 'agent', task.agent ?? '—'), el('span', 'prompt', task.prompt ?? ''), badge, elapsed, out, actions);
    this.cards.set(task.id, { li, badge, elapsed, output, detail, cancel, bar, step, question, asked });
    this.list.append(li);
  }

  remove(id) {
    this.cards.get(id)?.li.remove();
    this.cards.delete(id);
  }

  /** Brings card `task.id` up to date with the model's entry. */
  render(task, now) {
    const card = this.cards.get(task.id);
    if (!card) return;
    card.li.dataset.status = task.status;
    card.badge.className = `badge ${task.status}`;
    // 'input-required' reads as what it means to the person at the page.
    card.badge.textContent = task.status === 'input-required' ? 'asking' : task.status;
    card.cancel.disabled = FINAL.has(task.status);
    const text = task.output.length > OUTPUT_SHOWN ? `…${task.output.slice(-OUTPUT_SHOWN)}` : task.output;
    if (card.output.textContent !== text) {
      card.output.textContent = text;
      card.output.scrollTop = card.output.scrollHeight;
    }
    const p = task.progress;
    card.bar.hidden = p === undefined;
    if (p !== undefined) {
      // Without a total the bar is indeterminate: work goes on, of unknown size.
      if (p.total !== undefined && p.total > 0) {
        card.bar.max = p.total;
        card.bar.value = Math.min(p.done, p.total);
      } else {
        card.bar.removeAttribute('value');
      }
      const count = p.total !== undefined ? `${p.done}/${p.total}` : `${p.done}`;
      card.step.textContent = p.message ? `${count} · ${p.message}` : count;
    }
    const asking = task.status === 'input-required';
    if (card.question.hidden === asking) card.question.hidden = !asking;
    if (asking) card.asked.textContent = typeof task.question === 'string' ? task.question : show(task.question);
    card.detail.className = `detail ${task.status}-text`;
    const said = task.status === 'error'
      ? task.error ?? ''
      : task.status === 'completed' ? `→ ${task.result?.response ?? show(task.result)}` : '';
    // The whole of it is in the details.
    card.detail.textContent = said.length > 200 ? `${said.slice(0, 200)}…` : said;
    card.li.hidden = this.filter !== '' && task.status !== this.filter;
    this.tick(task, now);
  }

  tick(task, now) {
    const card = this.cards.get(task.id);
    if (card) card.elapsed.textContent = duration(elapsedOf(task, now));
  }

  /** Puts the cards in `this.sort` order. */
  order(tasks, now) {
    const sorted = [...tasks].sort((a, b) => {
      if (this.sort === 'status') return ORDER[a.status] - ORDER[b.status] || a.seq - b.seq;
      if (this.sort === 'duration') return elapsedOf(b, now) - elapsedOf(a, now) || a.seq - b.seq;
      return a.seq - b.seq;
    });
    for (const task of sorted) {
      const card = this.cards.get(task.id);
      if (card) this.list.append(card.li);
    }
  }
}

export function elapsedOf(task, now) {
  return (FINAL.has(task.status) ? task.updatedAt : now) - task.createdAt;
}

export { STATUSES };
