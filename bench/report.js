// The benchmark figures as aligned tables, and the targets of issue 12 with
// whether each is met. Plain JS: printed by Deno (deno.ts) and Node
// (chromium.mjs) alike.
const pad = (rows) => {
  const w = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  const line = (row) => row.map((c, i) => (i ? String(c).padStart(w[i]) : String(c).padEnd(w[i]))).join('  ');
  return [line(rows[0]), w.map((n) => '-'.repeat(n)).join('  '), ...rows.slice(1).map(line)].join('\n');
};
const f = (x, d = 2) => (x >= 100 ? x.toFixed(0) : x.toFixed(d));
const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);

/** The report of `all()` (workloads.js) as text; `title` names the runtime. */
export function report(r, title) {
  const out = [title, ''];
  out.push('Single calls: µs per operation, median of alternating rounds (ratio = plain JS / ours; > 1 means ours is faster)');
  out.push(pad([['workload', 'tasks', 'ours µs', 'plain JS µs', 'ratio'],
    ...r.rows.map((x) => [x.workload, x.n, f(x.ours), f(x.reference), `${x.ratio.toFixed(2)}×`])]));
  const [list, listRef] = r.output.list;
  const [stream, streamRef] = r.output.stream;
  const [launch, launchPeer] = r.launch;
  out.push('', pad([['workload', 'ours', 'peer', 'ratio'],
    ['getAllTasks(), 300 tasks × 64 KiB output, µs', f(list), f(listRef), `${(listRef / list).toFixed(2)}×`],
    ['streaming: append + since-cursor read, µs', f(stream), f(streamRef), `${(streamRef / stream).toFixed(2)}×`],
    ['launches through concurrency 8, runs/ms (peer p-queue)', f(launch), f(launchPeer), `${(launch / launchPeer).toFixed(2)}×`],
    ['fan-out: 100 tasks × 1,000 chunks, 3 watchers each, entries/ms (peer EventTarget)',
      f(r.output.fanout[0]), f(r.output.fanout[1]), `${(r.output.fanout[0] / r.output.fanout[1]).toFixed(2)}×`],
    ['launch that starts at once, 100,000 vs 10 queued behind a full key, µs (peer: 10 queued)',
      f(r.keyed[1]), f(r.keyed[0]), `${(r.keyed[1] / r.keyed[0]).toFixed(2)}×`],
    [`TTL expiry of ${r.times.n} tasks, ms after the deadline`, f(r.times.ttl[0], 3), f(r.times.ttl[1], 3), ''],
    ['completeTask → waiting getOutput resolved, ms', f(r.times.wake[0], 3), f(r.times.wake[1], 3), '']]));
  const b = r.burst;
  out.push('', 'Memory: JS heap + wasm linear memory, after gc', pad([['measure', 'ours', 'plain JS'],
    [`bytes per task, ${r.times.n} tasks`, r.mem.ours.perTask.toFixed(0), r.mem.reference.perTask.toFixed(0)],
    ...r.mem.ours.samples.map((s, i) => [`MB after ${s.cycles} of ${r.cycles} cycles (tasks kept)`,
      `${mb(s.bytes)} (${s.tasks})`, `${mb(r.mem.reference.samples[i].bytes)} (${r.mem.reference.samples[i].tasks})`]),
    ['burst of 200 × 1 MiB output: MB before / with it / after eviction',
      `${mb(b.ours.before)} / ${mb(b.ours.during)} / ${mb(b.ours.after)}`,
      `${mb(b.reference.before)} / ${mb(b.reference.during)} / ${mb(b.reference.after)}`]]));
  out.push('', 'Targets', pad([['target', 'measured', 'met'], ...targets(r).map(([name, value, ok]) => [name, value, ok ? 'yes' : 'NO'])]));
  return out.join('\n');
}

/** [name, measured, met] for each target. */
export function targets(r) {
  const at = (n) => r.rows.filter((x) => x.n === n);
  const t = at(10_000).map((x) => [`${x.workload} at 10k ≥ 1.0× plain JS`, `${x.ratio.toFixed(2)}×`, x.ratio >= 1]);
  const index = r.rows.find((x) => x.n === 100_000 && x.workload.startsWith("getAllTasks('running')"));
  if (index) t.push(["getAllTasks('running') at 100k ≥ 50× plain JS", `${index.ratio.toFixed(0)}×`, index.ratio >= 50]);
  const [list, listRef] = r.output.list;
  const [stream, streamRef] = r.output.stream;
  const [launch, launchPeer] = r.launch;
  const b = r.burst.ours;
  t.push(
    ['list with 64 KiB outputs ≥ 1.0× plain JS', `${(listRef / list).toFixed(2)}×`, listRef / list >= 1],
    ['streaming ≥ 1.0× plain JS', `${(streamRef / stream).toFixed(2)}×`, streamRef / stream >= 1],
    ['launch throughput ≥ 1.0× p-queue', `${(launch / launchPeer).toFixed(2)}×`, launch / launchPeer >= 1],
    ['watch fan-out ≥ 1.0× EventTarget', `${(r.output.fanout[0] / r.output.fanout[1]).toFixed(2)}×`,
      r.output.fanout[0] >= r.output.fanout[1]],
    ['a start with 100,000 queued behind a full key ≤ 1.5× one with 10',
      `${(r.keyed[1] / r.keyed[0]).toFixed(2)}×`, r.keyed[1] <= 1.5 * r.keyed[0]],
    ['memory after the burst within 5 MB of before', `${mb(b.after - b.before)} MB`, b.after - b.before <= 5 * 2 ** 20],
    ['wake-up < 0.2 ms', `${r.times.wake[0].toFixed(3)} ms`, r.times.wake[0] < 0.2],
    ['bytes per task ≤ plain JS', `${r.mem.ours.perTask.toFixed(0)} vs ${r.mem.reference.perTask.toFixed(0)}`,
      r.mem.ours.perTask <= r.mem.reference.perTask],
  );
  return t;
}
