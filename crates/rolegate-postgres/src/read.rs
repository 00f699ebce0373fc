//! Reading the role data: one consistent version of all of it, in one REPEATABLE READ transaction.

use std::collections::HashMap;

use rolegate::org::{
    BuildError, BusinessUnitFileEntry, OrganizationFile, RoleInBusinessUnit, TeamFileEntry,
    TeamKind, TeamRoleFileEntry, UserFileEntry, UserRoleFileEntry,
};
use rolegate::record::{Grantee, RecordId, ShareStore};
use rolegate::{Authority, Catalog, Organization, TablePrivilege, Uuid};
use rolegate_catalog::{LoadError, PrivilegeSet, Syntax};
use tokio_postgres::{Client, GenericClient, IsolationLevel, Transaction};

use crate::error::{Error, db};
use crate::log::Logged;

/// One consistent version of the role data in the store, as plain data: what a snapshot is built from.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRoleData {
    /// The version: bumped by every change.
    pub version: u64,
    /// The catalog document; `None`: the built-in catalog.
    pub catalog: Option<CatalogDocument>,
    /// The organisation, as an organisation file with every business unit, user and team's id given.
    pub organization: OrganizationFile,
    /// The records' shares.
    pub shares: Vec<StoredShare>,
}

/// The text of a catalog file, as it was loaded into the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogDocument {
    /// The text.
    pub text: String,
    /// TOML or JSON.
    pub syntax: Syntax,
    /// The file it was loaded from: diagnostics name it, with line and column in `text`.
    pub origin: String,
}

impl CatalogDocument {
    /// Parses and validates the document.
    pub fn catalog(&self) -> Result<Catalog, LoadError> {
        Catalog::from_str_named(&self.text, &self.origin, self.syntax)
    }
}

/// A record shared with a grantee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredShare {
    /// The table's logical name.
    pub table: String,
    /// The record's id.
    pub record: RecordId,
    /// Whom it is shared with, by id.
    pub grantee: StoredGrantee,
    /// The access rights shared.
    pub rights: PrivilegeSet,
}

/// Whom a record is shared with, by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoredGrantee {
    /// A user, by `systemuserid`.
    User(Uuid),
    /// A team, by `teamid`.
    Team(Uuid),
    /// Everyone.
    Organization,
}

/// Why stored role data did not compile into an [`Organization`] and a [`ShareStore`].
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The catalog document is invalid (with line and column in it).
    #[error(transparent)]
    Catalog(#[from] LoadError),
    /// The organisation does not build: an unknown role, a cycle of business units.
    #[error(transparent)]
    Organization(#[from] BuildError),
    /// A share names a grantee the organisation does not have.
    #[error(
        "a share of {table} record {record} names {grantee}, which the organisation does not have"
    )]
    Grantee {
        /// The table.
        table: String,
        /// The record.
        record: RecordId,
        /// The grantee ("user 1f2e…").
        grantee: String,
    },
}

impl StoredRoleData {
    /// The compiled catalog: the document's, or the built-in one.
    pub fn authority(&self) -> Result<Authority, LoadError> {
        AuthorityCache::default().authority(self.catalog.as_ref())
    }

    /// Compiles everything: the catalog, the organisation (validated as a file is) and the shares, resolved to the
    /// organisation's ids.
    pub fn compile(&self) -> Result<(Organization, ShareStore), CompileError> {
        self.compile_with(&mut AuthorityCache::default())
    }

    /// As [`compile`](Self::compile), compiling the catalog only when it differs from the one `cache` compiled last.
    pub fn compile_with(
        &self,
        cache: &mut AuthorityCache,
    ) -> Result<(Organization, ShareStore), CompileError> {
        let authority = cache.authority(self.catalog.as_ref())?;
        let organization = build_organization(&self.organization, &authority)?;
        let shares = share_store(&self.shares, &organization)?;
        Ok((organization, shares))
    }
}

/// The catalog compiled last, kept while the document stays the same: most changes leave the catalog alone, and
/// compiling it is the dearest part of a reload.
#[derive(Debug, Clone, Default)]
pub struct AuthorityCache {
    last: Option<(Option<CatalogDocument>, Authority)>,
}

impl AuthorityCache {
    /// The compiled catalog of `document` (`None`: the built-in one), from the cache when it is the last one compiled.
    pub fn authority(
        &mut self,
        document: Option<&CatalogDocument>,
    ) -> Result<Authority, LoadError> {
        if let Some((last, authority)) = &self.last
            && last.as_ref() == document
        {
            return Ok(authority.clone());
        }
        let authority = match document {
            None => Authority::builtin(),
            Some(document) => Authority::new(document.catalog()?),
        };
        self.last = Some((document.cloned(), authority.clone()));
        Ok(authority)
    }
}

/// Builds an organisation file's organisation.
pub(crate) fn build_organization(
    file: &OrganizationFile,
    authority: &Authority,
) -> Result<Organization, BuildError> {
    file.to_builder(authority)
        .map_err(|problems| BuildError { problems })?
        .build()
}

