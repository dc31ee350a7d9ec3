// The timeline: one lane per task, a bar from its creation through queued
// and running to its end, coloured by status and redrawn while anything is
// live, so concurrency can be seen at a glance.
import { FINAL, el, short } from './format.js';

export class Timeline {
  constructor(list, axis) {
    this.list = list;
    this.axis = axis;
    this.lanes = new Map();
  }

  add(task) {
    const li = el('li', 'lane');
    li.dataset.id = task.id;
    const label = el('span', 'lane-label', short(task.id));
    label.title = task.prompt ? `${task.id}: ${task.prompt}` : task.id;
    const track = el('span', 'track');
    const queued = el('span', 'seg queued');
    const run = el('span', 'seg run');
    // How far its runner says it is: a mark along the running bar.
    const done = el('span', 'seg done');
    done.hidden = true;
    track.append(queued, run, done);
    li.append(label, track);
    this.lanes.set(task.id, { li, queued, run, done });
    this.list.append(li);
  }

  remove(id) {
    this.lanes.get(id)?.li.remove();
    this.lanes.delete(id);
  }

  /** Lays every lane out on one time scale, from the first creation to now (or the last end). */
  draw(tasks, now) {
    if (tasks.length === 0) {
      this.axis.textContent = '';
      return;
    }
    const start = Math.min(...tasks.map((t) => t.createdAt));
    const live = tasks.some((t) => !FINAL.has(t.status));
    const end = Math.max(start + 1000, live ? now : Math.max(...tasks.map((t) => t.updatedAt)));
    const at = (ms) => `${(((ms - start) / (end - start)) * 100).toFixed(2)}%`;
    for (const task of tasks) {
      const lane = this.lanes.get(task.id);
      if (!lane) continue;
      const until = FINAL.has(task.status) ? task.updatedAt : now;
      const started = task.startedAt ?? (task.status === 'queued' ? undefined : until);
      const queuedUntil = started ?? until;
      lane.li.dataset.status = task.status;
      place(lane.queued, at(task.createdAt), at(queuedUntil), queuedUntil > task.createdAt);
      place(lane.run, at(started ?? until), at(until), started !== undefined && until > started);
      lane.run.className = `seg run ${task.status}`;
      const p = task.progress;
      const share = p?.total > 0 ? Math.min(1, p.done / p.total) : undefined;
      if (share !== undefined && started !== undefined) {
        place(lane.done, at(started), at(started + (until - started) * share), until > started);
      } else {
        lane.done.hidden = true;
      }
      const said = p ? ` (${p.total ? `${p.done}/${p.total}` : p.done}${p.message ? `: ${p.message}` : ''})` : '';
      lane.li.title = `${task.id}: ${task.status}${said}`;
    }
    this.axis.textContent = `${((end - start) / 1000).toFixed(1)} s`;
  }
}

function place(seg, left, right, shown) {
  seg.hidden = !shown;
  seg.style.left = left;
  seg.style.width = `calc(${right} - ${left})`;
}
