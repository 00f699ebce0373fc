//! A snapshot: one version of the role data, and the principals of its users, each built once, when first asked for.

use std::collections::HashMap;
use std::num::NonZeroU64;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::SystemTime;

use uuid::Uuid;

use super::RoleData;
use crate::compiled::Authority;
use crate::org::{Organization, UserId};
use crate::principal::Principal;
use crate::record::{Record, ShareStore, Shared};

/// How many principals of users calling with group claims a snapshot keeps; past that, they are built for each call.
/// Each entry is one user with one set of group teams (a few KB), and a set counts only teams the organisation
/// declares for the groups named, so a service rarely comes near it.
const MAX_GROUP_PRINCIPALS: usize = 65_536;

/// A user calling with group claims: its index, and the group teams the claims name, sorted.
type GroupKey = (u32, Box<[u32]>);

/// One consistent version of all role data: the catalog compiled ([`Authority`]), the [`Organization`], the
/// [`ShareStore`] and a version number, with the time it was built. A request pins one
/// ([`Live::pin`](super::Live::pin)) and decides everything against it.
///
/// Principals are resolved from the snapshot by user id, GUID, external id or name. Each user's principal is built
/// once per snapshot, the first time it is asked for, and shared after: a hit is a lookup of the id and a
/// reference count. Its denials and audit events carry the snapshot's version.
///
/// ```
/// use std::sync::Arc;
/// use rolegate::live::{RoleData, Snapshot};
/// use rolegate::{Authority, Organization, Uuid};
///
/// let id: Uuid = "11111111-2222-4333-8444-555555555555".parse().unwrap();
/// let org = Organization::builder(&Authority::builtin())
///     .business_unit("Root", None)
///     .user("ada", "Root", ["Omnichannel agent"])
///     .user_guid("ada", id)
///     .build()
///     .unwrap();
/// let snapshot = Snapshot::new(RoleData::new(7, org));
/// let ada = snapshot.principal_by_guid(id).unwrap();
/// assert_eq!(ada.version(), Some(7));
/// assert!(Arc::ptr_eq(&ada, &snapshot.principal_named("ada").unwrap()), "built once");
/// ```
#[derive(Debug)]
pub struct Snapshot {
    version: u64,
    built_at: SystemTime,
    organization: Organization,
    shares: ShareStore,
    /// By user index: the user's principal, built on first use.
    principals: Box<[OnceLock<Arc<Principal>>]>,
    /// Users calling with group claims that name group teams: by (user index, the teams, sorted).
    with_groups: RwLock<HashMap<GroupKey, Arc<Principal>>>,
}

impl Snapshot {
    /// A snapshot of `data`, built now. Nothing is built per user until asked for.
    pub fn new(data: RoleData) -> Self {
        let RoleData {
            version,
            organization,
            shares,
            made: _,
        } = data;
        Self {
            version,
            built_at: SystemTime::now(),
            principals: (0..organization.user_count())
                .map(|_| OnceLock::new())
                .collect(),
            organization,
            shares,
            with_groups: RwLock::default(),
        }
    }

    /// The version: the consistency token of every decision made against this snapshot.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// When the snapshot was built.
    pub fn built_at(&self) -> SystemTime {
        self.built_at
    }

    /// The catalog, compiled.
    pub fn authority(&self) -> &Authority {
        self.organization.authority()
    }

    /// The organisation.
    pub fn organization(&self) -> &Organization {
        &self.organization
    }

    /// The shares of records.
    pub fn shares(&self) -> &ShareStore {
        &self.shares
    }

    /// The role data of this snapshot: its version, organisation and shares (a clone shares them all).
    pub fn role_data(&self) -> RoleData {
        RoleData::new(self.version, self.organization.clone()).with_shares(self.shares.clone())
    }

    /// A record seen with this snapshot's shares (see [`ShareStore::with`]).
    pub fn shared<'a, R: Record + ?Sized>(&'a self, record: &'a R) -> Shared<'a, R> {
        self.shares.with(record)
    }

    /// The principal of a user of this snapshot's organisation: built the first time it is asked for, the same
    /// `Arc` after. `None` for an id of another organisation.
    pub fn principal(&self, user: UserId) -> Option<Arc<Principal>> {
        self.organization.user_ref(user)?;
        let cell = self.principals.get(user.index as usize)?;
        if let Some(principal) = cell.get() {
            return Some(principal.clone());
        }
        let built = self.build(user)?;
        Some(cell.get_or_init(|| built).clone())
    }

    /// The principal of the user with this GUID (`systemuserid`), if the organisation has one.
    #[inline]
    pub fn principal_by_guid(&self, id: Uuid) -> Option<Arc<Principal>> {
        self.principal(self.organization.user_by_guid(id)?)
    }

    /// The principal of the user another system knows by `external_id` (an Entra ID object id, say; any case).
    pub fn principal_by_external_id(&self, external_id: &str) -> Option<Arc<Principal>> {
        self.principal(self.organization.user_by_external_id(external_id)?)
    }

    /// The principal of the user named `name`.
    pub fn principal_named(&self, name: &str) -> Option<Arc<Principal>> {
        self.principal(self.organization.user(name)?)
    }

    /// The principal of a user calling with a token whose `groups` claim lists `groups` (see
    /// [`Organization::principal_with_groups`]). Groups no team declares are ignored: a caller whose groups name no
    /// group team gets the user's cached principal. Otherwise the principal is kept per user and set of group teams,
    /// built once (up to 65,536 such principals per snapshot; past that, built for each call).
    pub fn principal_with_groups<I, S>(&self, user: UserId, groups: I) -> Option<Arc<Principal>>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.organization.user_ref(user)?;
        let mut teams: Vec<u32> = groups
            .into_iter()
            .filter_map(|g| self.organization.group_team(g.as_ref()))
            .map(|t| t.index)
            .collect();
        if teams.is_empty() {
            return self.principal(user);
        }
        teams.sort_unstable();
        teams.dedup();
        let key = (user.index, teams.into_boxed_slice());
        let cached = |map: &HashMap<_, Arc<Principal>>| map.get(&key).cloned();
        let read = self
            .with_groups
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(principal) = cached(&read) {
            return Some(principal);
        }
        drop(read);
        let names = key.1.iter().filter_map(|&t| {
            let team = self.organization.inner.teams.get(t as usize)?;
            team.object_id.as_deref()
        });
        let built = Arc::new(self.stamp(self.organization.principal_with_groups(user, names)?));
        let mut write = self
            .with_groups
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(principal) = cached(&write) {
            return Some(principal);
        }
        if write.len() < MAX_GROUP_PRINCIPALS {
            write.insert(key, built.clone());
        }
        Some(built)
    }

    /// How many principals the snapshot has built and keeps (users, and users with group teams).
    pub fn cached_principals(&self) -> usize {
        let groups = self
            .with_groups
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        self.principals.iter().filter(|c| c.get().is_some()).count() + groups
    }

    fn build(&self, user: UserId) -> Option<Arc<Principal>> {
        Some(Arc::new(self.stamp(self.organization.principal(user)?)))
    }

    /// The principal, carrying this snapshot's version (none for version 0, which a [`Live`](super::Live) handle
    /// never serves).
    fn stamp(&self, principal: Principal) -> Principal {
        match NonZeroU64::new(self.version) {
            Some(version) => principal.at_version(version),
            None => principal,
        }
    }
}
