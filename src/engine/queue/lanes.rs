//! Where launched tasks wait and which one starts next. Every launched task
//! is in one lane: its agent, its concurrency key and its priority. A lane
//! keeps its queued tasks in creation order, so choosing the next task to
//! start looks at the first task of each lane that has any, never along a
//! queue: a key that is full costs nothing however many tasks wait on it.
use crate::engine::prelude::*;
use crate::engine::tasks::names::Names;
use crate::engine::tasks::seqset::SeqSet;

/// One agent × key × priority, shared by its tasks (counted).
struct Lane {
    /// The agent's index in `Lanes::agents`.
    agent: u32,
    /// The innermost configured key the tasks count against (its index in
    /// `Lanes::keys`), plus one; 0 for none.
    key: u32,
    priority: i32,
    /// Its agent's limit (`agentLimits`), read from the config once.
    agent_limit: Option<usize>,
    refs: usize,
    /// Its queued tasks that may start, oldest first.
    ready: SeqSet,
}

/// A configured concurrency key (`limits.keys`).
#[derive(Clone, Default)]
struct Key {
    name: String,
    /// The innermost configured key it is under (`openai` for
    /// `openai/gpt-5`), plus one; 0 for none.
    parent: u32,
    limit: usize,
    running: usize,
}

/// The lanes, the agents they are made of, the configured keys, and the
/// running counts the limits are checked against. A task's key matters
/// only through the configured keys it is at or under (a key with no limit
/// counts for nothing), so tasks whose keys meet the same limits share a
/// lane, and FIFO order within a key holds because it holds within a lane.
#[derive(Default)]
pub struct Lanes {
    lanes: Vec<Option<Lane>>,
    free: Vec<u32>,
    /// Agent names; running tasks per agent, by its index.
    pub agents: Names,
    agent_running: Vec<usize>,
    keys: Vec<Key>,
    /// Lanes with a queued task that may start: the candidates.
    waiting: Vec<u32>,
}

/// Whether `key` is `at` or under it (`at/...`).
fn under(key: &str, at: &str) -> bool {
    key.len() >= at.len()
        && key.as_bytes()[..at.len()] == *at.as_bytes()
        && key.as_bytes().get(at.len()).is_none_or(|&b| b == b'/')
}

impl Lanes {
    /// Lanes for the configured key limits (`limits.keys`).
    pub fn new(key_limits: &[(String, usize)]) -> Self {
        let mut lanes = Lanes::default();
        for (name, limit) in key_limits {
            lanes.keys.push(Key {
                name: name.clone(),
                parent: 0,
                limit: *limit,
                running: 0,
            });
        }
        for i in 0..lanes.keys.len() {
            let name = &lanes.keys[i].name;
            let parent = lanes.innermost(name, |other| other.len() < name.len());
            lanes.keys[i].parent = parent;
        }
        lanes
    }

    /// The longest configured key that `key` is at or under and that
    /// `also` admits, plus one; 0 for none.
    fn innermost(&self, key: &str, also: impl Fn(&str) -> bool) -> u32 {
        let mut best: Option<(usize, usize)> = None;
        for (i, k) in self.keys.iter().enumerate() {
            if under(key, &k.name)
                && also(&k.name)
                && best.is_none_or(|(_, len)| k.name.len() > len)
            {
                best = Some((i, k.name.len()));
            }
        }
        best.map_or(0, |(i, _)| i as u32 + 1)
    }

    /// Takes a reference to the lane of `agent`, `key` and `priority`;
    /// returns its number plus one (a task's `agent` field).
    /// `agent_limit` is the agent's `agentLimits` entry (`Config::agent_limit`).
    pub fn acquire(
        &mut self,
        agent: &str,
        agent_limit: Option<usize>,
        key: Option<&str>,
        priority: i32,
    ) -> u32 {
        let key = key.map_or(0, |k| self.innermost(k, |_| true));
        self.acquire_parts(agent, agent_limit, key, priority)
    }

    /// Lane `lane` for another agent: the same key and priority (a retry
    /// that falls back to the next agent). Takes the new lane's reference
    /// and drops the old one's.
    pub fn switch_agent(&mut self, lane: u32, agent: &str, agent_limit: Option<usize>) -> u32 {
        let Some((key, priority)) = self.lane(lane).map(|l| (l.key, l.priority)) else {
            return lane;
        };
        let new = self.acquire_parts(agent, agent_limit, key, priority);
        self.release(lane);
        new
    }

