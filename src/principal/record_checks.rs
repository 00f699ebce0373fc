//! The record checks of a principal: step 1 on its row, step 2 on its organisation scope, and the denial that says
//! which failed.

use std::borrow::Cow;

use rolegate_catalog::{Depth, Ownership, Requirement, TablePrivilege};

use super::build::Principal;
use crate::audit;
use crate::compiled::Slot;
use crate::compiled::site::{CallSite, SiteRequirement};
use crate::denied::{DenialReason, Denied};
use crate::record::{Owner, Paths, Record, RecordDenial, RecordNames, access};

impl Principal {
    /// Decides `privilege` on one record: step 1 (the privilege held, through any role), then step 2 (ownership,
    /// depth against the record's owning business unit, a share, or the manager hierarchy).
    ///
    /// Resolves the table by name on each call; on hot paths use [`check_record_site`](Self::check_record_site).
    ///
    /// Create is checked on the record as it will be, before it exists: give the owner it will be created with (the
    /// caller, or the team it is created for: a member holding Create only through a team's role creates records
    /// owned by that team alone), the owning business unit it will have (the owner's:
    /// [`RecordData::owned_by_user`](crate::RecordData::owned_by_user) and
    /// [`owned_by_team`](crate::RecordData::owned_by_team) take it from the organisation) and any id.
    pub fn check_record<R: Record + ?Sized>(
        &self,
        privilege: TablePrivilege,
        record: &R,
    ) -> Result<(), Denied> {
        let slot = self.authority.table_slot_index(privilege, record.table());
        if let Some(slot) = slot
            && self.row.rank(slot) >= 1
            && self.access(slot, privilege, record)
        {
            return Ok(());
        }
        let requirement = slot
            .and_then(|slot| self.authority.requirement_at(slot, None))
            .unwrap_or_else(|| Requirement::Table {
                privilege,
                table: record.table().to_owned().into(),
                depth: None,
            });
        Err(self.record_denial(requirement, None, slot, record))
    }

    /// Whether `privilege` on the record is allowed: the decision of [`check_record`](Self::check_record) without
    /// working out why not (so a `false` costs no more than a `true`).
    pub fn can<R: Record + ?Sized>(&self, privilege: TablePrivilege, record: &R) -> bool {
        self.authority
            .table_slot_index(privilege, record.table())
            .is_some_and(|slot| self.row.rank(slot) >= 1 && self.access(slot, privilege, record))
    }

    /// Whether the privilege of `slot` is allowed on the record, with the slot resolved beforehand
    /// ([`Authority::table_slot`](crate::Authority::table_slot)): the decision of [`check_record`](Self::check_record),
    /// without looking the table up by name and without working out why not. For filtering a list of records, where
    /// most may be denied and no denial is shown:
    ///
    /// ```
    /// use rolegate::{Authority, Organization, RecordData, TablePrivilege};
    ///
    /// let authority = Authority::builtin();
    /// let org = Organization::builder(&authority)
    ///     .business_unit("Root", None)
    ///     .business_unit("B1", Some("Root"))
    ///     .business_unit("B2", Some("Root"))
    ///     .user("ada", "B1", ["Omnichannel administrator"])
    ///     .user("bob", "B1", ["Basic User"])
    ///     .user("cy", "B2", ["Basic User"])
    ///     .build()
    ///     .unwrap();
    /// let ada = org.principal_named("ada").unwrap();
    /// let records: Vec<RecordData> = (0..4)
    ///     .map(|i| {
    ///         let owner = org.user(if i % 2 == 0 { "bob" } else { "cy" }).unwrap();
    ///         RecordData::owned_by_user(&org, i, "activitypointer", owner)
    ///     })
    ///     .collect();
    ///
    /// // Write on activitypointer at Local: the records owned in B1.
    /// let slot = authority.table_slot(TablePrivilege::Write, "activitypointer").unwrap();
    /// let editable: Vec<&RecordData> = records.iter().filter(|r| ada.can_at(slot, r)).collect();
    /// assert_eq!(editable.len(), 2);
    /// assert!(editable.iter().all(|r| ada.check_record(TablePrivilege::Write, r).is_ok()));
    /// ```
    ///
    /// `false` when the slot is another authority's, or another table's than the record's (the record may name its
    /// table by any of its names). For a whole table at once, in memory or as a database query's condition, see
    /// [`access_filter`](Self::access_filter).
    #[inline]
    pub fn can_at<R: Record + ?Sized>(&self, slot: Slot, record: &R) -> bool {
        let Some(index) = self.authority.index_of(slot) else {
            return false;
        };
        self.row.rank(index) >= 1
            && self
                .authority
                .slot_table(index)
                .is_some_and(|(position, table, privilege)| {
                    self.authority
                        .names_table(record.table(), position, &table.name)
                        && self.access(index, privilege, record)
                })
    }

