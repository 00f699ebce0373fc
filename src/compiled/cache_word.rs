//! The call-site cache word: the slot a `#[requires]` site resolved to, for the authority it resolved it for, packed
//! so that the inlined check tests authority, audit tag and bounds with one load and one compare.
//!
//! The word is `schema << 32 | min_byte << 24 | slot`, with [`AUDITED`] set over the slot while allowed checks are
//! audited; 0 until first filled (schemas start at 1). The schema is the number of the authority's slot layout
//! (`layout.rs`): authorities of equal layouts share it, so a site stays warm across a reload that keeps the tables,
//! privileges and capabilities, and authorities of different layouts never do, so a site cached for one never
//! indexes another's rows. A principal keeps its authority's `schema << 32` (a [`SchemaKey`]). The word XOR that key, with the minimum masked off, is the slot itself when the schema matches and
//! the slot carries no tag; otherwise high bits stay set, so the index is out of range for every row and the check
//! takes its slow path. This layout is private to this file.

use std::sync::atomic::{AtomicU64, Ordering};

/// Set over a cached slot while allowed checks are audited: the slot is then out of range for every principal, so the
/// inlined check falls through to its slow path, which reads the slot without the tag and emits the event. So that a
/// tagged slot is out of range for every row, nothing is cached for an authority with more slots than this (it takes
/// a million tables).
const AUDITED: u64 = 1 << 23;

/// Where the site's minimum byte sits in the word.
const MIN_BYTE_SHIFT: u32 = 24;

/// The schema of every layout past the first `u32::MAX - 1`: nothing is cached for it, so that a schema is never
/// shared by two layouts (a site cached for one would index another's rows); checks against authorities of those
/// layouts resolve their sites by name each time.
const UNCACHED_SCHEMA: u64 = u32::MAX as u64;

/// An authority's schema `<< 32`: the high half of a cache word, as the inlined check compares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SchemaKey(u64);

impl SchemaKey {
    /// The key of an authority whose layout has schema number `schema` (from 1): that number while it fits below
    /// [`UNCACHED_SCHEMA`], that schema after.
    pub(crate) fn of(schema: u64) -> Self {
        Self(schema.min(UNCACHED_SCHEMA) << 32)
    }

    /// Whether sites may cache a slot for this key.
    fn cacheable(self) -> bool {
        self.0 >> 32 != UNCACHED_SCHEMA
    }
}

/// A call site's cache word (see the module documentation).
#[derive(Debug)]
pub(crate) struct CacheWord(AtomicU64);

impl CacheWord {
    /// The empty word: out of range for every principal.
    pub(crate) const fn empty() -> Self {
        Self(AtomicU64::new(0))
    }

    /// For the inlined check, from one load: an index that is in range for a principal's row only when it is the slot
    /// cached for `key`'s authority and untagged, and the site's minimum byte.
    #[inline(always)]
    pub(crate) fn fast_index(&self, key: SchemaKey) -> (u64, u8) {
        let word = self.0.load(Ordering::Relaxed);
        (
            (word ^ key.0) & !(0xFF << MIN_BYTE_SHIFT),
            (word >> MIN_BYTE_SHIFT) as u8,
        )
    }

    /// The slot cached for `key`'s authority, and whether it is tagged as audited.
    pub(crate) fn cached(&self, key: SchemaKey) -> Option<(usize, bool)> {
        let word = self.0.load(Ordering::SeqCst);
        ((word ^ key.0) >> 32 == 0 && word != 0)
            .then_some(((word & (AUDITED - 1)) as usize, word & AUDITED != 0))
    }

    /// Caches `slot` (of an authority with `slot_count` slots) for `key`, with the site's `min_byte`, tagged or not.
    /// Nothing is stored for an authority of [`AUDITED`] slots or more, whose rows a tagged slot could index, nor for
    /// an uncacheable key; returns whether it stored.
    pub(crate) fn store(
        &self,
        key: SchemaKey,
        min_byte: u8,
        slot: usize,
        slot_count: usize,
        tagged: bool,
    ) -> bool {
        if slot_count as u64 > AUDITED || slot >= slot_count || !key.cacheable() {
            return false;
        }
        let tag = if tagged { AUDITED } else { 0 };
        let word = key.0 | u64::from(min_byte) << MIN_BYTE_SHIFT | slot as u64 | tag;
        self.0.store(word, Ordering::SeqCst);
        true
    }

    /// Sets (audit on) or clears (audit off) the tag of a cached slot.
    pub(crate) fn set_tag(&self, tagged: bool) {
        if tagged {
            self.0.fetch_or(AUDITED, Ordering::SeqCst);
        } else {
            self.0.fetch_and(!AUDITED, Ordering::SeqCst);
        }
    }

    /// Whether nothing is cached.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.0.load(Ordering::SeqCst) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(schema: u64) -> SchemaKey {
        SchemaKey(schema << 32)
    }

    #[test]
    fn nothing_is_cached_for_the_uncached_schema_or_an_oversized_authority() {
        let word = CacheWord::empty();
        let uncached = key(UNCACHED_SCHEMA);
        assert!(!word.store(uncached, 0x20, 3, 100, false));
        assert!(word.is_empty());
        assert!(!word.store(key(7), 0x20, 3, AUDITED as usize + 1, false));
        assert!(word.is_empty());
        // The empty word is out of range for every principal of either: its index keeps the schema's bits.
        assert!(word.fast_index(uncached).0 >= 1 << 32);
        // An ordinary schema is cached, and its index is the slot; another schema's index is out of range.
        assert!(word.store(key(7), 0x20, 3, 100, false));
        assert_eq!(word.fast_index(key(7)), (3, 0x20));
        assert!(word.fast_index(key(8)).0 >= 1 << 32);
        assert_eq!(word.cached(key(7)), Some((3, false)));
        assert_eq!(word.cached(key(8)), None);
    }

    #[test]
    fn a_tagged_slot_is_out_of_range_for_every_row_the_word_is_cached_for() {
        let word = CacheWord::empty();
        assert!(word.store(key(7), 0x20, 3, 100, false));
        word.set_tag(true);
        assert!(word.fast_index(key(7)).0 >= AUDITED);
        assert_eq!(word.cached(key(7)), Some((3, true)));
        word.set_tag(false);
        assert_eq!(word.fast_index(key(7)).0, 3);
    }

    #[test]
    fn layouts_past_the_schema_range_share_the_uncached_schema() {
        assert!(!SchemaKey::of(UNCACHED_SCHEMA + 5).cacheable());
        assert!(SchemaKey::of(1).cacheable());
    }
}
