//! The administration path: every change is one transaction that bumps the version, checks that the organisation still
//! builds, and sends `pg_notify('rolegate', <version>)` before it commits.

use std::path::Path;

use rolegate::org::{Inheritance, OrganizationFile};
use rolegate::record::RecordId;
use rolegate::{Authority, Catalog, Organization, TablePrivilege, Uuid};
use rolegate_catalog::{PrivilegeSet, Syntax, did_you_mean};
use tokio_postgres::{GenericClient, Transaction};

use crate::error::{Error, db};
use crate::log::{self, Logged, LoggedGrantee};
use crate::read::{
    AuthorityCache, CatalogDocument, build_organization, read_all, read_catalog, read_version,
    team_kind_name,
};
use crate::{CHANNEL, Store};

/// Whom a record is shared with: a user or a team (by name or id), or everyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareWith<'a> {
    /// A user, by name, id (`systemuserid`) or external id.
    User(&'a str),
    /// A team, by name or id (`teamid`).
    Team(&'a str),
    /// Everyone in the organisation.
    Organization,
}

/// The rights a share may grant: every table privilege but Create.
const SHAREABLE: [TablePrivilege; 7] = [
    TablePrivilege::Read,
    TablePrivilege::Write,
    TablePrivilege::Delete,
    TablePrivilege::Append,
    TablePrivilege::AppendTo,
    TablePrivilege::Assign,
    TablePrivilege::Share,
];

impl Store {
    /// Replaces the store's catalog and organisation with these files' (the catalog file's text is kept as it is; no
    /// catalog file: the built-in catalog), in one transaction, and returns the new version. Both files are validated
    /// first, with every problem's file, line and column. Shares are kept where their grantee (by id) still exists.
    pub async fn load_files(
        &mut self,
        catalog: Option<&Path>,
        organization: &Path,
    ) -> Result<u64, Error> {
        let document = catalog
            .map(|path| -> Result<CatalogDocument, Error> {
                let bytes = Catalog::read_input(path)?;
                let origin = path.display().to_string();
                let text = rolegate_catalog::decode_utf8(&bytes, &origin)
                    .map_err(|d| rolegate_catalog::LoadError::Invalid(vec![d]))?;
                Ok(CatalogDocument {
                    text: text.strip_prefix('\u{feff}').unwrap_or(text).to_owned(),
                    syntax: Syntax::of_path(path),
                    origin,
                })
            })
            .transpose()?;
        let authority = self.cache.authority(document.as_ref())?;
        // Validated as a file, for diagnostics with line and column; then read as the file it is.
        Organization::from_path(&authority, organization)?;
        let bytes = Catalog::read_input(organization)?;
        let origin = organization.display().to_string();
        let text = rolegate_catalog::decode_utf8(&bytes, &origin)
            .map_err(|d| rolegate_catalog::LoadError::Invalid(vec![d]))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let file = OrganizationFile::parse(text, &origin, Syntax::of_path(organization))?;
        self.replace(document, &file).await
    }

    /// Replaces the store's catalog (`None`: the built-in one) and organisation, in one transaction, and returns the
    /// new version. Shares are kept where their grantee (by id) still exists.
    pub async fn replace(
        &mut self,
        catalog: Option<CatalogDocument>,
        organization: &OrganizationFile,
    ) -> Result<u64, Error> {
        let authority = self.cache.authority(catalog.as_ref())?;
        let org = build_organization(organization, &authority).map_err(Error::Invalid)?;
        let (tx, version) = begin(&mut self.client).await?;
        tx.batch_execute(
            "delete from rolegate_team_roles; delete from rolegate_user_roles;
             delete from rolegate_team_members; delete from rolegate_teams; delete from rolegate_users;
             delete from rolegate_business_units; delete from rolegate_catalog;
             delete from rolegate_organization;",
        )
        .await
        .map_err(db("clear the organisation"))?;
        if let Some(document) = &catalog {
            let syntax = match document.syntax {
                Syntax::Json => "json",
                _ => "toml",
            };
            tx.execute(
                "insert into rolegate_catalog (document, syntax, origin) values ($1, $2, $3)",
                &[&document.text, &syntax, &document.origin],
            )
            .await
            .map_err(db("write the catalog"))?;
        }
        let settings = OrganizationFile {
            business_units: Vec::new(),
            users: Vec::new(),
            teams: Vec::new(),
            ..organization.clone()
        };
        let settings = serde_json::to_value(&settings)
            .map_err(|e| Error::Stored(format!("organisation settings: {e}")))?;
        tx.execute(
            "insert into rolegate_organization (settings) values ($1)",
            &[&settings],
        )
        .await
        .map_err(db("write the organisation's settings"))?;
        write_organization(&tx, organization, &org).await?;
        tx.batch_execute(
            "delete from rolegate_shares s where
                 (s.grantee_kind = 'user'
                  and not exists (select 1 from rolegate_users u where u.id = s.grantee_user_id))
              or (s.grantee_kind = 'team'
                  and not exists (select 1 from rolegate_teams t where t.id = s.grantee_team_id))",
        )
        .await
        .map_err(db("drop the shares of users and teams no longer there"))?;
        finish(tx, version, &mut self.cache, &Logged::Full).await
    }

    /// Assigns a role to a user, held in `business_unit` (`None`: the user's own unit, wherever it moves), and returns
    /// the new version.
    pub async fn assign_user_role(
        &mut self,
        user: &str,
        role: &str,
        business_unit: Option<&str>,
    ) -> Result<u64, Error> {
        let (tx, version) = begin(&mut self.client).await?;
        let user_id = find_user(&tx, user).await?;
        let role = find_role(&tx, &mut self.cache, role).await?;
        let unit = match business_unit {
            Some(unit) => Some(find_business_unit(&tx, unit).await?),
            None => None,
        };
        let added = tx
            .execute(
                "insert into rolegate_user_roles (user_id, role, business_unit_id) values ($1, $2, $3)
                 on conflict do nothing",
                &[&user_id, &role, &unit],
            )
            .await
            .map_err(db("assign the role"))?;
        if added == 0 {
            return Err(Error::Unchanged(format!(
                "user `{user}` already holds role `{role}` in {}",
                held_in(business_unit)
            )));
        }
        let change = Logged::AssignUserRole {
            user: user_id,
            role,
            business_unit: unit,
        };
        finish(tx, version, &mut self.cache, &change).await
    }

    /// Takes a role held in `business_unit` (`None`: the user's own unit) from a user, and returns the new version.
    pub async fn revoke_user_role(
        &mut self,
        user: &str,
        role: &str,
        business_unit: Option<&str>,
    ) -> Result<u64, Error> {
        let (tx, version) = begin(&mut self.client).await?;
        let user_id = find_user(&tx, user).await?;
        let role = find_role(&tx, &mut self.cache, role)
            .await
            .unwrap_or_else(|_| role.to_owned());
        let unit = match business_unit {
            Some(unit) => Some(find_business_unit(&tx, unit).await?),
            None => None,
        };
        let removed = tx
            .query(
                "delete from rolegate_user_roles
                 where user_id = $1 and lower(role) = lower($2) and business_unit_id is not distinct from $3
                 returning role",
                &[&user_id, &role, &unit],
            )
            .await
            .map_err(db("revoke the role"))?;
        let Some(removed) = removed.first() else {
            let held = names(
                &tx,
                "select r.role || coalesce(' in ' || b.name, '') from rolegate_user_roles r
                 left join rolegate_business_units b on b.id = r.business_unit_id
                 where r.user_id = $1 order by r.seq",
                &user_id,
            )
            .await?;
            return Err(Error::Unchanged(format!(
                "user `{user}` does not hold role `{role}` in {}; it holds {}",
                held_in(business_unit),
                list_or_nothing(&held)
            )));
        };
        let change = Logged::RevokeUserRole {
            user: user_id,
            role: removed.get(0),
            business_unit: unit,
        };
        finish(tx, version, &mut self.cache, &change).await
    }

    /// Assigns a role to an owner or group team, and returns the new version.
    pub async fn assign_team_role(
        &mut self,
        team: &str,
        role: &str,
        inheritance: Inheritance,
    ) -> Result<u64, Error> {
        let (tx, version) = begin(&mut self.client).await?;
        let team_id = find_team(&tx, team).await?;
        let role = find_role(&tx, &mut self.cache, role).await?;
        let isinherited = i16::from(inheritance.isinherited());
        let added = tx
            .execute(
                "insert into rolegate_team_roles (team_id, role, isinherited) values ($1, $2, $3)
                 on conflict do nothing",
                &[&team_id, &role, &isinherited],
            )
            .await
            .map_err(db("assign the role"))?;
        if added == 0 {
            return Err(Error::Unchanged(format!(
                "team `{team}` already holds role `{role}`"
            )));
        }
        let change = Logged::AssignTeamRole {
            team: team_id,
            role,
            isinherited: inheritance.isinherited(),
        };
        finish(tx, version, &mut self.cache, &change).await
    }

    /// Takes a role from a team, and returns the new version.
    pub async fn revoke_team_role(&mut self, team: &str, role: &str) -> Result<u64, Error> {
        let (tx, version) = begin(&mut self.client).await?;
        let team_id = find_team(&tx, team).await?;
        let removed = tx
            .query(
                "delete from rolegate_team_roles where team_id = $1 and lower(role) = lower($2) returning role",
                &[&team_id, &role],
            )
            .await
            .map_err(db("revoke the role"))?;
        let Some(removed) = removed.first() else {
            let held = names(
                &tx,
                "select role from rolegate_team_roles where team_id = $1 order by seq",
                &team_id,
            )
            .await?;
            return Err(Error::Unchanged(format!(
                "team `{team}` does not hold role `{role}`; it holds {}",
                list_or_nothing(&held)
            )));
        };
        let change = Logged::RevokeTeamRole {
            team: team_id,
            role: removed.get(0),
        };
        finish(tx, version, &mut self.cache, &change).await
    }

    /// Adds a user to a team, and returns the new version.
    pub async fn add_team_member(&mut self, team: &str, user: &str) -> Result<u64, Error> {
        let (tx, version) = begin(&mut self.client).await?;
        let team_id = find_team(&tx, team).await?;
        let user_id = find_user(&tx, user).await?;
        let added = tx
            .execute(
                "insert into rolegate_team_members (team_id, user_id) values ($1, $2) on conflict do nothing",
                &[&team_id, &user_id],
            )
            .await
            .map_err(db("add the member"))?;
        if added == 0 {
            return Err(Error::Unchanged(format!(
                "user `{user}` is already a member of team `{team}`"
            )));
        }
        let change = Logged::AddTeamMember {
            team: team_id,
            user: user_id,
        };
        finish(tx, version, &mut self.cache, &change).await
    }

    /// Removes a user from a team, and returns the new version.
    pub async fn remove_team_member(&mut self, team: &str, user: &str) -> Result<u64, Error> {
        let (tx, version) = begin(&mut self.client).await?;
        let team_id = find_team(&tx, team).await?;
        let user_id = find_user(&tx, user).await?;
        let removed = tx
            .execute(
                "delete from rolegate_team_members where team_id = $1 and user_id = $2",
                &[&team_id, &user_id],
            )
            .await
            .map_err(db("remove the member"))?;
        if removed == 0 {
            return Err(Error::Unchanged(format!(
                "user `{user}` is not a member of team `{team}`"
            )));
        }
        let change = Logged::RemoveTeamMember {
            team: team_id,
            user: user_id,
        };
        finish(tx, version, &mut self.cache, &change).await
    }

    /// Shares a record with a grantee: `rights` add to those already shared with it. Returns the new version.
    pub async fn share(
        &mut self,
        table: &str,
        record: RecordId,
        with: ShareWith<'_>,
        rights: PrivilegeSet,
    ) -> Result<u64, Error> {
        if rights.is_empty() {
            return Err(Error::Refused(
                "a share grants at least one right: Read, Write, Delete, Append, AppendTo, Assign or Share".into(),
            ));
        }
        if rights.contains(TablePrivilege::Create) {
            return Err(Error::Refused(
                "Create cannot be shared: a share grants rights on a record that exists".into(),
            ));
        }
        let (tx, version) = begin(&mut self.client).await?;
        let table = find_table(&tx, &mut self.cache, table).await?;
        let (kind, user, team) = find_grantee(&tx, with).await?;
        let existing = tx
            .query_opt(
                "select rights from rolegate_shares where table_name = $1 and record_id = $2
                 and grantee_kind = $3 and grantee_user_id is not distinct from $4
                 and grantee_team_id is not distinct from $5",
                &[&table, &record_uuid(record), &kind, &user, &team],
            )
            .await
            .map_err(db("read the share"))?;
        let held: PrivilegeSet = existing
            .map(|row| row.get::<_, Vec<String>>(0))
            .unwrap_or_default()
            .iter()
            .filter_map(|name| TablePrivilege::parse(name))
            .collect();
        let all: PrivilegeSet = held.iter().chain(rights.iter()).collect();
        if all == held {
            return Err(Error::Unchanged(format!(
                "{table} record {record} is already shared with {} with {}",
                describe(with),
                names_of(held)
            )));
        }
        let names: Vec<&str> = all.iter().map(TablePrivilege::name).collect();
        tx.execute(
            "delete from rolegate_shares where table_name = $1 and record_id = $2
             and grantee_kind = $3 and grantee_user_id is not distinct from $4
             and grantee_team_id is not distinct from $5",
            &[&table, &record_uuid(record), &kind, &user, &team],
        )
        .await
        .map_err(db("write the share"))?;
        tx.execute(
            "insert into rolegate_shares (table_name, record_id, grantee_kind, grantee_user_id, grantee_team_id, rights)
             values ($1, $2, $3, $4, $5, $6)",
            &[&table, &record_uuid(record), &kind, &user, &team, &names],
        )
        .await
        .map_err(db("write the share"))?;
        let change = Logged::Share {
            table,
            record: record_uuid(record),
            grantee: LoggedGrantee::from_columns(kind, user, team),
            rights: names.iter().map(|&name| name.to_owned()).collect(),
        };
        finish(tx, version, &mut self.cache, &change).await
    }

    /// Takes back every right shared with a grantee on a record, and returns the new version.
    pub async fn unshare(
        &mut self,
        table: &str,
        record: RecordId,
        with: ShareWith<'_>,
    ) -> Result<u64, Error> {
        let (tx, version) = begin(&mut self.client).await?;
        let table = find_table(&tx, &mut self.cache, table)
            .await
            .unwrap_or_else(|_| table.to_owned());
        let (kind, user, team) = find_grantee(&tx, with).await?;
        let removed = tx
            .query(
                "delete from rolegate_shares where lower(table_name) = lower($1) and record_id = $2
                 and grantee_kind = $3 and grantee_user_id is not distinct from $4
                 and grantee_team_id is not distinct from $5
                 returning table_name",
                &[&table, &record_uuid(record), &kind, &user, &team],
            )
            .await
            .map_err(db("revoke the share"))?;
        let Some(removed) = removed.first() else {
            return Err(Error::Unchanged(format!(
                "{table} record {record} is not shared with {}",
                describe(with)
            )));
        };
        let change = Logged::Unshare {
            table: removed.get(0),
            record: record_uuid(record),
            grantee: LoggedGrantee::from_columns(kind, user, team),
        };
        finish(tx, version, &mut self.cache, &change).await
    }
}

/// Starts a change: a transaction whose first statement bumps the version, which also makes concurrent changes wait
/// for each other, so that each validates what the one before it committed.
async fn begin(client: &mut tokio_postgres::Client) -> Result<(Transaction<'_>, u64), Error> {
    let tx = client.transaction().await.map_err(db("start the change"))?;
    let row = tx
        .query_one(
            "update rolegate_version set version = version + 1, changed_at = now() returning version",
            &[],
        )
        .await
        .map_err(db("bump the version"))?;
    let version: i64 = row.get(0);
    let version =
        u64::try_from(version).map_err(|_| Error::Stored(format!("negative version {version}")))?;
    Ok((tx, version))
}

/// Ends a change: the organisation must still build from what the transaction wrote; then the change log's entry,
/// the notification, and the commit (which delivers it).
async fn finish(
    tx: Transaction<'_>,
    version: u64,
    cache: &mut AuthorityCache,
    change: &Logged,
) -> Result<u64, Error> {
    let data = read_all(&tx, version).await?;
    data.compile_with(cache).map_err(|error| match error {
        crate::read::CompileError::Catalog(error) => Error::File(error),
        crate::read::CompileError::Organization(error) => Error::Invalid(error),
        other => Error::Stored(other.to_string()),
    })?;
    debug_assert_eq!(read_version(&tx).await.ok(), Some(version));
    log::write(&tx, version, change).await?;
    tx.execute(
        "select pg_notify($1, $2)",
        &[&CHANNEL, &version.to_string()],
    )
    .await
    .map_err(db("send the notification"))?;
    tx.commit().await.map_err(db("commit the change"))?;
    Ok(version)
}

/// Writes the business units, users and teams of `file`, with the ids `org` (built from it) gives them.
async fn write_organization(
    tx: &Transaction<'_>,
    file: &OrganizationFile,
    org: &Organization,
) -> Result<(), Error> {
    let unit_id = |name: &str| {
        org.business_unit(name)
            .and_then(|bu| org.business_unit_guid(bu))
    };
    let user_id = |name: &str| org.user(name).and_then(|user| org.user_guid(user));
    let team_id = |name: &str| org.team(name).and_then(|team| org.team_guid(team));

    let ids: Vec<Option<Uuid>> = file
        .business_units
        .iter()
        .map(|b| unit_id(&b.name))
        .collect();
    let names: Vec<&str> = file
        .business_units
        .iter()
        .map(|b| b.name.as_str())
        .collect();
    let parents: Vec<Option<Uuid>> = file
        .business_units
        .iter()
        .map(|b| b.parent.as_deref().and_then(unit_id))
        .collect();
    tx.execute(
        "insert into rolegate_business_units (id, name, parent_id)
         select id, name, parent_id from unnest($1::uuid[], $2::text[], $3::uuid[]) with ordinality
             as t(id, name, parent_id, n) order by n",
        &[&ids, &names, &parents],
    )
    .await
    .map_err(db("write the business units"))?;

    let users = &file.users;
    let ids: Vec<Option<Uuid>> = users.iter().map(|u| user_id(&u.name)).collect();
    let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
    let external: Vec<Option<&str>> = users.iter().map(|u| u.external_id.as_deref()).collect();
    let units: Vec<Option<Uuid>> = users.iter().map(|u| unit_id(&u.business_unit)).collect();
    let managers: Vec<Option<Uuid>> = users
        .iter()
        .map(|u| u.manager.as_deref().and_then(user_id))
        .collect();
    let positions: Vec<Option<&str>> = users.iter().map(|u| u.position.as_deref()).collect();
    tx.execute(
        "insert into rolegate_users (id, name, external_id, business_unit_id, manager_id, position)
         select id, name, external_id, business_unit_id, manager_id, position
         from unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::text[]) with ordinality
             as t(id, name, external_id, business_unit_id, manager_id, position, n) order by n",
        &[&ids, &names, &external, &units, &managers, &positions],
    )
    .await
    .map_err(db("write the users"))?;

    let mut role_users = Vec::new();
    let mut role_names = Vec::new();
    let mut role_units = Vec::new();
    for user in users {
        for role in &user.roles {
            role_users.push(user_id(&user.name));
            role_names.push(role.role());
            role_units.push(role.business_unit().and_then(unit_id));
        }
    }
    tx.execute(
        "insert into rolegate_user_roles (user_id, role, business_unit_id)
         select user_id, role, business_unit_id from unnest($1::uuid[], $2::text[], $3::uuid[]) with ordinality
             as t(user_id, role, business_unit_id, n) order by n",
        &[&role_users, &role_names, &role_units],
    )
    .await
    .map_err(db("write the users' roles"))?;

    let teams = &file.teams;
    let ids: Vec<Option<Uuid>> = teams.iter().map(|t| team_id(&t.name)).collect();
    let names: Vec<&str> = teams.iter().map(|t| t.name.as_str()).collect();
    let units: Vec<Option<Uuid>> = teams.iter().map(|t| unit_id(&t.business_unit)).collect();
    let kinds: Vec<String> = teams.iter().map(|t| team_kind_name(t.kind)).collect();
    let objects: Vec<Option<&str>> = teams.iter().map(|t| t.entra_object_id.as_deref()).collect();
    tx.execute(
        "insert into rolegate_teams (id, name, business_unit_id, kind, entra_object_id)
         select id, name, business_unit_id, kind, entra_object_id
         from unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[]) with ordinality
             as t(id, name, business_unit_id, kind, entra_object_id, n) order by n",
        &[&ids, &names, &units, &kinds, &objects],
    )
    .await
    .map_err(db("write the teams"))?;

    let (mut member_teams, mut member_users) = (Vec::new(), Vec::new());
    let (mut role_teams, mut team_roles, mut inherited) = (Vec::new(), Vec::new(), Vec::new());
    for team in teams {
        for member in &team.members {
            member_teams.push(team_id(&team.name));
            member_users.push(user_id(member));
        }
        for role in &team.roles {
            role_teams.push(team_id(&team.name));
            team_roles.push(role.role.as_str());
            // Validated when the organisation was built: 0 or 1.
            inherited.push(i16::from(role.isinherited != 0));
        }
    }
    tx.execute(
        "insert into rolegate_team_members (team_id, user_id)
         select team_id, user_id from unnest($1::uuid[], $2::uuid[]) with ordinality as t(team_id, user_id, n)
         order by n",
        &[&member_teams, &member_users],
    )
    .await
    .map_err(db("write the team members"))?;
    tx.execute(
        "insert into rolegate_team_roles (team_id, role, isinherited)
         select team_id, role, isinherited from unnest($1::uuid[], $2::text[], $3::smallint[]) with ordinality
             as t(team_id, role, isinherited, n) order by n",
        &[&role_teams, &team_roles, &inherited],
    )
    .await
    .map_err(db("write the teams' roles"))?;
    Ok(())
}

