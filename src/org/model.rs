//! The compiled organisation: business units numbered in pre-order, users, teams, and the ids that name them.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use uuid::Uuid;

use super::shared::Chunked;
use crate::compiled::Authority;

/// A business unit of an [`Organization`]; valid only for the organisation that issued it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BusinessUnitId {
    pub(crate) org: u32,
    pub(crate) index: u32,
}

/// A user of an [`Organization`]; valid only for the organisation that issued it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserId {
    pub(crate) org: u32,
    pub(crate) index: u32,
}

/// A team (owner, access or Entra ID group team) of an [`Organization`]; valid only for the organisation that issued it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TeamId {
    pub(crate) org: u32,
    pub(crate) index: u32,
}

/// How a team's role reaches its members (the role's `isinherited` in Dataverse).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Inheritance {
    /// `isinherited = 1`, "Direct User (Basic) access level and Team privileges": members also hold the role at
    /// Basic as their own, for records they own; and act through the team for the rest.
    #[default]
    DirectBasicAndTeam,
    /// `isinherited = 0`, "Team privileges only": members act only through the team (records the team owns, and
    /// Local/Deep measured from the team's business unit).
    TeamOnly,
}

impl Inheritance {
    /// The Dataverse `isinherited` value: 1 or 0.
    pub const fn isinherited(self) -> u8 {
        match self {
            Self::DirectBasicAndTeam => 1,
            Self::TeamOnly => 0,
        }
    }

    /// The mode for an `isinherited` value, if it is 0 or 1.
    pub const fn from_isinherited(value: i64) -> Option<Self> {
        match value {
            1 => Some(Self::DirectBasicAndTeam),
            0 => Some(Self::TeamOnly),
            _ => None,
        }
    }
}

/// What a team is (Dataverse's team type). Written `owner`, `access`, `aad-security-group` or `aad-office-group` in
/// an organisation file.
///
/// Owner teams and Entra ID group teams own records and hold roles; access teams only group members for sharing. A
/// group team's members are not stored: they are the callers whose token names the group (its `groups` claim), given
/// when the principal is built ([`Organization::principal_with_groups`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum TeamKind {
    /// Owns records, holds roles.
    #[default]
    Owner,
    /// Holds no roles; records are shared with it.
    Access,
    /// A Microsoft Entra ID security group team ("AAD Security Group"): an owner team whose members are the group's.
    #[serde(rename = "aad-security-group", alias = "entra-security-group")]
    EntraSecurityGroup,
    /// A Microsoft 365 group team ("AAD Office Group"): an owner team whose members are the group's.
    #[serde(rename = "aad-office-group", alias = "entra-office-group")]
    EntraOfficeGroup,
}

impl TeamKind {
    /// Whether the team owns records and holds roles: owner and group teams, not access teams.
    pub const fn owns_records(self) -> bool {
        !matches!(self, Self::Access)
    }

    /// Whether the team is an Entra ID group team, whose membership comes from the caller's token.
    pub const fn is_group(self) -> bool {
        matches!(self, Self::EntraSecurityGroup | Self::EntraOfficeGroup)
    }
}

/// Which hierarchy hierarchy security follows. Written `manager` or `position` in an organisation file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum HierarchyModel {
    /// The manager hierarchy: each user's manager; the manager sits in the report's business unit or its parent.
    #[default]
    Manager,
    /// The position hierarchy: positions form their own tree, across business units; each user holds at most one.
    Position,
}

/// Hierarchy security's settings: off unless configured. Tables excluded from it are kept by the organisation
/// ([`Organization::is_excluded_from_hierarchy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hierarchy {
    /// The manager or the position hierarchy.
    pub model: HierarchyModel,
    /// How many levels below a user it reaches: 1 = direct reports (or users in the positions right below) only.
    /// Their records may be read, written, appended and appended to; those further down only read.
    pub depth: u8,
}

impl Hierarchy {
    /// The manager model down to `depth` levels of reports.
    pub const fn manager(depth: u8) -> Self {
        Self {
            model: HierarchyModel::Manager,
            depth,
        }
    }

    /// The position model down to `depth` levels of positions.
    pub const fn position(depth: u8) -> Self {
        Self {
            model: HierarchyModel::Position,
            depth,
        }
    }
}

/// A stamp for a new organisation, never handed out before in this process: the ids an organisation issues carry it,
/// so an id of one is never taken for an id of another. `None` once `u32::MAX - 1` organisations have been built
/// (building one more is then an error, never a reused stamp).
pub(crate) fn next_stamp() -> Option<u32> {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    take_stamp(&NEXT)
}

