//! `rolegate test`: policy tests. A TOML file of expected decisions (who, what, allow or deny, and why), each decided
//! as `check` decides it; the report says which failed (expected against got) and what the cases covered.
//!
//! ```toml
//! org = "org.toml"                 # for cases that name a user; relative to this file (--org overrides it)
//!
//! [[case]]
//! name = "agents cannot edit workstreams"
//! roles = ["Omnichannel agent"]    # or user = "alan"
//! privilege = "Write"              # with table (and depth); or a prv... privilege; or capability = "..."
//! table = "msdyn_liveworkstream"
//! expect = "deny"                  # or "allow"
//! reason = "not-held"              # optional: the denial's reason, as the audit trail spells it
//!
//! [[case]]
//! name = "alan edits his own conversations, not sam's"
//! user = "alan"
//! privilege = "Write"
//! table = "msdyn_ocliveworkitem"
//! record = { owner = "sam", shared = [{ with = "team:Escalations", rights = ["Read"] }] }
//! expect = "deny"
//! ```

use std::collections::{BTreeSet, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use rolegate::org::{Organization, UserId};
use rolegate::record::{Grantee, Owner};
use rolegate::{Authority, DenialReason, Principal, RecordData};
use rolegate_catalog::{
    Catalog, Diagnostic, Field, LineIndex, LoadError, Problem, Requirement, Syntax, TablePrivilege,
    did_you_mean,
};
use serde::Deserialize;
use serde_json::{Value, json};
use toml::Spanned;

use crate::commands::people;
use crate::commands::query::{self, Verdict};
use crate::error::CliError;
use crate::render::{Escaped, Paint, Report, Styled};
use crate::source::{self, CatalogChoice};

/// A policy test file, as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    /// The organisation file for cases that name a user, relative to this file.
    org: Option<Spanned<String>>,
    /// The cases.
    #[serde(default, rename = "case")]
    cases: Vec<CaseEntry>,
}

/// One `[[case]]`, as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseEntry {
    name: Spanned<String>,
    roles: Option<Spanned<Vec<Spanned<String>>>>,
    user: Option<Spanned<String>>,
    privilege: Option<Spanned<String>>,
    table: Option<Spanned<String>>,
    depth: Option<Spanned<String>>,
    capability: Option<Spanned<String>>,
    record: Option<Spanned<RecordEntry>>,
    expect: Spanned<String>,
    reason: Option<Spanned<String>>,
}

/// A case's `record = { ... }`: the requirement's table, owned and shared as it says.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordEntry {
    /// A user, or `team:NAME`; none for a record of an organization-owned table, or of a business-owned one (then
    /// with `owning_business_unit`).
    owner: Option<Spanned<String>>,
    /// The owning business unit: the owner's unit when not given.
    owning_business_unit: Option<Spanned<String>>,
    /// Shares: with a user, `team:NAME` or `organization`, for these rights.
    #[serde(default)]
    shared: Vec<ShareEntry>,
}

/// One share of a case's record.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShareEntry {
    with: Spanned<String>,
    rights: Vec<Spanned<String>>,
}

/// A `--sites` file: an access report as JSON (`AccessReport::to_json`), of which only the sites are read.
#[derive(Deserialize)]
struct SitesFile {
    sites: Vec<SiteEntry>,
}

/// One call site of an access report.
#[derive(Deserialize)]
struct SiteEntry {
    module: String,
    function: String,
    requirement: String,
    /// Each alternative, as displayed; absent in reports written before `any(...)`: the requirement alone.
    #[serde(default)]
    alternatives: Vec<String>,
    #[serde(default)]
    roles: Vec<String>,
}

/// Who a case is about.
enum Who {
    /// A principal holding these roles (the catalog's spellings).
    Roles(Vec<String>),
    /// A user of the organisation.
    User(UserId),
}

/// A case, resolved against the catalog and the organisation.
struct Case {
    name: String,
    line: usize,
    column: usize,
    who: Who,
    requirement: Requirement,
    record: Option<RecordData>,
    expect_allow: bool,
    reason: Option<DenialReason>,
}

/// A case decided.
struct Outcome<'a> {
    case: &'a Case,
    verdict: Verdict,
    passed: bool,
}

