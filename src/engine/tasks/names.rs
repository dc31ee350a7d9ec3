use crate::engine::maps::HashMap;
use crate::engine::prelude::*;
use alloc::rc::Rc;

/// Names many tasks share (session ids, agent names), each kept once and
/// known by a small index while any task (or the manager) refers to it. A
/// name no one refers to is forgotten and its index reused, so a stream of
/// distinct names does not grow the table.
#[derive(Default)]
pub struct Names {
    by_name: HashMap<Rc<str>, u32>,
    entries: Vec<Option<(Rc<str>, usize)>>,
    free: Vec<u32>,
}

impl Names {
    /// Takes a reference to `name`; returns its index and whether it is new
    /// (no one referred to it before).
    pub fn acquire(&mut self, name: &str) -> (u32, bool) {
        if let Some(&index) = self.by_name.get(name) {
            if let Some(Some((_, refs))) = self.entries.get_mut(index as usize) {
                *refs += 1;
            }
            return (index, false);
        }
        let name: Rc<str> = Rc::from(name);
        let entry = Some((name.clone(), 1));
        let index = match self.free.pop() {
            Some(index) => {
                self.entries[index as usize] = entry;
                index
            }
            None => {
                self.entries.push(entry);
                (self.entries.len() - 1) as u32
            }
        };
        self.by_name.insert(name, index);
        (index, true)
    }

    /// The index of `name`, if anyone refers to it.
    pub fn find(&self, name: &str) -> Option<u32> {
        self.by_name.get(name).copied()
    }

    /// Takes one more reference to a name already held.
    pub fn retain(&mut self, index: u32) {
        if let Some(Some((_, refs))) = self.entries.get_mut(index as usize) {
            *refs += 1;
        }
    }

    /// Drops a reference; true when that was the last one and the index is
    /// free again.
    pub fn release(&mut self, index: u32) -> bool {
        let Some(slot) = self.entries.get_mut(index as usize) else {
            return false;
        };
        let Some((name, refs)) = slot else {
            return false;
        };
        *refs -= 1;
        if *refs > 0 {
            return false;
        }
        self.by_name.remove(&**name);
        *slot = None;
        self.free.push(index);
        true
    }

    pub fn name(&self, index: u32) -> Option<&str> {
        self.entries
            .get(index as usize)?
            .as_ref()
            .map(|(name, _)| &**name)
    }

    /// References to `index` (for tests).
    pub fn refs(&self, index: u32) -> usize {
        self.entries
            .get(index as usize)
            .and_then(|e| e.as_ref())
            .map_or(0, |(_, refs)| *refs)
    }

    /// Names held (for tests).
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn clear(&mut self) {
        self.by_name.clear();
        self.entries.clear();
        self.free.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::Names;

    #[test]
    fn names_are_shared_counted_and_reused() {
        let mut names = Names::default();
        assert_eq!(names.acquire("a"), (0, true));
        assert_eq!(names.acquire("b"), (1, true));
        assert_eq!(names.acquire("a"), (0, false));
        assert!(!names.release(0));
        assert!(names.release(0), "last reference");
        assert_eq!(names.name(0), None);
        assert_eq!(names.acquire("c"), (0, true), "index reused");
        assert_eq!(names.name(1), Some("b"));
        assert_eq!(names.len(), 2);
    }
}
