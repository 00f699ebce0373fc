//! Live role data as a [`PrincipalSource`]: a request's caller resolved from the snapshot the request pinned, so that
//! its principal and everything else the request decides with are of one version.

use std::future::Future;
use std::sync::Arc;

use super::{Live, Snapshot};
use crate::principal::Principal;
use crate::source::{Caller, CallerUser, PrincipalSource};

tokio::task_local! {
    /// The snapshot the request being served pinned, while [`pinned_for`] runs its future.
    static PINNED: Arc<Snapshot>;
}

/// Runs `future` (a request's handling) with `snapshot` as the one its callers are resolved from: a [`Live`] handle's
/// [`principal_for`](PrincipalSource::principal_for) inside it answers from this snapshot, not the one live by then.
/// The axum `consistency` middleware does this for every request.
pub async fn pinned_for<F: Future>(snapshot: Arc<Snapshot>, future: F) -> F::Output {
    PINNED.scope(snapshot, future).await
}

/// The snapshot pinned for the request being served (see [`pinned_for`]), if any.
pub fn pinned() -> Option<Arc<Snapshot>> {
    PINNED.try_with(Arc::clone).ok()
}

/// The caller's principal from this snapshot's cache: found by name, GUID or external id, with the group teams of its
/// groups ([`Snapshot::principal_with_groups`]).
impl PrincipalSource for Snapshot {
    fn principal_for(&self, caller: &Caller) -> Option<Arc<Principal>> {
        let org = self.organization();
        let user = match caller.user() {
            CallerUser::Name(name) => org.user(name)?,
            CallerUser::Guid(id) => org.user_by_guid(*id)?,
            CallerUser::ExternalId(id) => org.user_by_external_id(id)?,
        };
        self.principal_with_groups(user, caller.groups())
    }
}

/// The caller's principal from the snapshot the request pinned ([`pinned_for`], as the axum `consistency` middleware
/// does), or else from the snapshot live now.
impl PrincipalSource for Live {
    fn principal_for(&self, caller: &Caller) -> Option<Arc<Principal>> {
        pinned().unwrap_or_else(|| self.pin()).principal_for(caller)
    }
}