    fn acquire_parts(
        &mut self,
        agent: &str,
        agent_limit: Option<usize>,
        key: u32,
        priority: i32,
    ) -> u32 {
        let agent_index = self.agents.acquire(agent).0;
        // Lanes are few (the agents, keys and priorities in use), so a
        // look along them is cheaper than a map's upkeep.
        let found = self.lanes.iter_mut().enumerate().find_map(|(i, l)| {
            l.as_mut()
                .filter(|l| (l.agent, l.key, l.priority) == (agent_index, key, priority))
                .map(|l| (i, l))
        });
        if let Some((lane, l)) = found {
            l.refs += 1;
            // The lane holds its agent's name once.
            self.agents.release(agent_index);
            return lane as u32 + 1;
        }
        let new = Lane {
            agent: agent_index,
            key,
            priority,
            agent_limit,
            refs: 1,
            ready: SeqSet::default(),
        };
        let lane = match self.free.pop() {
            Some(i) => {
                self.lanes[i as usize] = Some(new);
                i
            }
            None => {
                self.lanes.push(Some(new));
                (self.lanes.len() - 1) as u32
            }
        };
        lane + 1
    }

    /// Drops a task's reference to lane `lane` (its `agent` field).
    pub fn release(&mut self, lane: u32) {
        let Some(i) = lane.checked_sub(1) else { return };
        let Some(Some(l)) = self.lanes.get_mut(i as usize) else {
            return;
        };
        l.refs -= 1;
        if l.refs > 0 {
            return;
        }
        let agent = l.agent;
        self.lanes[i as usize] = None;
        self.free.push(i);
        self.agents.release(agent);
    }

    fn lane(&self, lane: u32) -> Option<&Lane> {
        self.lanes.get(lane.checked_sub(1)? as usize)?.as_ref()
    }

    /// The agent of lane `lane`.
    pub fn agent_name(&self, lane: u32) -> Option<&str> {
        self.agents.name(self.lane(lane)?.agent)
    }

    /// The innermost configured key lane `lane` counts against.
    pub fn key_name(&self, lane: u32) -> Option<&str> {
        let key = self
            .keys
            .get(self.lane(lane)?.key.checked_sub(1)? as usize)?;
        Some(&key.name)
    }

    pub fn priority(&self, lane: u32) -> i32 {
        self.lane(lane).map_or(0, |l| l.priority)
    }

    /// Queued task `seq` of lane `lane` may start.
    pub fn push(&mut self, lane: u32, seq: u64) {
        let Some(Some(l)) = lane
            .checked_sub(1)
            .and_then(|i| self.lanes.get_mut(i as usize))
        else {
            return;
        };
        if l.ready.len() == 0 {
            self.waiting.push(lane);
        }
        l.ready.insert(seq);
    }

    /// Task `seq` of lane `lane` no longer waits to start (it started, was
    /// held back, or ended).
    pub fn remove(&mut self, lane: u32, seq: u64) {
        let Some(Some(l)) = lane
            .checked_sub(1)
            .and_then(|i| self.lanes.get_mut(i as usize))
        else {
            return;
        };
        let before = l.ready.len();
        l.ready.remove(seq);
        if before > 0 && l.ready.len() == 0 {
            self.waiting.retain(|&w| w != lane);
        }
    }

    /// Whether a task of lane `lane` may start as far as its agent and keys
    /// go (the global limit is the engine's).
    pub fn has_room(&self, lane: u32) -> bool {
        let Some(l) = self.lane(lane) else {
            return true;
        };
        let running = self
            .agent_running
            .get(l.agent as usize)
            .copied()
            .unwrap_or(0);
        if l.agent_limit.is_some_and(|max| running >= max) {
            return false;
        }
        let mut key = l.key;
        while let Some(k) = key.checked_sub(1).and_then(|i| self.keys.get(i as usize)) {
            if k.limit != 0 && k.running >= k.limit {
                return false;
            }
            key = k.parent;
        }
        true
    }

    /// The queued task to start next: of the lanes whose limits have room,
    /// the highest priority, then the oldest task. Costs one look per lane
    /// with queued tasks, whatever the queues' lengths.
    pub fn next(&self) -> Option<u64> {
        let mut best: Option<(i32, u64)> = None;
        for &lane in &self.waiting {
            let Some(l) = self.lane(lane) else { continue };
            let Some(first) = l.ready.first() else {
                continue;
            };
            let better = best.is_none_or(|(p, s)| l.priority > p || (l.priority == p && first < s));
            if better && self.has_room(lane) {
                best = Some((l.priority, first));
            }
        }
        best.map(|(_, seq)| seq)
    }

