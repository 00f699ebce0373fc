//! Building an organisation: the builder, and the validation and compilation of what it was given.

use std::collections::HashMap;

use std::sync::Arc;

use rolegate_catalog::{Ownership, TablePrivilege, closest};
use uuid::Uuid;

use super::columns::FieldSecurityProfile;
use super::hierarchy::{PositionEntry, RecordTeamEntry, TemplateEntry};
use super::ids::{self, ExternalIds, Given, StableIds};
use super::problem::{Indexed, Problems, cycles, problem};
use super::{
    Bu, BuildError, Hierarchy, Inheritance, OrgInner, OrgProblem, Organization, Team, TeamKind,
    User, next_stamp,
};
use crate::compiled::Authority;

#[derive(Debug, Clone)]
pub(crate) struct BuEntry {
    pub(crate) name: String,
    pub(crate) parent: Option<String>,
    /// Its GUID (`businessunitid`); `None`: derived from the name.
    pub(crate) id: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub(crate) struct UserEntry {
    pub(crate) name: String,
    pub(crate) bu: String,
    pub(crate) manager: Option<String>,
    /// The position it holds (the position hierarchy).
    pub(crate) position: Option<String>,
    /// Roles, each with the business unit it is held in (`None`: the user's own).
    pub(crate) roles: Vec<(String, Option<String>)>,
    /// Its GUID (`systemuserid`); `None`: derived from the name.
    pub(crate) id: Option<Uuid>,
    /// An id another system knows it by (an Entra ID object id, say).
    pub(crate) external_id: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct TeamEntry {
    pub(crate) name: String,
    pub(crate) bu: String,
    pub(crate) kind: TeamKind,
    pub(crate) members: Vec<String>,
    pub(crate) roles: Vec<(String, Inheritance)>,
    /// A group team's Entra ID object id.
    pub(crate) object_id: Option<String>,
    /// Its GUID (`teamid`); `None`: derived from the name.
    pub(crate) id: Option<Uuid>,
}

impl Organization {
    /// A builder for an organisation whose roles come from `authority`'s catalog.
    pub fn builder(authority: &Authority) -> OrganizationBuilder {
        OrganizationBuilder::from_parts(authority, Vec::new(), Vec::new(), Vec::new(), None)
    }
}

/// Builds an [`Organization`] in code; names are resolved and everything is validated in [`build`](Self::build).
///
/// Hierarchy security with the position model, a table left out of it, and the access team of one record made from a
/// template:
///
/// ```
/// use rolegate::{Authority, Organization, TablePrivilege};
/// let authority = Authority::builtin();
/// let org = Organization::builder(&authority)
///     .business_unit("Root", None)
///     .business_unit("Service", Some("Root"))
///     .position("Lead", None)
///     .position("Agent", Some("Lead"))
///     .user("ada", "Root", ["Omnichannel supervisor"])
///     .user("alan", "Service", ["Omnichannel agent"])
///     .user_position("ada", "Lead")
///     .user_position("alan", "Agent")
///     .position_hierarchy(2)
///     .exclude_from_hierarchy("msdyn_liveworkstream")
///     .access_team_template("Workstream team", "msdyn_liveworkstream", [TablePrivilege::Read])
///     .record_access_team("Workstream team", 42u128, ["alan"])
///     .build()
///     .unwrap();
/// assert_eq!(org.user_position(org.user("alan").unwrap()), Some("Agent"));
/// assert!(org.is_excluded_from_hierarchy("msdyn_liveworkstream"));
/// assert!(org.record_access_team("Workstream team", 42u128).is_some());
/// ```
///
/// ```
/// use rolegate::org::{Inheritance, TeamKind};
/// use rolegate::{Authority, Organization};
/// let authority = Authority::builtin();
/// let org = Organization::builder(&authority)
///     .business_unit("Root", None)
///     .business_unit("Sales", Some("Root"))
///     .business_unit("Service", Some("Root"))
///     .user("ada", "Sales", ["Omnichannel agent"])
///     // Held in Service: its Local and Deep reach Service's records.
///     .role_in("ada", "Omnichannel supervisor", "Service")
///     .owner_team("Tier 2", "Sales", ["ada"], [("Omnichannel supervisor", Inheritance::TeamOnly)])
///     // Members come from the caller's token (`groups` claim), not from here.
///     .group_team(
///         "Escalations",
///         "Service",
///         TeamKind::EntraSecurityGroup,
///         "5f2b1c3e-8d4a-4e6b-9c1d-2a3b4c5d6e7f",
///         [("Omnichannel supervisor", Inheritance::DirectBasicAndTeam)],
///     )
///     .build()
///     .unwrap();
/// assert!(org.user("ada").is_some());
/// assert_eq!(org.group_team("5F2B1C3E-8D4A-4E6B-9C1D-2A3B4C5D6E7F"), org.team("Escalations"));
/// ```
#[derive(Debug, Clone)]
pub struct OrganizationBuilder {
    authority: Authority,
    bus: Vec<BuEntry>,
    users: Vec<UserEntry>,
    teams: Vec<TeamEntry>,
    hierarchy: Option<Hierarchy>,
    hierarchy_excluded: Vec<String>,
    positions: Vec<PositionEntry>,
    templates: Vec<TemplateEntry>,
    record_teams: Vec<RecordTeamEntry>,
    profiles: Vec<FieldSecurityProfile>,
    /// GUIDs given for a business unit or team not added (yet): (section, name), reported when built.
    unplaced_ids: Vec<(&'static str, String)>,
}

impl OrganizationBuilder {
    /// Adds a business unit; exactly one has no parent (the root).
    pub fn business_unit(mut self, name: &str, parent: Option<&str>) -> Self {
        self.bus.push(BuEntry {
            name: name.to_owned(),
            parent: parent.map(str::to_owned),
            id: None,
        });
        self
    }

    /// Adds a user in a business unit, holding roles (by name) of its own, held in that business unit.
    pub fn user<I, S>(mut self, name: &str, business_unit: &str, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.users.push(UserEntry {
            name: name.to_owned(),
            bu: business_unit.to_owned(),
            manager: None,
            position: None,
            roles: roles
                .into_iter()
                .map(|r| (r.as_ref().to_owned(), None))
                .collect(),
            id: None,
            external_id: None,
        });
        self
    }

    /// Assigns a user a role held in a business unit, which may differ from the user's own (Dataverse's modernized
    /// business units): the role's Local and Deep are measured from `business_unit`.
    pub fn role_in(mut self, user: &str, role: &str, business_unit: &str) -> Self {
        self.user_entry(user)
            .roles
            .push((role.to_owned(), Some(business_unit.to_owned())));
        self
    }

    /// Sets a user's manager (for hierarchy security).
    pub fn manager(mut self, user: &str, manager: &str) -> Self {
        self.user_entry(user).manager = Some(manager.to_owned());
        self
    }

    /// Gives a business unit its GUID (Dataverse's `businessunitid`); without one, the id is derived from the name.
    pub fn business_unit_guid(mut self, business_unit: &str, id: Uuid) -> Self {
        match self.bus.iter_mut().rfind(|b| b.name == business_unit) {
            Some(entry) => entry.id = Some(id),
            None => self
                .unplaced_ids
                .push(("business_unit", business_unit.to_owned())),
        }
        self
    }

    /// Gives a user its GUID (Dataverse's `systemuserid`); without one, the id is derived from the name.
    pub fn user_guid(mut self, user: &str, id: Uuid) -> Self {
        self.user_entry(user).id = Some(id);
        self
    }

    /// Gives a user the id another system knows it by (an Entra ID object id, say), compared without regard to
    /// case; [`Organization::user_by_external_id`] finds the user by it.
    pub fn user_external_id(mut self, user: &str, external_id: &str) -> Self {
        self.user_entry(user).external_id = Some(external_id.to_owned());
        self
    }

    /// Gives a team its GUID (Dataverse's `teamid`); without one, the id is derived from the name.
    pub fn team_guid(mut self, team: &str, id: Uuid) -> Self {
        match self.teams.iter_mut().rfind(|t| t.name == team) {
            Some(entry) => entry.id = Some(id),
            None => self.unplaced_ids.push(("team", team.to_owned())),
        }
        self
    }

    /// The entry of the user last added under `name`; a user not added (yet) gets an entry with no unit, so that
    /// validation reports the unknown name.
    fn user_entry(&mut self, user: &str) -> &mut UserEntry {
        let index = match self.users.iter().rposition(|u| u.name == user) {
            Some(i) => i,
            None => {
                self.users.push(UserEntry {
                    name: user.to_owned(),
                    bu: String::new(),
                    manager: None,
                    position: None,
                    roles: Vec::new(),
                    id: None,
                    external_id: None,
                });
                self.users.len() - 1
            }
        };
        &mut self.users[index]
    }

    /// Adds an owner team in a business unit, with members and roles (each with its inheritance mode).
    pub fn owner_team<M, S, R, T>(
        mut self,
        name: &str,
        business_unit: &str,
        members: M,
        roles: R,
    ) -> Self
    where
        M: IntoIterator<Item = S>,
        S: AsRef<str>,
        R: IntoIterator<Item = (T, Inheritance)>,
        T: AsRef<str>,
    {
        self.teams.push(TeamEntry {
            name: name.to_owned(),
            bu: business_unit.to_owned(),
            kind: TeamKind::Owner,
            members: members.into_iter().map(|m| m.as_ref().to_owned()).collect(),
            roles: roles
                .into_iter()
                .map(|(r, i)| (r.as_ref().to_owned(), i))
                .collect(),
            object_id: None,
            id: None,
        });
        self
    }

    /// Adds a Microsoft Entra ID group team (`kind`: [`TeamKind::EntraSecurityGroup`] or
    /// [`TeamKind::EntraOfficeGroup`]) for the group with object id `object_id`, holding roles. It owns records like
    /// an owner team; its members are the callers whose token names the group
    /// ([`Organization::principal_with_groups`]).
    pub fn group_team<R, T>(
        mut self,
        name: &str,
        business_unit: &str,
        kind: TeamKind,
        object_id: &str,
        roles: R,
    ) -> Self
    where
        R: IntoIterator<Item = (T, Inheritance)>,
        T: AsRef<str>,
    {
        self.teams.push(TeamEntry {
            name: name.to_owned(),
            bu: business_unit.to_owned(),
            kind,
            members: Vec::new(),
            roles: roles
                .into_iter()
                .map(|(r, i)| (r.as_ref().to_owned(), i))
                .collect(),
            object_id: Some(object_id.to_owned()),
            id: None,
        });
        self
    }

    /// Adds an access team (members only, no roles).
    pub fn access_team<M, S>(mut self, name: &str, business_unit: &str, members: M) -> Self
    where
        M: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.teams.push(TeamEntry {
            name: name.to_owned(),
            bu: business_unit.to_owned(),
            kind: TeamKind::Access,
            members: members.into_iter().map(|m| m.as_ref().to_owned()).collect(),
            roles: Vec::new(),
            object_id: None,
            id: None,
        });
        self
    }

    /// Adds a user in a business unit holding no roles of its own (it may still hold its owner teams').
    pub fn user_without_roles(self, name: &str, business_unit: &str) -> Self {
        self.user(name, business_unit, [""; 0])
    }

    /// Adds an owner team in a business unit, with members and no roles (it owns records; its members reach them).
    pub fn owner_team_without_roles<M, S>(self, name: &str, business_unit: &str, members: M) -> Self
    where
        M: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.owner_team(
            name,
            business_unit,
            members,
            [("", Inheritance::TeamOnly); 0],
        )
    }

    /// Adds a field security profile: the secured columns it grants, and the users and teams that hold it.
    pub fn field_security_profile(mut self, profile: FieldSecurityProfile) -> Self {
        self.profiles.push(profile);
        self
    }

    /// Turns on hierarchy security (the manager model) down to `depth` levels of reports.
    pub fn hierarchy(self, depth: u8) -> Self {
        self.hierarchy_settings(Hierarchy::manager(depth))
    }

    /// Turns on hierarchy security with the position model, down to `depth` levels of positions.
    pub fn position_hierarchy(self, depth: u8) -> Self {
        self.hierarchy_settings(Hierarchy::position(depth))
    }

    /// Turns on hierarchy security with these settings (model and depth).
    pub fn hierarchy_settings(mut self, settings: Hierarchy) -> Self {
        self.hierarchy = Some(settings);
        self
    }

    /// Leaves a table (by logical name) out of hierarchy security: no one reaches its records through the hierarchy.
    pub fn exclude_from_hierarchy(mut self, table: &str) -> Self {
        self.hierarchy_excluded.push(table.to_owned());
        self
    }

    /// Adds a position of the position hierarchy, below `parent` (none: a top position). Positions cross business
    /// units.
    pub fn position(mut self, name: &str, parent: Option<&str>) -> Self {
        self.positions.push(PositionEntry {
            name: name.to_owned(),
            parent: parent.map(str::to_owned),
        });
        self
    }

    /// Gives a user a position (at most one).
    pub fn user_position(mut self, user: &str, position: &str) -> Self {
        self.user_entry(user).position = Some(position.to_owned());
        self
    }

    /// Adds an access team template: the table whose records get access teams from it, and the access rights
    /// (Read, Write, Delete, Append, AppendTo, Share, Assign) its teams' members get on their record.
    pub fn access_team_template(
        mut self,
        name: &str,
        table: &str,
        rights: impl IntoIterator<Item = TablePrivilege>,
    ) -> Self {
        self.templates.push(TemplateEntry {
            name: name.to_owned(),
            table: table.to_owned(),
            rights: rights.into_iter().collect(),
        });
        self
    }

    /// Adds the access team of one record (by id) made from a template, with its members: each gets the template's
    /// rights on that record.
    pub fn record_access_team<M, S>(
        mut self,
        template: &str,
        record: impl Into<u128>,
        members: M,
    ) -> Self
    where
        M: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.record_teams.push(RecordTeamEntry {
            template: template.to_owned(),
            record: record.into(),
            members: members.into_iter().map(|m| m.as_ref().to_owned()).collect(),
        });
        self
    }

