//! Several imports into one catalog file.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rolegate_catalog::{
    CapabilityEntry, DepthSet, Header, MiscEntry, OwnershipBasis, PersonaEntry, RoleEntry,
    TableEntry, TablePrivilege, name_key,
};

use crate::xrmmockup::{export_entry, not_a_table, ownership_defaults};
use crate::{Finding, Import, ImportError, Place, Places};

/// Merges imports into one catalog file, the same whatever the order of `imports`: roles, tables, miscellaneous
/// privileges and personas sorted by name, capabilities by id. Findings follow the input order; an entry left out
/// because its key names no table (`DeletedEntity for objectTypeCode=1131`) is reported once, with the number of
/// files that have it. Two roles of the same name (as the catalog compares names: ignoring case and runs of white
/// space) are an error.
///
/// A table several files describe gets:
/// - a declared entry (ownership basis `declared`) as declared, with a finding for each file that describes it
///   otherwise;
/// - else, when exports' flags describe it (XrmMockup), each privilege's depths united across them, and the ownership
///   the union of all flags gives; the entries the other files took elsewhere (the built-in catalog) give way;
/// - else the union of the entries' privileges and of each privilege's depths, an `export` basis before an
///   `inferred` one.
///
/// Grants the merged tables cannot take are left out with a finding at their place in the input; with the rules above
/// that happens only to grants a declared entry, or an export in another file, does not allow.
pub fn merge(imports: impl IntoIterator<Item = Import>) -> Result<Import, ImportError> {
    let mut out = Import::default();
    let mut sources = BTreeSet::new();
    let mut misc: BTreeMap<String, MiscEntry> = BTreeMap::new();
    let mut capabilities: BTreeMap<String, CapabilityEntry> = BTreeMap::new();
    let mut personas: BTreeMap<String, PersonaEntry> = BTreeMap::new();
    let mut roles: HashMap<String, RoleEntry> = HashMap::new();
    let mut tables: BTreeMap<String, Vec<Described>> = BTreeMap::new();
    // Each left-out key: the index of its finding in the report, and the files that have it.
    let mut left_out: BTreeMap<String, (usize, BTreeSet<String>)> = BTreeMap::new();
    // Each privilege an export gives flags for: the first file's depths, to report a file that differs.
    let mut flags: HashMap<(String, TablePrivilege), (DepthSet, String)> = HashMap::new();
    for import in imports {
        let Import {
            file,
            report,
            places,
        } = import;
        let origin = file
            .catalog
            .source
            .clone()
            .unwrap_or_else(|| "<import>".to_owned());
        sources.insert(origin.clone());
        // Entries left out because their key names no table: one finding for each key, however many files have it.
        let left_out_messages: HashSet<String> =
            places.left_out.keys().map(|k| not_a_table(k)).collect();
        let shown = report.len();
        let mut report: Vec<Finding> = report
            .into_iter()
            .filter(|f| !left_out_messages.contains(&f.message))
            .collect();
        // A report cut short counts what it hides; the hidden entries left out are counted here instead.
        let hidden_left_out =
            places.left_out.len() - (shown - report.len()).min(places.left_out.len());
        if let Some(last) = report.last_mut()
            && let Some(more) = hidden(&last.message)
        {
            let rest = more.saturating_sub(hidden_left_out);
            if rest == 0 {
                report.pop();
            } else {
                last.message = rolegate_catalog::and_more(rest);
            }
        }
        out.report.extend(report);
        for (key, place) in &places.left_out {
            match left_out.get_mut(key) {
                Some((_, files)) => {
                    files.insert(place.origin.clone());
                }
                None => {
                    let files = BTreeSet::from([place.origin.clone()]);
                    left_out.insert(key.clone(), (out.report.len(), files));
                    out.report.push(place.finding(not_a_table(key)));
                }
            }
        }
        for m in file.misc {
            keep_least(&mut misc, name_key(&m.name).into_owned(), m, |m| {
                (m.name.clone(), m.display.clone(), m.source.clone())
            });
        }
        for c in file.capabilities {
            keep_least(&mut capabilities, name_key(&c.id).into_owned(), c, |c| {
                (c.id.clone(), c.text.clone(), c.source.clone())
            });
        }
        for p in file.personas {
            keep_least(&mut personas, name_key(&p.name).into_owned(), p, |p| {
                (p.name.clone(), p.roles.clone(), p.source.clone())
            });
        }
        for t in file.tables {
            let described = Described::new(t, &places, &origin);
            if let Some(listed) = &described.listed {
                for (&privilege, &set) in listed {
                    let key = (described.entry.name.clone(), privilege);
                    match flags.get(&key) {
                        None => {
                            flags.insert(key, (set, origin.clone()));
                        }
                        Some((first, first_origin)) if *first != set => {
                            let message = format!(
                                "table `{}`: {privilege} can be {set} here but {first} in {first_origin}; the merged table allows both",
                                described.entry.name
                            );
                            let place = places.privileges.get(&key).unwrap_or(&described.place);
                            out.report.push(place.finding(message));
                        }
                        Some(_) => {}
                    }
                }
            }
            tables
                .entry(described.entry.name.clone())
                .or_default()
                .push(described);
        }
        for r in file.roles {
            let key = name_key(&r.name).into_owned();
            if let Some(first) = roles.get(&key) {
                let place = places.roles.get(&r.name).cloned().unwrap_or(Place {
                    origin: r.source.clone().unwrap_or_else(|| origin.clone()),
                    line: 1,
                    column: 1,
                });
                return Err(ImportError::at(
                    &place.origin,
                    (place.line, place.column),
                    format!(
                        "role `{}` is defined twice (also in {})",
                        r.name,
                        first.source.as_deref().unwrap_or("an earlier file")
                    ),
                )
                .with_help(Some(
                    "rename one of the roles, or import the files separately".into(),
                )));
            }
            roles.insert(key, r);
        }
        out.places.extend(places);
    }
    for (key, (at, files)) in left_out {
        if files.len() > 1 {
            out.report[at].message = format!("{} in {} files", not_a_table(&key), files.len());
        }
    }
    out.file.tables = tables
        .into_values()
        .map(|described| unite(described, &mut out.report))
        .collect();
    out.file.misc = misc.into_values().collect();
    out.file.capabilities = capabilities.into_values().collect();
    out.file.personas = personas.into_values().collect();
    let mut roles: Vec<(String, RoleEntry)> = roles.into_iter().collect();
    roles.sort_unstable_by(|a, b| (&a.0, &a.1.name).cmp(&(&b.0, &b.1.name)));
    out.file.roles = roles.into_iter().map(|(_, r)| r).collect();
    out.file.catalog = Header {
        name: None,
        description: Some("Imported roles".to_owned()),
        source: (!sources.is_empty()).then(|| sources.into_iter().collect::<Vec<_>>().join(", ")),
        extends: None,
    };
    crate::dataverse::fit_grants(&mut out.file, &mut out.report, "<merged>", &out.places);
    crate::cap(&mut out.report);
    Ok(out)
}

