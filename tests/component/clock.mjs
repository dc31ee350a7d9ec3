// A virtual clock for the component's tests: time moves only in `sleep`,
// which runs the timers due on the way in order, each at its own time.
export class VirtualClock {
  #t;
  #timers = [];
  #next = 0;

  constructor(start = 1_767_225_600_000) {
    this.#t = start;
  }

  now() {
    return this.#t;
  }

  setTimeout(fn, ms) {
    const id = ++this.#next;
    this.#timers.push({ id, at: this.#t + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(id) {
    this.#timers = this.#timers.filter((t) => t.id !== id);
  }

  /** Lets promise callbacks and the timers due now run. */
  async settle() {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await this.sleep(0);
  }

  async sleep(ms) {
    const end = this.#t + ms;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      const due = this.#timers
        .filter((t) => t.at <= end)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.clearTimeout(due.id);
      this.#t = Math.max(this.#t, due.at);
      due.fn();
    }
    this.#t = end;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
