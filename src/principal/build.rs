//! The principal: who is asking, with its effective privileges computed once, built from role names or from an
//! organisation's user.

use std::num::NonZeroU64;
use std::sync::Arc;

use rolegate_catalog::{Role, closest};

use crate::compiled::Authority;
use crate::compiled::cache_word::SchemaKey;
use crate::compiled::row::PackedRow;
use crate::denied::UnknownRole;
use crate::org::{Organization, UserId};
use crate::record::scope::{self, RecordScope};

/// Someone (or something) whose requests are checked: an id, its roles, and its effective privileges as one byte per
/// slot of its [`Authority`], computed once when the principal is built.
///
/// A check is then an index and a compare: no allocation, no hashing of strings, no lock.
#[derive(Clone, Debug)]
pub struct Principal {
    pub(super) id: Arc<str>,
    pub(super) authority: Authority,
    /// What the inlined check compares with a call site's cache word.
    pub(super) schema_key: SchemaKey,
    /// The effective privileges, shared by the principals of the same set of roles.
    pub(super) row: PackedRow,
    /// The roles, each once, in catalog order: the list the row's positions refer to.
    pub(super) roles: Box<[u32]>,
    /// The organisation context for record checks: `None` for a principal built by [`Authority::principal`].
    pub(super) scope: Option<Arc<RecordScope>>,
    /// The rights its field security profiles grant, one mask byte per secured column of the catalog (Read 1,
    /// Create 2, Update 4); `None` when it holds no profile.
    pub(super) columns: Option<Arc<[u8]>>,
    /// It holds a role that holds everything (System Administrator): every secured column is its to read, create
    /// and update.
    pub(super) holds_everything: bool,
    /// The version of the snapshot it was built for (the consistency token its denials carry); `None` outside one.
    pub(super) version: Option<NonZeroU64>,
}

impl Authority {
    /// A principal holding `roles` (by name, under the catalog's name rule, in any order): its effective privileges
    /// are the union of the roles', the highest depth winning.
    ///
    /// The effective privileges are one byte per slot ([`slot_count`](Self::slot_count) bytes), computed for the first
    /// principal of a set of roles and shared by every principal of the same set while one is alive: building one per
    /// request for a set already in use costs a lookup, not a row.
    pub fn principal<I, S>(
        &self,
        id: impl Into<Arc<str>>,
        roles: I,
    ) -> Result<Principal, UnknownRole>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut ids = Vec::new();
        for name in roles {
            let name = name.as_ref();
            match self.role_position(name) {
                Some(i) => ids.push(i),
                None => {
                    return Err(UnknownRole {
                        name: name.to_owned(),
                        suggestion: closest(
                            name,
                            self.catalog().roles().iter().map(|r| r.name.as_str()),
                        )
                        .map(str::to_owned),
                    });
                }
            }
        }
        Ok(Principal::new(self.clone(), id.into(), ids, None))
    }
}

impl Organization {
    /// The principal for a user: its own roles and its owner teams' roles (the highest depth winning), with its
    /// business unit, teams and per-slot reach precomputed for record checks. A member of no group team: see
    /// [`principal_with_groups`](Self::principal_with_groups).
    pub fn principal(&self, user: UserId) -> Option<Principal> {
        self.principal_with_groups(user, [""; 0])
    }

