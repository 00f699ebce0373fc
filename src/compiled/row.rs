//! The packed row: a principal's effective privileges, one byte per slot, shared by every principal of the same set
//! of roles.
//!
//! A byte is `rank << RANK_SHIFT | position`: the rank held (0 none, 1..=4 Basic..Global) and the position, among the
//! principal's roles (sorted, in catalog order), of the first role that grants that rank ([`NO_POSITION`] past the
//! 31st role). So the allowed path compares the byte as it is against a minimum shifted the same way
//! ([`PackedRow::min_byte`]), and a denial names its role without searching. This layout is private to this file.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};

/// Where the rank sits in a packed byte.
const RANK_SHIFT: u32 = 5;

/// The position bits of a packed byte; also the value for "not kept" (a principal with more than 31 roles).
const NO_POSITION: u8 = (1 << RANK_SHIFT) - 1;

/// A principal's effective privileges: per slot, the rank held and which of its roles grants it (see the module
/// documentation). Cloning shares the row.
#[derive(Clone, Debug)]
pub(crate) struct PackedRow(Arc<[u8]>);

impl PackedRow {
    /// The minimum byte for a rank: a packed byte is at least this exactly when its rank is at least `rank`.
    pub(crate) const fn min_byte(rank: u8) -> u8 {
        rank << RANK_SHIFT
    }

    /// The rank a minimum byte stands for.
    pub(crate) const fn rank_of_min(min_byte: u8) -> u8 {
        min_byte >> RANK_SHIFT
    }

    /// Packs a row of ranks (0..=4 per slot) with the position of the first of `roles` (sorted, distinct) that
    /// grants each slot's rank; `role_grants(r)` is what role `r` grants, as (slot, rank).
    fn pack<'a>(
        roles: &[u32],
        role_grants: impl Fn(u32) -> &'a [(u32, u8)],
        mut ranks: Box<[u8]>,
    ) -> Self {
        for byte in ranks.iter_mut() {
            *byte = (*byte << RANK_SHIFT) | NO_POSITION;
        }
        for (position, &role) in roles.iter().enumerate().take(usize::from(NO_POSITION)) {
            let position = position as u8;
            for &(slot, granted) in role_grants(role) {
                if let Some(byte) = ranks.get_mut(slot as usize)
                    && *byte == (granted << RANK_SHIFT) | NO_POSITION
                {
                    *byte = (granted << RANK_SHIFT) | position;
                }
            }
        }
        Self(ranks.into())
    }

    /// Whether the slot at `index` meets `min_byte` ([`min_byte`](Self::min_byte) of a rank); `None` when `index`
    /// is out of range. The allowed path of every check: one bounds check and one compare.
    #[inline(always)]
    pub(crate) fn meets(&self, index: u64, min_byte: u8) -> Option<bool> {
        let index = usize::try_from(index).ok()?;
        self.0.get(index).map(|&byte| byte >= min_byte)
    }

    /// The rank held at `index` (0 = not held, 1..=4 = Basic..Global); 0 out of range.
    #[inline]
    pub(crate) fn rank(&self, index: usize) -> u8 {
        self.0.get(index).map_or(0, |&byte| byte >> RANK_SHIFT)
    }

    /// The position, among the principal's roles, of the first role granting `rank` at `index`, when the row kept
    /// it (not past the 31st role, nor for another rank than the one held).
    #[inline]
    pub(crate) fn granting_position(&self, index: usize, rank: u8) -> Option<usize> {
        let byte = *self.0.get(index)?;
        let position = byte & NO_POSITION;
        (byte >> RANK_SHIFT == rank && position != NO_POSITION).then_some(usize::from(position))
    }

    /// How many slots the row has.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether two rows are the same shared row.
    #[cfg(test)]
    pub(crate) fn ptr_eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The packed rows of the sets of roles principals hold, by set (sorted role ids), so that principals of the same set
/// share one row. Thousands of users typically hold a few dozen distinct sets, so their principals share a few dozen
/// rows, which stay in cache.
///
/// Entries are weak: a row lives as long as a principal holds it, and entries whose row is gone are swept whenever the
/// map has doubled since the last sweep.
#[derive(Debug, Default)]
pub(crate) struct SharedRows(Mutex<SharedRowsInner>);

#[derive(Debug, Default)]
struct SharedRowsInner {
    rows: HashMap<Box<[u32]>, Weak<[u8]>>,
    sweep_at: usize,
}

impl SharedRows {
    /// The row of `roles` (sorted, distinct), built by `ranks` (the effective ranks of the set) and packed with
    /// `role_grants` (what each role grants) when no live principal holds it yet.
    pub(crate) fn get_or_build<'a>(
        &self,
        roles: &[u32],
        role_grants: impl Fn(u32) -> &'a [(u32, u8)],
        ranks: impl FnOnce() -> Box<[u8]>,
    ) -> PackedRow {
        let lock = || self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(row) = lock().rows.get(roles).and_then(Weak::upgrade) {
            return PackedRow(row);
        }
        // Built without the lock; a row another thread built meanwhile wins, so that the set has one row.
        let built = PackedRow::pack(roles, role_grants, ranks());
        let mut shared = lock();
        if let Some(row) = shared.rows.get(roles).and_then(Weak::upgrade) {
            return PackedRow(row);
        }
        shared.rows.insert(roles.into(), Arc::downgrade(&built.0));
        if shared.rows.len() >= shared.sweep_at {
            shared.rows.retain(|_, row| row.strong_count() > 0);
            shared.sweep_at = (2 * shared.rows.len()).max(64);
        }
        built
    }

    /// How many entries the map holds, and how many of their rows are alive.
    #[cfg(test)]
    pub(crate) fn entries(&self) -> (usize, usize) {
        let shared = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let live = shared
            .rows
            .values()
            .filter(|r| r.strong_count() > 0)
            .count();
        (shared.rows.len(), live)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_meets_a_minimum_exactly_when_its_rank_does() {
        // Role 0 grants rank 1 at slot 0 and 4 at slot 1; role 1 grants 3 at slot 0 and 2 at slot 1.
        let grants: [&[(u32, u8)]; 2] = [&[(0, 1), (1, 4)], &[(0, 3), (1, 2)]];
        let row = PackedRow::pack(&[0, 1], |r| grants[r as usize], [3, 4, 0].into());
        for rank in 0..=4 {
            for (index, held) in [3u8, 4, 0].into_iter().enumerate() {
                assert_eq!(
                    row.meets(index as u64, PackedRow::min_byte(rank)),
                    Some(held >= rank)
                );
            }
        }
        assert_eq!(row.meets(3, 0), None);
        assert_eq!(row.meets(1 << 32, 0), None);
        assert_eq!(
            row.granting_position(0, 3),
            Some(1),
            "the second role grants rank 3"
        );
        assert_eq!(row.granting_position(1, 4), Some(0));
        assert_eq!(
            row.granting_position(2, 0),
            None,
            "nothing held, nothing named"
        );
    }
}