/// A user by name, id or external id.
async fn find_user(tx: &impl GenericClient, user: &str) -> Result<Uuid, Error> {
    let id = Uuid::parse_str(user).ok();
    let row = tx
        .query_opt(
            "select id from rolegate_users where name = $1 or id = $2 or lower(external_id) = lower($1)
             order by (name = $1) desc, (id = $2) desc limit 1",
            &[&user, &id],
        )
        .await
        .map_err(db("find the user"))?;
    match row {
        Some(row) => Ok(row.get(0)),
        None => Err(unknown(tx, "user", user, "select name from rolegate_users").await),
    }
}

/// A team by name or id.
async fn find_team(tx: &impl GenericClient, team: &str) -> Result<Uuid, Error> {
    let id = Uuid::parse_str(team).ok();
    let row = tx
        .query_opt(
            "select id from rolegate_teams where name = $1 or id = $2 order by (name = $1) desc limit 1",
            &[&team, &id],
        )
        .await
        .map_err(db("find the team"))?;
    match row {
        Some(row) => Ok(row.get(0)),
        None => Err(unknown(tx, "team", team, "select name from rolegate_teams").await),
    }
}

/// A business unit by name or id.
async fn find_business_unit(tx: &impl GenericClient, unit: &str) -> Result<Uuid, Error> {
    let id = Uuid::parse_str(unit).ok();
    let row = tx
        .query_opt(
            "select id from rolegate_business_units where name = $1 or id = $2
             order by (name = $1) desc limit 1",
            &[&unit, &id],
        )
        .await
        .map_err(db("find the business unit"))?;
    match row {
        Some(row) => Ok(row.get(0)),
        None => Err(unknown(
            tx,
            "business unit",
            unit,
            "select name from rolegate_business_units",
        )
        .await),
    }
}

