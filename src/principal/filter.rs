//! A principal's access filters: the record check for a whole table at once.

use rolegate_catalog::TablePrivilege;

use super::build::Principal;
use crate::compiled::Slot;
use crate::record::AccessFilter;

impl Principal {
    /// The records of `table` (by any of its names) this principal may use `privilege` on, as a filter: the record
    /// check's step 1 and step 2 for a whole table at once. See [`AccessFilter`].
    pub fn access_filter(&self, privilege: TablePrivilege, table: &str) -> AccessFilter {
        match self.authority.table_slot_index(privilege, table) {
            Some(index) => self.filter_at(index, privilege),
            None => AccessFilter::unknown(
                &self.authority,
                self.authority.table_position(table),
                privilege,
                self.organization(),
            ),
        }
    }

    /// The access filter of a slot resolved beforehand ([`Authority::table_slot`](crate::Authority::table_slot));
    /// it never matches for a slot of another authority or of no table privilege.
    pub fn access_filter_at(&self, slot: Slot) -> AccessFilter {
        let known = self
            .authority
            .index_of(slot)
            .and_then(|index| Some((index, self.authority.slot_table(index)?.2)));
        match known {
            Some((index, privilege)) => self.filter_at(index, privilege),
            None => AccessFilter::unknown(
                &self.authority,
                None,
                TablePrivilege::Read,
                self.organization(),
            ),
        }
    }

    fn filter_at(&self, index: usize, privilege: TablePrivilege) -> AccessFilter {
        AccessFilter::at(
            &self.authority,
            index,
            privilege,
            &self.row,
            self.scope.as_deref(),
        )
    }
}
