//! The matcher's two stages over a snapshot's flat columns (the reference:
//! `hotlist.edge.matcher.ListIndex` and `hotlist.edge.index`).
//!
//! The host stage hashes each host suffix with a trailing `/` and asks the Bloom filter over the
//! entries' host keys (the first 8 bytes of that hash, little-endian; two bits per host); only the
//! suffixes that pass go to the path stage, which looks up `host + path` for every path prefix,
//! longest first, in the sorted 32-byte hash column. The most specific entry answers: the longest
//! host suffix first, then the longest path; with `suspend_disputed`, a disputed entry is skipped.

use std::cmp::Ordering;

use crate::canonical::{canonicalize, Canonical};
use crate::expressions::{hash_expression, path_prefixes, PathPrefix};
use crate::host::{host_suffixes, Idna};
use crate::UrlError;

/// Bytes of an expression hash: the reference's `hotlist.publish.wire.HASH_SIZE`.
pub const HASH_SIZE: usize = 32;
/// Bytes of a record's host key: the reference's `hotlist.publish.wire.HOST_KEY_SIZE`.
pub const HOST_KEY_SIZE: usize = 8;
/// The disputed flag bit: the reference's `hotlist.publish.wire.FLAG_DISPUTED`.
pub const FLAG_DISPUTED: u8 = 0x01;

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// No entry covers the URL.
    Miss,
    /// The entry at this position in the columns covers it.
    Hit(usize),
    /// The URL could not be canonicalized.
    Invalid(UrlError),
}

/// Columns that do not fit together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnsError {
    /// The hash column's length is not a multiple of 32.
    HashLength(usize),
    /// The flags column does not have one byte per hash.
    FlagsLength { hashes: usize, flags: usize },
    /// The Bloom filter's table does not have `mask + 1` bits (a power of two).
    FilterSize { bytes: usize, mask: u64 },
}

/// The mask of the host filter's table for `count` keys, as the reference sizes it: 16 bits
/// per key rounded up to a power of two, at least 1024.
pub fn filter_mask(count: usize) -> u64 {
    let mut size: u64 = 1 << 10;
    while size < 16u64.saturating_mul(count as u64) {
        size <<= 1;
    }
    size - 1
}

/// The two bits of the table that one host key sets.
fn key_bits(key: &[u8], mask: u64) -> [u64; 2] {
    let mut key_bytes = [0u8; HOST_KEY_SIZE];
    key_bytes.copy_from_slice(key);
    let key = u64::from_le_bytes(key_bytes);
    [key & mask, (key >> 32) & mask]
}

/// The host filter's table for `host_keys` (8 bytes each, little-endian), as the reference
/// builds it: [`filter_mask`] bits, two bits per key. Returns the table and its mask.
pub fn host_filter(host_keys: &[u8]) -> (Vec<u8>, u64) {
    let mask = filter_mask(host_keys.len() / HOST_KEY_SIZE);
    let mut bits = vec![0u8; ((mask + 1) >> 3) as usize];
    for key in host_keys.chunks_exact(HOST_KEY_SIZE) {
        for index in key_bits(key, mask) {
            if let Some(byte) = bits.get_mut((index >> 3) as usize) {
                *byte |= 1 << (index & 7);
            }
        }
    }
    (bits, mask)
}

/// Whether `bits` is a table that [`host_filter`] could have built for `host_keys`: the size
/// it gives, and every key's two bits set (so no key is missed: a table read from a file
/// that passes this check never lets a listed host through). Returns its mask when it is.
pub fn filter_covers(bits: &[u8], host_keys: &[u8]) -> Option<u64> {
    let mask = filter_mask(host_keys.len() / HOST_KEY_SIZE);
    if host_keys.len() % HOST_KEY_SIZE != 0 || (bits.len() as u64).checked_mul(8) != Some(mask + 1)
    {
        return None;
    }
    let set = |index: u64| {
        bits.get((index >> 3) as usize).is_some_and(|byte| byte >> (index & 7) & 1 == 1)
    };
    host_keys
        .chunks_exact(HOST_KEY_SIZE)
        .all(|key| key_bits(key, mask).into_iter().all(set))
        .then_some(mask)
}

