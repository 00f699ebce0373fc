//! The record model: what a check needs to know of a record (the trait), and a ready-made record.

use std::fmt;

use rolegate_catalog::{PrivilegeSet, TablePrivilege};

use crate::org::{BusinessUnitId, Organization, TeamId, UserId};

/// A record's id: a number or a GUID's 128 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(pub u128);

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<u128> for RecordId {
    fn from(id: u128) -> Self {
        Self(id)
    }
}

impl From<u64> for RecordId {
    fn from(id: u64) -> Self {
        Self(u128::from(id))
    }
}

impl From<u32> for RecordId {
    fn from(id: u32) -> Self {
        Self(u128::from(id))
    }
}

/// Who owns a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A user.
    User(UserId),
    /// An owner team (an access team owning a record is denied as unknown).
    Team(TeamId),
    /// No owner: records of organization-owned tables.
    Organization,
    /// The record's owning business unit owns it: records of business-owned tables (`businessunit`, `systemuser`,
    /// `team`, ...), which have no user or team owner. Local, Deep and Global are measured against that unit.
    BusinessUnit,
}

/// Whom a record is shared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grantee {
    /// A user.
    User(UserId),
    /// A team (owner or access team): every member.
    Team(TeamId),
    /// Everyone in the organisation.
    Organization,
}

/// One share of a record: the access rights granted to a grantee. A share never grants more than the grantee's
/// privileges (step 1) allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Share {
    /// Who it is shared with.
    pub grantee: Grantee,
    /// The access rights granted (Read, Write, Append, AppendTo, Delete, Assign, Share).
    pub rights: PrivilegeSet,
}

/// A record a check decides on. Implement it for your own types; ids come from the [`Organization`]
/// (resolve names once, when you load the record, with [`Organization::user`] and friends).
///
/// ```
/// use rolegate::Record;
/// use rolegate::org::{BusinessUnitId, UserId};
/// use rolegate::record::{Owner, RecordId};
///
/// struct Account { id: u64, owner: UserId, unit: BusinessUnitId }
///
/// impl Record for Account {
///     fn id(&self) -> RecordId { self.id.into() }
///     fn table(&self) -> &str { "account" }
///     fn owner(&self) -> Owner { Owner::User(self.owner) }
///     fn owning_business_unit(&self) -> Option<BusinessUnitId> { Some(self.unit) }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a record that `#[requires(record = ...)]` can check",
    label = "checked as the record",
    note = "implement `rolegate::Record` for `{Self}` (id, table, owner, owning business unit), or use `rolegate::RecordData`"
)]
pub trait Record {
    /// The record's id.
    fn id(&self) -> RecordId;
    /// The table's logical name (`account`).
    fn table(&self) -> &str;
    /// The owner (`Owner::Organization` for organization-owned tables, `Owner::BusinessUnit` for business-owned ones).
    fn owner(&self) -> Owner;
    /// The owning business unit, stored on the record (it may differ from the owner's); `None` for
    /// organization-owned tables.
    fn owning_business_unit(&self) -> Option<BusinessUnitId>;
    /// The record's shares; none unless the type carries them (see [`ShareStore::with`](crate::record::ShareStore::with)).
    fn shares(&self) -> &[Share] {
        &[]
    }
}

impl<R: Record + ?Sized> Record for &R {
    fn id(&self) -> RecordId {
        (**self).id()
    }
    fn table(&self) -> &str {
        (**self).table()
    }
    fn owner(&self) -> Owner {
        (**self).owner()
    }
    fn owning_business_unit(&self) -> Option<BusinessUnitId> {
        (**self).owning_business_unit()
    }
    fn shares(&self) -> &[Share] {
        (**self).shares()
    }
}

/// A ready-made [`Record`]: id, table, owner, owning business unit and shares as plain fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordData {
    /// The id.
    pub id: RecordId,
    /// The table's logical name.
    pub table: String,
    /// The owner.
    pub owner: Owner,
    /// The owning business unit.
    pub owning_business_unit: Option<BusinessUnitId>,
    /// The shares.
    pub shares: Vec<Share>,
}

impl RecordData {
    /// A record owned by `owner` in `unit`, shared with no one.
    pub fn new(id: u128, table: &str, owner: Owner, unit: Option<BusinessUnitId>) -> Self {
        Self {
            id: RecordId(id),
            table: table.to_owned(),
            owner,
            owning_business_unit: unit,
            shares: Vec::new(),
        }
    }

    /// The record owned by a user, in the user's own business unit.
    pub fn owned_by_user(org: &Organization, id: u128, table: &str, user: UserId) -> Self {
        Self::new(id, table, Owner::User(user), org.user_business_unit(user))
    }

    /// The record owned by a team, in the team's business unit.
    pub fn owned_by_team(org: &Organization, id: u128, table: &str, team: TeamId) -> Self {
        Self::new(id, table, Owner::Team(team), org.team_business_unit(team))
    }

    /// The record of a business-owned table (`systemuser`, say), owned by its business unit `unit`.
    pub fn owned_by_business_unit(id: u128, table: &str, unit: BusinessUnitId) -> Self {
        Self::new(id, table, Owner::BusinessUnit, Some(unit))
    }

    /// The same record, shared with `grantee` for `rights`.
    pub fn shared(
        mut self,
        grantee: Grantee,
        rights: impl IntoIterator<Item = TablePrivilege>,
    ) -> Self {
        self.shares.push(Share {
            grantee,
            rights: rights.into_iter().collect(),
        });
        self
    }
}

impl Record for RecordData {
    fn id(&self) -> RecordId {
        self.id
    }
    fn table(&self) -> &str {
        &self.table
    }
    fn owner(&self) -> Owner {
        self.owner
    }
    fn owning_business_unit(&self) -> Option<BusinessUnitId> {
        self.owning_business_unit
    }
    fn shares(&self) -> &[Share] {
        &self.shares
    }
}