/// The counter's value, bumped, unless it has reached `u32::MAX`.
fn take_stamp(counter: &AtomicU32) -> Option<u32> {
    counter
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |next| {
            (next < u32::MAX).then(|| next + 1)
        })
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_stop_rather_than_wrap() {
        let counter = AtomicU32::new(u32::MAX - 2);
        assert_eq!(take_stamp(&counter), Some(u32::MAX - 2));
        assert_eq!(take_stamp(&counter), Some(u32::MAX - 1));
        assert_eq!(take_stamp(&counter), None);
        assert_eq!(take_stamp(&counter), None, "and stay stopped");
    }
}

/// A compiled business unit.
#[derive(Debug, Clone)]
pub(crate) struct Bu {
    pub(crate) name: String,
    pub(crate) parent: Option<u32>,
}

/// A compiled user.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) name: String,
    pub(crate) bu: u32,
    pub(crate) manager: Option<u32>,
    /// The position it holds (the position hierarchy).
    pub(crate) position: Option<u32>,
    /// Its own roles, each with the business unit it is held in (Local and Deep are measured from there), sorted.
    pub(crate) roles: Vec<(u32, u32)>,
    /// The roles as assigned, sorted: `None` is the user's own unit, which follows the user when it moves.
    pub(crate) assigned: Vec<(u32, Option<u32>)>,
    /// Every team the user is a member of (owner and access; group teams' members are not stored), sorted.
    pub(crate) teams: Vec<u32>,
    /// The owner teams only, sorted.
    pub(crate) owner_teams: Vec<u32>,
    /// Direct reports.
    pub(crate) reports: Vec<u32>,
}

/// A compiled team.
#[derive(Debug, Clone)]
pub(crate) struct Team {
    pub(crate) name: String,
    pub(crate) bu: u32,
    pub(crate) kind: TeamKind,
    /// Its members, in the order they were added.
    pub(crate) members: Vec<u32>,
    pub(crate) roles: Vec<(u32, Inheritance)>,
    /// A group team's Entra ID object id, lower case.
    pub(crate) object_id: Option<Box<str>>,
    /// For the access team of one record made from a template: the template (an index into the templates) and the
    /// record's id.
    pub(crate) template: Option<(u32, u128)>,
}

/// A compiled position of the position hierarchy.
#[derive(Debug)]
pub(crate) struct Position {
    pub(crate) name: String,
    pub(crate) parent: Option<u32>,
    /// The positions right below it.
    pub(crate) children: Vec<u32>,
    /// The users holding it.
    pub(crate) users: Vec<u32>,
}

/// A compiled access team template: the table and the rights its record access teams' members get.
#[derive(Debug)]
pub(crate) struct Template {
    pub(crate) name: String,
    /// The table, by catalog position.
    pub(crate) table: u32,
    pub(crate) rights: rolegate_catalog::PrivilegeSet,
}

/// The access teams of records made from templates, by (table position, record id): (team, rights).
pub(crate) type RecordTeams = HashMap<(u32, u128), Vec<(u32, rolegate_catalog::PrivilegeSet)>>;

/// The compiled organisation. Cloning it is cheap: the users and teams are chunks shared with the clone
/// ([`Chunked`]), the rest is behind `Arc`s, since [`Organization::apply`] changes memberships and assignments and
/// never the units, names or ids.
#[derive(Debug, Clone)]
pub(crate) struct OrgInner {
    pub(crate) stamp: u32,
    pub(crate) authority: Authority,
    pub(crate) bus: Arc<[Bu]>,
    /// Pre-order number of each unit; the units at or below `b` are numbered `pre[b]..end[b]`.
    pub(crate) pre: Arc<[u32]>,
    pub(crate) end: Arc<[u32]>,
    /// The units in pre-order: `order[pre[b]] == b`.
    pub(crate) order: Arc<[u32]>,
    pub(crate) users: Chunked<User>,
    pub(crate) teams: Chunked<Team>,
    pub(crate) hierarchy: Option<Hierarchy>,
    /// Per table position: excluded from hierarchy security.
    pub(crate) hierarchy_excluded: Arc<[bool]>,
    pub(crate) positions: Arc<[Position]>,
    pub(crate) templates: Arc<[Template]>,
    /// The access teams of each record made from a template, by (table position, record id): (team, rights).
    pub(crate) record_teams: Arc<RecordTeams>,
    pub(crate) bu_index: Arc<HashMap<String, u32>>,
    pub(crate) user_index: Arc<HashMap<String, u32>>,
    pub(crate) team_index: Arc<HashMap<String, u32>>,
    /// Group teams by Entra ID object id, lower case.
    pub(crate) group_index: Arc<HashMap<String, u32>>,
    /// Per table position: organization-owned (step 2 always passes).
    pub(crate) org_owned: Arc<[bool]>,
    /// The field security profiles, compiled.
    pub(crate) columns: Arc<super::columns::ColumnGrants>,
    /// The GUIDs of business units, users and teams, and users' external ids.
    pub(crate) ids: Arc<super::ids::StableIds>,
}

