//! Shares kept apart from the records, as Dataverse keeps them (PrincipalObjectAccess).

use std::collections::HashMap;

use rolegate_catalog::PrivilegeSet;

use super::Owner;
use super::{Grantee, Record, RecordId, Share};
use crate::org::BusinessUnitId;

/// The shares of one record of one table (ids may repeat across tables).
type TableShares = (Box<str>, Vec<Share>);

/// Shares kept apart from the records (Dataverse's PrincipalObjectAccess): grants per (table, record id).
///
/// The check does not lock anything: keep the store behind whatever your service uses for shared state and pass
/// records through [`ShareStore::with`].
#[derive(Debug, Clone, Default)]
pub struct ShareStore {
    map: HashMap<RecordId, Vec<TableShares>>,
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
        let entries = self.map.entry(id.into()).or_default();
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
        if let Some(entries) = self.map.get_mut(&id.into()) {
            for (t, shares) in entries.iter_mut() {
                if &**t == table {
                    shares.retain(|s| s.grantee != grantee);
                }
            }
        }
    }

    /// The shares of one record.
    pub fn shares(&self, table: &str, id: RecordId) -> &[Share] {
        self.map
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
