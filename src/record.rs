//! Records: the trait a user's types implement, sharing, and the two-step decision on one record.
//!
//! Step 1, the privilege check: the principal holds the privilege on the table (through any role, its own or its
//! owner teams'). Step 2, the access check: one of ownership, depth against the record's owning business unit, a
//! share, or (when turned on) the manager hierarchy reaches the record. Organization-owned tables skip step 2.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use rolegate_catalog::{Depth, PrivilegeSet, Requirement, TablePrivilege};

use crate::denied::{DenialReason, Denied};
use crate::org::{BusinessUnitId, Organization, TeamId, TeamKind, UserId};
use crate::principal::Principal;
use crate::site::{CallSite, SiteRequirement};

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
/// use rolegate::record::{Owner, Record, RecordId};
/// use rolegate::{BusinessUnitId, UserId};
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
    /// The owner (`Owner::Organization` for organization-owned tables).
    fn owner(&self) -> Owner;
    /// The owning business unit, stored on the record (it may differ from the owner's); `None` for
    /// organization-owned tables.
    fn owning_business_unit(&self) -> Option<BusinessUnitId>;
    /// The record's shares; none unless the type carries them (see [`ShareStore::with`]).
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

/// Why a record check failed, beyond the privilege: the record, and what the principal's depth reaches.
///
/// A record denial keeps ids, not names: the owning business unit and what the principal's depths reach are named
/// when asked for ([`owning_business_unit`](Self::owning_business_unit), [`reach`](Self::reach), `Display`), from a
/// handle on the organisation. So a denial costs no string formatting until it is read, and one that is only
/// matched on (a handler trying the next record, say) costs little more than an allow.
#[derive(Clone)]
#[non_exhaustive]
pub struct RecordDenial {
    /// The record's id.
    pub id: RecordId,
    /// The record's table, as the record gave it (borrowed from the requirement when they are the same, as they are
    /// unless the reason is [`DenialReason::WrongTable`]).
    pub table: Cow<'static, str>,
    /// Whether hierarchy security was consulted (and did not grant access either).
    pub hierarchy: bool,
    /// For the other reasons: what was wrong with the record.
    pub note: Option<String>,
    /// Where the names come from: absent for a principal without an organisation.
    names: Option<Names>,
}

/// What a record denial names on demand.
#[derive(Clone)]
struct Names {
    org: Organization,
    /// The principal's user in `org`.
    user: u32,
    /// The record's owning business unit.
    owning_business_unit: Option<BusinessUnitId>,
    /// The slot whose reach failed ([`DenialReason::NoAccess`] only).
    slot: Option<u32>,
}

impl RecordDenial {
    /// The record's owning business unit, by name (when the principal has an organisation that knows it).
    pub fn owning_business_unit(&self) -> Option<&str> {
        let names = self.names.as_ref()?;
        names.org.business_unit_name(names.owning_business_unit?)
    }

    /// What the principal's depths reach, for a [`DenialReason::NoAccess`] denial: one entry per source, `B1`
    /// (Local), `B1 and below` (Deep), `B2 (team T)` (through an owner team). Empty for the other reasons, and when
    /// the depths reach only what the principal or its teams own.
    pub fn reach(&self) -> Vec<String> {
        let Some(Names {
            org,
            user,
            slot: Some(slot),
            ..
        }) = &self.names
        else {
            return Vec::new();
        };
        let (inner, slot) = (&org.inner, *slot as usize);
        let rank_of = |role: u32| inner.authority.role_row(role).get(slot).copied();
        let name = |bu: u32, rank: u8| match Depth::from_rank(rank) {
            Some(Depth::Local) => Some(inner.bus[bu as usize].name.clone()),
            Some(Depth::Deep) => Some(format!("{} and below", inner.bus[bu as usize].name)),
            _ => None,
        };
        let user = &inner.users[*user as usize];
        let own = user.roles.iter().filter_map(|&r| rank_of(r)).max();
        let mut out: Vec<String> = own
            .and_then(|rank| name(user.bu, rank))
            .into_iter()
            .collect();
        for &t in &user.owner_teams {
            let team = &inner.teams[t as usize];
            let rank = team.roles.iter().filter_map(|&(r, _)| rank_of(r)).max();
            out.extend(
                rank.and_then(|rank| name(team.bu, rank))
                    .map(|n| format!("{n} (team {})", team.name)),
            );
        }
        out
    }
}