/// What `rolegate test` needs besides the file.
pub struct Options<'a> {
    /// The catalog the cases are decided against, and where it was named.
    pub catalog: &'a CatalogChoice,
    /// `--org FILE`, which stands in for the file's `org`.
    pub org: Option<&'a Path>,
    /// `--sites FILE`: an access report (JSON) whose call sites the coverage counts.
    pub sites: Option<&'a Path>,
    /// `--format json`.
    pub json: bool,
}

/// `rolegate test FILE`: exit 0 when every case passes, 1 when one fails, 2 for bad input (every mistake of the file
/// reported, each with its line and column).
pub fn run(path: &Path, options: &Options<'_>) -> Result<Report, CliError> {
    let origin = path.display().to_string();
    let bytes = Catalog::read_input(path)?;
    let text = source::decode(&bytes, &origin).map_err(|d| LoadError::Invalid(vec![d]))?;
    let file: PolicyFile = rolegate_catalog::parse_syntax(text, &origin, Syntax::Toml)?;
    let lines = LineIndex::new(text.strip_prefix('\u{feff}').unwrap_or(text));
    let mut problems = Problems {
        origin: &origin,
        lines: &lines,
        found: Vec::new(),
    };
    let given = options.org.map(people::OrgSource::of);
    let (catalog, org, org_label) = if let Some(people::OrgSource::Database(_)) = given {
        // The role store holds the catalog and the organisation both.
        let people = people::People::load(
            options.org,
            || options.catalog.load(),
            matches!(options.catalog, CatalogChoice::Given(_)),
        )?;
        (people.catalog, people.org, people.origin)
    } else {
        let catalog = options.catalog.load()?;
        let org_path = match (options.org, &file.org) {
            (Some(given), _) => Some(given.to_path_buf()),
            (None, Some(named)) => {
                Some(path.parent().unwrap_or(Path::new("")).join(named.get_ref()))
            }
            (None, None) => None,
        };
        let org = match (org_path.as_deref(), options.org, &file.org) {
            (None, ..) => None,
            (Some(p), None, Some(named)) => match people::organization(&catalog, p) {
                Ok(org) => Some(org),
                // A file that cannot be read is the policy file's mistake: pointed at where it names it.
                Err(CliError::Load(e)) if e.diagnostics().is_empty() => {
                    problems.on(named, e.to_string(), None);
                    return Err(LoadError::Invalid(problems.found).into());
                }
                Err(e) => return Err(e),
            },
            (Some(p), ..) => Some(people::organization(&catalog, p)?),
        };
        (catalog, org, org_path.map(|p| p.display().to_string()))
    };
    let catalog_label = match given {
        Some(people::OrgSource::Database(_)) => "the role store's".to_owned(),
        _ => options.catalog.to_string(),
    };
    let authority = Authority::new(catalog.as_ref().clone());
    let cases = resolve_cases(&file, &catalog, org.as_ref(), &mut problems);
    let sites = options.sites.map(read_sites).transpose()?;
    if !problems.found.is_empty() {
        return Err(LoadError::Invalid(problems.found).into());
    }
    let outcomes: Vec<Outcome<'_>> = cases
        .iter()
        .map(|case| decide(case, &authority, org.as_ref()))
        .collect();
    let coverage = Coverage::of(&cases, &catalog, org.as_ref(), sites.as_deref());
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    let code = u8::from(failed > 0);
    let header = Header {
        file: &origin,
        catalog: &catalog_label,
        org: org_label.as_deref(),
    };
    if options.json {
        return Ok(Report::json(&json_report(&header, &outcomes, &coverage)).with_code(code));
    }
    Ok(Report::styled(
        text_report(&header, &outcomes, &coverage),
        code,
    ))
}

/// The mistakes found in a policy file, each at its line and column.
struct Problems<'a> {
    origin: &'a str,
    lines: &'a LineIndex<'a>,
    found: Vec<Diagnostic>,
}

impl Problems<'_> {
    /// A mistake at byte `offset`.
    fn at(&mut self, offset: usize, message: impl Into<String>, help: Option<String>) {
        let (line, column) = self.lines.line_column(offset);
        self.found.push(Diagnostic {
            origin: self.origin.to_owned(),
            line,
            column,
            message: message.into(),
            help,
        });
    }

    /// A mistake in the value `spanned`.
    fn on<T>(&mut self, spanned: &Spanned<T>, message: impl Into<String>, help: Option<String>) {
        self.at(spanned.span().start, message, help);
    }
}