    pub(crate) fn from_parts(
        authority: &Authority,
        bus: Vec<BuEntry>,
        users: Vec<UserEntry>,
        teams: Vec<TeamEntry>,
        hierarchy: Option<Hierarchy>,
    ) -> Self {
        Self {
            authority: authority.clone(),
            bus,
            users,
            teams,
            hierarchy,
            hierarchy_excluded: Vec::new(),
            positions: Vec::new(),
            templates: Vec::new(),
            record_teams: Vec::new(),
            profiles: Vec::new(),
            unplaced_ids: Vec::new(),
        }
    }

    /// Validates and compiles: unknown names, cycles, a user in two units, unknown roles are all reported together.
    pub fn build(self) -> Result<Organization, BuildError> {
        compile(self).map_err(|problems| BuildError {
            problems: problems.into_iter().map(|(p, _)| p).collect(),
        })
    }

    /// As [`build`](Self::build), each problem with its entry's place among its section's entries when known.
    pub(crate) fn build_indexed(self) -> Result<Organization, Vec<Indexed>> {
        compile(self)
    }
}

fn compile(b: OrganizationBuilder) -> Result<Organization, Vec<Indexed>> {
    let mut problems = Problems::default();
    let authority = b.authority.clone();

    // Business units: unique names, known parents, one root, no cycle.
    let mut bu_index: HashMap<String, u32> = HashMap::new();
    let mut bus: Vec<Bu> = Vec::new();
    for (i, e) in b.bus.iter().enumerate() {
        if bu_index.contains_key(&e.name) {
            problems.add(Some(i), || {
                problem(
                    "business_unit",
                    &e.name,
                    None,
                    format!("business unit `{}` is defined twice", e.name),
                    None,
                )
            });
            continue;
        }
        bu_index.insert(e.name.clone(), bus.len() as u32);
        bus.push(Bu {
            name: e.name.clone(),
            parent: None,
        });
    }
    let bu_names = || bus_names(&b.bus);
    for (i, e) in b.bus.iter().enumerate() {
        let Some(&me) = bu_index.get(&e.name) else {
            continue;
        };
        if let Some(parent) = &e.parent {
            match bu_index.get(parent) {
                Some(&p) if p == me => problems.add(Some(i), || {
                    problem(
                        "business_unit",
                        &e.name,
                        Some(parent),
                        format!("business unit `{}` is its own parent", e.name),
                        None,
                    )
                }),
                Some(&p) => bus[me as usize].parent = Some(p),
                None => problems.add(Some(i), || {
                    problem(
                        "business_unit",
                        &e.name,
                        Some(parent),
                        format!("business unit `{}` has unknown parent `{parent}`", e.name),
                        closest(parent, bu_names()).map(|c| format!("did you mean `{c}`?")),
                    )
                }),
            }
        }
    }
    let roots: Vec<&str> = b
        .bus
        .iter()
        .filter(|e| e.parent.is_none())
        .map(|e| e.name.as_str())
        .collect();
    if bus.is_empty() {
        problems.add(None, || {
            problem(
                "business_unit",
                "",
                None,
                "an organisation needs a root business unit".into(),
                None,
            )
        });
    } else if roots.len() > 1 {
        problems.add(None, || {
            problem(
                "business_unit",
                roots[1],
                None,
                format!(
                    "business units `{}` and `{}` both have no parent; there is one root",
                    roots[0], roots[1]
                ),
                Some(format!("give `{}` a parent", roots[1])),
            )
        });
    }
    let parents: Vec<Option<u32>> = bus.iter().map(|b| b.parent).collect();
    for i in cycles(&parents) {
        let bu = &bus[i];
        problems.add(None, || {
            problem(
                "business_unit",
                &bu.name,
                bu.parent.map(|p| bus[p as usize].name.as_str()),
                format!("business units form a cycle through `{}`", bu.name),
                Some("the units form one tree: every chain of parents ends at the root".into()),
            )
        });
    }

    let (mut positions, position_index) = super::hierarchy::positions(&b.positions, &mut problems);
    let position_names = || b.positions.iter().map(|p| p.name.as_str());

    // Users: unique, each in exactly one known unit, known roles, known acyclic managers.
    let mut user_index: HashMap<String, u32> = HashMap::new();
    let mut users: Vec<User> = Vec::new();
    let resolve_role =
        |section: &'static str, index: usize, entry: &str, role: &str, problems: &mut Problems| {
            let id = authority.role_position(role);
            if id.is_none() {
                problems.add(Some(index), || {
                    unknown_role(&authority, section, entry, role)
                });
            }
            id
        };
    for (i, e) in b.users.iter().enumerate() {
        if let Some(&existing) = user_index.get(&e.name) {
            let first = &users[existing as usize];
            let first_bu = &bus.get(first.bu as usize).map_or("", |b| b.name.as_str());
            let message = if *first_bu != e.bu {
                format!(
                    "user `{}` is in two business units, `{first_bu}` and `{}`",
                    e.name, e.bu
                )
            } else {
                format!("user `{}` is defined twice", e.name)
            };
            problems.add(Some(i), || {
                problem(
                    "user",
                    &e.name,
                    Some(&e.bu),
                    message,
                    Some("a user belongs to exactly one business unit".into()),
                )
            });
            continue;
        }
        let bu = match bu_index.get(&e.bu) {
            Some(&bu) => bu,
            None => {
                problems.add(Some(i), || user_in_unknown_unit(&e.name, &e.bu, bu_names()));
                0
            }
        };
        let mut assigned: Vec<(u32, Option<u32>)> = e
            .roles
            .iter()
            .filter_map(|(r, unit)| {
                let role = resolve_role("user", i, &e.name, r, &mut problems);
                let held_in = match unit {
                    None => Some(None),
                    Some(unit) => {
                        let found = bu_index.get(unit).copied();
                        if found.is_none() {
                            problems.add(Some(i), || {
                                role_in_unknown_unit(&e.name, r, unit, bu_names())
                            });
                        }
                        found.map(Some)
                    }
                };
                Some((role?, held_in?))
            })
            .collect();
        assigned.sort_unstable();
        assigned.dedup();
        let roles = held_roles(&assigned, bu);
        let position = e.position.as_ref().and_then(|p| {
            let found = position_index.get(p).copied();
            if found.is_none() {
                problems.add(Some(i), || {
                    problem(
                        "user",
                        &e.name,
                        Some(p),
                        format!("user `{}` holds unknown position `{p}`", e.name),
                        closest(p, position_names()).map(|c| format!("did you mean `{c}`?")),
                    )
                });
            }
            found
        });
        user_index.insert(e.name.clone(), users.len() as u32);
        users.push(User {
            name: e.name.clone(),
            bu,
            manager: None,
            position,
            roles,
            assigned,
            teams: Vec::new(),
            owner_teams: Vec::new(),
            reports: Vec::new(),
        });
    }
    let user_names = || b.users.iter().map(|u| u.name.as_str());
    for (i, e) in b.users.iter().enumerate() {
        let (Some(&me), Some(manager)) = (user_index.get(&e.name), &e.manager) else {
            continue;
        };
        match user_index.get(manager) {
            Some(&m) if m == me => problems.add(Some(i), || own_manager(&e.name, manager)),
            Some(&m) => users[me as usize].manager = Some(m),
            None => problems.add(Some(i), || unknown_manager(&e.name, manager, user_names())),
        }
    }
    let managers: Vec<Option<u32>> = users
        .iter()
        .enumerate()
        .map(|(i, u)| u.manager.filter(|&m| m as usize != i))
        .collect();
    for i in cycles(&managers) {
        let manager = &users[users[i].manager.unwrap_or(0) as usize].name;
        problems.add(None, || manager_cycle(&users[i].name, manager));
    }
    for i in 0..users.len() {
        if let Some(m) = users[i].manager {
            users[m as usize].reports.push(i as u32);
        }
    }

    // Teams: unique, known unit, known members, owner teams with known roles, access teams with none.
    let mut team_index: HashMap<String, u32> = HashMap::new();
    let mut group_index: HashMap<String, u32> = HashMap::new();
    let mut teams: Vec<Team> = Vec::new();
    for (i, e) in b.teams.iter().enumerate() {
        if team_index.contains_key(&e.name) {
            problems.add(Some(i), || {
                problem(
                    "team",
                    &e.name,
                    None,
                    format!("team `{}` is defined twice", e.name),
                    None,
                )
            });
            continue;
        }
        let bu = match bu_index.get(&e.bu) {
            Some(&bu) => bu,
            None => {
                problems.add(Some(i), || {
                    problem(
                        "team",
                        &e.name,
                        Some(&e.bu),
                        format!("team `{}` is in unknown business unit `{}`", e.name, e.bu),
                        closest(&e.bu, bu_names()).map(|c| format!("did you mean `{c}`?")),
                    )
                });
                0
            }
        };
        let mut members = Vec::new();
        let mut seen_members = std::collections::HashSet::new();
        for m in &e.members {
            match user_index.get(m) {
                Some(&u) if seen_members.insert(u) => members.push(u),
                Some(_) => {}
                None => problems.add(Some(i), || unknown_member(&e.name, m, user_names())),
            }
        }
        if e.kind == TeamKind::Access && !e.roles.is_empty() {
            problems.add(Some(i), || access_team_with_roles(&e.name, &e.roles[0].0));
        }
        let roles = e
            .roles
            .iter()
            .filter_map(|(r, mode)| {
                resolve_role("team", i, &e.name, r, &mut problems).map(|id| (id, *mode))
            })
            .collect();
        let index = teams.len() as u32;
        let object_id = group_object_id(i, e, index, &teams, &mut group_index, &mut problems);
        for &u in &members {
            users[u as usize].teams.push(index);
            if e.kind.owns_records() {
                users[u as usize].owner_teams.push(index);
            }
        }
        team_index.insert(e.name.clone(), index);
        teams.push(Team {
            name: e.name.clone(),
            bu,
            kind: e.kind,
            members,
            roles,
            object_id,
            template: None,
        });
    }
    super::hierarchy::seat_users(&mut positions, &users);
    let hierarchy_excluded =
        super::hierarchy::excluded_tables(&b.hierarchy_excluded, &authority, &mut problems);
    let (templates, template_index) =
        super::hierarchy::templates(&b.templates, &authority, &mut problems);
    let user_name_list: Vec<&str> = user_names().collect();
    let record_teams = super::hierarchy::record_teams(
        &b.record_teams,
        &super::hierarchy::RecordTeamContext {
            templates: &templates,
            template_index: &template_index,
            user_index: &user_index,
            user_names: &user_name_list,
            root: bus.iter().position(|b| b.parent.is_none()).unwrap_or(0) as u32,
        },
        &mut teams,
        &mut users,
        &mut problems,
    );
    let columns = super::columns::compile(
        &b.profiles,
        &authority,
        &user_index,
        &team_index,
        &mut problems,
    );
    let ids = stable_ids(
        &b,
        (&bus, &users, &teams),
        NameIndexes {
            bus: &bu_index,
            users: &user_index,
            teams: &team_index,
        },
        &mut problems,
    );
    if let Some(h) = b.hierarchy
        && h.depth == 0
    {
        problems.add(None, || {
            problem(
                "organization",
                "",
                Some("depth"),
                "hierarchy depth 0 reaches no one".into(),
                Some("use 1 for direct reports only, or leave hierarchy out to turn it off".into()),
            )
        });
    }
    if !problems.is_empty() {
        return Err(problems.finish());
    }

    // Pre-order numbering: iterative, children in definition order.
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); bus.len()];
    for (i, bu) in bus.iter().enumerate() {
        if let Some(p) = bu.parent {
            children[p as usize].push(i as u32);
        }
    }
    let mut pre = vec![0u32; bus.len()];
    let mut end = vec![0u32; bus.len()];
    let root = bus.iter().position(|b| b.parent.is_none()).unwrap_or(0) as u32;
    let mut next = 0u32;
    let mut stack: Vec<(u32, usize)> = vec![(root, 0)];
    pre[root as usize] = next;
    next += 1;
    while let Some(&mut (node, ref mut child)) = stack.last_mut() {
        if let Some(&c) = children[node as usize].get(*child) {
            *child += 1;
            pre[c as usize] = next;
            next += 1;
            stack.push((c, 0));
        } else {
            end[node as usize] = next;
            stack.pop();
        }
    }
    let mut order = vec![0u32; bus.len()];
    for (bu, &p) in pre.iter().enumerate() {
        order[p as usize] = bu as u32;
    }
    let org_owned: Vec<bool> = authority
        .catalog()
        .tables()
        .iter()
        .map(|t| t.ownership == Ownership::Organization)
        .collect();
    let Some(stamp) = next_stamp() else {
        return Err(vec![(problem(
            "organization",
            "",
            None,
            "this process has built 2^32 - 1 organisations; the ids of another could be taken for an earlier one's"
                .into(),
            Some("build organisations once and share them (an `Organization` clones cheaply)".into()),
        ), None)]);
    };
    Ok(Organization {
        inner: Arc::new(OrgInner {
            stamp,
            authority,
            bus: bus.into(),
            pre: pre.into(),
            end: end.into(),
            order: order.into(),
            users: users.into(),
            teams: teams.into(),
            hierarchy: b.hierarchy,
            hierarchy_excluded: hierarchy_excluded.into(),
            positions: positions.into(),
            templates: templates.into(),
            record_teams: Arc::new(record_teams),
            bu_index: Arc::new(bu_index),
            user_index: Arc::new(user_index),
            team_index: Arc::new(team_index),
            group_index: Arc::new(group_index),
            org_owned: org_owned.into(),
            columns: Arc::new(columns),
            ids: Arc::new(ids),
        }),
    })
}

