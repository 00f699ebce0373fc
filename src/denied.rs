//! Denials: what was missing, what was held, and why.

use std::fmt;

use std::borrow::Cow;
use std::num::NonZeroU64;

use rolegate_catalog::{ColumnRight, Depth, Requirement, TablePrivilege, list_privileges};

use crate::compiled::site::CallSite;
use crate::org::Inheritance;
use crate::record::RecordDenial;

/// What a column check was missing: the right on a secured column that no field security profile of the principal
/// grants (the table privilege itself was held).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDenial {
    /// The secured column's logical name.
    pub column: Cow<'static, str>,
    /// The right required on it.
    pub right: ColumnRight,
}

/// Why a check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DenialReason {
    /// The principal holds the privilege (or capability) through no role.
    NotHeld,
    /// The principal holds the privilege, but below the depth required.
    TooShallow,
    /// The runtime catalog does not know the table, privilege or capability: denied by default.
    Unknown,
    /// Record checks: the privilege is held (step 1), but no access path reaches the record (step 2): not the owner,
    /// the owning business unit outside the depth's reach, not shared, not a report's record.
    NoAccess,
    /// Record checks: the record is of another table than the requirement's.
    WrongTable,
    /// Record checks: the principal carries no organisation (built by `Authority::principal`), so only records of
    /// organization-owned tables can be decided.
    NoOrganization,
    /// Record checks: the record's owner or owning business unit is not the principal's organisation's (or an access
    /// team owns it): denied by default.
    UnknownRecordParty,
    /// Assigning a record: the new owner holds no Read on the record's table, through any role.
    NewOwnerCannotRead,
    /// Column checks: the table privilege is held, but no field security profile of the principal grants the right
    /// on the secured column (see [`Denied::column`]).
    NoColumnGrant,
}

impl DenialReason {
    /// Every reason, in the order declared.
    pub const ALL: [Self; 9] = [
        Self::NotHeld,
        Self::TooShallow,
        Self::Unknown,
        Self::NoAccess,
        Self::WrongTable,
        Self::NoOrganization,
        Self::UnknownRecordParty,
        Self::NewOwnerCannotRead,
        Self::NoColumnGrant,
    ];

    /// The reason spelled `name` (as [`name`](Self::name) spells it).
    ///
    /// ```
    /// use rolegate::DenialReason;
    /// assert_eq!(DenialReason::from_name("too-shallow"), Some(DenialReason::TooShallow));
    /// assert!(DenialReason::ALL.iter().all(|r| DenialReason::from_name(r.name()) == Some(*r)));
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == name)
    }

    /// The reason's one spelling, in kebab case (`not-held`, `too-shallow`, `no-access`): in the audit trail, the
    /// CLI's JSON and HTTP problem bodies alike.
    pub const fn name(self) -> &'static str {
        match self {
            Self::NotHeld => "not-held",
            Self::TooShallow => "too-shallow",
            Self::Unknown => "unknown",
            Self::NoAccess => "no-access",
            Self::WrongTable => "wrong-table",
            Self::NoOrganization => "no-organization",
            Self::UnknownRecordParty => "unknown-record-party",
            Self::NewOwnerCannotRead => "new-owner-cannot-read",
            Self::NoColumnGrant => "no-column-grant",
        }
    }
}

/// A check failed. Displays like
/// `missing Write on msdyn_liveworkstream at Global; best held: Local through role "Omnichannel supervisor"`,
/// and offers the parts as fields.
///
/// A denial says *what* was missing, not *who* was denied: the caller has the principal at hand, and the audit
/// trail ([`audit`](crate::audit)) records its id with every denial. That keeps a denial at a `#[requires]` call
/// site free of allocation and of reference counting: its requirement borrows the site's `'static` names, and the
/// role is named through the process-wide copy of role names.
///
/// # In an axum handler
///
/// With rolegate's `axum` feature, `Denied` is an axum response: `403 Forbidden` with a problem+json body (see
/// `rolegate::axum`). Without the feature it is not, so a handler returning `Result<_, Denied>` is no axum `Handler`,
/// and axum can say only that much, at the route rather than at the handler:
///
/// ```text
/// error[E0277]: the trait bound `fn(Extension<Arc<Principal>>) -> impl Future<...> {list_queues}: Handler<_, _>` is not satisfied
/// ```
///
/// Turn the feature on: `rolegate = { version = "0.1", features = ["axum"] }`. (`#[axum::debug_handler]` on the
/// handler names `Denied` as the type that is no response.) When the handler's principal is an axum extractor
/// (`Extension<Arc<Principal>>`, `Extension<Principal>`) or it returns `-> impl IntoResponse`, `#[requires]` also says
/// itself that it needs the feature.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Denied {
    /// What was required.
    pub requirement: Requirement,
    /// The best depth held (for switches, `Global` when held), if any.
    pub held: Option<Depth>,
    /// The role that gives the best depth held: when several of the principal's roles give it, the first of them in
    /// catalog order (whatever order the principal's roles were given in). Role names are kept once per distinct
    /// name for the life of the process, so this is a plain `&'static str`.
    pub through: Option<&'static str>,
    /// Why.
    pub reason: DenialReason,
    /// The `#[requires]` call site, when the check came from one.
    pub site: Option<&'static CallSite>,
    /// For a check on a record: which record, and why its access paths failed.
    pub record: Option<Box<RecordDenial>>,
    /// For a check on a secured column: the column and the right it lacked.
    pub column: Option<ColumnDenial>,
    /// The consistency token (see [`version`](Self::version)); kept in 8 bytes, so that a denial stays as small as it
    /// was.
    pub(crate) version: Option<NonZeroU64>,
    /// For a `#[requires(any(...))]`: the denial of every alternative (see [`alternatives`](Self::alternatives)).
    /// Boxed: one pointer in every denial.
    pub(crate) any_of: Option<Box<AnyOfDenials>>,
}