/// The parts by name, as `Display` gives them (not the organisation the names come from).
impl fmt::Debug for RecordDenial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordDenial")
            .field("id", &self.id)
            .field("table", &self.table)
            .field("owning_business_unit", &self.owning_business_unit())
            .field("reach", &self.reach())
            .field("hierarchy", &self.hierarchy)
            .field("note", &self.note)
            .finish()
    }
}

impl PartialEq for RecordDenial {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.table == other.table
            && self.hierarchy == other.hierarchy
            && self.note == other.note
            && self.owning_business_unit() == other.owning_business_unit()
            && self.reach() == other.reach()
    }
}

impl Eq for RecordDenial {}

pub(crate) fn fmt_record_denial(
    d: &Denied,
    r: &RecordDenial,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    write!(f, "missing {} for record {}", d.requirement, r.id)?;
    let note = r.note.as_deref().unwrap_or("");
    match d.reason {
        DenialReason::Unknown => write!(f, "; {note}, so it is denied"),
        DenialReason::WrongTable | DenialReason::NoOrganization => write!(f, ": {note}"),
        DenialReason::UnknownRecordParty => write!(f, ": {note}, so it is denied"),
        DenialReason::NotHeld => f.write_str(": held through no role"),
        DenialReason::TooShallow => match (d.held, &d.through) {
            (Some(held), Some(role)) => write!(f, ": best held {held} through role \"{role}\""),
            (Some(held), None) => write!(f, ": best held {held}"),
            _ => f.write_str(": held through no role"),
        },
        DenialReason::NoAccess => {
            f.write_str(": held")?;
            if let Some(held) = d.held {
                write!(f, " {held}")?;
            }
            if let Some(role) = &d.through {
                write!(f, " through role \"{role}\"")?;
            }
            let reach = r.reach();
            if reach.is_empty() {
                f.write_str(", which reaches only records the principal or its teams own")?;
            } else {
                let unit = r.owning_business_unit().unwrap_or("?");
                write!(
                    f,
                    ", but the record's owning business unit {unit} is outside {}",
                    reach.join(", ")
                )?;
            }
            f.write_str("; not owner, not shared")?;
            if r.hierarchy {
                f.write_str(", not a report's record")?;
            }
            Ok(())
        }
    }
}

/// What one principal's depth reaches for one slot; deduplicated across slots.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Reach {
    /// Organization-owned table: step 2 always passes.
    org_owned: bool,
    /// Global through some source.
    global: bool,
    /// A source the principal holds as its own (own roles, or `isinherited = 1` team roles): owned records pass.
    own: bool,
    /// Owner teams with a role for this slot: records they own pass.
    teams: Box<[u32]>,
    /// Pre-order intervals of business units the depths reach (Local: one unit, Deep: a subtree).
    intervals: Box<[(u32, u32)]>,
}

/// A principal's organisation context, computed once when the principal is built.
#[derive(Debug)]
pub(crate) struct RecordScope {
    pub(crate) org: Organization,
    stamp: u32,
    pub(crate) user: u32,
    /// Every team (owner and access), sorted.
    teams: Box<[u32]>,
    /// Owner teams, sorted.
    owner_teams: Box<[u32]>,
    /// Per slot, an index into `reaches` (0: reaches nothing).
    slot_reach: Box<[u32]>,
    reaches: Box<[Reach]>,
    /// Reports within the hierarchy depth, sorted by user, with their level (1 = direct).
    reports: Box<[(u32, u8)]>,
    /// The reports' teams, sorted, with the lowest level of a report in them.
    report_teams: Box<[(u32, u8)]>,
}

