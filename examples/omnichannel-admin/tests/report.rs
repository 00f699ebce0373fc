//! The access report, pinned: a change to an annotation or a role shows up as a diff of the committed snapshots.
//! To accept a change on purpose, run with `UPDATE_SNAPSHOTS=1` and review the diff.

use omnichannel_admin::{access_report, catalog};

fn compare(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with UPDATE_SNAPSHOTS=1 to create it",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "the access report changed; review it and run with UPDATE_SNAPSHOTS=1 to accept.\n--- {}\n{expected}\n--- now\n{actual}",
        path.display()
    );
}

#[test]
fn the_access_report_matches_the_snapshot() {
    let report = access_report(&catalog().unwrap());
    assert_eq!(
        report.sites.len(),
        19,
        "18 handlers, one with two #[requires]"
    );
    compare("access-report.md", &report.to_markdown());
    compare("access-report.json", &(report.to_json() + "\n"));
}

#[test]
fn the_report_names_who_edits_workstreams_and_who_transfers_conversations() {
    let report = access_report(&catalog().unwrap());
    let edit = report
        .sites
        .iter()
        .find(|s| s.function == "update_workstream")
        .unwrap();
    assert_eq!(edit.requirement, "Write on msdyn_liveworkstream at Global");
    assert_eq!(
        edit.roles,
        [
            "Omnichannel administrator",
            "System Administrator",
            "Omnichannel administrator (environment)",
            "Service Writer",
            "System Customizer"
        ]
    );
    assert_eq!(edit.personas, ["Administrator"]);
    let transfer: Vec<_> = report
        .sites
        .iter()
        .filter(|s| s.function == "transfer_conversation")
        .map(|s| (s.requirement.as_str(), s.roles.clone()))
        .collect();
    assert_eq!(transfer.len(), 2);
    assert_eq!(
        transfer[0],
        (
            "capability assign-monitor-transfer-conversations",
            vec![
                "Omnichannel supervisor".to_owned(),
                "System Administrator".to_owned()
            ]
        )
    );
    // The example's own role, and the out-of-box roles of the built-in catalog that assign conversations.
    assert_eq!(transfer[1].0, "Assign on msdyn_ocliveworkitem at Global");
    for role in [
        "Conversation supervisor",
        "System Administrator",
        "Service Writer",
    ] {
        assert!(transfer[1].1.iter().any(|r| r == role), "{:?}", transfer[1]);
    }
}

#[test]
fn the_binary_prints_the_report() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_omnichannel-admin"))
        .arg("--access-report")
        .output()
        .unwrap();
    assert!(out.status.success());
    let report = access_report(&catalog().unwrap());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), report.to_markdown());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_omnichannel-admin"))
        .args(["--access-report", "json"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        report.to_json() + "\n"
    );
}

#[test]
fn staffing_a_queue_takes_the_capability_or_write_on_every_queue() {
    let report = access_report(&catalog().unwrap());
    let site = report
        .sites
        .iter()
        .find(|s| s.function == "add_agent_to_queue")
        .unwrap();
    assert_eq!(
        site.alternatives,
        [
            "capability add-remove-agents-from-queue",
            "Write on queue at Global"
        ]
    );
    // The supervisor through the capability alone, System Customizer through Write alone.
    for role in ["Omnichannel supervisor", "System Customizer"] {
        assert!(site.roles.iter().any(|r| r == role), "{role}: {site:?}");
    }
}
