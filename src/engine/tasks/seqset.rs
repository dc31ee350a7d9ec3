use alloc::collections::VecDeque;

/// A set of task seqs as a bitmap, one bit per seq from `base`. Seqs are
/// dense (the slab's), so this is smaller than a tree and iterates in order
/// in O(span / 64 + members); empty words at either end are trimmed, so the
/// span is that of the members.
#[derive(Default)]
pub struct SeqSet {
    words: VecDeque<u64>,
    /// The seq of bit 0 of `words[0]`; a multiple of 64.
    base: u64,
    len: usize,
}

impl SeqSet {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn insert(&mut self, seq: u64) {
        if self.words.is_empty() {
            self.base = seq & !63;
        }
        while seq < self.base {
            self.words.push_front(0);
            self.base -= 64;
        }
        let i = ((seq - self.base) / 64) as usize;
        if i >= self.words.len() {
            self.words.resize(i + 1, 0);
        }
        let bit = 1 << (seq % 64);
        if self.words[i] & bit == 0 {
            self.words[i] |= bit;
            self.len += 1;
        }
    }

    pub fn remove(&mut self, seq: u64) {
        let Some(i) = seq.checked_sub(self.base).map(|d| (d / 64) as usize) else {
            return;
        };
        let bit = 1 << (seq % 64);
        let Some(word) = self.words.get_mut(i) else {
            return;
        };
        if *word & bit == 0 {
            return;
        }
        *word &= !bit;
        self.len -= 1;
        while self.words.front() == Some(&0) {
            self.words.pop_front();
            self.base += 64;
        }
        while self.words.back() == Some(&0) {
            self.words.pop_back();
        }
    }

    pub fn contains(&self, seq: u64) -> bool {
        seq.checked_sub(self.base)
            .and_then(|d| self.words.get((d / 64) as usize))
            .is_some_and(|w| w & (1 << (seq % 64)) != 0)
    }

    pub fn clear(&mut self) {
        self.words.clear();
        self.len = 0;
    }

    /// The least member.
    pub fn first(&self) -> Option<u64> {
        // The front word is never empty (removals trim it), so this looks
        // at one word.
        let (i, word) = self.words.iter().enumerate().find(|(_, w)| **w != 0)?;
        Some(self.base + 64 * i as u64 + u64::from(word.trailing_zeros()))
    }

    /// The members, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.words.iter().enumerate().flat_map(move |(i, &word)| {
            let base = self.base + 64 * i as u64;
            Bits(word).map(move |bit| base + bit)
        })
    }
}

/// The set bits of one word, lowest first.
struct Bits(u64);

impl Iterator for Bits {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        if self.0 == 0 {
            return None;
        }
        let bit = self.0.trailing_zeros() as u64;
        self.0 &= self.0 - 1;
        Some(bit)
    }
}

#[cfg(test)]
mod tests {
    use super::SeqSet;
    use std::collections::BTreeSet;

    #[test]
    fn behaves_like_an_ordered_set_and_stays_trimmed() {
        let mut set = SeqSet::default();
        let mut model = BTreeSet::new();
        let mut x: u64 = 12345;
        for step in 0..20_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // Seqs in a sliding window, as a slab's are.
            let seq = step / 4 + (x >> 33) % 300;
            if (x >> 20) % 3 == 0 {
                set.remove(seq);
                model.remove(&seq);
            } else {
                set.insert(seq);
                model.insert(seq);
            }
            assert_eq!(set.len(), model.len());
            assert_eq!(set.first(), model.first().copied());
        }
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            model.iter().copied().collect::<Vec<_>>()
        );
        for seq in model.iter().copied().collect::<Vec<_>>() {
            set.remove(seq);
        }
        assert_eq!((set.len(), set.words.len()), (0, 0), "empty words trimmed");
    }

    #[test]
    fn inserting_below_the_base_grows_the_front() {
        let mut set = SeqSet::default();
        set.insert(1000);
        set.insert(3);
        set.insert(64);
        assert_eq!(set.iter().collect::<Vec<_>>(), [3, 64, 1000]);
        set.remove(3);
        set.remove(1000);
        assert_eq!(
            (set.iter().collect::<Vec<_>>(), set.words.len()),
            (vec![64], 1)
        );
    }
}
