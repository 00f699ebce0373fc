//! The organisation compiled for one user: what each slot's depths reach, its teams and its reports, computed once
//! when its principal is built.

use std::collections::HashMap;
use std::sync::Arc;

use rolegate_catalog::{Depth, Ownership, TablePrivilege};

use crate::org::{Hierarchy, HierarchyModel, Inheritance, Organization};

/// What one principal's depth reaches for one slot; deduplicated across slots.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Reach {
    /// Organization-owned table: step 2 always passes.
    pub(crate) org_owned: bool,
    /// Business-owned table: its records are owned by their business unit (`Owner::BusinessUnit`), no user or team.
    pub(crate) business_owned: bool,
    /// Global through some source.
    pub(crate) global: bool,
    /// A source the principal holds as its own (own roles, or `isinherited = 1` team roles): owned records pass.
    pub(crate) own: bool,
    /// Owner teams with a role for this slot: records they own pass.
    pub(crate) teams: Box<[u32]>,
    /// Pre-order intervals of business units the depths reach (Local: one unit, Deep: a subtree).
    pub(crate) intervals: Box<[(u32, u32)]>,
}

/// A principal's organisation context, computed once when the principal is built.
#[derive(Debug)]
pub(crate) struct RecordScope {
    pub(crate) org: Organization,
    pub(crate) stamp: u32,
    pub(crate) user: u32,
    /// Every team (owner and access), sorted.
    pub(crate) teams: Box<[u32]>,
    /// Owner teams, sorted.
    pub(crate) owner_teams: Box<[u32]>,
    /// The group teams among them (members by the caller's token), sorted; `None` when there are none. Shared with
    /// the denials that name them, so building one copies nothing.
    pub(crate) group_teams: Option<Arc<[u32]>>,
    /// Per slot, an index into `reaches` (0: reaches nothing).
    pub(crate) slot_reach: Box<[u32]>,
    pub(crate) reaches: Box<[Reach]>,
    /// Reports within the hierarchy depth, sorted by user, with their level (1 = direct).
    pub(crate) reports: Box<[(u32, u8)]>,
    /// The reports' teams, sorted, with the lowest level of a report in them.
    pub(crate) report_teams: Box<[(u32, u8)]>,
}

impl RecordScope {
    /// What the principal's depths reach for `slot` (`None` past the last slot).
    #[inline]
    pub(crate) fn reach(&self, slot: usize) -> Option<&Reach> {
        self.slot_reach
            .get(slot)
            .map(|&i| &self.reaches[i as usize])
    }

