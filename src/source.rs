//! Where a request's principal comes from: the application says who is calling ([`Caller`]: a user and the Entra ID
//! groups of its token), a [`PrincipalSource`] says what that user holds.
//!
//! ```
//! use rolegate::source::{Caller, PrincipalCache, PrincipalSource};
//! use rolegate::{Authority, Organization};
//!
//! let authority = Authority::builtin();
//! let org = Organization::builder(&authority)
//!     .business_unit("Root", None)
//!     .user("ada", "Root", ["Omnichannel administrator"])
//!     .build()
//!     .unwrap();
//! let principals = PrincipalCache::new(org.clone());
//!
//! let ada = principals.principal_for(&Caller::name("ada")).unwrap();
//! assert_eq!(ada.id(), "ada");
//! // The second request of the same caller shares the first one's principal.
//! assert!(std::sync::Arc::ptr_eq(&ada, &principals.principal_for(&Caller::name("ada")).unwrap()));
//! // By the user's GUID (`systemuserid`), or the id another system knows it by (an Entra ID object id).
//! let guid = org.user_guid(org.user("ada").unwrap()).unwrap();
//! assert_eq!(principals.principal_for(&Caller::guid(guid)).unwrap().id(), "ada");
//! // Someone the organisation does not know has no principal.
//! assert!(principals.principal_for(&Caller::name("mallory")).is_none());
//! ```

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use crate::org::Organization;
use crate::{Principal, Uuid};

/// Who is calling, as the application's authentication found: a user, and the Entra ID group ids (object ids) its
/// token's `groups` claim lists, if any.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Caller {
    user: CallerUser,
    /// Lower case, sorted, each once: callers that differ only in the order or case of their groups are equal.
    groups: Vec<String>,
}

/// How a [`Caller`] names its user.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CallerUser {
    /// By name: an organisation's user name (its principal's id).
    Name(String),
    /// By GUID: the user's `systemuserid` ([`Organization::user_by_guid`]).
    Guid(Uuid),
    /// By the id another system knows the user by, such as the Entra ID object id of a token's `oid` claim
    /// ([`Organization::user_by_external_id`]); lower case.
    ExternalId(String),
}

impl Caller {
    /// The user named `name`, in no group.
    pub fn name(name: impl Into<String>) -> Self {
        Self {
            user: CallerUser::Name(name.into()),
            groups: Vec::new(),
        }
    }

    /// The user whose GUID (`systemuserid`) is `id`, in no group.
    pub fn guid(id: Uuid) -> Self {
        Self {
            user: CallerUser::Guid(id),
            groups: Vec::new(),
        }
    }

    /// The user another system knows by `id` (an Entra ID object id, any case), in no group.
    pub fn external_id(id: &str) -> Self {
        Self {
            user: CallerUser::ExternalId(id.to_lowercase()),
            groups: Vec::new(),
        }
    }

    /// The same user, a member of the Entra ID groups `groups` (object ids, any case), as its token's `groups`
    /// claim says. A group no group team of the organisation declares grants nothing.
    pub fn with_groups<I, S>(mut self, groups: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.groups
            .extend(groups.into_iter().map(|g| g.as_ref().to_lowercase()));
        self.groups.sort_unstable();
        self.groups.dedup();
        self
    }

    /// The user.
    pub fn user(&self) -> &CallerUser {
        &self.user
    }

    /// The group ids, lower case and sorted.
    pub fn groups(&self) -> &[String] {
        &self.groups
    }
}

/// Gives the principal of an authenticated caller: an [`Organization`] (its users, their roles and teams),
/// a [`PrincipalCache`] over one, or the application's own source.
///
/// Object safe, so that a layer can hold `Arc<dyn PrincipalSource>`; the principal comes as an `Arc`, so that a source
/// that keeps principals hands out the same one to every request of a caller.
pub trait PrincipalSource: Send + Sync {
    /// The caller's principal; `None` when the source does not know the user (the request is then unauthenticated).
    fn principal_for(&self, caller: &Caller) -> Option<Arc<Principal>>;
}

/// Builds the caller's principal on each call ([`Organization::principal_with_groups`]): its rows and reach are
/// computed each time, so a service puts a [`PrincipalCache`] in front.
impl PrincipalSource for Organization {
    fn principal_for(&self, caller: &Caller) -> Option<Arc<Principal>> {
        let user = match &caller.user {
            CallerUser::Name(name) => self.user(name)?,
            CallerUser::Guid(id) => self.user_by_guid(*id)?,
            CallerUser::ExternalId(id) => self.user_by_external_id(id)?,
        };
        self.principal_with_groups(user, &caller.groups)
            .map(Arc::new)
    }
}

impl<T: PrincipalSource + ?Sized> PrincipalSource for Arc<T> {
    fn principal_for(&self, caller: &Caller) -> Option<Arc<Principal>> {
        (**self).principal_for(caller)
    }
}

impl<T: PrincipalSource + ?Sized> PrincipalSource for Box<T> {
    fn principal_for(&self, caller: &Caller) -> Option<Arc<Principal>> {
        (**self).principal_for(caller)
    }
}

/// A source's principals, kept per caller (user and groups) once built: a request of a caller seen before costs a
/// hash lookup under a read lock and an `Arc` clone.
///
/// It holds at most `capacity` callers (1,000 by default); past that it forgets them all and starts over, so that
/// its memory stays bounded whoever calls. A caller the source does not know is not kept.
pub struct PrincipalCache<S> {
    source: S,
    capacity: usize,
    principals: RwLock<HashMap<Caller, Arc<Principal>>>,
}

impl<S: PrincipalSource> PrincipalCache<S> {
    /// The default number of callers kept.
    pub const CAPACITY: usize = 1000;

    /// A cache over `source`, keeping up to [`CAPACITY`](Self::CAPACITY) callers.
    pub fn new(source: S) -> Self {
        Self::with_capacity(source, Self::CAPACITY)
    }

    /// A cache over `source`, keeping up to `capacity` callers (at least one).
    pub fn with_capacity(source: S, capacity: usize) -> Self {
        Self {
            source,
            capacity: capacity.max(1),
            principals: RwLock::new(HashMap::new()),
        }
    }

    /// The source.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// How many callers are kept.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// Whether no caller is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every caller: later requests get principals built anew from the source.
    pub fn clear(&self) {
        self.principals
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Caller, Arc<Principal>>> {
        // A panic while holding the lock cannot leave the map half-updated (each update is one insert or a clear).
        self.principals
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl<S: PrincipalSource> PrincipalSource for PrincipalCache<S> {
    fn principal_for(&self, caller: &Caller) -> Option<Arc<Principal>> {
        if let Some(principal) = self.read().get(caller) {
            return Some(principal.clone());
        }
        let principal = self.source.principal_for(caller)?;
        let mut principals = self
            .principals
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if principals.len() >= self.capacity {
            principals.clear();
        }
        // Another request of the same caller may have built it meanwhile: keep the first, so that all share it.
        Some(
            principals
                .entry(caller.clone())
                .or_insert(principal)
                .clone(),
        )
    }
}

impl<S> std::fmt::Debug for PrincipalCache<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kept = self
            .principals
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("PrincipalCache")
            .field("capacity", &self.capacity)
            .field("kept", &kept)
            .finish_non_exhaustive()
    }
}