/// The shares, resolved to `organization`'s users and teams.
fn share_store(
    shares: &[StoredShare],
    organization: &Organization,
) -> Result<ShareStore, CompileError> {
    let mut store = ShareStore::new();
    for share in shares {
        let missing = |kind: &str, id: Uuid| CompileError::Grantee {
            table: share.table.clone(),
            record: share.record,
            grantee: format!("{kind} {id}"),
        };
        let grantee = match share.grantee {
            StoredGrantee::User(id) => Grantee::User(
                organization
                    .user_by_guid(id)
                    .ok_or_else(|| missing("user", id))?,
            ),
            StoredGrantee::Team(id) => Grantee::Team(
                organization
                    .team_by_guid(id)
                    .ok_or_else(|| missing("team", id))?,
            ),
            StoredGrantee::Organization => Grantee::Organization,
        };
        store.share(&share.table, share.record, grantee, share.rights);
    }
    Ok(store)
}

/// Reads the whole role data in one REPEATABLE READ, read-only transaction: a consistent version.
pub async fn load(client: &mut Client) -> Result<StoredRoleData, Error> {
    let data = load_if_newer(client, None).await?;
    Ok(data.expect("no version is equal to None"))
}

/// A REPEATABLE READ, read-only transaction: every read in it sees one version of the store, never half of a change.
async fn read_transaction<'a>(
    client: &'a mut Client,
    what: &'static str,
) -> Result<Transaction<'a>, Error> {
    client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(db(what))
}

/// As [`load`], but only when the store's version differs from `live` (the version already served): `Ok(None)` when
/// it is the same, after reading the version alone.
pub async fn load_if_newer(
    client: &mut Client,
    live: Option<u64>,
) -> Result<Option<StoredRoleData>, Error> {
    let tx = read_transaction(client, "start reading the role data").await?;
    let version = read_version(&tx).await?;
    if live == Some(version) {
        return Ok(None);
    }
    let data = read_all(&tx, version).await?;
    tx.commit()
        .await
        .map_err(db("finish reading the role data"))?;
    Ok(Some(data))
}

/// What changed after version `live`, read in one REPEATABLE READ, read-only transaction: `None` when the store is
/// still at `live`; else its version, with the change log's entries after `live` when the log holds all of them.
pub(crate) async fn changes_after(
    client: &mut Client,
    live: u64,
) -> Result<Option<(u64, Option<Vec<Logged>>)>, Error> {
    let tx = read_transaction(client, "start reading the change log").await?;
    let version = read_version(&tx).await?;
    if version == live {
        return Ok(None);
    }
    let entries = if version > live {
        crate::log::read_after(&tx, live, version).await?
    } else {
        None
    };
    tx.commit()
        .await
        .map_err(db("finish reading the change log"))?;
    Ok(Some((version, entries)))
}

/// The store's version.
pub async fn version(client: &impl GenericClient) -> Result<u64, Error> {
    read_version(client).await
}

pub(crate) async fn read_version(client: &impl GenericClient) -> Result<u64, Error> {
    let row = client
        .query_one("select version from rolegate_version", &[])
        .await
        .map_err(db("read the version"))?;
    let version: i64 = row.get(0);
    u64::try_from(version).map_err(|_| Error::Stored(format!("negative version {version}")))
}

/// Everything, as seen by `client` (a transaction).
pub(crate) async fn read_all(
    client: &impl GenericClient,
    version: u64,
) -> Result<StoredRoleData, Error> {
    Ok(StoredRoleData {
        version,
        catalog: read_catalog(client).await?,
        organization: read_organization(client).await?,
        shares: read_shares(client).await?,
    })
}

pub(crate) async fn read_catalog(
    client: &impl GenericClient,
) -> Result<Option<CatalogDocument>, Error> {
    let row = client
        .query_opt("select document, syntax, origin from rolegate_catalog", &[])
        .await
        .map_err(db("read the catalog"))?;
    row.map(|row| {
        let syntax = match row.get::<_, &str>(1) {
            "toml" => Syntax::Toml,
            "json" => Syntax::Json,
            other => return Err(Error::Stored(format!("catalog syntax `{other}`"))),
        };
        Ok(CatalogDocument {
            text: row.get(0),
            syntax,
            origin: row.get(2),
        })
    })
    .transpose()
}