/// The place among its section's entries of each compiled entry (by index): the first entry of its name.
fn places<'a>(
    entries: impl Iterator<Item = &'a str>,
    index: impl Fn(&str) -> Option<u32>,
    count: usize,
) -> Vec<Option<usize>> {
    let mut places = vec![None; count];
    for (i, name) in entries.enumerate() {
        if let Some(slot) = index(name).and_then(|k| places.get_mut(k as usize))
            && slot.is_none()
        {
            *slot = Some(i);
        }
    }
    places
}

/// The name indexes of the compiled business units, users and teams.
struct NameIndexes<'a> {
    bus: &'a HashMap<String, u32>,
    users: &'a HashMap<String, u32>,
    teams: &'a HashMap<String, u32>,
}

/// The GUIDs of the compiled business units, users and teams (given, or derived from their names), and the users'
/// external ids; an id shared by two entries is a problem.
fn stable_ids(
    b: &OrganizationBuilder,
    compiled: (&[Bu], &[User], &[Team]),
    index: NameIndexes<'_>,
    problems: &mut Problems,
) -> StableIds {
    let (bus, users, teams) = compiled;
    let bu_places = places(
        b.bus.iter().map(|e| e.name.as_str()),
        |name| index.bus.get(name).copied(),
        bus.len(),
    );
    let user_places = places(
        b.users.iter().map(|e| e.name.as_str()),
        |name| index.users.get(name).copied(),
        users.len(),
    );
    let team_places = places(
        b.teams.iter().map(|e| e.name.as_str()),
        |name| index.teams.get(name).copied(),
        teams.len(),
    );
    let business_units = ids::assign(
        "business_unit",
        bus.iter().zip(&bu_places).map(|(bu, &place)| Given {
            place,
            name: &bu.name,
            id: place.and_then(|i| b.bus[i].id),
        }),
        problems,
    );
    let user_ids = ids::assign(
        "user",
        users.iter().zip(&user_places).map(|(u, &place)| Given {
            place,
            name: &u.name,
            id: place.and_then(|i| b.users[i].id),
        }),
        problems,
    );
    let external = ExternalIds::assign(
        users.iter().zip(&user_places).map(|(u, &place)| {
            let external = place.and_then(|i| b.users[i].external_id.as_deref());
            (place, u.name.as_str(), external)
        }),
        problems,
    );
    // Record access teams (made from templates) have no entry: their ids are derived from their names.
    let team_ids = ids::assign(
        "team",
        teams.iter().enumerate().map(|(k, t)| {
            let place = team_places.get(k).copied().flatten();
            Given {
                place,
                name: &t.name,
                id: place.and_then(|i| b.teams[i].id),
            }
        }),
        problems,
    );
    for (section, name) in &b.unplaced_ids {
        problems.add(None, || {
            problem(
                section,
                name,
                None,
                format!(
                    "an id is given for {} `{name}`, which is not defined",
                    section.replace('_', " ")
                ),
                None,
            )
        });
    }
    StableIds {
        business_units,
        users: user_ids,
        teams: team_ids,
        external,
    }
}

