//! Slots: the positions of a principal's row, tied to the authority that numbered them.

/// One (table, privilege), miscellaneous privilege or capability of one [`Authority`](crate::Authority), resolved by
/// name once ([`Authority::table_slot`](crate::Authority::table_slot), [`Authority::slot`](crate::Authority::slot))
/// so that later decisions on it look nothing up.
///
/// A slot remembers which authority it came from: given to a principal of another authority it is a denial, never
/// an index into a row it does not describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Slot {
    /// The id of the authority that resolved it (unique per process: see [`AuthorityId`]).
    authority: AuthorityId,
    /// The position in that authority's rows.
    index: u32,
}

/// The identity of one compiled authority: a counter that never repeats within a process (a `u64` bumped once per
/// `Authority::new` would take centuries to wrap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct AuthorityId(u64);

impl AuthorityId {
    /// A fresh id, never handed out before in this process.
    pub(crate) fn next() -> Self {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Self(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

impl Slot {
    /// The slot at `index` of the authority `authority` (`None` past 2^32 slots, which no catalog comes near).
    pub(crate) fn new(authority: AuthorityId, index: usize) -> Option<Self> {
        Some(Self {
            authority,
            index: u32::try_from(index).ok()?,
        })
    }

    /// The position in the row, if the slot is of the authority `authority`.
    #[inline]
    pub(crate) fn index_for(self, authority: AuthorityId) -> Option<usize> {
        (self.authority == authority).then_some(self.index as usize)
    }
}