/// A snapshot's columns, borrowed: the sorted hashes, the flags, the host filter's table.
#[derive(Debug, Clone, Copy)]
pub struct Columns<'a> {
    hashes: &'a [u8],
    flags: &'a [u8],
    filter: Option<(&'a [u8], u64)>,
    suspend_disputed: bool,
}

impl<'a> Columns<'a> {
    /// Columns over `hashes` (sorted, 32 bytes each), `flags` (one byte each) and, for the host
    /// stage, a Bloom filter's bit table with its mask (`bits` holds `mask + 1` bits).
    pub fn new(
        hashes: &'a [u8],
        flags: &'a [u8],
        filter: Option<(&'a [u8], u64)>,
        suspend_disputed: bool,
    ) -> Result<Self, ColumnsError> {
        if hashes.len() % HASH_SIZE != 0 {
            return Err(ColumnsError::HashLength(hashes.len()));
        }
        if flags.len() != hashes.len() / HASH_SIZE {
            return Err(ColumnsError::FlagsLength {
                hashes: hashes.len() / HASH_SIZE,
                flags: flags.len(),
            });
        }
        if let Some((bits, mask)) = filter {
            let size = mask.checked_add(1);
            let fits = size.is_some_and(|size| {
                size.is_power_of_two()
                    && size >= 8
                    && (bits.len() as u64).checked_mul(8) == Some(size)
            });
            if !fits {
                return Err(ColumnsError::FilterSize { bytes: bits.len(), mask });
            }
        }
        Ok(Columns { hashes, flags, filter, suspend_disputed })
    }

    /// How many entries the columns hold.
    pub fn count(&self) -> usize {
        self.hashes.len() / HASH_SIZE
    }

    /// The position of `digest` in the sorted hash column, if it is there.
    pub fn find(&self, digest: &[u8; 32]) -> Option<usize> {
        let (mut low, mut high) = (0usize, self.count());
        while low < high {
            let middle = low + (high - low) / 2;
            let start = middle * HASH_SIZE;
            match self.hashes[start..start + HASH_SIZE].cmp(&digest[..]) {
                Ordering::Less => low = middle + 1,
                Ordering::Greater => high = middle,
                Ordering::Equal => return Some(middle),
            }
        }
        None
    }

    /// The host stage for one canonical host suffix: false when no entry has that host.
    pub fn host_may_have_entry(&self, host: &str) -> bool {
        let Some((bits, mask)) = self.filter else {
            return true;
        };
        let digest = hash_expression(host, &PathPrefix { path: "/", query: None });
        let mut key_bytes = [0u8; HOST_KEY_SIZE];
        key_bytes.copy_from_slice(&digest[..HOST_KEY_SIZE]);
        let key = u64::from_le_bytes(key_bytes);
        let bit = |index: u64| -> bool {
            // The mask keeps the index inside the table (checked in new).
            bits.get((index >> 3) as usize).is_none_or(|byte| byte >> (index & 7) & 1 == 1)
        };
        bit(key & mask) && bit((key >> 32) & mask)
    }

    /// The host stage: the suffixes of a canonical host that may have an entry, most specific
    /// first (empty when none may).
    pub fn candidate_hosts<'h>(&self, host: &'h str) -> Vec<&'h str> {
        let mut hosts = host_suffixes(host);
        hosts.retain(|host| self.host_may_have_entry(host));
        hosts
    }

    /// The position of the entry that answers for a canonical URL, or None.
    pub fn lookup(&self, parts: &Canonical) -> Option<usize> {
        let hosts = self.candidate_hosts(&parts.host);
        if hosts.is_empty() {
            return None;
        }
        let mut paths = path_prefixes(&parts.path, parts.query.as_deref());
        // Every path is a prefix of the exact one, so the longest is the most specific.
        paths.sort_by_key(|path| std::cmp::Reverse(path.len()));
        for host in hosts {
            for path in &paths {
                if let Some(position) = self.find(&hash_expression(host, path)) {
                    if self.suspend_disputed && self.flags[position] & FLAG_DISPUTED != 0 {
                        continue;
                    }
                    return Some(position);
                }
            }
        }
        None
    }

    /// The verdict for one URL's bytes.
    pub fn check(&self, raw: &[u8], idna: Idna<'_>) -> Outcome {
        match canonicalize(raw, idna) {
            Ok(parts) => self.lookup(&parts).map_or(Outcome::Miss, Outcome::Hit),
            Err(error) => Outcome::Invalid(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expressions::hash;

    fn columns_for(expressions: &[&str]) -> (Vec<u8>, Vec<u8>) {
        let mut digests: Vec<[u8; 32]> = expressions.iter().map(|e| hash(e.as_bytes())).collect();
        digests.sort_unstable();
        (digests.concat(), vec![0; digests.len()])
    }

    #[test]
    fn finds_the_most_specific_entry() {
        let (hashes, flags) = columns_for(&["b.example/", "a.b.example/x/"]);
        let columns = Columns::new(&hashes, &flags, None, false).unwrap();
        let hit = columns.check(b"http://a.b.example/x/y", &mut |_| None);
        let Outcome::Hit(position) = hit else { panic!("{hit:?}") };
        assert_eq!(&hashes[position * 32..position * 32 + 32], hash(b"a.b.example/x/"));
        assert_eq!(columns.check(b"http://c.example/", &mut |_| None), Outcome::Miss);
        assert!(matches!(columns.check(b"", &mut |_| None), Outcome::Invalid(UrlError::Empty)));
    }

    #[test]
    fn the_host_filter_holds_every_key() {
        let keys: Vec<u8> = (0u64..5000)
            .flat_map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_le_bytes())
            .collect();
        let (bits, mask) = host_filter(&keys);
        assert_eq!(bits.len() as u64 * 8, mask + 1);
        assert!(mask + 1 >= 16 * 5000);
        for key in keys.chunks_exact(8) {
            let key = u64::from_le_bytes(key.try_into().unwrap());
            for index in [key & mask, (key >> 32) & mask] {
                assert_eq!(bits[(index >> 3) as usize] >> (index & 7) & 1, 1);
            }
        }
    }

    #[test]
    fn a_table_covers_its_keys_and_no_other_table_does() {
        let keys: Vec<u8> = (0u64..3000)
            .flat_map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_le_bytes())
            .collect();
        let (bits, mask) = host_filter(&keys);
        assert_eq!(filter_covers(&bits, &keys), Some(mask));
        let mut cleared = bits.clone();
        let first = u64::from_le_bytes(keys[..8].try_into().unwrap()) & mask;
        cleared[(first >> 3) as usize] &= !(1 << (first & 7));
        assert_eq!(filter_covers(&cleared, &keys), None);
        assert_eq!(filter_covers(&bits[..bits.len() / 2], &keys), None);
        assert_eq!(filter_covers(&bits, &keys[..7]), None);
        let (more, _) = host_filter(&[keys.clone(), keys.clone()].concat());
        assert_eq!(filter_covers(&more, &keys), None); // sized for another count
        assert_eq!(filter_covers(&vec![0xff; bits.len()], &keys), Some(mask));
    }

    #[test]
    fn refuses_columns_that_do_not_fit() {
        assert_eq!(
            Columns::new(&[0; 31], &[], None, false).unwrap_err(),
            ColumnsError::HashLength(31)
        );
        assert!(Columns::new(&[0; 32], &[0], Some((&[0; 3], 31)), false).is_err());
    }
}