    /// The record check a `#[requires(..., record = <param>)]` call site runs: the site's (privilege, table) slot is
    /// cached per authority, so the check is an index, a compare of the table names, and the access paths: no
    /// allocation, no hashing, no lock. A site's `depth` raises step 1's minimum.
    ///
    /// This is the bare check: the code `#[requires]` generates runs the same check and also writes the audit trail.
    #[doc(hidden)]
    #[inline]
    pub fn check_record_site<R: Record + ?Sized>(
        &self,
        site: &'static CallSite,
        record: &R,
    ) -> Result<(), Denied> {
        self.check_record_site_audited(site, record, false)
    }

    /// [`check_record_site`](Self::check_record_site), emitting the event for an allow when `audit` is true and
    /// allows are audited (on the slow path, as [`check_site`](Self::check_site) does).
    #[inline]
    pub(crate) fn check_record_site_audited<R: Record + ?Sized>(
        &self,
        site: &'static CallSite,
        record: &R,
        audit: bool,
    ) -> Result<(), Denied> {
        if let SiteRequirement::Table {
            privilege, table, ..
        } = site.requirement
        {
            let (index, min_byte) = site.fast_index(self.schema_key);
            if let Some(meets) = self.row.meets(index, min_byte) {
                let slot = index as usize;
                if meets
                    && self.authority.names_table(
                        record.table(),
                        slot / TablePrivilege::COUNT,
                        table,
                    )
                    && self.access(slot, privilege, record)
                {
                    return Ok(());
                }
                return Err(self.record_deny_at(site, Some(slot), record, audit));
            }
        }
        self.check_record_site_slow(site, record, audit)
    }

    /// The first check at a site for an authority, or any check while allows are audited.
    #[cold]
    #[inline(never)]
    fn check_record_site_slow<R: Record + ?Sized>(
        &self,
        site: &'static CallSite,
        record: &R,
        audit: bool,
    ) -> Result<(), Denied> {
        let SiteRequirement::Table {
            privilege, table, ..
        } = site.requirement
        else {
            return Err(audit::denial(&self.id, audit, || {
                let mut d =
                    Denied::unknown(site.requirement(), Some(site)).at_version(self.version);
                d.reason = DenialReason::WrongTable;
                d.record = Some(self.describe(
                    None,
                    record,
                    Some("a record check needs a table privilege".into()),
                ));
                d
            }));
        };
        let slot = site.slot_or(self.schema_key, self.row.len(), || {
            self.authority.table_slot_index(privilege, table)
        });
        if let Some(slot) = slot
            && self.row.rank(slot) >= site.min_rank()
            && self
                .authority
                .names_table(record.table(), slot / TablePrivilege::COUNT, table)
            && self.access(slot, privilege, record)
        {
            if audit {
                let held = Depth::from_rank(self.row.rank(slot));
                audit::allowed(&self.id, self.version, site, Some(record.id()), held);
            }
            return Ok(());
        }
        Err(self.record_deny_at(site, slot, record, audit))
    }

    /// A denial at a site (no lookup by name when the slot is known), written to the audit trail when `audit` is
    /// true and a subscriber listens.
    #[cold]
    #[inline(never)]
    fn record_deny_at<R: Record + ?Sized>(
        &self,
        site: &'static CallSite,
        slot: Option<usize>,
        record: &R,
        audit: bool,
    ) -> Denied {
        audit::denial(&self.id, audit, || {
            self.record_denial(site.requirement(), Some(site), slot, record)
        })
    }

