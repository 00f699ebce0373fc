//! The access report: for each `#[requires]` call site, which roles and personas of a catalog satisfy it.
//!
//! Rendered as markdown for review and as JSON for tools; a committed snapshot of it turns a changed annotation or
//! role into a visible diff.
//!
//! ```
//! use rolegate::{requires, Catalog, Denied, Principal};
//!
//! #[requires(privilege = "Update", table = "msdyn_liveworkstream", depth = "Global")]
//! fn rename_workstream(user: &Principal) -> Result<(), Denied> { Ok(()) }
//!
//! let report = rolegate::report::AccessReport::new(Catalog::builtin(), rolegate::site::call_sites());
//! let site = report.sites.iter().find(|s| s.function == "rename_workstream").unwrap();
//! assert_eq!(
//!     site.roles,
//!     [
//!         "Omnichannel administrator",
//!         "System Administrator",
//!         "Omnichannel administrator (environment)",
//!         "Service Writer",
//!         "System Customizer"
//!     ]
//! );
//! assert_eq!(site.personas, ["Administrator"]);
//! assert!(report.to_markdown().contains("rename_workstream"));
//! ```

use std::fmt::Write as _;

use rolegate_catalog::{Catalog, Requirement};
use serde::Serialize;

use crate::compiled::site::CallSite;

/// The access report over a set of call sites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessReport {
    /// The catalog's name.
    pub catalog: String,
    /// One entry per call site.
    pub sites: Vec<SiteAccess>,
}

/// Who passes one call site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteAccess {
    /// `module_path!()` of the function.
    pub module: String,
    /// The function's name.
    pub function: String,
    /// The requirement, as displayed (`Write on msdyn_liveworkstream at Global`); for `any(...)`, its alternatives
    /// joined by `, or ` (`Write on queue at Global, or capability add-remove-agents-from-queue`).
    pub requirement: String,
    /// Each requirement one of which passes the site, as displayed: the one requirement, or each alternative of
    /// `any(...)` in the order written.
    pub alternatives: Vec<String>,
    /// `file:line` of the function.
    pub location: String,
    /// The roles that satisfy the requirement (for `any(...)`, one alternative or more), in catalog order.
    pub roles: Vec<String>,
    /// The personas one of whose roles satisfies it, in catalog order.
    pub personas: Vec<String>,
}

impl AccessReport {
    /// Builds the report of `sites` against `catalog`; a requirement the catalog does not know is satisfied by no
    /// role, and a role passes a site of `any(...)` when it satisfies any of its alternatives.
    pub fn new(catalog: &Catalog, sites: impl IntoIterator<Item = &'static CallSite>) -> Self {
        let sites = sites
            .into_iter()
            .map(|site| {
                let requirements: Vec<Requirement> = site
                    .alternatives()
                    .iter()
                    .map(CallSite::requirement)
                    .collect();
                let roles: Vec<String> = catalog
                    .roles()
                    .iter()
                    .filter(|role| requirements.iter().any(|r| catalog.satisfies(role, r)))
                    .map(|r| r.name.clone())
                    .collect();
                let alternatives: Vec<String> =
                    requirements.iter().map(ToString::to_string).collect();
                let personas = catalog
                    .personas()
                    .iter()
                    .filter(|p| {
                        p.roles
                            .iter()
                            .any(|r| roles.iter().any(|s| rolegate_catalog::same_name(s, r)))
                    })
                    .map(|p| p.name.clone())
                    .collect();
                SiteAccess {
                    module: site.module_path.to_owned(),
                    function: site.function.to_owned(),
                    requirement: alternatives.join(", or "),
                    alternatives,
                    location: format!("{}:{}", site.file.replace('\\', "/"), site.line),
                    roles,
                    personas,
                }
            })
            .collect();
        Self {
            catalog: catalog
                .header()
                .name
                .clone()
                .unwrap_or_else(|| "unnamed".to_owned()),
            sites,
        }
    }

    /// The report as a markdown table.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "# Access report\n\nCatalog: `{}`. One row per `#[requires]`.\n\n\
             | call site | requires | roles | personas | location |\n| --- | --- | --- | --- | --- |\n",
            self.catalog
        );
        for s in &self.sites {
            let list = |v: &[String]| {
                if v.is_empty() {
                    "(none)".to_owned()
                } else {
                    v.join(", ")
                }
            };
            let _ = writeln!(
                out,
                "| `{}::{}` | {} | {} | {} | {} |",
                s.module,
                s.function,
                s.requirement,
                list(&s.roles),
                list(&s.personas),
                s.location
            );
        }
        out
    }

    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