    /// The principal for a user calling with a token whose `groups` claim lists `groups` (Entra ID object ids, any
    /// case): as [`principal`](Self::principal), and a member of each group team declared for one of those groups,
    /// holding its roles and reaching the records it owns. A group id no team declares is ignored: it grants nothing.
    ///
    /// ```
    /// # use rolegate::org::{Inheritance, TeamKind};
    /// # use rolegate::{Authority, Organization};
    /// # let authority = Authority::builtin();
    /// let org = Organization::builder(&authority)
    ///     .business_unit("Root", None)
    ///     .user("ada", "Root", [""; 0])
    ///     .group_team(
    ///         "Agents",
    ///         "Root",
    ///         TeamKind::EntraSecurityGroup,
    ///         "5f2b1c3e-8d4a-4e6b-9c1d-2a3b4c5d6e7f",
    ///         [("Omnichannel agent", Inheritance::DirectBasicAndTeam)],
    ///     )
    ///     .build()
    ///     .unwrap();
    /// let ada = org.user("ada").unwrap();
    /// // The request's token: `"groups": ["5f2b1c3e-8d4a-4e6b-9c1d-2a3b4c5d6e7f", "<a group no team names>"]`.
    /// let groups = ["5f2b1c3e-8d4a-4e6b-9c1d-2a3b4c5d6e7f", "0b7d9e4c-0000-4000-8000-000000000000"];
    /// let with_claim = org.principal_with_groups(ada, groups).unwrap();
    /// assert!(with_claim.roles().any(|r| r.name == "Omnichannel agent"));
    /// assert_eq!(org.principal(ada).unwrap().roles().count(), 0);
    /// ```
    pub fn principal_with_groups<I, S>(&self, user: UserId, groups: I) -> Option<Principal>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.user_ref(user)?;
        let teams: Vec<u32> = groups
            .into_iter()
            .filter_map(|g| self.group_team(g.as_ref()))
            .map(|t| t.index)
            .collect();
        let (scope, roles) = scope::build(self, user.index, &teams);
        let name = self.user_name(user).unwrap_or_default();
        let mut principal = Principal::new(
            self.authority().clone(),
            Arc::from(name),
            roles,
            Some(Arc::new(scope)),
        );
        principal.columns = self.column_mask(user).map(Arc::from);
        Some(principal)
    }

    /// The principal for a user named `name`.
    pub fn principal_named(&self, name: &str) -> Option<Principal> {
        self.user(name).and_then(|u| self.principal(u))
    }
}

impl Principal {
    /// A principal of `roles` (in any order, repeats allowed), whose row is the one shared by its set of roles.
    fn new(
        authority: Authority,
        id: Arc<str>,
        mut roles: Vec<u32>,
        scope: Option<Arc<RecordScope>>,
    ) -> Self {
        roles.sort_unstable();
        roles.dedup();
        let all_roles = authority.catalog().roles();
        let holds_everything = roles
            .iter()
            .any(|&r| all_roles.get(r as usize).is_some_and(|r| r.all));
        Self {
            id,
            schema_key: authority.schema_key(),
            row: authority.shared_row(&roles),
            authority,
            roles: roles.into_boxed_slice(),
            scope,
            columns: None,
            holds_everything,
            version: None,
        }
    }

    /// The same principal, of the snapshot of version `version`.
    #[cfg_attr(
        not(feature = "live"),
        expect(dead_code, reason = "used by the live module")
    )]
    pub(crate) fn at_version(mut self, version: NonZeroU64) -> Self {
        self.version = Some(version);
        self
    }

    /// The version of the snapshot this principal was resolved from (the `live` module, feature `live`): the
    /// consistency token its denials and audit events carry. `None` for a principal built outside a snapshot.
    pub fn version(&self) -> Option<u64> {
        self.version.map(NonZeroU64::get)
    }

    /// The principal's id, as given when it was built.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The authority the principal was built against.
    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// The principal's roles, each once, in catalog order (whatever order they were given in).
    pub fn roles(&self) -> impl Iterator<Item = &Role> {
        let roles = self.authority.catalog().roles();
        self.roles.iter().filter_map(|&r| roles.get(r as usize))
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

    /// Bytes of memory the principal holds besides the shared authority (and organisation): its slot row, role
    /// list and id, and for a principal built by an [`Organization`], its record scope (what each slot's depths
    /// reach, its teams and reports).
    ///
    /// The slot row ([`row_bytes`](Self::row_bytes)) is counted whole, but principals holding the same set of roles
    /// share one: `n` such principals take `n * (memory_bytes - row_bytes) + row_bytes`.
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.row_bytes()
            + std::mem::size_of_val(&*self.roles)
            + self.id.len()
            + self.scope.as_ref().map_or(0, |s| s.memory_bytes())
            + self.columns.as_ref().map_or(0, |c| c.len())
    }

    /// Bytes of the principal's slot row (one per slot of its authority), which it shares with every principal
    /// holding the same set of roles.
    pub fn row_bytes(&self) -> usize {
        self.row.len()
    }
}

#[cfg(test)]
mod tests {
    use rolegate_catalog::{Catalog, Depth, Syntax, TablePrivilege};

    use super::*;

    fn authority() -> Authority {
        let mut toml = String::from("[[table]]\nname = \"t\"\nownership = \"user-or-team\"\n");
        for k in 0..10 {
            toml.push_str(&format!(
                "\n[[role]]\nname = \"r{k}\"\n[role.grants]\nt = {{ Read = \"Basic\" }}\n"
            ));
        }
        Authority::new(Catalog::from_str_named(&toml, "roles.toml", Syntax::Toml).unwrap())
    }

