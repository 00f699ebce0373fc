//! The change log (`rolegate_changes`): what each change did, written in its own transaction, and read by a source
//! that applies the changes after its live version to the snapshot it has instead of building everything again.

use rolegate::live::Update;
use rolegate::org::{Change, Inheritance};
use rolegate::record::{Grantee, RecordId};
use rolegate::{Organization, TablePrivilege, Uuid};
use rolegate_catalog::PrivilegeSet;
use serde::{Deserialize, Serialize};
use tokio_postgres::GenericClient;

use crate::error::{Error, db};

/// How many versions the log keeps: a change deletes the entries more than this many versions before it. A reader
/// further behind (an instance that was away) reads everything.
pub const KEPT_VERSIONS: u64 = 1_000;

/// One entry of the log: a change, with users, teams and units by id and roles and tables by their catalog names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Logged {
    /// Whole files loaded (or anything else a reader cannot apply): read everything.
    Full,
    AssignUserRole {
        user: Uuid,
        role: String,
        business_unit: Option<Uuid>,
    },
    RevokeUserRole {
        user: Uuid,
        role: String,
        business_unit: Option<Uuid>,
    },
    AssignTeamRole {
        team: Uuid,
        role: String,
        isinherited: u8,
    },
    RevokeTeamRole {
        team: Uuid,
        role: String,
    },
    AddTeamMember {
        team: Uuid,
        user: Uuid,
    },
    RemoveTeamMember {
        team: Uuid,
        user: Uuid,
    },
    Share {
        table: String,
        record: Uuid,
        grantee: LoggedGrantee,
        rights: Vec<String>,
    },
    Unshare {
        table: String,
        record: Uuid,
        grantee: LoggedGrantee,
    },
}

/// A share's grantee in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub(crate) enum LoggedGrantee {
    User(Uuid),
    Team(Uuid),
    Organization,
}

impl LoggedGrantee {
    /// From the grantee columns of `rolegate_shares`: (kind, user id, team id).
    pub(crate) fn from_columns(kind: &str, user: Option<Uuid>, team: Option<Uuid>) -> Self {
        match (kind, user, team) {
            ("user", Some(user), _) => Self::User(user),
            ("team", _, Some(team)) => Self::Team(team),
            _ => Self::Organization,
        }
    }

    fn resolve(self, org: &Organization) -> Option<Grantee> {
        Some(match self {
            Self::User(id) => Grantee::User(org.user_by_guid(id)?),
            Self::Team(id) => Grantee::Team(org.team_by_guid(id)?),
            Self::Organization => Grantee::Organization,
        })
    }
}

impl Logged {
    /// The update this entry makes to `org`'s role data, its ids resolved to names; `None` when it cannot be applied
    /// (whole files loaded, an id `org` lacks): the reader then reads everything.
    pub(crate) fn to_update(&self, org: &Organization) -> Option<Update> {
        let user = |id: &Uuid| Some(org.user_name(org.user_by_guid(*id)?)?.to_owned());
        let team = |id: &Uuid| Some(org.team_name(org.team_by_guid(*id)?)?.to_owned());
        let unit = |id: &Option<Uuid>| match id {
            None => Some(None),
            Some(id) => Some(Some(
                org.business_unit_name(org.business_unit_by_guid(*id)?)?
                    .to_owned(),
            )),
        };
        let change = match self {
            Self::Full => return None,
            Self::AssignUserRole {
                user: u,
                role,
                business_unit,
            } => Change::AssignRole {
                user: user(u)?,
                role: role.clone(),
                business_unit: unit(business_unit)?,
            },
            Self::RevokeUserRole {
                user: u,
                role,
                business_unit,
            } => Change::RevokeRole {
                user: user(u)?,
                role: role.clone(),
                business_unit: unit(business_unit)?,
            },
            Self::AssignTeamRole {
                team: t,
                role,
                isinherited,
            } => Change::AssignTeamRole {
                team: team(t)?,
                role: role.clone(),
                inheritance: Inheritance::from_isinherited(i64::from(*isinherited))?,
            },
            Self::RevokeTeamRole { team: t, role } => Change::RevokeTeamRole {
                team: team(t)?,
                role: role.clone(),
            },
            Self::AddTeamMember { team: t, user: u } => Change::AddTeamMember {
                team: team(t)?,
                user: user(u)?,
            },
            Self::RemoveTeamMember { team: t, user: u } => Change::RemoveTeamMember {
                team: team(t)?,
                user: user(u)?,
            },
            Self::Share {
                table,
                record,
                grantee,
                rights,
            } => {
                let rights = rights
                    .iter()
                    .map(|name| TablePrivilege::parse(name))
                    .collect::<Option<PrivilegeSet>>()?;
                return Some(Update::Share {
                    table: table.clone(),
                    record: RecordId(record.as_u128()),
                    grantee: grantee.resolve(org)?,
                    rights,
                });
            }
            Self::Unshare {
                table,
                record,
                grantee,
            } => {
                return Some(Update::Unshare {
                    table: table.clone(),
                    record: RecordId(record.as_u128()),
                    grantee: grantee.resolve(org)?,
                });
            }
        };
        Some(change.into())
    }
}

/// Writes the entry of `version` (in the change's transaction), and deletes those older than [`KEPT_VERSIONS`].
pub(crate) async fn write(
    tx: &impl GenericClient,
    version: u64,
    change: &Logged,
) -> Result<(), Error> {
    let json = serde_json::to_value(change)
        .map_err(|e| Error::Stored(format!("change log entry: {e}")))?;
    let version = i64::try_from(version).map_err(|_| Error::Stored("version past i64".into()))?;
    tx.execute(
        "insert into rolegate_changes (version, change) values ($1, $2)",
        &[&version, &json],
    )
    .await
    .map_err(db("write the change log"))?;
    let oldest = version - KEPT_VERSIONS as i64;
    tx.execute(
        "delete from rolegate_changes where version <= $1",
        &[&oldest],
    )
    .await
    .map_err(db("prune the change log"))?;
    Ok(())
}

/// The entries after version `after` up to `upto`, in order, if the log holds every one of them; `None` when one is
/// missing (pruned, or written before the log existed) or cannot be read.
pub(crate) async fn read_after(
    client: &impl GenericClient,
    after: u64,
    upto: u64,
) -> Result<Option<Vec<Logged>>, Error> {
    let (Ok(after), Ok(upto)) = (i64::try_from(after), i64::try_from(upto)) else {
        return Ok(None);
    };
    let rows = client
        .query(
            "select version, change from rolegate_changes where version > $1 and version <= $2
             order by version",
            &[&after, &upto],
        )
        .await
        .map_err(db("read the change log"))?;
    if rows.len() as i64 != upto - after {
        return Ok(None);
    }
    let mut entries = Vec::with_capacity(rows.len());
    for (expected, row) in (after + 1..).zip(&rows) {
        let version: i64 = row.get(0);
        let change: serde_json::Value = row.get(1);
        match serde_json::from_value(change) {
            Ok(entry) if version == expected => entries.push(entry),
            _ => return Ok(None),
        }
    }
    Ok(Some(entries))
}