impl RecordScope {
    /// Bytes this scope holds besides the shared organisation.
    pub(crate) fn memory_bytes(&self) -> usize {
        use std::mem::size_of_val;
        std::mem::size_of::<Self>()
            + size_of_val(&*self.teams)
            + size_of_val(&*self.owner_teams)
            + size_of_val(&*self.slot_reach)
            + size_of_val(&*self.reaches)
            + self
                .reaches
                .iter()
                .map(|r| size_of_val(&*r.teams) + size_of_val(&*r.intervals))
                .sum::<usize>()
            + size_of_val(&*self.reports)
            + size_of_val(&*self.report_teams)
    }
}

fn interval(org: &Organization, bu: u32, rank: u8) -> Option<(u32, u32)> {
    let (pre, end) = (org.inner.pre[bu as usize], org.inner.end[bu as usize]);
    match Depth::from_rank(rank) {
        Some(Depth::Local) => Some((pre, pre + 1)),
        Some(Depth::Deep) => Some((pre, end)),
        _ => None,
    }
}

/// Builds the principal of user `user` (an index valid for `org`).
pub(crate) fn build_principal(org: &Organization, user: u32) -> Principal {
    let inner = &org.inner;
    let u = &inner.users[user as usize];
    let slots = inner.authority.slot_count();
    let own = inner.authority.rank_row(u.roles.iter().copied());
    let mut own_basic = vec![false; slots];
    // The principal's roles: its own, then its owner teams' (its row is theirs together, the highest depth winning).
    let mut roles: Vec<u32> = u.roles.clone();
    let mut team_rows = Vec::new();
    for &t in &u.owner_teams {
        let team = &inner.teams[t as usize];
        let row = inner.authority.rank_row(team.roles.iter().map(|&(r, _)| r));
        for &(r, mode) in &team.roles {
            if mode == crate::org::Inheritance::DirectBasicAndTeam {
                for (b, &g) in own_basic.iter_mut().zip(inner.authority.role_row(r)) {
                    *b |= g > 0;
                }
            }
            if !roles.contains(&r) {
                roles.push(r);
            }
        }
        team_rows.push((t, team.bu, row));
    }
    let table_slots = inner.authority.catalog().tables().len() * TablePrivilege::COUNT;
    let mut reaches: Vec<Reach> = vec![Reach::default()];
    let mut index: HashMap<Reach, u32> = HashMap::from([(Reach::default(), 0)]);
    let mut slot_reach = vec![0u32; slots];
    for (s, slot) in slot_reach.iter_mut().enumerate().take(table_slots) {
        let mut reach = Reach::default();
        if org.is_org_owned(s / TablePrivilege::COUNT) {
            reach.org_owned = true;
        } else {
            reach.own = own[s] > 0 || own_basic[s];
            reach.global = own[s] == Depth::Global.rank();
            let mut intervals: Vec<(u32, u32)> = interval(org, u.bu, own[s]).into_iter().collect();
            let mut teams = Vec::new();
            for (t, bu, row) in &team_rows {
                if row[s] > 0 {
                    teams.push(*t);
                }
                reach.global |= row[s] == Depth::Global.rank();
                intervals.extend(interval(org, *bu, row[s]));
            }
            if reach.global {
                intervals.clear();
            }
            intervals.sort_unstable();
            let mut merged: Vec<(u32, u32)> = Vec::with_capacity(intervals.len());
            for (lo, hi) in intervals {
                match merged.last_mut() {
                    Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                    _ => merged.push((lo, hi)),
                }
            }
            reach.teams = teams.into_boxed_slice();
            reach.intervals = merged.into_boxed_slice();
        }
        *slot = *index.entry(reach.clone()).or_insert_with(|| {
            reaches.push(reach);
            (reaches.len() - 1) as u32
        });
    }

    let mut reports: Vec<(u32, u8)> = Vec::new();
    let mut report_teams: Vec<(u32, u8)> = Vec::new();
    if let Some(h) = inner.hierarchy {
        let mut level_users = u.reports.clone();
        for level in 1..=h.depth {
            let mut next = Vec::new();
            for &r in &level_users {
                let report = &inner.users[r as usize];
                // DECISION: the manager sits in the report's business unit or one above it.
                let (x, lo, hi) = (
                    inner.pre[report.bu as usize],
                    inner.pre[u.bu as usize],
                    inner.end[u.bu as usize],
                );
                if lo <= x && x < hi {
                    reports.push((r, level));
                    for &t in &report.teams {
                        report_teams.push((t, level));
                    }
                }
                next.extend_from_slice(&report.reports);
            }
            level_users = next;
        }
        reports.sort_unstable();
        reports.dedup_by_key(|(r, _)| *r);
        report_teams.sort_unstable();
        report_teams.dedup_by_key(|(t, _)| *t);
    }

    let scope = RecordScope {
        org: org.clone(),
        stamp: inner.stamp,
        user,
        teams: u.teams.clone().into_boxed_slice(),
        owner_teams: u.owner_teams.clone().into_boxed_slice(),
        slot_reach: slot_reach.into_boxed_slice(),
        reaches: reaches.into_boxed_slice(),
        reports: reports.into_boxed_slice(),
        report_teams: report_teams.into_boxed_slice(),
    };
    Principal::from_parts(
        inner.authority.clone(),
        Arc::from(u.name.as_str()),
        roles,
        Some(Arc::new(scope)),
    )
}