    /// Bytes this scope holds besides the shared organisation.
    pub(crate) fn memory_bytes(&self) -> usize {
        use std::mem::size_of_val;
        std::mem::size_of::<Self>()
            + size_of_val(&*self.teams)
            + size_of_val(&*self.owner_teams)
            + self.group_teams.as_deref().map_or(0, size_of_val)
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

/// The sorted union of two sorted lists.
fn union(a: &[u32], b: &[u32]) -> Box<[u32]> {
    let mut all: Vec<u32> = a.iter().chain(b).copied().collect();
    all.sort_unstable();
    all.dedup();
    all.into_boxed_slice()
}

/// Compiles the organisation for user `user` (an index valid for `org`), a member by token of the group teams `groups`
/// (indices of group teams): its scope, and the roles its principal holds (its own, then its owner and group teams';
/// its row is theirs together, the highest depth winning).
pub(crate) fn build(org: &Organization, user: u32, groups: &[u32]) -> (RecordScope, Vec<u32>) {
    let inner = &org.inner;
    let u = &inner.users[user as usize];
    let slots = inner.authority.slot_count();
    let own = inner.authority.rank_row(u.roles.iter().map(|&(r, _)| r));
    // Local and Deep of the user's own roles are measured from the unit each is held in: one row per unit.
    let mut held_in: Vec<u32> = u.roles.iter().map(|&(_, bu)| bu).collect();
    held_in.sort_unstable();
    held_in.dedup();
    let unit_rows: Vec<(u32, Box<[u8]>)> = held_in
        .into_iter()
        .map(|bu| {
            let roles = u.roles.iter().filter(|&&(_, b)| b == bu).map(|&(r, _)| r);
            (bu, inner.authority.rank_row(roles))
        })
        .collect();
    let teams = union(&u.teams, groups);
    let owner_teams = union(&u.owner_teams, groups);
    let mut own_basic = vec![false; slots];
    // The principal's roles: its own, then its teams' (its row is theirs together, the highest depth winning).
    let mut roles: Vec<u32> = u.roles.iter().map(|&(r, _)| r).collect();
    let mut team_rows = Vec::new();
    for &t in owner_teams.iter() {
        let team = &inner.teams[t as usize];
        let row = inner.authority.rank_row(team.roles.iter().map(|&(r, _)| r));
        for &(r, mode) in &team.roles {
            if mode == Inheritance::DirectBasicAndTeam {
                for &(slot, _) in inner.authority.role_grants(r) {
                    if let Some(b) = own_basic.get_mut(slot as usize) {
                        *b = true;
                    }
                }
            }
            // Repeats are removed when the principal is built (its roles are sorted and deduplicated).
            roles.push(r);
        }
        team_rows.push((t, team.bu, row));
    }
    let tables = inner.authority.catalog().tables();
    let table_slots = tables.len() * TablePrivilege::COUNT;
    let mut reaches: Vec<Reach> = vec![Reach::default()];
    let mut index: HashMap<Reach, u32> = HashMap::from([(Reach::default(), 0)]);
    let mut slot_reach = vec![0u32; slots];
    for (s, slot) in slot_reach.iter_mut().enumerate().take(table_slots) {
        let mut reach = Reach::default();
        if org.is_org_owned(s / TablePrivilege::COUNT) {
            reach.org_owned = true;
        } else {
            reach.business_owned = tables.get(s / TablePrivilege::COUNT).map(|t| t.ownership)
                == Some(Ownership::Business);
            // Through a team, Create reaches only records the team owns, whatever the depth.
            let creates = s % TablePrivilege::COUNT == TablePrivilege::Create.index();
            reach.own = own[s] > 0 || own_basic[s];
            reach.global = own[s] == Depth::Global.rank();
            let mut intervals: Vec<(u32, u32)> = unit_rows
                .iter()
                .filter_map(|(bu, row)| interval(org, *bu, row[s]))
                .collect();
            let mut teams = Vec::new();
            for (t, bu, row) in &team_rows {
                if row[s] > 0 {
                    teams.push(*t);
                }
                if creates {
                    continue;
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

    let (reports, report_teams) = match inner.hierarchy {
        Some(h) => hierarchy_reach(org, user, h),
        None => (Vec::new(), Vec::new()),
    };

    let group_teams: Vec<u32> = owner_teams
        .iter()
        .copied()
        .filter(|&t| inner.teams[t as usize].kind.is_group())
        .collect();
    let scope = RecordScope {
        org: org.clone(),
        stamp: inner.stamp,
        user,
        teams,
        owner_teams,
        group_teams: (!group_teams.is_empty()).then(|| group_teams.into()),
        slot_reach: slot_reach.into_boxed_slice(),
        reaches: reaches.into_boxed_slice(),
        reports: reports.into_boxed_slice(),
        report_teams: report_teams.into_boxed_slice(),
    };
    (scope, roles)
}

/// A user or team the hierarchy reaches (by index), with its level (1 = direct).
type Reached = (u32, u8);

/// The users hierarchy security lets `user` reach, each with its level (1 = direct), sorted by user; and their teams,
/// with the lowest level of a member. Manager model: reports down the manager chain, each in the manager's business
/// unit or a child unit of it. Position model: the users holding the positions below the user's own, in any unit.
fn hierarchy_reach(org: &Organization, user: u32, h: Hierarchy) -> (Vec<Reached>, Vec<Reached>) {
    let inner = &org.inner;
    let u = &inner.users[user as usize];
    let mut reports: Vec<Reached> = Vec::new();
    match h.model {
        HierarchyModel::Manager => {
            let mut level_users = u.reports.clone();
            for level in 1..=h.depth {
                let mut next = Vec::new();
                for &r in &level_users {
                    let report = &inner.users[r as usize];
                    // DECISION: the manager sits in the report's business unit or its parent unit.
                    let unit = report.bu;
                    if unit == u.bu || inner.bus[unit as usize].parent == Some(u.bu) {
                        reports.push((r, level));
                    }
                    next.extend_from_slice(&report.reports);
                }
                level_users = next;
            }
        }
        HierarchyModel::Position => {
            let mut level_positions: Vec<u32> = u
                .position
                .map(|p| inner.positions[p as usize].children.clone())
                .unwrap_or_default();
            for level in 1..=h.depth {
                let mut next = Vec::new();
                for &p in &level_positions {
                    let position = &inner.positions[p as usize];
                    reports.extend(position.users.iter().map(|&r| (r, level)));
                    next.extend_from_slice(&position.children);
                }
                level_positions = next;
            }
        }
    }
    // The lowest level first, so deduplication keeps it.
    reports.sort_unstable();
    reports.dedup_by_key(|(r, _)| *r);
    let mut report_teams: Vec<Reached> = reports
        .iter()
        .flat_map(|&(r, level)| {
            inner.users[r as usize]
                .teams
                .iter()
                .map(move |&t| (t, level))
        })
        .collect();
    report_teams.sort_unstable();
    report_teams.dedup_by_key(|(t, _)| *t);
    (reports, report_teams)
}