/// The number of findings a report cut short hides, when `message` is the one that counts them.
fn hidden(message: &str) -> Option<usize> {
    let more = message.strip_prefix("... and ")?.strip_suffix(" more")?;
    let more: usize = more.parse().ok()?;
    (rolegate_catalog::and_more(more) == message).then_some(more)
}

/// Keeps, of the entries with one key, the least by `order`: the same entry whatever the order they come in.
fn keep_least<T, K: Ord>(
    into: &mut BTreeMap<String, T>,
    key: String,
    entry: T,
    order: impl Fn(&T) -> K,
) {
    match into.get_mut(&key) {
        Some(kept) if order(&entry) < order(kept) => *kept = entry,
        Some(_) => {}
        None => {
            into.insert(key, entry);
        }
    }
}

/// One file's entry for a table.
struct Described {
    entry: TableEntry,
    /// The privileges the file's export gives flags for, with their depths; `None` when the entry was not read from
    /// flags (declared, inferred, or taken from the built-in catalog).
    listed: Option<BTreeMap<TablePrivilege, DepthSet>>,
    /// The file.
    origin: String,
    /// Where the file names the table (its first role's place, or its start, when it does not say).
    place: Place,
}

impl Described {
    fn new(entry: TableEntry, places: &Places, origin: &str) -> Self {
        let sets = depth_sets(&entry);
        let listed: BTreeMap<TablePrivilege, DepthSet> = TablePrivilege::ALL
            .into_iter()
            .filter(|&p| places.privileges.contains_key(&(entry.name.clone(), p)))
            .map(|p| (p, sets[p.index()]))
            .collect();
        let place = places
            .tables
            .get(&entry.name)
            .or_else(|| places.roles.values().next())
            .cloned()
            .unwrap_or_else(|| Place {
                origin: origin.to_owned(),
                line: 1,
                column: 1,
            });
        Self {
            listed: (entry.ownership_basis == OwnershipBasis::Export && !listed.is_empty())
                .then_some(listed),
            entry,
            origin: origin.to_owned(),
            place,
        }
    }

    /// The order of preference: declared, then read from an export's flags, then taken with an `export` basis, then
    /// inferred.
    fn rank(&self) -> u8 {
        match (self.entry.ownership_basis, &self.listed) {
            (OwnershipBasis::Declared, _) => 0,
            (OwnershipBasis::Export, Some(_)) => 1,
            (OwnershipBasis::Export, None) => 2,
            (OwnershipBasis::Inferred, _) => 3,
        }
    }
}