/// Whether a record's parties are this organisation's; `Some(pre-order number of its owning unit)` when they are.
#[inline]
fn valid_parties<R: Record + ?Sized>(scope: &RecordScope, record: &R) -> Option<u32> {
    let inner = &scope.org.inner;
    let bu = record.owning_business_unit()?;
    if bu.org != scope.stamp {
        return None;
    }
    let pre = *inner.pre.get(bu.index as usize)?;
    match record.owner() {
        Owner::User(u) if u.org == scope.stamp && (u.index as usize) < inner.users.len() => {
            Some(pre)
        }
        Owner::Team(t) if t.org == scope.stamp => match inner.teams.get(t.index as usize) {
            Some(team) if team.kind == TeamKind::Owner => Some(pre),
            _ => None,
        },
        _ => None,
    }
}

/// Levels of the manager hierarchy that may use a privilege: direct reports for Read, Write, Append, AppendTo;
/// further down, Read only.
#[inline]
fn hierarchy_level_allows(privilege: TablePrivilege, level: u8) -> bool {
    match privilege {
        TablePrivilege::Read => true,
        TablePrivilege::Write | TablePrivilege::Append | TablePrivilege::AppendTo => level == 1,
        _ => false,
    }
}

impl Principal {
    /// Step 2 for a slot whose step 1 passed: does any access path reach the record?
    #[inline]
    fn access(
        &self,
        slot: usize,
        privilege: TablePrivilege,
        record: &(impl Record + ?Sized),
    ) -> bool {
        let Some(scope) = &self.scope else {
            return self
                .authority()
                .slot_table(slot)
                .is_some_and(|(t, _)| t.ownership == rolegate_catalog::Ownership::Organization);
        };
        let reach = match scope.slot_reach.get(slot) {
            Some(&i) => &scope.reaches[i as usize],
            None => return false,
        };
        if reach.org_owned {
            return true;
        }
        let Some(unit) = valid_parties(scope, record) else {
            return false;
        };
        if reach.global {
            return true;
        }
        // Ownership: the principal, or an owner team it belongs to, owns the record.
        match record.owner() {
            Owner::User(u) if reach.own && u.index == scope.user => return true,
            Owner::Team(t)
                if reach.teams.contains(&t.index)
                    || (reach.own && scope.owner_teams.binary_search(&t.index).is_ok()) =>
            {
                return true;
            }
            _ => {}
        }
        // Depth against the owning business unit.
        if reach
            .intervals
            .iter()
            .any(|&(lo, hi)| lo <= unit && unit < hi)
        {
            return true;
        }
        // Sharing.
        let shared = |g: &Grantee| match *g {
            Grantee::Organization => true,
            Grantee::User(u) => u.org == scope.stamp && u.index == scope.user,
            Grantee::Team(t) => t.org == scope.stamp && scope.teams.binary_search(&t.index).is_ok(),
        };
        let shares = record.shares();
        if shares
            .iter()
            .any(|s| s.rights.contains(privilege) && shared(&s.grantee))
        {
            return true;
        }
        if !scope.reports.is_empty() {
            return self.hierarchy_access(scope, slot, privilege, record.owner(), shares);
        }
        false
    }