/// Every case resolved; each mistake is pushed to `problems`, and a case with one is left out.
fn resolve_cases(
    file: &PolicyFile,
    catalog: &Catalog,
    org: Option<&Organization>,
    problems: &mut Problems<'_>,
) -> Vec<Case> {
    if file.cases.is_empty() {
        problems.at(
            0,
            "no cases: a policy test file lists `[[case]]` tables",
            Some("see `rolegate test --help` for the format".to_owned()),
        );
    }
    let mut names = HashSet::new();
    let mut cases = Vec::new();
    for entry in &file.cases {
        let name = entry.name.get_ref();
        if !names.insert(name.as_str()) {
            problems.on(
                &entry.name,
                format!("a second case named `{}`", Escaped(name)),
                Some("give each case its own name".to_owned()),
            );
        }
        let before = problems.found.len();
        let who = resolve_who(entry, catalog, org, problems);
        let requirement = resolve_requirement(entry, catalog, problems);
        let record = match (&entry.record, &requirement, &who) {
            (Some(record), Some(Requirement::Table { table, .. }), Some(Who::User(_))) => {
                // `who` is a user only with an organisation.
                org.and_then(|org| resolve_record(record.get_ref(), table, org, problems))
            }
            (Some(record), Some(requirement), Some(Who::User(_))) => {
                problems.on(
                    record,
                    format!(
                        "{requirement} is not a table privilege, so it is not checked on a record"
                    ),
                    Some("leave out `record`, or require a table privilege".to_owned()),
                );
                None
            }
            (Some(record), _, Some(Who::Roles(_))) => {
                problems.on(
                    record,
                    "a record case names a `user` of the organisation: roles alone belong to no business unit, \
                     team or share",
                    Some("write `user = \"...\"` instead of `roles`".to_owned()),
                );
                None
            }
            _ => None,
        };
        let expect_allow = match entry.expect.get_ref().as_str() {
            "allow" => Some(true),
            "deny" => Some(false),
            other => {
                problems.on(
                    &entry.expect,
                    format!(
                        "`expect = \"{}\"`: a case expects \"allow\" or \"deny\"",
                        Escaped(other)
                    ),
                    did_you_mean(other, ["allow", "deny"]),
                );
                None
            }
        };
        let reason = entry
            .reason
            .as_ref()
            .and_then(|r| resolve_reason(r, expect_allow, problems));
        if problems.found.len() > before {
            continue;
        }
        if let (Some(who), Some(requirement), Some(expect_allow)) = (who, requirement, expect_allow)
        {
            let (line, column) = problems.lines.line_column(entry.name.span().start);
            cases.push(Case {
                name: name.clone(),
                line,
                column,
                who,
                requirement,
                record,
                expect_allow,
                reason,
            });
        }
    }
    cases
}

/// `roles = [...]` or `user = "..."`.
fn resolve_who(
    entry: &CaseEntry,
    catalog: &Catalog,
    org: Option<&Organization>,
    problems: &mut Problems<'_>,
) -> Option<Who> {
    match (&entry.roles, &entry.user) {
        (Some(_), Some(user)) => {
            problems.on(user, "a case names `roles` or a `user`, not both", None);
            None
        }
        (None, None) => {
            problems.on(
                &entry.name,
                "the case names no one: give `roles = [\"...\"]` or `user = \"...\"`",
                None,
            );
            None
        }
        (Some(roles), None) => {
            let mut names = Vec::new();
            for role in roles.get_ref() {
                match catalog.role(role.get_ref()) {
                    Some(r) => names.push(r.name.clone()),
                    None => problems.on(
                        role,
                        format!("unknown role `{}`", Escaped(role.get_ref())),
                        did_you_mean(
                            role.get_ref(),
                            catalog.roles().iter().map(|r| r.name.as_str()),
                        ),
                    ),
                }
            }
            (names.len() == roles.get_ref().len()).then_some(Who::Roles(names))
        }
        (None, Some(user)) => {
            let Some(org) = org else {
                problems.on(
                    user,
                    "a case that names a user needs an organisation",
                    Some(
                        "add `org = \"org.toml\"` at the top of the file, or give --org FILE"
                            .to_owned(),
                    ),
                );
                return None;
            };
            match org.user(user.get_ref()) {
                Some(id) => Some(Who::User(id)),
                None => {
                    let known = org.users().filter_map(|u| org.user_name(u));
                    problems.on(
                        user,
                        format!("unknown user `{}`", Escaped(user.get_ref())),
                        did_you_mean(user.get_ref(), known),
                    );
                    None
                }
            }
        }
    }
}

