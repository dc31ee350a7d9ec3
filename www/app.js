// A console for background agents. Everything on the page follows the
// manager's events (subscribe), never re-polling; text from tasks goes into
// the DOM as text, never as HTML. URL settings: ?max= (agents at once),
// ?delay= (ms between the agent's lines), ?failRate= (0 to 1), ?shared=NAME
// (the tabs opened with the same name share one manager, kept in IndexedDB:
// the durable build).
import { simulatedAgent } from './agent.js';
import { Detail } from './detail.js';
import { FINAL, STATUSES, plural, short, show } from './format.js';
import { TaskList } from './tasks.js';
import { Timeline } from './timeline.js';

const params = new URLSearchParams(location.search);
const setting = (name, fallback, max = Infinity) => {
  const value = Number(params.get(name));
  return params.has(name) && Number.isFinite(value) && value >= 0 ? Math.min(value, max) : fallback;
};
const MAX_CONCURRENT = Math.max(1, Math.floor(setting('max', 3)));
const DELAY = setting('delay', 700);
const FAIL_RATE = setting('failRate', 0.1, 1);
const TAIL = 8000;

const $ = (id) => document.getElementById(id);
/** What the page knows of each task it shows, by id, from the events. */
const model = new Map();
let seq = 0;

const SHARED = params.get('shared') || undefined;
const { default: init, BackgroundManager } = SHARED
  ? await import('../pkg/durable/background_manager.js')
  : await import('../pkg/index.js');
await init();
const manager = new BackgroundManager({
  maxConcurrent: MAX_CONCURRENT,
  agentLimits: { coder: 1 },
  runner: simulatedAgent({ delay: DELAY, failRate: FAIL_RATE }),
  ...(SHARED ? { store: { indexedDB: `console-${SHARED}` }, shared: SHARED } : {}),
});
// Shared: which tab runs the agents (the others show what it does).
manager.onOwner(({ self }) => {
  $('owner').hidden = false;
  $('owner').textContent = self ? 'This tab runs the agents' : 'Another tab runs the agents';
});
await manager.initialize({
  id: 'browser-session',
  getStatus: async () => 'running',
  sendMessage: async (message) => logLine($('notifications'), `${message.type}: task ${short(message.taskId)} ${message.status}`),
});

const list = new TaskList($('tasks'), {
  details: (id) => detail.open(id),
  wait: waitFor,
  cancel: (id) => manager.cancelTask(id).catch(showError),
  respond: (id, answer) => manager.respond(id, answer).catch(showError),
});
const timeline = new Timeline($('timeline'), $('axis'));
const detail = new Detail($('detail'), manager, showError);
manager.subscribe(onEvent);
// Tasks that were there before this page listened (a shared manager's, or
// loaded from its store), shown as if just heard of.
for (const t of await manager.getAllTasks()) {
  if (!model.has(t.id)) onEvent({ type: 'created', taskId: t.id, status: t.status, task: t });
}
$('limits').textContent = `At most ${plural(MAX_CONCURRENT, 'agent')} at once (coder: 1 at a time). ` +
  `The simulated agent writes a line every ${DELAY} ms and fails ${Math.round(FAIL_RATE * 100)}% of the time.`;

// ---- events --------------------------------------------------------------

function onEvent(event) {
  const now = Date.now();
  switch (event.type) {
    case 'created': {
      const t = event.task;
      if (!t) return;
      const entry = {
        seq: seq++, id: t.id, agent: t.agent, prompt: t.prompt, status: event.status,
        createdAt: t.createdAt, updatedAt: t.updatedAt,
        startedAt: event.status === 'running' ? t.createdAt : undefined,
        output: t.output ?? '', result: t.result, error: t.error, progress: t.progress,
        question: event.status === 'input-required' ? t.question : undefined,
      };
      model.set(t.id, entry);
      list.add(entry);
      timeline.add(entry);
      list.render(entry, now);
      break;
    }
    case 'status': {
      const entry = model.get(event.taskId);
      if (!entry) return;
      entry.status = event.status;
      entry.updatedAt = event.task?.updatedAt ?? now;
      if (event.status === 'running' && entry.startedAt === undefined) entry.startedAt = entry.updatedAt;
      if (event.status === 'completed') entry.result = event.task?.result;
      if (event.status === 'error') entry.error = event.task?.error;
      entry.question = event.status === 'input-required' ? event.task?.question : undefined;
      list.render(entry, now);
      announce(`Task ${short(entry.id)} (${entry.agent ?? 'task'}) is ${event.status === 'error' ? 'failed' : event.status}.`);
      if (list.sort !== 'created') list.order(model.values(), now);
      break;
    }
    case 'output': {
      const entry = model.get(event.taskId);
      if (!entry) return;
      entry.output = (entry.output + event.chunk).slice(-TAIL);
      list.render(entry, now);
      break;
    }
    case 'progress': {
      const entry = model.get(event.taskId);
      if (!entry) return;
      entry.progress = event.progress;
      list.render(entry, now);
      break;
    }
    case 'removed':
      forget(event.taskId);
      break;
  }
  refresh(now);
}