    #[inline(never)]
    fn hierarchy_access(
        &self,
        scope: &RecordScope,
        slot: usize,
        privilege: TablePrivilege,
        owner: Owner,
        shares: &[Share],
    ) -> bool {
        // DECISION: the manager also needs at least Basic Read on the table.
        let read = slot - privilege.index() + TablePrivilege::Read.index();
        if self.rank_at(read) == 0 {
            return false;
        }
        let user_level = |u: UserId| {
            (u.org == scope.stamp)
                .then(|| {
                    scope
                        .reports
                        .binary_search_by_key(&u.index, |&(r, _)| r)
                        .ok()
                })
                .flatten()
                .map(|i| scope.reports[i].1)
        };
        let team_level = |t: TeamId| {
            (t.org == scope.stamp)
                .then(|| {
                    scope
                        .report_teams
                        .binary_search_by_key(&t.index, |&(r, _)| r)
                        .ok()
                })
                .flatten()
                .map(|i| scope.report_teams[i].1)
        };
        let allows =
            |level: Option<u8>| level.is_some_and(|l| hierarchy_level_allows(privilege, l));
        let owned = match owner {
            Owner::User(u) => allows(user_level(u)),
            Owner::Team(t) => allows(team_level(t)),
            Owner::Organization => false,
        };
        owned
            || shares.iter().any(|s| {
                s.rights.contains(privilege)
                    && match s.grantee {
                        Grantee::User(u) => allows(user_level(u)),
                        Grantee::Team(t) => allows(team_level(t)),
                        Grantee::Organization => false,
                    }
            })
    }

    /// Decides `privilege` on one record: step 1 (the privilege held, through any role), then step 2 (ownership,
    /// depth against the record's owning business unit, a share, or the manager hierarchy).
    ///
    /// Resolves the table by name on each call; on hot paths use [`check_record_site`](Self::check_record_site).
    pub fn check_record<R: Record + ?Sized>(
        &self,
        privilege: TablePrivilege,
        record: &R,
    ) -> Result<(), Denied> {
        if self.can(privilege, record) {
            return Ok(());
        }
        let requirement = Requirement::Table {
            privilege,
            table: record.table().to_owned().into(),
            depth: None,
        };
        Err(self.record_denial(requirement, None, None, record))
    }

    /// Whether `privilege` on the record is allowed: the decision of [`check_record`](Self::check_record) without
    /// working out why not (so a `false` costs no more than a `true`).
    pub fn can<R: Record + ?Sized>(&self, privilege: TablePrivilege, record: &R) -> bool {
        self.authority()
            .table_slot(privilege, record.table())
            .is_some_and(|slot| self.rank_at(slot) >= 1 && self.access(slot, privilege, record))
    }