    /// Attaching `child` (a note, say) to `parent` (an opportunity): Append on the child and AppendTo on the parent,
    /// each passing the access check for its own record.
    pub fn check_association<C, P>(&self, child: &C, parent: &P) -> Result<(), Denied>
    where
        C: Record + ?Sized,
        P: Record + ?Sized,
    {
        self.check_record(TablePrivilege::Append, child)?;
        self.check_record(TablePrivilege::AppendTo, parent)
    }

    /// A many-to-many association: Append on both records.
    pub fn check_many_to_many<A, B>(&self, a: &A, b: &B) -> Result<(), Denied>
    where
        A: Record + ?Sized,
        B: Record + ?Sized,
    {
        self.check_record(TablePrivilege::Append, a)?;
        self.check_record(TablePrivilege::Append, b)
    }

    /// Assigning `record` to `new_owner` (a user or an owner team): this principal needs Assign on the record, and the
    /// new owner needs Read on the record's table, at any depth, through any of its roles (once it owns the record,
    /// ownership reaches it). The first that fails is the denial; a new owner lacking Read is denied with
    /// [`DenialReason::NewOwnerCannotRead`], a new owner that is not a user or owner team of the principal's
    /// organisation with [`DenialReason::UnknownRecordParty`].
    ///
    /// ```
    /// use rolegate::catalog::Syntax;
    /// use rolegate::record::Owner;
    /// use rolegate::{Authority, Catalog, Organization, RecordData};
    ///
    /// let catalog = Catalog::from_str_named(
    ///     r#"
    ///     [[table]]
    ///     name = "account"
    ///     ownership = "user-or-team"
    ///     [[role]]
    ///     name = "Manager"
    ///     grants = { account = { Read = "Local", Assign = "Local" } }
    ///     [[role]]
    ///     name = "Reader"
    ///     grants = { account = { Read = "Basic" } }
    ///     "#,
    ///     "catalog.toml",
    ///     Syntax::Toml,
    /// )
    /// .unwrap();
    /// let authority = Authority::new(catalog);
    /// let org = Organization::builder(&authority)
    ///     .business_unit("Root", None)
    ///     .user("ada", "Root", ["Manager"])
    ///     .user("bob", "Root", ["Reader"])
    ///     .user_without_roles("cy", "Root")
    ///     .build()
    ///     .unwrap();
    /// let ada = org.principal_named("ada").unwrap();
    /// let record = RecordData::owned_by_user(&org, 1, "account", org.user("ada").unwrap());
    /// assert!(ada.check_assign(&record, Owner::User(org.user("bob").unwrap())).is_ok());
    /// // cy holds no Read on account: the record cannot become cy's.
    /// assert!(ada.check_assign(&record, Owner::User(org.user("cy").unwrap())).is_err());
    /// ```
    pub fn check_assign<R: Record + ?Sized>(
        &self,
        record: &R,
        new_owner: Owner,
    ) -> Result<(), Denied> {
        self.check_record(TablePrivilege::Assign, record)?;
        let Some(slot) = self
            .authority
            .table_slot_index(TablePrivilege::Read, record.table())
        else {
            let read = Requirement::Table {
                privilege: TablePrivilege::Read,
                table: record.table().to_owned().into(),
                depth: None,
            };
            return Err(self.record_denial(read, None, None, record));
        };
        let requirement = self
            .authority
            .requirement_at(slot, None)
            .unwrap_or_else(|| Requirement::Table {
                privilege: TablePrivilege::Read,
                table: record.table().to_owned().into(),
                depth: None,
            });
        let deny = |reason, note: String| Denied {
            requirement: requirement.clone(),
            held: None,
            through: None,
            reason,
            site: None,
            record: Some(self.describe(None, record, Some(note))),
            column: None,
            any_of: None,
            version: self.version,
        };
        let Some(scope) = &self.scope else {
            return Err(deny(
                DenialReason::NoOrganization,
                "the principal carries no organisation to find the new owner in".to_owned(),
            ));
        };
        let (org, table) = (&scope.org, record.table());
        let reads = |r: u32| self.authority.role_rank(r, slot) >= 1;
        let (name, holds) = match new_owner {
            Owner::User(u) => match org.user_ref(u) {
                Some(user) => {
                    let teams = user
                        .owner_teams
                        .iter()
                        .flat_map(|&t| org.inner.teams[t as usize].roles.iter().map(|&(r, _)| r));
                    (
                        user.name.as_str(),
                        user.roles.iter().map(|&(r, _)| r).chain(teams).any(reads),
                    )
                }
                None => ("", false),
            },
            Owner::Team(t) => match org.team_ref(t) {
                Some(team) if team.kind.owns_records() => (
                    team.name.as_str(),
                    team.roles.iter().map(|&(r, _)| r).any(reads),
                ),
                _ => ("", false),
            },
            Owner::Organization | Owner::BusinessUnit => ("", false),
        };
        if name.is_empty() {
            return Err(deny(
                DenialReason::UnknownRecordParty,
                "the new owner is not a user or owner team of the principal's organisation"
                    .to_owned(),
            ));
        }
        if holds {
            Ok(())
        } else {
            Err(deny(
                DenialReason::NewOwnerCannotRead,
                format!("the new owner `{name}` holds Read on `{table}` through no role"),
            ))
        }
    }

