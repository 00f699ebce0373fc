//! Shares kept apart from the records, as Dataverse keeps them (PrincipalObjectAccess).

use std::collections::HashMap;
use std::sync::Arc;

use rolegate_catalog::PrivilegeSet;

use super::Owner;
use super::{Grantee, Record, RecordId, Share};
use crate::org::BusinessUnitId;

/// The shares of one record of one table (ids may repeat across tables).
type TableShares = (Box<str>, Vec<Share>);

/// The shares of the records whose ids fall in one shard.
type Shard = HashMap<RecordId, Vec<TableShares>>;

/// How many shards a store keeps, as a power of two: 256.
const SHARD_BITS: u32 = 8;

/// Shares kept apart from the records (Dataverse's PrincipalObjectAccess): grants per (table, record id).
///
/// The check does not lock anything: keep the store behind whatever your service uses for shared state and pass
/// records through [`ShareStore::with`]. Cloning is cheap, and so is changing the clone: the store keeps its records
/// in 256 shards that clones share, and a share or a revocation copies the one shard it changes (for 100,000 shares,
/// about 400 records), so a new version of the role data with one share changed leaves the old one as it was.
#[derive(Debug, Clone, Default)]
pub struct ShareStore {
    /// The shards by record id, each behind an `Arc` that clones share; none until the first share.
    shards: Vec<Arc<Shard>>,
}

/// The shard of a record id: its bits folded and mixed, so that sequential ids spread over all the shards.
fn shard_of(id: RecordId) -> usize {
    let folded = (id.0 as u64) ^ ((id.0 >> 64) as u64);
    (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SHARD_BITS)) as usize
}

impl ShareStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Shares a record with a grantee; rights add to those already shared with the same grantee.
    pub fn share(
        &mut self,
        table: &str,
        id: impl Into<RecordId>,
        grantee: Grantee,
        rights: PrivilegeSet,
    ) {
        let id = id.into();
        if self.shards.is_empty() {
            self.shards = (0..1 << SHARD_BITS).map(|_| Arc::default()).collect();
        }
        let shard = Arc::make_mut(&mut self.shards[shard_of(id)]);
        let entries = shard.entry(id).or_default();
        let shares = match entries.iter_mut().position(|(t, _)| &**t == table) {
            Some(i) => &mut entries[i].1,
            None => {
                entries.push((table.into(), Vec::new()));
                &mut entries.last_mut().expect("just pushed").1
            }
        };
        match shares.iter_mut().find(|s| s.grantee == grantee) {
            Some(s) => s.rights = s.rights.iter().chain(rights.iter()).collect(),
            None => shares.push(Share { grantee, rights }),
        }
    }

    /// Removes every right shared with a grantee on a record.
    pub fn revoke(&mut self, table: &str, id: impl Into<RecordId>, grantee: Grantee) {
        let id = id.into();
        if !self.shares(table, id).iter().any(|s| s.grantee == grantee) {
            return;
        }
        let shard = Arc::make_mut(&mut self.shards[shard_of(id)]);
        if let Some(entries) = shard.get_mut(&id) {
            for (t, shares) in entries.iter_mut() {
                if &**t == table {
                    shares.retain(|s| s.grantee != grantee);
                }
            }
        }
    }

    /// The shares of one record.
    pub fn shares(&self, table: &str, id: RecordId) -> &[Share] {
        let Some(shard) = self.shards.get(shard_of(id)) else {
            return &[];
        };
        shard
            .get(&id)
            .and_then(|entries| entries.iter().find(|(t, _)| &**t == table))
            .map_or(&[], |(_, s)| s.as_slice())
    }

    /// The record with this store's shares (they replace any the record carries itself).
    pub fn with<'a, R: Record + ?Sized>(&'a self, record: &'a R) -> Shared<'a, R> {
        Shared {
            record,
            store: self,
        }
    }
}

/// A record seen with the shares of a [`ShareStore`].
#[derive(Debug, Clone, Copy)]
pub struct Shared<'a, R: ?Sized> {
    record: &'a R,
    store: &'a ShareStore,
}

impl<R: Record + ?Sized> Record for Shared<'_, R> {
    fn id(&self) -> RecordId {
        self.record.id()
    }
    fn table(&self) -> &str {
        self.record.table()
    }
    fn owner(&self) -> Owner {
        self.record.owner()
    }
    fn owning_business_unit(&self) -> Option<BusinessUnitId> {
        self.record.owning_business_unit()
    }
    fn shares(&self) -> &[Share] {
        self.store.shares(self.record.table(), self.record.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolegate_catalog::TablePrivilege;

    #[test]
    fn a_share_on_a_clone_copies_one_shard_and_leaves_the_original_as_it_was() {
        let read: PrivilegeSet = [TablePrivilege::Read].into_iter().collect();
        let mut store = ShareStore::new();
        assert!(store.shares("account", RecordId(1)).is_empty());
        for id in 0..1000u64 {
            store.share("account", id, Grantee::Organization, read);
        }
        let mut next = store.clone();
        next.revoke("account", 7u64, Grantee::Organization);
        next.share("contact", 7u64, Grantee::Organization, read);
        assert_eq!(store.shares("account", RecordId(7)).len(), 1);
        assert!(store.shares("contact", RecordId(7)).is_empty());
        assert!(next.shares("account", RecordId(7)).is_empty());
        assert_eq!(next.shares("contact", RecordId(7)).len(), 1);
        let shared = store
            .shards
            .iter()
            .zip(&next.shards)
            .filter(|(a, b)| Arc::ptr_eq(a, b))
            .count();
        assert_eq!(shared, (1 << SHARD_BITS) - 1);
        let sizes: Vec<usize> = store.shards.iter().map(|s| s.len()).collect();
        assert!(
            sizes.iter().all(|&n| n < 12),
            "sequential ids spread: {sizes:?}"
        );
    }
}