/// The case's requirement: `privilege` (with `table` and `depth`) or `capability`, each mistake at its value.
fn resolve_requirement(
    entry: &CaseEntry,
    catalog: &Catalog,
    problems: &mut Problems<'_>,
) -> Option<Requirement> {
    let at_field = |problems: &mut Problems<'_>, p: Problem, fallback: &Spanned<String>| {
        let spanned = match p.field {
            Field::Table => entry.table.as_ref(),
            Field::Depth => entry.depth.as_ref(),
            Field::Capability => entry.capability.as_ref(),
            Field::Privilege | Field::Column => entry.privilege.as_ref(),
        };
        problems.on(spanned.unwrap_or(fallback), p.message, p.help);
    };
    match (&entry.privilege, &entry.capability) {
        (Some(_), Some(capability)) => {
            problems.on(
                capability,
                "a case requires a `privilege` or a `capability`, not both",
                None,
            );
            None
        }
        (None, None) => {
            problems.on(
                &entry.name,
                "the case requires nothing: give `privilege` (with `table` for a table privilege) or `capability`",
                None,
            );
            None
        }
        (None, Some(capability)) => {
            for (key, given) in [("table", &entry.table), ("depth", &entry.depth)] {
                if let Some(given) = given {
                    problems.on(
                        given,
                        format!("a capability is held or not and takes no `{key}`"),
                        None,
                    );
                }
            }
            match catalog.resolve_capability(capability.get_ref()) {
                Ok(r) if entry.table.is_none() && entry.depth.is_none() => Some(r),
                Ok(_) => None,
                Err(p) => {
                    at_field(problems, p, capability);
                    None
                }
            }
        }
        (Some(privilege), None) => {
            match catalog.resolve(privilege.get_ref(), text(&entry.table), text(&entry.depth)) {
                Ok(r) => Some(r),
                Err(found) => {
                    for p in found {
                        at_field(problems, p, privilege);
                    }
                    None
                }
            }
        }
    }
}

/// An optional value's text.
fn text(value: &Option<Spanned<String>>) -> Option<&str> {
    value.as_ref().map(|s| s.get_ref().as_str())
}

/// A case's record: the owner (a user or `team:NAME`), the owning business unit, the shares.
fn resolve_record(
    entry: &RecordEntry,
    table: &str,
    org: &Organization,
    problems: &mut Problems<'_>,
) -> Option<RecordData> {
    let before = problems.found.len();
    let unit = entry.owning_business_unit.as_ref().and_then(|unit| {
        let found = org.business_unit(unit.get_ref());
        if found.is_none() {
            let known = org
                .business_units()
                .filter_map(|b| org.business_unit_name(b));
            problems.on(
                unit,
                format!("unknown business unit `{}`", Escaped(unit.get_ref())),
                did_you_mean(unit.get_ref(), known),
            );
        }
        found
    });
    let mut record = match &entry.owner {
        Some(owner) => match party(owner, org, problems)? {
            Grantee::User(user) => RecordData::owned_by_user(org, 1, table, user),
            Grantee::Team(team) => RecordData::owned_by_team(org, 1, table, team),
            Grantee::Organization => {
                problems.on(owner, "a record's owner is a user or `team:NAME`", None);
                return None;
            }
        },
        None => match unit {
            Some(unit) => RecordData::owned_by_business_unit(1, table, unit),
            None => RecordData::new(1, table, Owner::Organization, None),
        },
    };
    if entry.owner.is_some() && unit.is_some() {
        record.owning_business_unit = unit;
    }
    for share in &entry.shared {
        let grantee = party(&share.with, org, problems);
        let mut rights = Vec::new();
        for right in &share.rights {
            match TablePrivilege::parse(right.get_ref()) {
                Some(p) => rights.push(p),
                None => problems.on(
                    right,
                    format!("unknown access right `{}`", Escaped(right.get_ref())),
                    did_you_mean(right.get_ref(), TablePrivilege::spellings()),
                ),
            }
        }
        if let Some(grantee) = grantee {
            record = record.shared(grantee, rights);
        }
    }
    (problems.found.len() == before).then_some(record)
}

