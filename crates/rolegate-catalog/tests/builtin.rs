//! The built-in catalog states the seed documents row by row.
//!
//! `SEED_004_ROWS` is seed 004's Administrator and Agent tables transcribed verbatim (role, line, the "Table or
//! metadata" cell, the privilege cell, the depth cell). Each row is looked up through the catalog's public API, with
//! the corrections of `data/errata.toml` applied visibly in `corrected`.

use rolegate_catalog::{Catalog, Depth, Ownership, OwnershipBasis, TablePrivilege};

const SEED_004_ROWS: &[(&str, usize, &str, &str, &str)] = &[
    (
        "Administrator",
        20,
        "Activity",
        "Append, AppendTo, Delete, Update",
        "Local",
    ),
    ("Administrator", 21, "Activity", "Assign", "Deep"),
    ("Administrator", 22, "Activity", "Create", "Basic"),
    ("Administrator", 23, "Activity", "Read, Share", "Global"),
    (
        "Administrator",
        24,
        "msdyn_adminappstate",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        25,
        "msdyn_agentstatushistory",
        "Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        26,
        "msdyn_aiconfiguration",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        27,
        "msdyn_aimodel",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    ("Administrator", 28, "msdyn_aitemplate", "Read", "Global"),
    ("Administrator", 29, "AppModule", "Read, Update", "Global"),
    (
        "Administrator",
        30,
        "msdyn_appconfiguration",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    ("Administrator", 31, "AppConfig", "Read", "Global"),
    (
        "Administrator",
        32,
        "msdyn_consoleappparameterdefinition",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        33,
        "msdyn_applicationextension",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        34,
        "msdyn_applicationtabtemplate",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        35,
        "msdyn_consoleapplicationtemplate",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        36,
        "msdyn_consoleapplicationtype",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        37,
        "msdyn_assignmentconfiguration",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        38,
        "msdyn_assignmentconfigurationstep",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        39,
        "msdyn_soundfile",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        40,
        "BookableResource",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        41,
        "msdyn_bookableresourcecapacityprofile",
        "Append, AppendTo, Assign, Create, Delete, Read, Share, Update",
        "Global",
    ),
    (
        "Administrator",
        42,
        "BookableResourceCharacteristic",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        43,
        "msdyn_capacityprofile",
        "Append, AppendTo, Assign, Create, Delete, Read, Share, Update",
        "Global",
    ),
    (
        "Administrator",
        44,
        "msdyn_channel",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        45,
        "msdyn_channelprovider",
        "Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        46,
        "msdyn_occhannelconfiguration",
        "Read, Update",
        "Global",
    ),
    (
        "Administrator",
        47,
        "msdyn_ciprovider",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        48,
        "msdyn_occhannelstateconfiguration",
        "Read",
        "Global",
    ),
    (
        "Administrator",
        49,
        "Characteristic",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        50,
        "msdyn_ocsitdskill",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        51,
        "SavedQueryVisualizations",
        "Read",
        "Global",
    ),
    ("Administrator", 52, "Attribute", "Update", "Global"),
    (
        "Administrator",
        53,
        "msdyn_ocliveworkitemcontextitem",
        "Append, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        54,
        "msdyn_ocliveworkstreamcontextvariable",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        55,
        "msdyn_ocliveworkitemcapacityprofile",
        "Append, AppendTo, Assign, Create, Delete, Read, Share, Update",
        "Global",
    ),
    (
        "Administrator",
        56,
        "msdyn_ocliveworkitemcharacteristic",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        57,
        "msdyn_ocliveworkitemsentiment",
        "Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        58,
        "msdyn_ocbotchannelregistration",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        59,
        "Customization",
        "Publish, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        60,
        "msdyn_decisioncontract",
        "Append, AppendTo, Assign, Create, Delete, Read, Share, Update",
        "Global",
    ),
    (
        "Administrator",
        61,
        "msdyn_decisionruleset",
        "Append, AppendTo, Assign, Create, Delete, Read, Share, Update",
        "Global",
    ),
    (
        "Administrator",
        62,
        "msdyn_entityconfig",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        63,
        "msdyn_entityroutingconfiguration",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        64,
        "msdyn_cdsentityengagementctx",
        "Create, Delete, Read, Update",
        "Global",
    ),
    ("Administrator", 65, "SystemForm", "Read", "Global"),
    (
        "Administrator",
        66,
        "msdyn_oc_geolocationprovider",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        67,
        "msdyn_kpieventdefinition",
        "Read",
        "Global",
    ),
    (
        "Administrator",
        68,
        "msdyn_oclanguage",
        "Read, AppendTo",
        "Global",
    ),
    (
        "Administrator",
        69,
        "msdyn_liveworkitemevent",
        "Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        70,
        "msdyn_ocliveworkitemparticipant",
        "Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        71,
        "msdyn_oclocalizationdata",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        72,
        "msdyn_maskingrule",
        "Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        73,
        "msdyn_masterentityroutingconfiguration",
        "Create",
        "Local",
    ),
    (
        "Administrator",
        74,
        "msdyn_masterentityroutingconfiguration",
        "Append, AppendTo, Assign, Read, Share, Update",
        "Global",
    ),
    (
        "Administrator",
        75,
        "msdyn_masterentityroutingconfiguration",
        "Delete",
        "Deep",
    ),
    (
        "Administrator",
        76,
        "msdyn_masterentityroutingconfiguration",
        "Create",
        "Local",
    ),
    (
        "Administrator",
        77,
        "msdyn_ocsystemmessage",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        78,
        "msdyn_ocsimltraining",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        79,
        "msdyn_notificationfield",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        80,
        "msdyn_notificationtemplate",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        81,
        "msdyn_consoleapplicationnotificationfield",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        82,
        "msdyn_consoleapplicationnotificationtemplate",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        83,
        "msdyn_omnichannelqueue",
        "Append, AppendTo, Assign, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        84,
        "msdyn_omnichannelconfiguration",
        "Append, AppendTo, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        85,
        "msdyn_omnichannelpersonalization",
        "Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        86,
        "msdyn_liveconversation",
        "Append, AppendTo, Update",
        "Local",
    ),
    (
        "Administrator",
        87,
        "msdyn_liveconversation",
        "Assign",
        "Deep",
    ),
    (
        "Administrator",
        88,
        "msdyn_liveconversation",
        "Create",
        "Basic",
    ),
    (
        "Administrator",
        89,
        "msdyn_liveconversation",
        "Read, Share",
        "Global",
    ),
    (
        "Administrator",
        90,
        "msdyn_operatinghour",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        91,
        "msdyn_panetoolconfiguration",
        "Read",
        "Global",
    ),
    (
        "Administrator",
        92,
        "msdyn_consoleapplicationtemplateparameter",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        93,
        "msdyn_personasecurityrolemapping",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        94,
        "msdyn_personalmessage",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Basic",
    ),
    (
        "Administrator",
        95,
        "msdyn_Personalsoundsetting",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Basic",
    ),
    ("Administrator", 96, "PluginAssembly", "Read", "Global"),
    ("Administrator", 97, "PluginType", "Read", "Global"),
    (
        "Administrator",
        98,
        "msdyn_analytics",
        "Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        99,
        "msdyn_presence",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        100,
        "msdyn_paneconfiguration",
        "Read",
        "Global",
    ),
    (
        "Administrator",
        101,
        "msdyn_ocprovisioningstate",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    ("Administrator", 102, "Publisher", "Read", "Global"),
    ("Administrator", 103, "PublisherAddress", "Read", "Global"),
    ("Administrator", 104, "Query", "Read, Update", "Global"),
    (
        "Administrator",
        105,
        "Queue",
        "Append, AppendTo, Assign, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        106,
        "msdyn_cannedmessage",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        107,
        "RatingModel",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        108,
        "RatingValue",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        109,
        "msdyn_ocrecording",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    ("Administrator", 110, "Relationship", "Update", "Global"),
    (
        "Administrator",
        111,
        "Role",
        "AppendTo, Assign, Read",
        "Global",
    ),
    (
        "Administrator",
        112,
        "msdyn_routingconfiguration",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        113,
        "msdyn_routingconfigurationstep",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        114,
        "msdyn_ocruleitem",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        115,
        "msdyn_rulesetdependencymapping",
        "Append, AppendTo, Assign, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        116,
        "msdyn_scenario",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    ("Administrator", 117, "SdkMessage", "Read", "Global"),
    (
        "Administrator",
        118,
        "SdkMessageProcessingStep",
        "Read",
        "Global",
    ),
    (
        "Administrator",
        119,
        "SdkMessageProcessingStepImage",
        "Read",
        "Global",
    ),
    (
        "Administrator",
        120,
        "msdyn_searchconfiguration",
        "Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        121,
        "msdyn_visitorjourney",
        "Read",
        "Global",
    ),
    (
        "Administrator",
        122,
        "msdyn_sentimentanalysis",
        "Read, Update",
        "Global",
    ),
    ("Administrator", 123, "ServiceEndpoint", "Read", "Global"),
    (
        "Administrator",
        124,
        "msdyn_sessionevent",
        "Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        125,
        "msdyn_sessiontemplate",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        126,
        "msdyn_ocsessioncharacteristic",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        127,
        "msdyn_sessionparticipant",
        "Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        128,
        "msdyn_consoleapplicationsessiontemplate",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        129,
        "SharePointData",
        "Create, Read, Update",
        "Global",
    ),
    ("Administrator", 130, "SharePointDocument", "Read", "Global"),
    (
        "Administrator",
        131,
        "msdyn_ocskillidentmlmodel",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    ("Administrator", 132, "Solution", "Read, Update", "Global"),
    (
        "Administrator",
        133,
        "msdyn_soundnotificationsetting",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        134,
        "User",
        "Append, AppendTo, Create, Read, Update",
        "Global",
    ),
    ("Administrator", 135, "Entity", "Update", "Global"),
    (
        "Administrator",
        136,
        "msdyn_octag",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        137,
        "msdyn_templateparameter",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        138,
        "msdyn_templatetags",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        139,
        "msdyn_ocsitdimportconfig",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        140,
        "msdyn_ocsitrainingdata",
        "ApAppend, AppendTo, Create, Delete, Read, Updatepend",
        "Global",
    ),
    (
        "Administrator",
        141,
        "msdyn_transcript",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        142,
        "msdyn_unifiedroutingdiagnostic",
        "Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        143,
        "msdyn_unifiedroutingrun",
        "Delete, Read",
        "Global",
    ),
    (
        "Administrator",
        144,
        "msdyn_urnotificationtemplate",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        145,
        "msdyn_urnotificationtemplatemapping",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        146,
        "msdyusd_usersettings",
        "Append, AppendTo, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        147,
        "msdyn_usersettin",
        "Append, AppendTo, Create, Delete, Read, Update",
        "Global",
    ),
    (
        "Administrator",
        148,
        "msdyn_liveworkstreamcapacityprofile",
        "Append, AppendTo, Assign, Create, Delete, Read, Share, Update",
        "Global",
    ),
    (
        "Administrator",
        149,
        "msdyn_liveworkstream",
        "Append, AppendTo, Assign, Create, Delete, Read, Share, Update",
        "Global",
    ),
    ("Agent", 159, "Solution", "Read", "Global"),
];

/// The seed's table token and privilege word, corrected as errata.toml says.
fn corrected(
    table: &str,
    privilege: &str,
) -> (&'static str, Option<TablePrivilege>, Option<&'static str>) {
    let table: &'static str = match table {
        "msdyn_usersettin" => "msdyn_usersetting", // truncated in the seed
        other => Box::leak(other.to_owned().into_boxed_str()),
    };
    match privilege {
        "ApAppend" => (table, Some(TablePrivilege::Append), None),
        "Updatepend" => (table, Some(TablePrivilege::Write), None),
        "Publish" => (table, None, Some("prvPublishCustomization")),
        other => (
            table,
            Some(TablePrivilege::parse(other).unwrap_or_else(|| panic!("bad privilege {other}"))),
            None,
        ),
    }
}

fn role_of(persona: &str) -> &'static str {
    match persona {
        "Administrator" => "Omnichannel administrator",
        "Agent" => "Omnichannel agent",
        other => panic!("no role for persona {other}"),
    }
}

#[test]
fn every_row_of_seed_004_is_in_the_catalog() {
    let catalog = Catalog::builtin();
    for &(persona, line, table, privileges, depth) in SEED_004_ROWS {
        let role = catalog.role(role_of(persona)).unwrap();
        let depth = Depth::parse(depth).unwrap();
        for privilege in privileges.split(',').map(str::trim) {
            let (table, privilege, misc) = corrected(table, privilege);
            let found = catalog
                .table(table)
                .unwrap_or_else(|| panic!("line {line}: no table `{table}`"));
            match (privilege, misc) {
                (Some(p), _) => assert_eq!(
                    catalog.role_depth(role, &found.name, p),
                    Some(depth),
                    "line {line}: {} {p} on {table} ({})",
                    role.name,
                    found.name
                ),
                (None, Some(m)) => assert!(catalog.role_holds_misc(role, m), "line {line}: {m}"),
                (None, None) => unreachable!(),
            }
        }
    }
}

/// Whether everything the role holds comes from the seeds: not a role of the environment export, nor a role the seeds
/// only name and the export gives its privileges.
fn from_seeds_only(role: &rolegate_catalog::Role) -> bool {
    role.source
        .as_deref()
        .is_some_and(|s| s.starts_with("seed ") && !s.contains("data/roles/"))
}

#[test]
fn the_catalog_grants_nothing_the_seed_does_not() {
    let catalog = Catalog::builtin();
    for role in catalog.roles().iter().filter(|r| from_seeds_only(r)) {
        let persona = match role.name.as_str() {
            "Omnichannel administrator" => "Administrator",
            "Omnichannel agent" => "Agent",
            _ => {
                assert!(
                    role.grants.is_empty(),
                    "{} has no privilege table in the seeds",
                    role.name
                );
                continue;
            }
        };
        // Distinct (table, privilege) pairs: the repeated "Create | Local" row (line 76) counts once, and Publish on
        // Customization is the miscellaneous privilege prvPublishCustomization.
        let expected: std::collections::HashSet<(String, TablePrivilege)> = SEED_004_ROWS
            .iter()
            .filter(|r| r.0 == persona)
            .flat_map(|&(_, _, table, privileges, _)| {
                privileges.split(',').filter_map(move |p| {
                    let (table, privilege, _) = corrected(table, p.trim());
                    privilege.map(|p| (catalog.table(table).unwrap().name.clone(), p))
                })
            })
            .collect();
        let held: std::collections::HashSet<(String, TablePrivilege)> = catalog
            .role_grants(role)
            .flat_map(|(t, g)| g.iter().map(move |(p, _)| (t.name.clone(), p)))
            .collect();
        assert_eq!(held, expected, "{}", role.name);
    }
}

#[test]
fn the_issue_examples_hold() {
    let c = Catalog::builtin();
    let admin = c.role("Omnichannel administrator").unwrap();
    assert_eq!(
        c.role_depth(admin, "activitypointer", TablePrivilege::Create),
        Some(Depth::Basic)
    );
    assert_eq!(
        c.role_depth(admin, "activitypointer", TablePrivilege::Assign),
        Some(Depth::Deep)
    );
    assert_eq!(c.table("Activity").unwrap().name, "activitypointer");
    let agent = c.role("Omnichannel agent").unwrap();
    assert_eq!(
        c.role_depth(agent, "solution", TablePrivilege::Read),
        Some(Depth::Global)
    );
    let supervisor = c.role("Omnichannel supervisor").unwrap();
    assert!(
        supervisor.grants.is_empty(),
        "seed 004's Supervisor section is empty"
    );
    let transfer = c
        .capability("Can assign/monitor/transfer conversations")
        .unwrap();
    assert_eq!(transfer.id, "assign-monitor-transfer-conversations");
    assert!(c.role_holds_capability(supervisor, &transfer.id));
    assert!(!c.role_holds_capability(agent, &transfer.id));
    assert!(!c.role_holds_capability(admin, &transfer.id));
}

/// Seed 000's capability matrix, column by column ("Yes" cells).
#[test]
fn the_capability_matrix_of_seed_000() {
    let c = Catalog::builtin();
    assert_eq!(c.capabilities().len(), 36);
    let count = |role: &str| c.role(role).unwrap().capabilities.len();
    assert_eq!(count("Omnichannel administrator"), 16);
    assert_eq!(count("Omnichannel supervisor"), 8);
    assert_eq!(count("Omnichannel agent"), 2);
    assert_eq!(count("Productivity tools user"), 11);
    assert_eq!(count("Productivity tools administrator"), 12);
    let holders = |cap: &str| -> Vec<&str> {
        let id = &c
            .capability(cap)
            .unwrap_or_else(|| panic!("no capability {cap:?}"))
            .id;
        c.roles()
            .iter()
            .filter(|r| !r.all && c.role_holds_capability(r, id))
            .map(|r| r.name.as_str())
            .collect()
    };
    assert_eq!(
        holders("Can add/remove agents from queue"),
        ["Omnichannel administrator", "Omnichannel supervisor"]
    );
    assert_eq!(holders("Can view quick replies"), ["Omnichannel agent"]);
    assert_eq!(
        holders("Can read msdyn_macrosolutionconfiguration"),
        ["Productivity tools administrator"]
    );
    assert_eq!(
        holders("Can read msdyn_parameterdefinition"),
        [
            "Productivity tools user",
            "Productivity tools administrator"
        ]
    );
    assert_eq!(
        holders("Can view operating hours"),
        ["Omnichannel supervisor"]
    );
}

#[test]
fn roles_and_personas_of_the_seeds() {
    let c = Catalog::builtin();
    let names: Vec<&str> = c.roles().iter().map(|r| r.name.as_str()).take(10).collect();
    assert_eq!(
        names,
        [
            "Basic User",
            "Omnichannel administrator",
            "Omnichannel supervisor",
            "Omnichannel agent",
            "Productivity tools user",
            "Productivity tools administrator",
            "App Profile Manager Administrator",
            "App Profile User",
            "Customer Service Representative",
            "System Administrator",
        ]
    );
    for (persona, role) in [
        ("Administrator", "Omnichannel administrator"),
        ("Supervisor", "Omnichannel supervisor"),
        ("Agent", "Omnichannel agent"),
    ] {
        assert_eq!(c.persona(persona).unwrap().roles, [role]);
    }
}

/// The environment export's 165 roles join the seed's ten: the roles the seeds only name take the export's
/// privileges, the roles the seeds document keep their name and the export's are `<name> (environment)`.
#[test]
fn the_out_of_box_roles_of_a_real_environment_join_the_seeds() {
    let c = Catalog::builtin();
    assert_eq!(c.roles().len(), 10 + 165 - 5);
    let source = |name: &str| c.role(name).unwrap().source.clone().unwrap();
    assert_eq!(
        source("CSR Manager"),
        "environment export data/roles/xrmbedrock-oob/CSRManager.xml"
    );
    assert!(source("Basic User").starts_with("seed 000 line "));
    assert!(
        source("Basic User").ends_with("; privileges: data/roles/xrmbedrock-oob/BasicUser.xml")
    );
    for documented in [
        "Omnichannel administrator",
        "Omnichannel supervisor",
        "Omnichannel agent",
        "Productivity tools user",
        "Productivity tools administrator",
    ] {
        assert!(
            source(documented).starts_with("seed 000 line "),
            "{documented}"
        );
        let environment = format!("{documented} (environment)");
        assert!(source(&environment).starts_with("environment export data/roles/xrmbedrock-oob/"));
    }
    // The seed documents capabilities, the export cannot express them.
    let admin = c.role("Omnichannel administrator").unwrap();
    let real = c.role("Omnichannel administrator (environment)").unwrap();
    assert_eq!(admin.capabilities.len(), 16);
    assert!(real.capabilities.is_empty());
    // The real role reaches far more tables than the documentation lists.
    assert!(
        real.grants.len() > 2 * admin.grants.len(),
        "{} against {}",
        real.grants.len(),
        admin.grants.len()
    );

    let csr = c.role("Customer Service Representative").unwrap();
    assert_eq!(
        c.role_depth(csr, "incident", TablePrivilege::Create),
        Some(Depth::Basic)
    );
    assert_eq!(
        c.role_depth(csr, "incident", TablePrivilege::Write),
        Some(Depth::Global)
    );
    assert_eq!(c.role_depth(csr, "incident", TablePrivilege::Delete), None);
    let sysadmin = c.role("System Administrator").unwrap();
    assert!(sysadmin.all);
    assert_eq!(sysadmin.grants.len(), c.tables().len());
    assert_eq!(
        c.role_depth(sysadmin, "msdyn_liveworkstream", TablePrivilege::Read),
        Some(Depth::Global)
    );
}

#[test]
fn ownership_comes_from_the_exports_or_is_inferred_and_says_which() {
    let c = Catalog::builtin();
    // The seeds' tables and every table the environment export lists (1,133, besides 151 `DeletedEntity` keys).
    assert_eq!(c.tables().len(), 1139);
    let presence = c.table("msdyn_presence").unwrap();
    assert_eq!(
        (presence.ownership, presence.ownership_basis),
        (Ownership::Organization, OwnershipBasis::Export)
    );
    assert!(!presence.has(TablePrivilege::Assign) && !presence.has(TablePrivilege::Share));
    let user = c.table("User").unwrap();
    assert_eq!(
        (user.name.as_str(), user.ownership),
        ("systemuser", Ownership::Business)
    );
    assert!(
        !user
            .allowed_depths(TablePrivilege::Read)
            .contains(Depth::Basic)
    );
    // Role is business-owned but has Assign (assigning roles), because the seed grants it.
    assert!(c.table("role").unwrap().has(TablePrivilege::Assign));
    let inferred: Vec<&str> = c
        .tables()
        .iter()
        .filter(|t| t.ownership_basis == OwnershipBasis::Inferred)
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(
        inferred,
        [
            "appconfig",
            "customization",
            "msdyn_aiconfiguration",
            "msdyn_channel",
            "msdyn_scenario",
            "msdyusd_usersettings"
        ]
    );
    assert_eq!(
        c.table("msdyn_liveworkstream").unwrap().ownership,
        Ownership::UserOrTeam
    );
}

#[test]
fn deprecated_tables_stay_usable_and_are_marked() {
    let c = Catalog::builtin();
    let deprecated: Vec<&str> = c
        .tables()
        .iter()
        .filter(|t| t.deprecated)
        .map(|t| t.name.as_str())
        .collect();
    assert!(
        deprecated.contains(&"msdyn_liveconversation"),
        "{deprecated:?}"
    );
    assert!(deprecated.contains(&"msdyn_consoleappparameterdefinition"));
    assert!(
        deprecated.contains(&"msdyn_entityconfig"),
        "\"Deprecated Workstream Entity Configuration\""
    );
    let t = c.table("msdyn_consoleappparameterdefinition").unwrap();
    assert_eq!(
        t.display.as_deref(),
        Some("App Parameter Definition"),
        "markup and the marker are out of the name"
    );
    let r = c.resolve("Read", Some("msdyn_liveconversation"), Some("Global"));
    assert!(r.is_ok(), "deprecated tables are still usable");
}

#[test]
fn every_erratum_names_a_seed_line_and_a_reason() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/errata.toml")).unwrap();
    let errata: toml::Table = text.parse().unwrap();
    let entries = errata["erratum"].as_array().unwrap();
    for defect in [
        "ApAppend",
        "Updatepend",
        "msdyn_usersettin",
        "User",
        "Entity",
        "Activity",
        "Customization",
    ] {
        assert!(
            entries.iter().any(|e| e["found"].as_str() == Some(defect)),
            "no erratum for {defect}"
        );
    }
    assert!(
        entries
            .iter()
            .any(|e| e["kind"].as_str() == Some("duplicate-row"))
    );
    assert!(
        entries
            .iter()
            .filter(|e| e["kind"].as_str() == Some("display-markup"))
            .count()
            == 9
    );
    for e in entries {
        assert!(e["line"].as_integer().unwrap() > 0);
        assert!(!e["why"].as_str().unwrap().is_empty());
    }
}