async fn read_organization(client: &impl GenericClient) -> Result<OrganizationFile, Error> {
    let settings: Option<serde_json::Value> = client
        .query_opt("select settings from rolegate_organization", &[])
        .await
        .map_err(db("read the organisation's settings"))?
        .map(|row| row.get(0));
    let mut file: OrganizationFile = match settings {
        Some(settings) => serde_json::from_value(settings)
            .map_err(|e| Error::Stored(format!("organisation settings: {e}")))?,
        None => OrganizationFile::default(),
    };

    let rows = client
        .query(
            "select b.name, b.id, p.name from rolegate_business_units b
             left join rolegate_business_units p on p.id = b.parent_id order by b.seq",
            &[],
        )
        .await
        .map_err(db("read the business units"))?;
    file.business_units = rows
        .iter()
        .map(|row| BusinessUnitFileEntry {
            name: row.get(0),
            id: Some(row.get(1)),
            parent: row.get(2),
        })
        .collect();

    let rows = client
        .query(
            "select u.name, u.id, u.external_id, b.name, m.name, u.position from rolegate_users u
             join rolegate_business_units b on b.id = u.business_unit_id
             left join rolegate_users m on m.id = u.manager_id order by u.seq",
            &[],
        )
        .await
        .map_err(db("read the users"))?;
    let mut user_index = HashMap::new();
    file.users = rows
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let id: Uuid = row.get(1);
            user_index.insert(id, index);
            UserFileEntry {
                name: row.get(0),
                id: Some(id),
                external_id: row.get(2),
                business_unit: row.get(3),
                manager: row.get(4),
                position: row.get(5),
                roles: Vec::new(),
            }
        })
        .collect();
    let rows = client
        .query(
            "select r.user_id, r.role, b.name from rolegate_user_roles r
             left join rolegate_business_units b on b.id = r.business_unit_id order by r.seq",
            &[],
        )
        .await
        .map_err(db("read the users' roles"))?;
    for row in &rows {
        let user = user_index[&row.get::<_, Uuid>(0)];
        let role: String = row.get(1);
        file.users[user]
            .roles
            .push(match row.get::<_, Option<String>>(2) {
                None => UserRoleFileEntry::Role(role),
                Some(business_unit) => UserRoleFileEntry::InBusinessUnit(RoleInBusinessUnit {
                    role,
                    business_unit,
                }),
            });
    }

    let rows = client
        .query(
            "select t.name, t.id, b.name, t.kind, t.entra_object_id from rolegate_teams t
             join rolegate_business_units b on b.id = t.business_unit_id order by t.seq",
            &[],
        )
        .await
        .map_err(db("read the teams"))?;
    let mut team_index = HashMap::new();
    file.teams = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let id: Uuid = row.get(1);
        team_index.insert(id, index);
        file.teams.push(TeamFileEntry {
            name: row.get(0),
            id: Some(id),
            business_unit: row.get(2),
            kind: team_kind(row.get(3))?,
            entra_object_id: row.get(4),
            members: Vec::new(),
            roles: Vec::new(),
        });
    }
    let rows = client
        .query(
            "select m.team_id, u.name from rolegate_team_members m
             join rolegate_users u on u.id = m.user_id order by m.seq",
            &[],
        )
        .await
        .map_err(db("read the team members"))?;
    for row in &rows {
        file.teams[team_index[&row.get::<_, Uuid>(0)]]
            .members
            .push(row.get(1));
    }
    let rows = client
        .query(
            "select team_id, role, isinherited from rolegate_team_roles order by seq",
            &[],
        )
        .await
        .map_err(db("read the teams' roles"))?;
    for row in &rows {
        file.teams[team_index[&row.get::<_, Uuid>(0)]]
            .roles
            .push(TeamRoleFileEntry {
                role: row.get(1),
                isinherited: i64::from(row.get::<_, i16>(2)),
            });
    }
    Ok(file)
}

/// A team kind as stored (`owner`, `access`, `aad-security-group`, `aad-office-group`).
pub(crate) fn team_kind(name: &str) -> Result<TeamKind, Error> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .map_err(|_| Error::Stored(format!("team kind `{name}`")))
}

/// The stored name of a team kind.
pub(crate) fn team_kind_name(kind: TeamKind) -> String {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(name)) => name,
        _ => unreachable!("a team kind serialises as a string"),
    }
}

async fn read_shares(client: &impl GenericClient) -> Result<Vec<StoredShare>, Error> {
    let rows = client
        .query(
            "select table_name, record_id, grantee_kind, grantee_user_id, grantee_team_id, rights
             from rolegate_shares order by seq",
            &[],
        )
        .await
        .map_err(db("read the shares"))?;
    rows.iter()
        .map(|row| {
            let grantee = match (row.get::<_, &str>(2), row.get(3), row.get(4)) {
                ("user", Some(user), _) => StoredGrantee::User(user),
                ("team", _, Some(team)) => StoredGrantee::Team(team),
                ("organization", _, _) => StoredGrantee::Organization,
                (kind, _, _) => return Err(Error::Stored(format!("share grantee `{kind}`"))),
            };
            let rights = row
                .get::<_, Vec<&str>>(5)
                .into_iter()
                .map(|name| {
                    TablePrivilege::parse(name)
                        .ok_or_else(|| Error::Stored(format!("share right `{name}`")))
                })
                .collect::<Result<PrivilegeSet, Error>>()?;
            Ok(StoredShare {
                table: row.get(0),
                record: RecordId(row.get::<_, Uuid>(1).as_u128()),
                grantee,
                rights,
            })
        })
        .collect()
}