/// A user by name, `team:NAME`, or `organization`.
fn party(
    name: &Spanned<String>,
    org: &Organization,
    problems: &mut Problems<'_>,
) -> Option<Grantee> {
    let text = name.get_ref().trim();
    if text.eq_ignore_ascii_case("organization") {
        return Some(Grantee::Organization);
    }
    if let Some(team) = text.strip_prefix("team:") {
        let team = team.trim();
        let found = org.team(team).map(Grantee::Team);
        if found.is_none() {
            let known = org.teams().filter_map(|t| org.team_name(t));
            problems.on(
                name,
                format!("unknown team `{}`", Escaped(team)),
                did_you_mean(team, known),
            );
        }
        return found;
    }
    let found = org.user(text).map(Grantee::User);
    if found.is_none() {
        let known = org.users().filter_map(|u| org.user_name(u));
        problems.on(
            name,
            format!("unknown user `{}`", Escaped(text)),
            did_you_mean(text, known).or_else(|| Some("a team is written `team:NAME`".to_owned())),
        );
    }
    found
}

/// `reason = "..."`: a denial reason's name, with `expect = "deny"`.
fn resolve_reason(
    reason: &Spanned<String>,
    expect_allow: Option<bool>,
    problems: &mut Problems<'_>,
) -> Option<DenialReason> {
    if expect_allow == Some(true) {
        problems.on(
            reason,
            "an allow has no reason: `reason` goes with `expect = \"deny\"`",
            None,
        );
        return None;
    }
    let found = DenialReason::from_name(reason.get_ref());
    if found.is_none() {
        let names = DenialReason::ALL.map(DenialReason::name);
        problems.on(
            reason,
            format!("unknown reason `{}`", Escaped(reason.get_ref())),
            did_you_mean(reason.get_ref(), names)
                .or_else(|| Some(format!("the reasons are {}", names.join(", ")))),
        );
    }
    found
}

/// Reads a `--sites` file.
fn read_sites(path: &Path) -> Result<Vec<SiteEntry>, CliError> {
    let origin = path.display().to_string();
    let bytes = Catalog::read_input(path)?;
    let text = source::decode(&bytes, &origin).map_err(|d| LoadError::Invalid(vec![d]))?;
    let file: SitesFile = rolegate_catalog::parse_syntax(text, &origin, Syntax::Json)?;
    Ok(file.sites)
}

/// Decides a case as `check` would.
fn decide<'a>(case: &'a Case, authority: &Authority, org: Option<&Organization>) -> Outcome<'a> {
    let verdict = match (&case.who, org) {
        (Who::User(id), Some(org)) => match org.principal(*id) {
            Some(principal) => query::user_verdict(
                org,
                *id,
                &principal,
                &case.requirement,
                case.record.as_ref(),
            ),
            None => unbuilt_principal(),
        },
        (Who::Roles(roles), _) => match authority.principal("rolegate-test", roles) {
            Ok(principal) => roles_verdict(authority.catalog(), &principal, &case.requirement),
            Err(_) => unbuilt_principal(),
        },
        // A user case is resolved only with an organisation.
        (Who::User(_), None) => unbuilt_principal(),
    };
    let passed = verdict.allowed == case.expect_allow
        && case
            .reason
            .is_none_or(|reason| verdict.reason == Some(reason.name()));
    Outcome {
        case,
        verdict,
        passed,
    }
}

/// A principal built from roles the file named.
fn roles_verdict(catalog: &Catalog, principal: &Principal, requirement: &Requirement) -> Verdict {
    query::roles_verdict(catalog, principal, requirement).0
}

/// The verdict for a principal that could not be built although its names resolved (a user id of another
/// organisation): a denial, as anything unknown is.
fn unbuilt_principal() -> Verdict {
    Verdict {
        allowed: false,
        held: None,
        reason: Some(DenialReason::Unknown.name()),
        message: "the principal could not be built".to_owned(),
    }
}

/// What the cases covered.
struct Coverage {
    /// The roles some case's principal holds, in catalog order.
    roles: Vec<String>,
    /// The roles in play (the organisation's, or else the call sites', or else the catalog's) that no case's
    /// principal holds, in catalog order.
    untouched_roles: Vec<String>,
    /// What the roles in play are.
    in_play: &'static str,
    /// The requirements asked, without their depths (`Write on queue`, `capability ...`), in the order first asked.
    requirements: Vec<String>,
    /// With `--sites`: each site (`module::function`) and whether a case asked one of its requirements.
    sites: Option<Vec<(String, String, bool)>>,
}