/// The denials of the alternatives of a `#[requires(any(...))]`, in the order written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AnyOfDenials(Vec<Denied>);

impl Denied {
    pub(crate) fn unknown(requirement: Requirement, site: Option<&'static CallSite>) -> Self {
        Self {
            requirement,
            held: None,
            through: None,
            reason: DenialReason::Unknown,
            site,
            record: None,
            column: None,
            any_of: None,
            version: None,
        }
    }

    /// The same denial, stamped with the version of the principal's snapshot.
    pub(crate) fn at_version(mut self, version: Option<NonZeroU64>) -> Self {
        self.version = version;
        self
    }

    /// The consistency token: the version of the snapshot whose principal was denied
    /// ([`Principal::version`](crate::Principal::version)); `None` for a principal built outside a snapshot.
    pub fn version(&self) -> Option<u64> {
        self.version.map(NonZeroU64::get)
    }

    /// The denial of a `#[requires(any(...))]`, from the denial of each alternative (two or more, in the order
    /// written): the first's fields, and all of them as [`alternatives`](Self::alternatives).
    pub(crate) fn any_of(alternatives: Vec<Denied>) -> Self {
        let mut first = alternatives[0].clone();
        first.any_of = Some(Box::new(AnyOfDenials(alternatives)));
        first
    }

    /// For a denial at a `#[requires(any(...))]`, the denial of every alternative, in the order written, each with
    /// what was held for it (this denial's own fields are the first's); empty for any other denial.
    ///
    /// ```
    /// use rolegate::{requires, Authority, DenialReason, Denied, Principal};
    ///
    /// #[requires(any((privilege = "Write", table = "queue", depth = "Global"), (capability = "view-quick-replies")))]
    /// fn staff_queue(user: &Principal) -> Result<(), Denied> { Ok(()) }
    ///
    /// let manager = Authority::builtin().principal("cm", ["CSR Manager"]).unwrap();
    /// let denied = staff_queue(&manager).unwrap_err();
    /// let reasons: Vec<DenialReason> = denied.alternatives().iter().map(|d| d.reason).collect();
    /// assert_eq!(reasons, [DenialReason::TooShallow, DenialReason::NotHeld]);
    /// ```
    pub fn alternatives(&self) -> &[Denied] {
        self.any_of.as_deref().map_or(&[], |a| &a.0)
    }

    /// The table privilege required (`None` for a miscellaneous privilege or a capability).
    pub fn privilege(&self) -> Option<TablePrivilege> {
        match &self.requirement {
            Requirement::Table { privilege, .. } => Some(*privilege),
            _ => None,
        }
    }

    /// The table of the privilege required, by its logical name (`None` for a miscellaneous privilege or a
    /// capability).
    pub fn table(&self) -> Option<&str> {
        match &self.requirement {
            Requirement::Table { table, .. } => Some(table),
            _ => None,
        }
    }

    /// The owner team through which the principal holds the role named in [`through`](Self::through), for a record
    /// check (`None` when the principal holds the role itself, or the check had no record).
    pub fn through_team(&self) -> Option<&str> {
        let role = self.through?;
        self.record
            .as_ref()?
            .team_of_role(role)
            .map(|(team, _)| team)
    }

    /// The required depth, for a table privilege that names one.
    pub fn required_depth(&self) -> Option<Depth> {
        match &self.requirement {
            Requirement::Table { depth, .. } => *depth,
            _ => None,
        }
    }
}

impl std::error::Error for Denied {}