    /// Whether the privilege of `slot` is allowed on the record, with the slot resolved beforehand
    /// ([`Authority::table_slot`](crate::Authority::table_slot)): the decision of [`check_record`](Self::check_record),
    /// without looking the table up by name and without working out why not. For filtering a list of records, where
    /// most may be denied and no denial is shown:
    ///
    /// ```
    /// use rolegate::{Authority, Organization, RecordData, TablePrivilege};
    ///
    /// let authority = Authority::builtin();
    /// let org = Organization::builder(&authority)
    ///     .business_unit("Root", None)
    ///     .business_unit("B1", Some("Root"))
    ///     .business_unit("B2", Some("Root"))
    ///     .user("ada", "B1", ["Omnichannel administrator"])
    ///     .user("bob", "B1", ["Basic User"])
    ///     .user("cy", "B2", ["Basic User"])
    ///     .build()
    ///     .unwrap();
    /// let ada = org.principal_named("ada").unwrap();
    /// let records: Vec<RecordData> = (0..4)
    ///     .map(|i| {
    ///         let owner = org.user(if i % 2 == 0 { "bob" } else { "cy" }).unwrap();
    ///         RecordData::owned_by_user(&org, i, "activitypointer", owner)
    ///     })
    ///     .collect();
    ///
    /// // Write on activitypointer at Local: the records owned in B1.
    /// let slot = authority.table_slot(TablePrivilege::Write, "activitypointer").unwrap();
    /// let editable: Vec<&RecordData> = records.iter().filter(|r| ada.can_at(slot, r)).collect();
    /// assert_eq!(editable.len(), 2);
    /// assert!(editable.iter().all(|r| ada.check_record(TablePrivilege::Write, r).is_ok()));
    /// ```
    ///
    /// `false` when the slot is out of range for the principal's authority, or is another table's than the record's.
    #[inline]
    pub fn can_at<R: Record + ?Sized>(&self, slot: usize, record: &R) -> bool {
        self.rank_at(slot) >= 1
            && self
                .authority()
                .slot_table(slot)
                .is_some_and(|(table, privilege)| {
                    same_name(record.table(), &table.name) && self.access(slot, privilege, record)
                })
    }

    /// The record check a `#[requires(..., record = <param>)]` call site runs: the site's (privilege, table) slot is
    /// cached per authority, so the check is an index, a compare of the table names, and the access paths: no
    /// allocation, no hashing, no lock. A site's `depth` raises step 1's minimum.
    ///
    /// This is the bare check: the code `#[requires]` generates runs the same check and also writes the audit trail.
    #[inline]
    pub fn check_record_site<R: Record + ?Sized>(
        &self,
        site: &'static CallSite,
        record: &R,
    ) -> Result<(), Denied> {
        self.check_record_site_audited(site, record, false)
    }

    /// [`check_record_site`](Self::check_record_site), emitting the event for an allow when `audit` is true and
    /// allows are audited (on the slow path, as [`check_site`](Self::check_site) does).
    #[inline]
    pub(crate) fn check_record_site_audited<R: Record + ?Sized>(
        &self,
        site: &'static CallSite,
        record: &R,
        audit: bool,
    ) -> Result<(), Denied> {
        if let SiteRequirement::Table {
            privilege, table, ..
        } = site.requirement
            && let Ok(slot) = usize::try_from(site.fast_index(self.schema_key()).0)
            && slot < self.slot_count()
        {
            if self.rank_at(slot) >= site.min_rank()
                && same_name(record.table(), table)
                && self.access(slot, privilege, record)
            {
                return Ok(());
            }
            return Err(self.record_deny_at(site, Some(slot), record, audit));
        }
        self.check_record_site_slow(site, record, audit)
    }

    /// The first check at a site for an authority, or any check while allows are audited.
    #[cold]
    #[inline(never)]
    fn check_record_site_slow<R: Record + ?Sized>(
        &self,
        site: &'static CallSite,
        record: &R,
        audit: bool,
    ) -> Result<(), Denied> {
        let SiteRequirement::Table {
            privilege, table, ..
        } = site.requirement
        else {
            return Err(crate::audit::denial(self, audit, || {
                let mut d = Denied::unknown(site.requirement(), Some(site));
                d.reason = DenialReason::WrongTable;
                d.record = Some(self.describe(
                    None,
                    record,
                    Some("a record check needs a table privilege".into()),
                ));
                d
            }));
        };
        let slot = site.slot_or(self.schema_key(), self.slot_count(), || {
            self.authority().table_slot(privilege, table)
        });
        if let Some(slot) = slot
            && self.rank_at(slot) >= site.min_rank()
            && same_name(record.table(), table)
            && self.access(slot, privilege, record)
        {
            if audit {
                crate::audit::allowed(self, site, Some(record.id()));
            }
            return Ok(());
        }
        Err(self.record_deny_at(site, slot, record, audit))
    }

