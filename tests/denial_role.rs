//! A denial names the first of the principal's roles, in catalog order, that gives the best depth held, whatever
//! order the roles were given in and however many it holds. (The role is kept with each slot's rank when the
//! principal's row is built, for up to 31 roles; past that it is searched.)

use rolegate::catalog::Syntax;
use rolegate::{Authority, Catalog, Depth, Requirement, TablePrivilege};

/// Roles `r0..r{n-1}` on table `t`: `r{k}` grants Read at Basic, except `r{deep}` and `r{deep2}` (Deep); Write nowhere.
fn catalog(n: usize, deep: usize, deep2: usize) -> Catalog {
    let mut toml = String::from("[[table]]\nname = \"t\"\nownership = \"user-or-team\"\n");
    for k in 0..n {
        let depth = if k == deep || k == deep2 {
            "Deep"
        } else {
            "Basic"
        };
        toml.push_str(&format!(
            "\n[[role]]\nname = \"r{k}\"\n[role.grants]\nt = {{ Read = \"{depth}\" }}\n"
        ));
    }
    Catalog::from_str_named(&toml, "roles.toml", Syntax::Toml).expect("catalog")
}

fn read_at(depth: Depth) -> Requirement {
    Requirement::Table {
        privilege: TablePrivilege::Read,
        table: "t".into(),
        depth: Some(depth),
    }
}

#[test]
fn the_denial_names_the_first_role_giving_the_best_depth() {
    for (n, deep, deep2) in [
        (3, 1, 2),
        (3, 2, 2),
        (31, 30, 30),
        (32, 31, 31),
        (40, 35, 38),
        (40, 5, 35),
    ] {
        let authority = Authority::new(catalog(n, deep, deep2));
        let names: Vec<String> = (0..n).map(|k| format!("r{k}")).collect();
        let principal = authority.principal("p", &names).expect("principal");
        let denied = principal.check(&read_at(Depth::Global)).unwrap_err();
        assert_eq!(denied.held, Some(Depth::Deep), "{n} roles");
        assert_eq!(
            denied.through,
            Some(format!("r{deep}").as_str()),
            "{n} roles, deep at {deep}"
        );

        // Given in another order, the same role is named: the first in catalog order.
        let reversed: Vec<String> = names.iter().rev().cloned().collect();
        let principal = authority.principal("p", &reversed).expect("principal");
        let denied = principal.check(&read_at(Depth::Global)).unwrap_err();
        assert_eq!(
            denied.through,
            Some(format!("r{deep}").as_str()),
            "{n} roles reversed"
        );
        let listed: Vec<&str> = principal.roles().map(|r| r.name.as_str()).collect();
        assert_eq!(listed, names, "roles are listed in catalog order");
        let slot = authority
            .table_slot(TablePrivilege::Read, "t")
            .expect("slot");
        assert_eq!(
            principal.depth_at(slot),
            Some(Depth::Deep),
            "depth_at gives the depth alone"
        );
    }
}

#[test]
fn a_privilege_held_through_no_role_names_none() {
    let authority = Authority::new(catalog(3, 0, 0));
    let principal = authority.principal("p", ["r1"]).expect("principal");
    let write = Requirement::Table {
        privilege: TablePrivilege::Write,
        table: "t".into(),
        depth: None,
    };
    let denied = principal.check(&write).unwrap_err();
    assert_eq!((denied.held, denied.through), (None, None));
    let denied = principal.check(&read_at(Depth::Local)).unwrap_err();
    assert_eq!(
        (denied.held, denied.through),
        (Some(Depth::Basic), Some("r1"))
    );
}