function forget(id) {
  model.delete(id);
  list.remove(id);
  timeline.remove(id);
}

// ---- what is drawn from the model ------------------------------------------

function refresh(now = Date.now()) {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  for (const entry of model.values()) counts[entry.status]++;
  for (const status of STATUSES) document.querySelector(`[data-count="${status}"]`).textContent = String(counts[status]);
  const live = counts.queued + counts.running + counts['input-required'];
  $('summary').textContent = model.size === 0 ? 'No tasks' : `${plural(model.size, 'task')}, ${live} live`;
  $('empty').hidden = model.size > 0;
  $('clear').disabled = model.size === live;
  timeline.draw([...model.values()], now);
}

// Elapsed times and the timeline move while anything is live.
setInterval(() => {
  const now = Date.now();
  let live = false;
  for (const entry of model.values()) {
    if (FINAL.has(entry.status)) continue;
    live = true;
    list.tick(entry, now);
  }
  if (live) timeline.draw([...model.values()], now);
}, 200);

function announce(text) {
  $('announce').textContent = text;
}

// ---- controls --------------------------------------------------------------

$('filter').addEventListener('change', async (e) => {
  list.filter = e.target.value;
  try {
    // Ask the manager which tasks match; cards follow status events after.
    const matching = new Set((await manager.getAllTasks(list.filter || undefined)).map((t) => t.id));
    for (const [id, card] of list.cards) card.li.hidden = !matching.has(id);
  } catch (error) {
    showError(error);
  }
});

$('sort').addEventListener('change', (e) => {
  list.sort = e.target.value;
  list.order(model.values(), Date.now());
});

$('clear').addEventListener('click', () => {
  for (const entry of [...model.values()]) if (FINAL.has(entry.status)) forget(entry.id);
  refresh();
  announce('Finished tasks cleared from the list.');
});

$('launch-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const agent = $('agent').value;
  const prompt = $('prompt').value.trim();
  const id = $('task-id').value.trim();
  const count = Math.min(50, Math.max(1, Number($('count').value) || 1));
  for (let i = 0; i < count; i++) {
    try {
      await manager.launch({
        agent,
        prompt: count > 1 ? `${prompt} (#${i + 1})` : prompt,
        id: id ? (count > 1 ? `${id}-${i + 1}` : id) : undefined,
      });
    } catch (error) {
      showError(error);
      break;
    }
  }
});

$('cancel-all').addEventListener('click', () => manager.cancelAllTasks().catch(showError));

async function waitFor(taskId, wait) {
  wait.disabled = true;
  wait.textContent = 'Waiting…';
  try {
    const out = await manager.getOutput(taskId, { wait: true, timeout: 120_000 });
    const what = out.status === 'completed'
      ? out.result?.response ?? show(out.result)
      : out.error ?? (out.timedOut ? 'still running (timed out)' : out.status);
    logLine($('results'), `${short(taskId)} ${out.status}: ${what}`);
  } catch (error) {
    showError(error);
  } finally {
    wait.textContent = 'Wait';
    wait.disabled = false;
  }
}

// ---- logs and errors -------------------------------------------------------

function logLine(list, text) {
  const li = document.createElement('li');
  const time = document.createElement('time');
  time.textContent = new Date().toLocaleTimeString();
  li.append(time, text);
  list.prepend(li);
}

function showError(error) {
  const code = error?.code ? ` [${error.code}]` : '';
  $('error-text').textContent = `${error?.message ?? String(error)}${code}`;
  $('error').hidden = false;
}

$('error-close').addEventListener('click', () => {
  $('error').hidden = true;
});
refresh();