/// The catalog the store holds, compiled.
async fn stored_catalog(
    tx: &impl GenericClient,
    cache: &mut AuthorityCache,
) -> Result<Authority, Error> {
    let document = read_catalog(tx).await?;
    Ok(cache.authority(document.as_ref())?)
}

/// A role of the stored catalog, by name (any case): its name as the catalog spells it.
async fn find_role(
    tx: &impl GenericClient,
    cache: &mut AuthorityCache,
    role: &str,
) -> Result<String, Error> {
    let authority = stored_catalog(tx, cache).await?;
    let catalog = authority.catalog();
    match catalog.role(role) {
        Some(found) => Ok(found.name.clone()),
        None => Err(Error::Unknown {
            kind: "role",
            name: role.to_owned(),
            help: did_you_mean(role, catalog.roles().iter().map(|r| r.name.as_str())),
        }),
    }
}

/// A table of the stored catalog, by logical, display or schema name: its logical name.
async fn find_table(
    tx: &impl GenericClient,
    cache: &mut AuthorityCache,
    table: &str,
) -> Result<String, Error> {
    let authority = stored_catalog(tx, cache).await?;
    let catalog = authority.catalog();
    match catalog.table(table) {
        Some(found) => Ok(found.name.clone()),
        None => Err(Error::Unknown {
            kind: "table",
            name: table.to_owned(),
            help: did_you_mean(table, catalog.tables().iter().map(|t| t.name.as_str())),
        }),
    }
}