impl PartialEq for Denied {
    fn eq(&self, other: &Self) -> bool {
        let same_site = match (self.site, other.site) {
            (Some(a), Some(b)) => std::ptr::eq(a, b),
            (None, None) => true,
            _ => false,
        };
        self.requirement == other.requirement
            && self.held == other.held
            && self.through == other.through
            && self.reason == other.reason
            && same_site
            && self.record == other.record
            && self.column == other.column
            && self.any_of == other.any_of
            && self.version == other.version
    }
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(c), Requirement::Table { table, .. }) = (&self.column, &self.requirement) {
            return if self.reason == DenialReason::Unknown {
                write!(
                    f,
                    "missing {} on column {table}.{}; the runtime catalog does not secure that column, so it is denied",
                    c.right, c.column
                )
            } else {
                write!(
                    f,
                    "missing {} on secured column {table}.{}; no field security profile of the principal grants it",
                    c.right, c.column
                )
            };
        }
        if let Some(record) = &self.record {
            return fmt_record_denial(self, record, f);
        }
        if let Some(AnyOfDenials(alternatives)) = self.any_of.as_deref() {
            f.write_str("missing any of: ")?;
            for (i, d) in alternatives.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{} (", d.requirement)?;
                fmt_held(d, f)?;
                f.write_str(")")?;
            }
            return Ok(());
        }
        if self.reason == DenialReason::Unknown {
            let what = match &self.requirement {
                Requirement::Table { table, .. } => format!("table `{table}` (or its privilege)"),
                Requirement::Misc { name } => format!("miscellaneous privilege `{name}`"),
                Requirement::Capability { id } => format!("capability `{id}`"),
            };
            return write!(
                f,
                "missing {}; {what} is not in the runtime catalog, so it is denied",
                self.requirement
            );
        }
        write!(f, "missing {}; ", self.requirement)?;
        fmt_held(self, f)
    }
}

/// What was held towards a requirement: `best held: Local through role "R"`, or `held through no role`, or (unknown
/// to the runtime catalog) `not in the runtime catalog`.
fn fmt_held(d: &Denied, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match (&d.requirement, d.held, &d.through) {
        _ if d.reason == DenialReason::Unknown => f.write_str("not in the runtime catalog"),
        (Requirement::Table { .. }, Some(held), Some(role)) => {
            write!(f, "best held: {held} through role \"{role}\"")
        }
        (Requirement::Table { .. }, Some(held), None) => write!(f, "best held: {held}"),
        _ => f.write_str("held through no role"),
    }
}

fn fmt_record_denial(d: &Denied, r: &RecordDenial, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "missing {} for record {}", d.requirement, r.id)?;
    let note = r.note.as_deref().unwrap_or("");
    match d.reason {
        DenialReason::Unknown => write!(f, "; {note}, so it is denied"),
        DenialReason::WrongTable | DenialReason::NoOrganization => write!(f, ": {note}"),
        DenialReason::UnknownRecordParty => write!(f, ": {note}, so it is denied"),
        DenialReason::NewOwnerCannotRead => {
            write!(f, ": {note}, so the record cannot be assigned to it")
        }
        DenialReason::NoColumnGrant => {
            f.write_str(": no field security profile of the principal grants the column")
        }
        DenialReason::NotHeld => f.write_str(": held through no role"),
        DenialReason::TooShallow => match (d.held, &d.through) {
            (Some(held), Some(role)) => {
                write!(f, ": best held {held} through role \"{role}\"")?;
                fmt_team(r, role, f)
            }
            (Some(held), None) => write!(f, ": best held {held}"),
            _ => f.write_str(": held through no role"),
        },
        DenialReason::NoAccess => {
            f.write_str(": held")?;
            if let Some(held) = d.held {
                write!(f, " {held}")?;
            }
            let team = d.through.and_then(|role| r.team_of_role(role));
            if let Some(role) = &d.through {
                write!(f, " through role \"{role}\"")?;
                fmt_team(r, role, f)?;
            }
            // What the role reaches through its team: the team's records alone, for Basic under "team privileges
            // only" and for Create in either mode.
            let creates = d.privilege() == Some(TablePrivilege::Create);
            let team_only = team.filter(|(_, mode)| {
                creates || (*mode == Inheritance::TeamOnly && d.held == Some(Depth::Basic))
            });
            let reach = r.reach();
            if let Some((team, _)) = team_only {
                let verb = if creates { "creates" } else { "reaches" };
                write!(f, ", which {verb} only records team \"{team}\" owns")?;
            } else if reach.is_empty() {
                f.write_str(", which reaches only records the principal or its teams own")?;
            } else {
                let unit = r.owning_business_unit().unwrap_or("?");
                write!(
                    f,
                    ", but the record's owning business unit {unit} is outside {}",
                    reach.join(", ")
                )?;
            }
            let mut paths = Vec::new();
            if !r.owned() {
                paths.push("not owner".to_owned());
            }
            let shared = r.shared();
            if shared.is_empty() {
                paths.push("not shared".to_owned());
            } else {
                paths.push(format!("shared for {} only", list_privileges(shared)));
            }
            if r.hierarchy {
                paths.push("not a report's record".to_owned());
            }
            write!(f, "; {}", paths.join(", "))
        }
    }
}

/// ` of team "T"` when the principal holds `role` through owner team T.
fn fmt_team(r: &RecordDenial, role: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match r.team_of_role(role) {
        Some((team, _)) => write!(f, " of team \"{team}\""),
        None => Ok(()),
    }
}

/// A role name that the authority's catalog does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{name}`{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
pub struct UnknownRole {
    /// The name given.
    pub name: String,
    /// The closest known role.
    pub suggestion: Option<String>,
}