/// An organisation compiled for record checks: its business-unit tree, users, teams and role assignments.
///
/// Cloning is cheap (an `Arc`). Build principals from it with [`Organization::principal`], or
/// [`Organization::principal_with_groups`] for a caller whose token names Entra ID groups: they carry the user's
/// business unit, teams and precomputed reach, and check records with [`Principal::check_record`](crate::Principal::check_record).
#[derive(Debug, Clone)]
pub struct Organization {
    pub(crate) inner: Arc<OrgInner>,
}

impl Organization {
    /// The authority whose roles the organisation assigns.
    pub fn authority(&self) -> &Authority {
        &self.inner.authority
    }

    /// A business unit by name.
    pub fn business_unit(&self, name: &str) -> Option<BusinessUnitId> {
        self.inner.bu_index.get(name).map(|&index| BusinessUnitId {
            org: self.inner.stamp,
            index,
        })
    }

    /// A user by name.
    pub fn user(&self, name: &str) -> Option<UserId> {
        self.inner.user_index.get(name).map(|&index| UserId {
            org: self.inner.stamp,
            index,
        })
    }

    /// A team by name.
    pub fn team(&self, name: &str) -> Option<TeamId> {
        self.inner.team_index.get(name).map(|&index| TeamId {
            org: self.inner.stamp,
            index,
        })
    }

    /// The group team of an Entra ID group, by its object id (any case); `None` for a group no team names.
    pub fn group_team(&self, object_id: &str) -> Option<TeamId> {
        self.inner
            .group_index
            .get(&object_id.to_ascii_lowercase())
            .map(|&index| TeamId {
                org: self.inner.stamp,
                index,
            })
    }

    /// A business unit by its GUID (`businessunitid`).
    pub fn business_unit_by_guid(&self, id: Uuid) -> Option<BusinessUnitId> {
        self.inner
            .ids
            .business_units
            .find(id)
            .map(|index| BusinessUnitId {
                org: self.inner.stamp,
                index,
            })
    }

    /// A user by its GUID (`systemuserid`).
    pub fn user_by_guid(&self, id: Uuid) -> Option<UserId> {
        self.inner.ids.users.find(id).map(|index| UserId {
            org: self.inner.stamp,
            index,
        })
    }

    /// A user by the id another system knows it by (an Entra ID object id, say), in any case.
    pub fn user_by_external_id(&self, external_id: &str) -> Option<UserId> {
        self.inner
            .ids
            .external
            .index
            .get(&external_id.to_lowercase())
            .map(|&index| UserId {
                org: self.inner.stamp,
                index,
            })
    }

    /// A team by its GUID (`teamid`).
    pub fn team_by_guid(&self, id: Uuid) -> Option<TeamId> {
        self.inner.ids.teams.find(id).map(|index| TeamId {
            org: self.inner.stamp,
            index,
        })
    }

    /// A business unit's GUID: as given, or derived from its name when none was (see the README's "Stable ids").
    pub fn business_unit_guid(&self, bu: BusinessUnitId) -> Option<Uuid> {
        self.bu_ref(bu)?;
        self.inner.ids.business_units.get(bu.index)
    }

    /// A user's GUID: as given, or derived from its name when none was.
    pub fn user_guid(&self, user: UserId) -> Option<Uuid> {
        self.user_ref(user)?;
        self.inner.ids.users.get(user.index)
    }

    /// A user's external id, as given.
    pub fn user_external_id(&self, user: UserId) -> Option<&str> {
        self.user_ref(user)?;
        self.inner
            .ids
            .external
            .ids
            .get(user.index as usize)?
            .as_deref()
    }

    /// A team's GUID: as given, or derived from its name when none was.
    pub fn team_guid(&self, team: TeamId) -> Option<Uuid> {
        self.team_ref(team)?;
        self.inner.ids.teams.get(team.index)
    }