/// A grantee as stored: its kind, and its user or team id.
async fn find_grantee(
    tx: &impl GenericClient,
    with: ShareWith<'_>,
) -> Result<(&'static str, Option<Uuid>, Option<Uuid>), Error> {
    Ok(match with {
        ShareWith::User(user) => ("user", Some(find_user(tx, user).await?), None),
        ShareWith::Team(team) => ("team", None, Some(find_team(tx, team).await?)),
        ShareWith::Organization => ("organization", None, None),
    })
}

/// An unknown name's error, with the nearest of the names `query` lists.
async fn unknown(tx: &impl GenericClient, kind: &'static str, name: &str, query: &str) -> Error {
    let known: Vec<String> = match tx.query(query, &[]).await {
        Ok(rows) => rows.iter().map(|row| row.get(0)).collect(),
        Err(source) => return db(format!("list the {kind}s"))(source),
    };
    Error::Unknown {
        kind,
        name: name.to_owned(),
        help: did_you_mean(name, known.iter().map(String::as_str)),
    }
}

/// The strings a one-parameter query returns.
async fn names(tx: &impl GenericClient, query: &str, id: &Uuid) -> Result<Vec<String>, Error> {
    Ok(tx
        .query(query, &[id])
        .await
        .map_err(db("list what is held"))?
        .iter()
        .map(|row| row.get(0))
        .collect())
}

fn list_or_nothing(names: &[String]) -> String {
    if names.is_empty() {
        "no role".to_owned()
    } else {
        names
            .iter()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn held_in(business_unit: Option<&str>) -> String {
    match business_unit {
        None => "its own business unit".to_owned(),
        Some(unit) => format!("business unit `{unit}`"),
    }
}

fn describe(with: ShareWith<'_>) -> String {
    match with {
        ShareWith::User(user) => format!("user `{user}`"),
        ShareWith::Team(team) => format!("team `{team}`"),
        ShareWith::Organization => "the organization".to_owned(),
    }
}

fn names_of(rights: PrivilegeSet) -> String {
    rights
        .iter()
        .map(TablePrivilege::name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A record id as stored: the UUID with the same 128 bits.
pub(crate) fn record_uuid(record: RecordId) -> Uuid {
    Uuid::from_u128(record.0)
}

/// The rights a share may grant, for help texts.
pub fn shareable_rights() -> impl Iterator<Item = TablePrivilege> {
    SHAREABLE.into_iter()
}