/// A group team's object id, checked (a group team has one, a GUID, not another team's; other teams have none) and
/// recorded in `group_index`; lower case.
fn group_object_id(
    i: usize,
    e: &TeamEntry,
    index: u32,
    teams: &[Team],
    group_index: &mut HashMap<String, u32>,
    problems: &mut Problems,
) -> Option<Box<str>> {
    let report = |problems: &mut Problems, word: Option<&str>, message: String, help: &str| {
        problems.add(Some(i), || {
            problem("team", &e.name, word, message, Some(help.to_owned()))
        });
    };
    if e.kind.is_group() && !e.members.is_empty() {
        problems.add(Some(i), || group_team_with_members(&e.name, &e.members[0]));
    }
    match (&e.object_id, e.kind.is_group()) {
        (None, false) => None,
        (None, true) => {
            report(
                problems,
                None,
                format!("group team `{}` has no Entra object id", e.name),
                "give `entra_object_id`: the group's object id in Microsoft Entra ID",
            );
            None
        }
        (Some(id), false) => {
            report(
                problems,
                Some(id),
                format!(
                    "team `{}` has an Entra object id but is not a group team",
                    e.name
                ),
                "write `kind = \"aad-security-group\"` or `kind = \"aad-office-group\"`, or leave the id out",
            );
            None
        }
        (Some(id), true) => {
            let key = id.to_ascii_lowercase();
            if !is_guid(&key) {
                report(
                    problems,
                    Some(id),
                    format!(
                        "group team `{}` has object id `{id}`, which is not a GUID",
                        e.name
                    ),
                    "an Entra object id is written like `00000000-0000-0000-0000-000000000000`",
                );
                return None;
            }
            if let Some(&first) = group_index.get(&key) {
                let first = teams.get(first as usize).map_or("", |t| t.name.as_str());
                report(
                    problems,
                    Some(id),
                    format!(
                        "group team `{}` has object id `{id}`, which is team `{first}`'s",
                        e.name
                    ),
                    "one team per group: a token names the group, not the team",
                );
                return None;
            }
            group_index.insert(key.clone(), index);
            Some(key.into_boxed_str())
        }
    }
}