    /// Sharing `record` for `rights`: this principal needs Share on the record, and each right it grants on the
    /// record itself (a principal shares no more than it holds). The first that fails is the denial. Whom the
    /// record is shared with is not checked: a share never grants more than the grantee's own privileges allow.
    pub fn check_share<R: Record + ?Sized>(
        &self,
        record: &R,
        rights: impl IntoIterator<Item = TablePrivilege>,
    ) -> Result<(), Denied> {
        self.check_record(TablePrivilege::Share, record)?;
        let rights: rolegate_catalog::PrivilegeSet = rights.into_iter().collect();
        rights
            .iter()
            .try_for_each(|right| self.check_record(right, record))
    }

    /// The record part of a denial. `table` is the requirement's table when it is `'static` (a call site's), so that
    /// a record spelling its table the same way borrows it.
    fn describe<R: Record + ?Sized>(
        &self,
        table: Option<&'static str>,
        record: &R,
        note: Option<String>,
    ) -> Box<RecordDenial> {
        let table = match table {
            Some(table) if table == record.table() => Cow::Borrowed(table),
            _ => Cow::Owned(record.table().to_owned()),
        };
        Box::new(RecordDenial {
            id: record.id(),
            table,
            hierarchy: false,
            note,
            names: self.scope.as_ref().map(|scope| RecordNames {
                org: scope.org.clone(),
                user: scope.user,
                owning_business_unit: record.owning_business_unit(),
                groups: scope.group_teams.clone(),
                paths: None,
            }),
        })
    }

    /// The denial for a record check that failed: what was held (step 1), and why no access path reached the record.
    fn record_denial<R: Record + ?Sized>(
        &self,
        requirement: Requirement,
        site: Option<&'static CallSite>,
        known_slot: Option<usize>,
        record: &R,
    ) -> Denied {
        let Requirement::Table {
            privilege,
            ref table,
            depth,
        } = requirement
        else {
            return Denied::unknown(requirement, site).at_version(self.version);
        };
        let slot = known_slot.or_else(|| self.authority.table_slot_index(privilege, table));
        let (held, through) = slot.map_or((None, None), |slot| self.held_through(slot));
        let static_table = match table {
            Cow::Borrowed(table) => Some(*table),
            Cow::Owned(_) => None,
        };
        let (reason, described) =
            self.record_why(privilege, table, static_table, depth, slot, record);
        Denied {
            requirement,
            held,
            through,
            reason,
            site,
            record: Some(described),
            column: None,
            any_of: None,
            version: self.version,
        }
    }