    /// A denial at a site (no lookup by name when the slot is known), written to the audit trail when `audit` is
    /// true and a subscriber listens.
    #[cold]
    #[inline(never)]
    fn record_deny_at<R: Record + ?Sized>(
        &self,
        site: &'static CallSite,
        slot: Option<usize>,
        record: &R,
        audit: bool,
    ) -> Denied {
        crate::audit::denial(self, audit, || {
            self.record_denial(site.requirement(), Some(site), slot, record)
        })
    }

    /// Attaching `child` (a note, say) to `parent` (an opportunity): Append on the child and AppendTo on the parent,
    /// each passing the access check for its own record.
    pub fn check_association<C, P>(&self, child: &C, parent: &P) -> Result<(), Denied>
    where
        C: Record + ?Sized,
        P: Record + ?Sized,
    {
        self.check_record(TablePrivilege::Append, child)?;
        self.check_record(TablePrivilege::AppendTo, parent)
    }

    /// A many-to-many association: Append on both records.
    pub fn check_many_to_many<A, B>(&self, a: &A, b: &B) -> Result<(), Denied>
    where
        A: Record + ?Sized,
        B: Record + ?Sized,
    {
        self.check_record(TablePrivilege::Append, a)?;
        self.check_record(TablePrivilege::Append, b)
    }

    /// The record part of a denial. `table` is the requirement's table when it is `'static` (a call site's).
    ///
    /// The box is allocated first and the value written into it: `Box::new` of a literal this size staged it on the
    /// stack around the allocation and copied it in 16 bytes at a time over fields written a byte at a time, which
    /// stalled store forwarding.
    fn describe<R: Record + ?Sized>(
        &self,
        table: Option<&'static str>,
        record: &R,
        note: Option<String>,
    ) -> Box<RecordDenial> {
        let place = Box::new_uninit();
        let table = match table {
            Some(table) if same_name(table, record.table()) => Cow::Borrowed(table),
            _ => Cow::Owned(record.table().to_owned()),
        };
        Box::write(
            place,
            RecordDenial {
                id: record.id(),
                table,
                hierarchy: false,
                note,
                names: self.scope.as_ref().map(|scope| Names {
                    org: scope.org.clone(),
                    user: scope.user,
                    owning_business_unit: record.owning_business_unit(),
                    slot: None,
                }),
            },
        )
    }

    /// The denial for a record check that failed. Inlined into its callers, so that the `Denied` is written once, in
    /// place, and its parts travel in registers: the requirement, built in memory a byte at a time and read back in
    /// wider loads, and the explanation, returned in memory and copied out 16 bytes at a time, each stalled store
    /// forwarding (a third of a denial's time).
    #[inline(always)]
    fn record_denial<R: Record + ?Sized>(
        &self,
        requirement: Requirement,
        site: Option<&'static CallSite>,
        known_slot: Option<usize>,
        record: &R,
    ) -> Denied {
        let Requirement::Table {
            privilege,
            ref table,
            depth,
        } = requirement
        else {
            return Denied::unknown(requirement, site);
        };
        let slot = known_slot.or_else(|| self.authority().table_slot(privilege, table));
        let (held, through) = slot.map_or((None, None), |slot| self.held_through(slot));
        let static_table = match table {
            Cow::Borrowed(table) => Some(*table),
            Cow::Owned(_) => None,
        };
        let (reason, described) =
            self.record_why(privilege, table, static_table, depth, slot, record);
        Denied {
            requirement,
            held,
            through,
            reason,
            site,
            record: Some(described),
        }
    }