    /// The root business unit.
    pub fn root(&self) -> BusinessUnitId {
        let index = self
            .inner
            .bus
            .iter()
            .position(|b| b.parent.is_none())
            .unwrap_or(0) as u32;
        BusinessUnitId {
            org: self.inner.stamp,
            index,
        }
    }

    /// The business unit a user belongs to, if the id is this organisation's.
    pub fn user_business_unit(&self, user: UserId) -> Option<BusinessUnitId> {
        self.user_ref(user).map(|u| BusinessUnitId {
            org: self.inner.stamp,
            index: u.bu,
        })
    }

    /// The business unit a team belongs to, if the id is this organisation's.
    pub fn team_business_unit(&self, team: TeamId) -> Option<BusinessUnitId> {
        self.team_ref(team).map(|t| BusinessUnitId {
            org: self.inner.stamp,
            index: t.bu,
        })
    }

    /// A business unit's name.
    pub fn business_unit_name(&self, bu: BusinessUnitId) -> Option<&str> {
        self.bu_ref(bu).map(|b| b.name.as_str())
    }

    /// A user's name.
    pub fn user_name(&self, user: UserId) -> Option<&str> {
        self.user_ref(user).map(|u| u.name.as_str())
    }

    /// A team's name.
    pub fn team_name(&self, team: TeamId) -> Option<&str> {
        self.team_ref(team).map(|t| t.name.as_str())
    }

    /// The hierarchy security setting (`None`: off).
    pub fn hierarchy(&self) -> Option<Hierarchy> {
        self.inner.hierarchy
    }

    /// Whether hierarchy security leaves a table (by logical name) out: no hierarchy reach on its records.
    pub fn is_excluded_from_hierarchy(&self, table: &str) -> bool {
        let catalog = self.inner.authority.catalog();
        catalog
            .table(table)
            .and_then(|t| catalog.tables().iter().position(|x| x.name == t.name))
            .is_some_and(|i| {
                self.inner
                    .hierarchy_excluded
                    .get(i)
                    .copied()
                    .unwrap_or(false)
            })
    }

    /// The position a user holds (the position hierarchy), by name.
    pub fn user_position(&self, user: UserId) -> Option<&str> {
        let p = self.user_ref(user)?.position?;
        self.inner
            .positions
            .get(p as usize)
            .map(|p| p.name.as_str())
    }

    /// The access team of one record made from a template (by the template's name and the record's id), if it has
    /// members.
    pub fn record_access_team(&self, template: &str, record: impl Into<u128>) -> Option<TeamId> {
        let t = self
            .inner
            .templates
            .iter()
            .position(|t| t.name == template)? as u32;
        let key = (self.inner.templates[t as usize].table, record.into());
        let teams = self.inner.record_teams.get(&key)?;
        teams
            .iter()
            .find(|&&(team, _)| {
                self.inner.teams[team as usize]
                    .template
                    .is_some_and(|(x, _)| x == t)
            })
            .map(|&(index, _)| TeamId {
                org: self.inner.stamp,
                index,
            })
    }

    /// Whether unit `a` is `b` or below it: two compares on the pre-order intervals.
    #[inline]
    pub fn is_at_or_below(&self, a: BusinessUnitId, b: BusinessUnitId) -> bool {
        let i = &self.inner;
        if a.org != i.stamp || b.org != i.stamp {
            return false;
        }
        match (
            i.pre.get(a.index as usize),
            i.pre.get(b.index as usize),
            i.end.get(b.index as usize),
        ) {
            (Some(&x), Some(&lo), Some(&hi)) => lo <= x && x < hi,
            _ => false,
        }
    }

