//! The authority stage's memory: which plain authorities have no host that could have an entry.
//!
//! Squid's lines mostly go to hosts seen before, so their answer is remembered per authority.
//! An authority is kept as two 64-bit SipHash values under this process's random key (one picks
//! the slot, the other is checked with it: 127 bits must agree), not as its text: 16 bytes and
//! a control byte a slot, 8,192 slots (about 140 kB), taken whole at the first answer so that
//! the table never grows (each growth left the smaller table's memory to the allocator).

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};

/// The table's slots: each Squid helper holds one table, so it is small (65,536 slots, about
/// 1.1 MB, was most of a helper's growth with traffic, then 16,384; 8,192 answer as fast on the
/// ISP-like stream: measured in docs/squid.md, Memory).
pub const SLOTS: usize = 1 << 13;

/// How many authorities are remembered before the cache is emptied: 7/8 of the slots, the
/// table's load limit, so it never grows past `SLOTS`.
pub const CAPACITY: usize = SLOTS / 8 * 7;

/// The slot keys are SipHash values already: the table takes them as they are.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// Plain authority -> whether no host of it can have an entry, for one list version.
#[derive(Default)]
pub struct ClearCache {
    seed: RandomState,
    slots: HashMap<u64, u64, BuildHasherDefault<Prehashed>>,
}

impl ClearCache {
    fn keys(&self, authority: &[u8]) -> (u64, u64) {
        (self.seed.hash_one((0u8, authority)), self.seed.hash_one((1u8, authority)))
    }

    /// The remembered answer for `authority`, if any.
    pub fn get(&self, authority: &[u8]) -> Option<bool> {
        let (slot, check) = self.keys(authority);
        let value = *self.slots.get(&slot)?;
        (value >> 1 == check >> 1).then_some(value & 1 == 1)
    }

    /// Remember `clear` for `authority`; a full cache is emptied first (keeping its table).
    pub fn put(&mut self, authority: &[u8], clear: bool) {
        if self.slots.len() >= CAPACITY {
            self.slots.clear();
        } else if self.slots.capacity() == 0 {
            self.slots.reserve(CAPACITY);
        }
        let (slot, check) = self.keys(authority);
        self.slots.insert(slot, (check & !1) | u64::from(clear));
    }

    /// How many authorities it holds.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots.len()
    }

    /// Bytes its table takes (slots and control bytes).
    #[cfg(test)]
    fn table_bytes(&self) -> usize {
        self.slots.capacity().next_power_of_two() * 17
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_both_answers_and_only_for_the_same_authority() {
        let mut cache = ClearCache::default();
        cache.put(b"www.example.com", true);
        cache.put(b"blocked.example:8080", false);
        assert_eq!(cache.get(b"www.example.com"), Some(true));
        assert_eq!(cache.get(b"blocked.example:8080"), Some(false));
        assert_eq!(cache.get(b"blocked.example"), None);
        assert_eq!(cache.get(b"WWW.example.com"), None);
        cache.put(b"www.example.com", false);
        assert_eq!(cache.get(b"www.example.com"), Some(false));
    }

    #[test]
    fn never_grows_past_its_table() {
        let mut cache = ClearCache::default();
        for number in 0..(3 * CAPACITY + 5) {
            let authority = format!("host{number}.example");
            cache.put(authority.as_bytes(), number % 3 == 0);
            assert_eq!(cache.get(authority.as_bytes()), Some(number % 3 == 0));
        }
        assert!(cache.len() <= CAPACITY);
        assert_eq!(cache.table_bytes(), SLOTS * 17);
    }

    #[test]
    fn takes_its_whole_table_at_the_first_answer() {
        let mut cache = ClearCache::default();
        assert_eq!(cache.slots.capacity(), 0);
        cache.put(b"www.example.com", true);
        assert_eq!(cache.table_bytes(), SLOTS * 17);
        assert_eq!(cache.slots.capacity(), CAPACITY);
    }
}