impl Coverage {
    fn of(
        cases: &[Case],
        catalog: &Catalog,
        org: Option<&Organization>,
        sites: Option<&[SiteEntry]>,
    ) -> Self {
        let mut held: BTreeSet<String> = BTreeSet::new();
        for case in cases {
            match (&case.who, org) {
                (Who::Roles(roles), _) => held.extend(roles.iter().cloned()),
                (Who::User(id), Some(org)) => held.extend(user_roles(org, *id)),
                (Who::User(_), None) => {}
            }
        }
        // The roles that matter: the organisation's people's, or else those that pass a call site, or else all.
        let mut in_play: BTreeSet<String> = BTreeSet::new();
        let what = match (org, sites) {
            (Some(org), _) => {
                for user in org.users() {
                    in_play.extend(user_roles(org, user));
                }
                "held in the organisation"
            }
            (None, Some(sites)) => {
                for site in sites {
                    in_play.extend(site.roles.iter().cloned());
                }
                "passing a call site"
            }
            (None, None) => "of the catalog",
        };
        let everything = in_play.is_empty();
        let in_catalog_order = |keep: &dyn Fn(&str) -> bool| -> Vec<String> {
            catalog
                .roles()
                .iter()
                .map(|r| r.name.clone())
                .filter(|r| keep(r))
                .collect()
        };
        let roles = in_catalog_order(&|r| held.contains(r));
        let untouched_roles =
            in_catalog_order(&|r| !held.contains(r) && (everything || in_play.contains(r)));
        let mut requirements: Vec<String> = Vec::new();
        for case in cases {
            let key = requirement_key(&case.requirement);
            if !requirements.contains(&key) {
                requirements.push(key);
            }
        }
        let sites = sites.map(|sites| {
            sites
                .iter()
                .map(|site| {
                    let alternatives: Vec<&str> = if site.alternatives.is_empty() {
                        vec![site.requirement.as_str()]
                    } else {
                        site.alternatives.iter().map(String::as_str).collect()
                    };
                    let touched = alternatives
                        .iter()
                        .any(|a| requirements.iter().any(|r| r == without_depth(a)));
                    (
                        format!("{}::{}", site.module, site.function),
                        site.requirement.clone(),
                        touched,
                    )
                })
                .collect()
        });
        Self {
            roles,
            untouched_roles,
            in_play: what,
            requirements,
            sites,
        }
    }
}

/// A user's roles, its own and its teams'.
fn user_roles(org: &Organization, user: UserId) -> Vec<String> {
    let own = org.user_roles(user).map(|(r, _)| r.name.clone());
    let teams = org.user_teams(user).flat_map(|t| {
        org.team_roles(t)
            .map(|(r, _)| r.name.clone())
            .collect::<Vec<_>>()
    });
    own.chain(teams).collect()
}

/// A requirement as coverage counts it: a table privilege without its depth.
fn requirement_key(requirement: &Requirement) -> String {
    match requirement {
        Requirement::Table {
            privilege, table, ..
        } => format!("{privilege} on {table}"),
        other => other.to_string(),
    }
}

/// A requirement as an access report displays it (`Write on queue at Global`), without its depth.
fn without_depth(shown: &str) -> &str {
    match shown.find(" at ") {
        Some(at) if shown.contains(" on ") => &shown[..at],
        _ => shown,
    }
}

/// Where the cases were read and decided.
struct Header<'a> {
    file: &'a str,
    /// The catalog: the choice's description, or the role store's.
    catalog: &'a str,
    /// The organisation file's path, or the role store's host, port and database.
    org: Option<&'a str>,
}

/// What a case expected, as the report says it.
fn expected(case: &Case) -> String {
    match (case.expect_allow, case.reason) {
        (true, _) => "allow".to_owned(),
        (false, Some(reason)) => format!("deny ({})", reason.name()),
        (false, None) => "deny".to_owned(),
    }
}

/// What a case got, as the report says it.
fn got(verdict: &Verdict) -> String {
    match verdict.reason {
        None => format!("allowed: {}", verdict.message),
        Some(reason) => format!("denied ({reason}): {}", verdict.message),
    }
}