    /// Every user, in the order they were added.
    pub fn users(&self) -> impl ExactSizeIterator<Item = UserId> + '_ {
        let org = self.inner.stamp;
        (0..self.inner.users.len() as u32).map(move |index| UserId { org, index })
    }

    /// Every team (owner, access and group teams), in the order they were added.
    pub fn teams(&self) -> impl ExactSizeIterator<Item = TeamId> + '_ {
        let org = self.inner.stamp;
        (0..self.inner.teams.len() as u32).map(move |index| TeamId { org, index })
    }

    /// Every business unit, in the order they were added.
    pub fn business_units(&self) -> impl ExactSizeIterator<Item = BusinessUnitId> + '_ {
        let org = self.inner.stamp;
        (0..self.inner.bus.len() as u32).map(move |index| BusinessUnitId { org, index })
    }

    /// A user's own roles (not its teams'), each with the business unit it is held in.
    pub fn user_roles(
        &self,
        user: UserId,
    ) -> impl Iterator<Item = (&rolegate_catalog::Role, BusinessUnitId)> + '_ {
        let org = self.inner.stamp;
        let roles = self.inner.authority.catalog().roles();
        self.user_ref(user)
            .into_iter()
            .flat_map(|u| u.roles.iter())
            .filter_map(move |&(role, index)| {
                roles
                    .get(role as usize)
                    .map(|r| (r, BusinessUnitId { org, index }))
            })
    }

    /// The teams a user is a stored member of (owner and access teams; a group team's members come from the caller's
    /// token, not from the organisation).
    pub fn user_teams(&self, user: UserId) -> impl Iterator<Item = TeamId> + '_ {
        let org = self.inner.stamp;
        self.user_ref(user)
            .into_iter()
            .flat_map(|u| u.teams.iter())
            .map(move |&index| TeamId { org, index })
    }

    /// A team's roles, each with how it reaches the members.
    pub fn team_roles(
        &self,
        team: TeamId,
    ) -> impl Iterator<Item = (&rolegate_catalog::Role, Inheritance)> + '_ {
        let roles = self.inner.authority.catalog().roles();
        self.team_ref(team)
            .into_iter()
            .flat_map(|t| t.roles.iter())
            .filter_map(move |&(role, mode)| roles.get(role as usize).map(|r| (r, mode)))
    }

    /// What a team is: owner, access, or an Entra ID group team.
    pub fn team_kind(&self, team: TeamId) -> Option<TeamKind> {
        self.team_ref(team).map(|t| t.kind)
    }

    /// A group team's Entra ID object id (lower case); `None` for owner and access teams.
    pub fn team_object_id(&self, team: TeamId) -> Option<&str> {
        self.team_ref(team).and_then(|t| t.object_id.as_deref())
    }

    /// A user's manager, if it has one.
    pub fn user_manager(&self, user: UserId) -> Option<UserId> {
        let org = self.inner.stamp;
        self.user_ref(user)
            .and_then(|u| u.manager)
            .map(|index| UserId { org, index })
    }

    /// How many business units the organisation has.
    pub fn business_unit_count(&self) -> usize {
        self.inner.bus.len()
    }

    /// How many users the organisation has.
    pub fn user_count(&self) -> usize {
        self.inner.users.len()
    }

    /// How many teams (owner, access and group teams) the organisation has.
    pub fn team_count(&self) -> usize {
        self.inner.teams.len()
    }

    /// Whether the organisation has no users.
    pub fn is_empty(&self) -> bool {
        self.inner.users.is_empty()
    }

    pub(crate) fn bu_ref(&self, bu: BusinessUnitId) -> Option<&Bu> {
        if bu.org == self.inner.stamp {
            self.inner.bus.get(bu.index as usize)
        } else {
            None
        }
    }

    pub(crate) fn user_ref(&self, user: UserId) -> Option<&User> {
        if user.org == self.inner.stamp {
            self.inner.users.get(user.index as usize)
        } else {
            None
        }
    }

    pub(crate) fn team_ref(&self, team: TeamId) -> Option<&Team> {
        if team.org == self.inner.stamp {
            self.inner.teams.get(team.index as usize)
        } else {
            None
        }
    }

    /// The rights a user's field security profiles (its own and its teams') grant, one mask byte per secured column.
    pub(crate) fn column_mask(&self, user: UserId) -> Option<Box<[u8]>> {
        let u = self.user_ref(user)?;
        self.inner.columns.mask(user.index, &u.teams)
    }

    /// The access teams of a record made from templates, with the rights each grants its members.
    #[inline]
    pub(crate) fn record_teams(
        &self,
        table: usize,
        record: u128,
    ) -> &[(u32, rolegate_catalog::PrivilegeSet)] {
        if self.inner.record_teams.is_empty() {
            return &[];
        }
        self.inner
            .record_teams
            .get(&(table as u32, record))
            .map_or(&[], Vec::as_slice)
    }

    /// Whether a table (by catalog position) is excluded from hierarchy security.
    pub(crate) fn is_hierarchy_excluded(&self, table: usize) -> bool {
        self.inner
            .hierarchy_excluded
            .get(table)
            .copied()
            .unwrap_or(false)
    }

    /// Whether a table (by catalog position) is organization-owned.
    pub(crate) fn is_org_owned(&self, table: usize) -> bool {
        self.inner.org_owned.get(table).copied().unwrap_or(false)
    }
}