/// Whether `s` is a GUID written with hyphens: 8-4-4-4-12 hex digits.
fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn bus_names(entries: &[BuEntry]) -> impl Iterator<Item = &str> {
    entries.iter().map(|e| e.name.as_str())
}

/// The roles a user holds, from the roles as assigned: each in its unit, `None` being the user's own (`bu`); sorted.
pub(super) fn held_roles(assigned: &[(u32, Option<u32>)], bu: u32) -> Vec<(u32, u32)> {
    let mut roles: Vec<(u32, u32)> = assigned
        .iter()
        .map(|&(role, unit)| (role, unit.unwrap_or(bu)))
        .collect();
    roles.sort_unstable();
    roles.dedup();
    roles
}

fn did_you_mean<'a>(input: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    closest(input, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// An entry of `section` (a user or a team) names a role the catalog lacks.
pub(super) fn unknown_role(
    authority: &Authority,
    section: &'static str,
    entry: &str,
    role: &str,
) -> OrgProblem {
    let roles = authority.catalog().roles().iter().map(|r| r.name.as_str());
    problem(
        section,
        entry,
        Some(role),
        format!(
            "{} `{entry}` has unknown role `{role}`",
            section.replace('_', " ")
        ),
        did_you_mean(role, roles),
    )
}

/// A user is in a business unit that does not exist; none at all (`""`): the user was named but not defined.
pub(super) fn user_in_unknown_unit<'a>(
    user: &str,
    unit: &str,
    units: impl Iterator<Item = &'a str>,
) -> OrgProblem {
    let message = if unit.is_empty() {
        format!("user `{user}` is not defined")
    } else {
        format!("user `{user}` is in unknown business unit `{unit}`")
    };
    problem("user", user, Some(unit), message, did_you_mean(unit, units))
}

