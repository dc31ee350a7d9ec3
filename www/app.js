// A console for background agents: everything on the page comes from the
// manager's events (subscribe), never from re-polling it. All text that comes
// from tasks goes into the DOM as text, never as HTML.
import init, { BackgroundManager } from '../pkg/index.js';

const params = new URLSearchParams(location.search);
const setting = (name, fallback) => {
  const value = Number(params.get(name));
  return params.has(name) && Number.isFinite(value) && value >= 0 ? value : fallback;
};
const MAX_CONCURRENT = Math.max(1, setting('max', 3));
const DELAY = setting('delay', 700);
const FINAL = new Set(['completed', 'error', 'cancelled']);
const OUTPUT_SHOWN = 4000;

const $ = (id) => document.getElementById(id);
/** taskId -> { tr, status, createdAt, updatedAt, badge, elapsed, output, detail, cancel, wait } */
const rows = new Map();

await init();
const manager = new BackgroundManager({
  maxConcurrent: MAX_CONCURRENT,
  agentLimits: { coder: 1 },
  simulatedDelay: DELAY,
});
await manager.initialize({
  id: 'browser-session',
  getStatus: async () => 'running',
  sendMessage: async (message) => logNotification(message),
});
manager.subscribe(onEvent);
$('limits').textContent =
  `At most ${MAX_CONCURRENT} agents at once (coder: 1). The simulated agent writes a line every ${DELAY} ms.`;

// ---- events --------------------------------------------------------------

function onEvent(event) {
  switch (event.type) {
    case 'created':
      if (event.task) addRow(event.task);
      break;
    case 'status':
      updateRow(event.taskId, event.status, event.task);
      break;
    case 'output':
      appendOutput(event.taskId, event.chunk);
      break;
    case 'removed':
      rows.get(event.taskId)?.tr.remove();
      rows.delete(event.taskId);
      break;
  }
  refreshCounts();
}

// ---- the table -----------------------------------------------------------

function cell(tr, className) {
  const td = document.createElement('td');
  if (className) td.className = className;
  tr.append(td);
  return td;
}

function addRow(task) {
  const tr = document.createElement('tr');
  tr.dataset.id = task.id;
  const id = cell(tr, 'id');
  id.textContent = task.id.length > 12 ? `${task.id.slice(0, 8)}…` : task.id;
  id.title = task.id;
  cell(tr).textContent = task.agent ?? '—';
  cell(tr, 'prompt').textContent = task.prompt ?? '';
  const badge = document.createElement('span');
  cell(tr).append(badge);
  const elapsed = cell(tr, 'num');
  const outputCell = cell(tr);
  const output = document.createElement('pre');
  output.className = 'output';
  const detail = document.createElement('span');
  detail.className = 'detail';
  outputCell.append(output, detail);
  const actions = cell(tr, 'actions');
  const wait = button('Wait', 'small', () => waitFor(task.id, wait));
  const cancel = button('Cancel', 'small', () => manager.cancelTask(task.id).catch(showError));
  actions.append(wait, ' ', cancel);
  const row = { tr, status: task.status, createdAt: task.createdAt, updatedAt: task.updatedAt, badge, elapsed, output, detail, cancel, wait };
  rows.set(task.id, row);
  $('rows').append(tr);
  if (task.output) appendOutput(task.id, task.output);
  render(row, task);
}

function updateRow(taskId, status, task) {
  const row = rows.get(taskId);
  if (!row) return;
  render(row, task ?? { status, updatedAt: Date.now() });
}

function render(row, task) {
  row.status = task.status;
  row.updatedAt = task.updatedAt;
  row.badge.className = `badge ${task.status}`;
  row.badge.textContent = task.status;
  row.tr.dataset.status = task.status;
  row.cancel.disabled = FINAL.has(task.status);
  if (task.status === 'error') {
    row.detail.className = 'detail error-text';
    row.detail.textContent = task.error ?? '';
    row.detail.style.color = 'var(--error)';
  } else if (task.status === 'completed' && task.result?.response) {
    row.detail.textContent = `→ ${task.result.response}`;
    row.detail.style.color = 'var(--completed)';
  }
  applyFilter(row);
  renderElapsed(row);
}

function appendOutput(taskId, chunk) {
  const row = rows.get(taskId);
  if (!row) return;
  const text = row.output.textContent + chunk;
  row.output.textContent = text.length > OUTPUT_SHOWN ? `…${text.slice(-OUTPUT_SHOWN)}` : text;
  row.output.scrollTop = row.output.scrollHeight;
}

function button(label, className, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}

function seconds(ms) {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} m ${Math.floor(ms / 1000) % 60} s`;
}

function renderElapsed(row) {
  const end = FINAL.has(row.status) ? row.updatedAt : Date.now();
  row.elapsed.textContent = seconds(Math.max(0, end - row.createdAt));
}

setInterval(() => {
  for (const row of rows.values()) if (!FINAL.has(row.status)) renderElapsed(row);
}, 200);

function refreshCounts() {
  const counts = { queued: 0, running: 0, completed: 0, error: 0, cancelled: 0 };
  for (const row of rows.values()) counts[row.status]++;
  for (const [status, n] of Object.entries(counts)) {
    document.querySelector(`[data-count="${status}"]`).textContent = String(n);
  }
  $('empty').hidden = rows.size > 0;
}

// ---- filter --------------------------------------------------------------

let filter = '';

function applyFilter(row) {
  row.tr.hidden = filter !== '' && row.status !== filter;
}

$('filter').addEventListener('change', async (e) => {
  filter = e.target.value;
  try {
    // Ask the manager which tasks match; rows follow status events after.
    const matching = new Set((await manager.getAllTasks(filter || undefined)).map((t) => t.id));
    for (const [id, row] of rows) row.tr.hidden = !matching.has(id);
  } catch (error) {
    showError(error);
  }
});

// ---- actions -------------------------------------------------------------

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
      ? out.result?.response ?? JSON.stringify(out.result)
      : out.error ?? (out.timedOut ? 'still running (timed out)' : out.status);
    logLine($('results'), `${short(taskId)} ${out.status}: ${what}`);
  } catch (error) {
    showError(error);
  } finally {
    wait.textContent = 'Wait';
    wait.disabled = false;
  }
}

// ---- logs and errors -----------------------------------------------------

function short(id) {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

function logLine(list, text) {
  const li = document.createElement('li');
  const time = document.createElement('time');
  time.textContent = new Date().toLocaleTimeString();
  li.append(time, text);
  list.prepend(li);
}

function logNotification(message) {
  logLine($('notifications'), `${message.type}: task ${short(message.taskId)} ${message.status}`);
}

function showError(error) {
  const code = error?.code ? ` [${error.code}]` : '';
  $('error-text').textContent = `${error?.message ?? String(error)}${code}`;
  $('error').hidden = false;
}

$('error-close').addEventListener('click', () => ($('error').hidden = true));
refreshCounts();