    /// Works out which step and which paths of a failed record check failed: the reason and the record part.
    #[cold]
    #[inline(never)]
    fn record_why<R: Record + ?Sized>(
        &self,
        privilege: TablePrivilege,
        table: &str,
        static_table: Option<&'static str>,
        depth: Option<Depth>,
        slot: Option<usize>,
        record: &R,
    ) -> (DenialReason, Box<RecordDenial>) {
        let describe = |note| self.describe(static_table, record, note);
        let Some(slot) = slot else {
            return (
                DenialReason::Unknown,
                describe(Some(format!(
                    "table `{table}` (or its {privilege} privilege) is not in the runtime catalog"
                ))),
            );
        };
        if !self
            .authority
            .names_table(record.table(), slot / TablePrivilege::COUNT, table)
        {
            return (
                DenialReason::WrongTable,
                describe(Some(format!("the record is of table `{}`", record.table()))),
            );
        }
        let rank = self.row.rank(slot);
        if rank < depth.map_or(1, Depth::rank) {
            let reason = if rank == 0 {
                DenialReason::NotHeld
            } else {
                DenialReason::TooShallow
            };
            return (reason, describe(None));
        }
        let Some(scope) = &self.scope else {
            return (
                DenialReason::NoOrganization,
                describe(Some(format!(
                    "the principal carries no organisation (build it with Organization::principal), and `{table}` is \
                     not organization-owned"
                ))),
            );
        };
        let business_owned = scope.reach(slot).is_some_and(|r| r.business_owned);
        if access::valid_parties(&scope.org, record, business_owned).is_none() {
            let note = match (record.owner(), record.owning_business_unit()) {
                (_, None) => "the record has no owning business unit".to_owned(),
                (_, Some(bu)) if scope.org.bu_ref(bu).is_none() => {
                    "the record's owning business unit is not in the principal's organisation"
                        .to_owned()
                }
                (Owner::BusinessUnit, _) if business_owned => {
                    "the record's owning business unit is not in the principal's organisation"
                        .to_owned()
                }
                (_, _) if business_owned => format!(
                    "`{table}` is business-owned: its records are owned by their business unit, not by a user or a team"
                ),
                (Owner::BusinessUnit, _) => format!(
                    "the record is owned by its business unit, but `{table}` is not business-owned"
                ),
                (Owner::Organization, _) => {
                    format!("the record has no owner, but `{table}` is not organization-owned")
                }
                (Owner::Team(t), _) if scope.org.team_ref(t).is_some() => {
                    format!(
                        "the record is owned by access team `{}`",
                        scope.org.team_name(t).unwrap_or("?")
                    )
                }
                _ => "the record's owner is not in the principal's organisation".to_owned(),
            };
            return (DenialReason::UnknownRecordParty, describe(Some(note)));
        }
        // What the denial cannot look up when it is read (the record is gone by then), kept in a few bytes: the
        // access teams' rights and every name are looked up then.
        let owned = match record.owner() {
            Owner::User(u) => u.org == scope.stamp && u.index == scope.user,
            Owner::Team(t) => {
                t.org == scope.stamp && scope.owner_teams.binary_search(&t.index).is_ok()
            }
            Owner::Organization | Owner::BusinessUnit => false,
        };
        let mut described = describe(None);
        described.hierarchy = !scope.reports.is_empty();
        if let Some(names) = &mut described.names {
            names.paths = u32::try_from(slot).ok().map(|slot| Paths {
                slot,
                shares: scope.shared_rights(record.shares()),
                owned,
            });
        }
        (DenialReason::NoAccess, described)
    }

    /// Step 2 for a slot whose step 1 passed: does any access path reach the record? Without an organisation, only
    /// records of organization-owned tables are reached.
    #[inline]
    fn access(
        &self,
        slot: usize,
        privilege: TablePrivilege,
        record: &(impl Record + ?Sized),
    ) -> bool {
        match &self.scope {
            Some(scope) => scope.access(slot, privilege, record, &self.row),
            None => self
                .authority
                .slot_table(slot)
                .is_some_and(|(_, t, _)| t.ownership == Ownership::Organization),
        }
    }
}