    #[test]
    fn principals_of_one_set_of_roles_share_one_row() {
        let authority = authority();
        let a = authority.principal("a", ["r1", "r2"]).unwrap();
        let b = authority.principal("b", ["r2", "r1"]).unwrap();
        let c = authority.principal("c", ["r2", "r1", "r2"]).unwrap();
        let d = authority.principal("d", ["r1"]).unwrap();
        assert!(a.row.ptr_eq(&b.row));
        assert!(a.row.ptr_eq(&c.row));
        assert!(!a.row.ptr_eq(&d.row));
        assert_eq!(authority.shared_row_entries(), (2, 2));
        drop((a, b, c));
        assert_eq!(
            authority.shared_row_entries(),
            (2, 1),
            "the row goes with its last principal"
        );
    }

    #[test]
    fn rows_no_principal_holds_are_swept() {
        let authority = authority();
        let kept = authority.principal("kept", ["r0"]).unwrap();
        let names: Vec<String> = (0..10).map(|k| format!("r{k}")).collect();
        // 2^10 sets, each dropped as soon as it is built: the map never holds many more than the live sets.
        for set in 1..1024_u32 {
            let roles = (0..10).filter(|k| set & (1 << k) != 0).map(|k| &names[k]);
            drop(authority.principal("p", roles).unwrap());
            let (entries, live) = authority.shared_row_entries();
            assert!(live <= 1, "{live} live rows");
            assert!(entries <= 64, "{entries} entries after {set} sets");
        }
        let read_t = authority.table_slot(TablePrivilege::Read, "t").unwrap();
        assert_eq!(kept.depth_at(read_t), Some(Depth::Basic));
        let again = authority.principal("again", ["r0"]).unwrap();
        assert!(
            kept.row.ptr_eq(&again.row),
            "a live row survives the sweeps"
        );
    }

    #[test]
    fn a_site_stays_warm_across_a_reload_of_the_same_layout_and_never_serves_another() {
        use crate::compiled::site::{CallSite, SiteRequirement};
        static SITE: CallSite = CallSite::new(
            SiteRequirement::Table {
                privilege: TablePrivilege::Read,
                table: "t",
                depth: None,
            },
            "read_t",
            "tests",
            "build.rs",
            1,
            1,
        );
        // Read on `t`, the first table: slot 1 (Create is 0); in `other` below, `t` is the second table.
        let read_t = TablePrivilege::Read.index() as u64;
        let before = authority();
        assert!(
            before
                .principal("p", ["r0"])
                .unwrap()
                .check_site(&SITE)
                .is_ok()
        );
        let (slot, min_byte) = SITE.fast_index(before.schema_key());
        assert_eq!(slot, read_t, "cached by the first check");

        // Reloaded: the same catalog compiled again, a new authority with the same layout.
        let after = authority();
        let principal = after.principal("q", ["r1"]).unwrap();
        assert_eq!(SITE.fast_index(principal.schema_key), (slot, min_byte));
        assert_eq!(
            principal.row.meets(slot, min_byte),
            Some(true),
            "the inlined path decides"
        );

        // Another layout (a table added in front): the word is out of range for its rows, and the site resolves again.
        let other = Authority::new(
            Catalog::from_str_named(
                "[[table]]\nname = \"first\"\nownership = \"organization\"\n\n[[table]]\nname = \"t\"\nownership = \"user-or-team\"\n\n[[role]]\nname = \"r0\"\n[role.grants]\nt = { Read = \"Basic\" }\n",
                "other.toml",
                Syntax::Toml,
            )
            .unwrap(),
        );
        let theirs = other.principal("o", ["r0"]).unwrap();
        assert!(SITE.fast_index(theirs.schema_key).0 >= 1 << 32);
        assert!(theirs.check_site(&SITE).is_ok());
        assert_eq!(
            SITE.fast_index(theirs.schema_key).0,
            TablePrivilege::COUNT as u64 + read_t
        );
    }

    #[test]
    fn a_slot_of_another_authority_is_never_read() {
        let (one, two) = (authority(), authority());
        let p = one.principal("p", ["r0"]).unwrap();
        let theirs = two.table_slot(TablePrivilege::Read, "t").unwrap();
        assert_eq!(p.depth_at(theirs), None);
    }
}