    /// Works out which step and which paths of a failed record check failed: the reason and the record part.
    #[cold]
    #[inline(never)]
    fn record_why<R: Record + ?Sized>(
        &self,
        privilege: TablePrivilege,
        table: &str,
        static_table: Option<&'static str>,
        depth: Option<Depth>,
        slot: Option<usize>,
        record: &R,
    ) -> (DenialReason, Box<RecordDenial>) {
        let describe = |note| self.describe(static_table, record, note);
        let Some(slot) = slot else {
            return (
                DenialReason::Unknown,
                describe(Some(format!(
                    "table `{table}` (or its {privilege} privilege) is not in the runtime catalog"
                ))),
            );
        };
        if !same_name(record.table(), table) {
            return (
                DenialReason::WrongTable,
                describe(Some(format!("the record is of table `{}`", record.table()))),
            );
        }
        let rank = self.rank_at(slot);
        if rank < depth.map_or(1, Depth::rank) {
            let reason = if rank == 0 {
                DenialReason::NotHeld
            } else {
                DenialReason::TooShallow
            };
            return (reason, describe(None));
        }
        let Some(scope) = &self.scope else {
            return (
                DenialReason::NoOrganization,
                describe(Some(format!(
                    "the principal carries no organisation (build it with Organization::principal), and `{table}` is \
                     not organization-owned"
                ))),
            );
        };
        if valid_parties(scope, record).is_none() {
            let note = match (record.owner(), record.owning_business_unit()) {
                (_, None) => "the record has no owning business unit".to_owned(),
                (_, Some(bu)) if scope.org.bu_ref(bu).is_none() => {
                    "the record's owning business unit is not in the principal's organisation"
                        .to_owned()
                }
                (Owner::Organization, _) => {
                    format!("the record has no owner, but `{table}` is not organization-owned")
                }
                (Owner::Team(t), _) if scope.org.team_ref(t).is_some() => {
                    format!(
                        "the record is owned by access team `{}`",
                        scope.org.team_name(t).unwrap_or("?")
                    )
                }
                _ => "the record's owner is not in the principal's organisation".to_owned(),
            };
            return (DenialReason::UnknownRecordParty, describe(Some(note)));
        }
        let mut described = describe(None);
        if let Some(names) = &mut described.names {
            names.slot = u32::try_from(slot).ok();
        }
        described.hierarchy = !scope.reports.is_empty();
        (DenialReason::NoAccess, described)
    }

    /// The organisation this principal was built from, if any.
    pub fn organization(&self) -> Option<&Organization> {
        self.scope.as_ref().map(|s| &s.org)
    }

    /// The user this principal is, in its organisation.
    pub fn user_id(&self) -> Option<UserId> {
        self.scope.as_ref().map(|s| UserId {
            org: s.stamp,
            index: s.user,
        })
    }
}

/// `a == b` for the short names of tables, inline: eight bytes at a time, without a call to `memcmp` (which, for a
/// name of a few bytes, costs more than the rest of a record check).
#[inline]
fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    let word = |c: &[u8]| u64::from_le_bytes(c.try_into().expect("chunks of 8"));
    let mut diff = 0u64;
    for (p, q) in (&mut x).zip(&mut y) {
        diff |= word(p) ^ word(q);
    }
    for (p, q) in x.remainder().iter().zip(y.remainder()) {
        diff |= u64::from(p ^ q);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::same_name;

    #[test]
    fn same_name_on_names_of_every_length_around_a_word() {
        for len in 0..20 {
            let a: String = "msdyn_liveworkstream".chars().take(len).collect();
            assert!(same_name(&a, &a.clone()), "{a}");
            for i in 0..len {
                let mut b = a.clone().into_bytes();
                b[i] ^= 1;
                let b = String::from_utf8(b).expect("ascii");
                assert!(!same_name(&a, &b), "{a} vs {b}");
            }
            assert!(!same_name(&a, &format!("{a}x")));
        }
    }

    proptest! {
        #[test]
        fn same_name_is_string_equality(a in ".{0,24}", b in ".{0,24}") {
            prop_assert_eq!(same_name(&a, &b), a == b);
            prop_assert!(same_name(&a, &a.clone()));
        }
    }
}