/// A user holds a role in a business unit that does not exist.
pub(super) fn role_in_unknown_unit<'a>(
    user: &str,
    role: &str,
    unit: &str,
    units: impl Iterator<Item = &'a str>,
) -> OrgProblem {
    problem(
        "user",
        user,
        Some(unit),
        format!("user `{user}` holds role `{role}` in unknown business unit `{unit}`"),
        did_you_mean(unit, units),
    )
}

/// A user is named as its own manager.
pub(super) fn own_manager(user: &str, manager: &str) -> OrgProblem {
    problem(
        "user",
        user,
        Some(manager),
        format!("user `{user}` is their own manager"),
        None,
    )
}

/// A user's manager does not exist.
pub(super) fn unknown_manager<'a>(
    user: &str,
    manager: &str,
    users: impl Iterator<Item = &'a str>,
) -> OrgProblem {
    problem(
        "user",
        user,
        Some(manager),
        format!("user `{user}` has unknown manager `{manager}`"),
        did_you_mean(manager, users),
    )
}

/// Managers form a cycle, named by its first user.
pub(super) fn manager_cycle(user: &str, manager: &str) -> OrgProblem {
    problem(
        "user",
        user,
        Some(manager),
        format!("managers form a cycle through `{user}`"),
        Some("every chain of managers must end at someone with no manager".into()),
    )
}

/// A team's member does not exist.
pub(super) fn unknown_member<'a>(
    team: &str,
    member: &str,
    users: impl Iterator<Item = &'a str>,
) -> OrgProblem {
    problem(
        "team",
        team,
        Some(member),
        format!("team `{team}` has unknown member `{member}`"),
        did_you_mean(member, users),
    )
}

/// An access team is given a role.
pub(super) fn access_team_with_roles(team: &str, role: &str) -> OrgProblem {
    problem(
        "team",
        team,
        Some(role),
        format!("access team `{team}` holds roles; access teams hold none"),
        Some("make it an owner team, or share records with it instead".into()),
    )
}

/// A group team is given a member: its members come from the caller's token.
pub(super) fn group_team_with_members(team: &str, member: &str) -> OrgProblem {
    problem(
        "team",
        team,
        Some(member),
        format!(
            "group team `{team}` lists members; a group team's members come from the caller's token"
        ),
        Some("leave `members` out, and build the principal with the token's group ids".into()),
    )
}