/// The depths each privilege of a table entry can take, indexed by [`TablePrivilege::index`]; empty where the table
/// does not have the privilege.
fn depth_sets(t: &TableEntry) -> [DepthSet; TablePrivilege::COUNT] {
    let (default_privileges, default_depths) = ownership_defaults(t.ownership);
    let privileges = t
        .privileges
        .as_ref()
        .map_or(default_privileges, |p| p.iter().copied().collect());
    let depths = t
        .depths
        .as_ref()
        .map_or(default_depths, |d| d.iter().copied().collect());
    let mut sets = [DepthSet::EMPTY; TablePrivilege::COUNT];
    for p in privileges.iter() {
        sets[p.index()] = t
            .privilege_depths
            .get(&p)
            .map_or(depths, |d| d.iter().copied().collect());
    }
    sets
}

/// Whether two entries for a table say the same, apart from where they come from.
fn same_table(a: &TableEntry, b: &TableEntry) -> bool {
    a.ownership == b.ownership && depth_sets(a) == depth_sets(b)
}

/// The merged entry of one table, from every file's entry for it (see [`merge`]).
fn unite(mut described: Vec<Described>, report: &mut Vec<Finding>) -> TableEntry {
    // A canonical order, so that the result does not depend on the order of the files.
    described.sort_by(|a, b| {
        (a.rank(), &a.entry.source, &a.origin).cmp(&(b.rank(), &b.entry.source, &b.origin))
    });
    let best = described[0].rank();
    let winners = described.iter().take_while(|d| d.rank() == best);
    let mut entry = match best {
        0 => {
            let kept = &described[0];
            for other in &described[1..] {
                if !same_table(&kept.entry, &other.entry) {
                    let message = format!(
                        "table `{}` is declared {} in {}, and described otherwise here ({}); kept as declared",
                        kept.entry.name,
                        describe(&kept.entry),
                        kept.origin,
                        describe(&other.entry),
                    );
                    report.push(other.place.finding(message));
                }
            }
            kept.entry.clone()
        }
        1 => {
            let mut listed: BTreeMap<TablePrivilege, DepthSet> = BTreeMap::new();
            for d in winners.clone() {
                for (&p, &set) in d.listed.iter().flatten() {
                    let united = listed.entry(p).or_default();
                    *united = DepthSet::from_iter(united.iter().chain(set.iter()));
                }
            }
            let united = export_entry(&described[0].entry.name, &listed)
                .unwrap_or_else(|| described[0].entry.clone());
            for other in described.iter().filter(|d| d.rank() > 1) {
                if !same_table(&united, &other.entry) {
                    let message = format!(
                        "table `{}`: {} used {}; the exports' flags give {}, which the merged catalog keeps",
                        united.name,
                        other.origin,
                        describe(&other.entry),
                        describe(&united),
                    );
                    report.push(described[0].place.finding(message));
                }
            }
            united
        }
        _ => {
            let first = &described[0].entry;
            if winners.clone().all(|d| same_table(first, &d.entry)) {
                first.clone()
            } else {
                let mut sets = [DepthSet::EMPTY; TablePrivilege::COUNT];
                for d in winners.clone() {
                    for (united, set) in sets.iter_mut().zip(depth_sets(&d.entry)) {
                        *united = DepthSet::from_iter(united.iter().chain(set.iter()));
                    }
                }
                let listed = TablePrivilege::ALL
                    .into_iter()
                    .filter(|p| !sets[p.index()].is_empty())
                    .map(|p| (p, sets[p.index()]))
                    .collect();
                let united = export_entry(&first.name, &listed)
                    .map(|t| TableEntry {
                        ownership_basis: first.ownership_basis,
                        ..t
                    })
                    .unwrap_or_else(|| first.clone());
                let message = format!(
                    "table `{}` is described differently by {} files; the merged table allows what any of them allows: {}",
                    united.name,
                    winners.clone().count(),
                    describe(&united)
                );
                report.push(described[0].place.finding(message));
                united
            }
        }
    };
    let all = || described.iter().map(|d| &d.entry);
    entry.display = all().filter_map(|t| t.display.clone()).min();
    entry.schema = all().filter_map(|t| t.schema.clone()).min();
    let aliases: BTreeSet<String> = all().flat_map(|t| t.aliases.iter().cloned()).collect();
    entry.aliases = aliases.into_iter().collect();
    entry.deprecated = all().any(|t| t.deprecated);
    let sources: BTreeSet<&String> = described
        .iter()
        .take_while(|d| d.rank() == best)
        .filter_map(|d| d.entry.source.as_ref())
        .collect();
    entry.source = match sources.len() {
        0 => None,
        1 => sources.first().map(|s| (*s).clone()),
        n => sources
            .first()
            .map(|s| format!("{s} and {} more files", n - 1)),
    };
    entry
}

/// A table entry's ownership and depths, for findings.
fn describe(t: &TableEntry) -> String {
    let sets = depth_sets(t);
    let privileges: Vec<String> = TablePrivilege::ALL
        .into_iter()
        .filter(|p| !sets[p.index()].is_empty())
        .map(|p| format!("{p} {}", sets[p.index()]))
        .collect();
    format!("{}: {}", t.ownership.name(), privileges.join(", "))
}