    /// A task of lane `lane` took (`true`) or freed a slot.
    pub fn count(&mut self, lane: u32, took: bool) {
        let Some(l) = self.lane(lane) else { return };
        let (agent, mut key) = (l.agent as usize, l.key);
        if self.agent_running.len() <= agent {
            self.agent_running.resize(agent + 1, 0);
        }
        let n = &mut self.agent_running[agent];
        *n = if took { *n + 1 } else { n.saturating_sub(1) };
        while let Some(k) = key
            .checked_sub(1)
            .and_then(|i| self.keys.get_mut(i as usize))
        {
            k.running = if took {
                k.running + 1
            } else {
                k.running.saturating_sub(1)
            };
            key = k.parent;
        }
    }

    /// Forgets every lane (the configured keys stay).
    pub fn clear(&mut self) {
        self.lanes.clear();
        self.free.clear();
        self.agents.clear();
        self.agent_running.clear();
        self.waiting.clear();
        for k in &mut self.keys {
            k.running = 0;
        }
    }

    /// Checks the lanes from scratch against every launched task, given as
    /// (seq, lane, holds a slot, may start): each lane counted once per
    /// task, each agent name once per lane, the running counts, no limit
    /// exceeded, and exactly the tasks that may start in their lanes.
    /// Returns the first that fails.
    pub fn inconsistency(
        &self,
        tasks: impl Iterator<Item = (u64, u32, bool, bool)>,
        config: &crate::engine::Config,
    ) -> Option<&'static str> {
        use alloc::collections::BTreeMap;
        let mut refs: BTreeMap<u32, usize> = BTreeMap::new();
        let mut agents: BTreeMap<u32, usize> = BTreeMap::new();
        let mut keys = alloc::vec![0usize; self.keys.len()];
        let mut ready = 0;
        for (seq, lane, running, may_start) in tasks {
            *refs.entry(lane).or_default() += 1;
            let Some(l) = self.lane(lane) else {
                return Some("a task in a lane that does not exist");
            };
            if may_start != l.ready.contains(seq) {
                return Some("a queued task that may start and its lane disagree");
            }
            ready += usize::from(may_start);
            if running {
                *agents.entry(l.agent).or_default() += 1;
                let mut key = l.key;
                while let Some(k) = key.checked_sub(1) {
                    keys[k as usize] += 1;
                    key = self.keys[k as usize].parent;
                }
            }
        }
        let mut agent_refs: BTreeMap<u32, usize> = BTreeMap::new();
        for l in self.lanes.iter().flatten() {
            *agent_refs.entry(l.agent).or_default() += 1;
        }
        let lanes_ok = refs.len() == self.lanes.iter().flatten().count()
            && refs
                .iter()
                .all(|(&lane, &n)| self.lane(lane).is_some_and(|l| l.refs == n));
        let names_ok = agent_refs.iter().all(|(&a, &n)| self.agents.refs(a) == n)
            && self.agents.len() == agent_refs.len();
        let counts_ok = (0..self.agent_running.len() as u32)
            .all(|a| self.agent_running[a as usize] == agents.get(&a).copied().unwrap_or(0))
            && agents
                .keys()
                .all(|&a| (a as usize) < self.agent_running.len())
            && self.keys.iter().zip(&keys).all(|(k, &n)| k.running == n);
        // Each lane's agent limit is the config's, and no agent exceeds it.
        let cached_ok = self.lanes.iter().flatten().all(|l| {
            l.agent_limit == config.agent_limit(self.agents.name(l.agent).unwrap_or_default())
        });
        let limits_ok = cached_ok
            && agents.iter().all(|(&a, &n)| {
                let name = self.agents.name(a).unwrap_or_default();
                config.agent_limit(name).is_none_or(|max| n <= max)
            })
            && self
                .keys
                .iter()
                .all(|k| k.limit == 0 || k.running <= k.limit);
        let waiting_ok = self
            .lanes
            .iter()
            .flatten()
            .map(|l| l.ready.len())
            .sum::<usize>()
            == ready
            && self.waiting.len()
                == self
                    .lanes
                    .iter()
                    .flatten()
                    .filter(|l| l.ready.len() > 0)
                    .count();
        [
            (lanes_ok, "the lanes' task counts"),
            (names_ok, "the agent name counts"),
            (counts_ok, "the running counts per agent and key"),
            (limits_ok, "the agent and key limits"),
            (waiting_ok, "the lanes with tasks that may start"),
        ]
        .into_iter()
        .find(|(ok, _)| !ok)
        .map(|(_, what)| what)
    }
}