fn text_report(header: &Header<'_>, outcomes: &[Outcome<'_>], coverage: &Coverage) -> Styled {
    let mut out = Styled::default();
    out.paint(Paint::Heading, "policy tests:");
    let _ = writeln!(out, " {}", Escaped(header.file));
    let _ = writeln!(out, "catalog: {}", header.catalog);
    if let Some(org) = header.org {
        let _ = writeln!(out, "organisation: {}", Escaped(org));
    }
    out.push_str("\n");
    for o in outcomes {
        if o.passed {
            out.paint(Paint::Allowed, "PASS");
            let _ = writeln!(out, "  {}", Escaped(&o.case.name));
        } else {
            out.paint(Paint::Denied, "FAIL");
            let _ = writeln!(
                out,
                "  {} ({}:{}:{})",
                Escaped(&o.case.name),
                Escaped(header.file),
                o.case.line,
                o.case.column
            );
            let _ = writeln!(out, "      expected: {}", expected(o.case));
            let _ = writeln!(out, "      got:      {}", Escaped(got(&o.verdict)));
        }
    }
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    out.push_str("\n");
    let summary = format!(
        "{} passed, {failed} failed, of {} cases",
        outcomes.len() - failed,
        outcomes.len()
    );
    out.paint(
        if failed == 0 {
            Paint::Allowed
        } else {
            Paint::Denied
        },
        &summary,
    );
    out.push_str("\n\n")
        .paint(Paint::Heading, "coverage:")
        .push_str("\n");
    let list = |names: &[String]| {
        if names.is_empty() {
            "(none)".to_owned()
        } else {
            Escaped(names.join(", ")).to_string()
        }
    };
    let _ = writeln!(out, "  roles touched: {}", list(&coverage.roles));
    const SHOWN: usize = 20;
    let untouched = &coverage.untouched_roles;
    let _ = write!(
        out,
        "  roles {} that no case touched ({}): {}",
        coverage.in_play,
        untouched.len(),
        list(&untouched[..untouched.len().min(SHOWN)])
    );
    if untouched.len() > SHOWN {
        let _ = write!(
            out,
            ", and {} more (--format json lists them)",
            untouched.len() - SHOWN
        );
    }
    out.push_str("\n");
    let _ = writeln!(
        out,
        "  requirements asked: {}",
        list(&coverage.requirements)
    );
    match &coverage.sites {
        Some(sites) => {
            let touched = sites.iter().filter(|(_, _, t)| *t).count();
            let _ = writeln!(out, "  call sites touched: {touched} of {}", sites.len());
            let missed: Vec<String> = sites
                .iter()
                .filter(|(_, _, t)| !*t)
                .map(|(site, requirement, _)| format!("{site} ({requirement})"))
                .collect();
            if !missed.is_empty() {
                out.push_str("  call sites no case touched:\n");
                for m in missed {
                    out.paint(Paint::Notice, &format!("    {}", Escaped(m)));
                    out.push_str("\n");
                }
            }
        }
        None => {
            out.push_str(
                "  call sites: give --sites FILE (an access report as JSON) to count them\n",
            );
        }
    }
    out
}

fn json_report(header: &Header<'_>, outcomes: &[Outcome<'_>], coverage: &Coverage) -> Value {
    let cases: Vec<Value> = outcomes
        .iter()
        .map(|o| {
            json!({
                "name": o.case.name,
                "line": o.case.line,
                "column": o.case.column,
                "passed": o.passed,
                "expected": if o.case.expect_allow { "allow" } else { "deny" },
                "expected_reason": o.case.reason.map(DenialReason::name),
                "allowed": o.verdict.allowed,
                "reason": o.verdict.reason,
                "message": o.verdict.message,
            })
        })
        .collect();
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    let sites = coverage.sites.as_ref().map(|sites| {
        sites
            .iter()
            .map(|(site, requirement, touched)| {
                json!({ "call_site": site, "requirement": requirement, "touched": touched })
            })
            .collect::<Vec<_>>()
    });
    json!({
        "file": header.file,
        "catalog": header.catalog,
        "organization": header.org,
        "cases": cases,
        "passed": outcomes.len() - failed,
        "failed": failed,
        "coverage": {
            "roles": coverage.roles,
            "untouched_roles": coverage.untouched_roles,
            "requirements": coverage.requirements,
            "call_sites": sites,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_compares_requirements_without_their_depth() {
        assert_eq!(without_depth("Write on queue at Global"), "Write on queue");
        assert_eq!(without_depth("Write on queue"), "Write on queue");
        assert_eq!(
            without_depth("capability view-quick-replies"),
            "capability view-quick-replies"
        );
    }
}
