use rolegate::{requires, Authority, Denied, Principal};

#[derive(Debug)]
enum AppError {
    Forbidden(Denied),
    NotFound,
}

impl From<Denied> for AppError {
    fn from(denied: Denied) -> Self {
        AppError::Forbidden(denied)
    }
}

#[requires(privilege = "Delete", table = "Workstream", depth = "Organization")]
fn delete_workstream(user: &Principal, id: u32) -> Result<(), AppError> {
    if id == 0 { Err(AppError::NotFound) } else { Ok(()) }
}

type Result2<T> = std::result::Result<T, Denied>;

// A `Result` alias with one parameter works through `rolegate::Rejects`.
#[requires(privilege = "Delete", table = "msdyn_liveworkstream")]
fn delete_alias(user: &Principal) -> Result2<()> {
    Ok(())
}

fn main() {
    let authority = Authority::builtin();
    let admin = authority.principal("ada", ["Omnichannel administrator"]).unwrap();
    let sup = authority.principal("sue", ["omnichannel SUPERVISOR"]).unwrap();
    assert!(delete_workstream(&admin, 1).is_ok());
    assert!(matches!(delete_workstream(&admin, 0), Err(AppError::NotFound)));
    match delete_workstream(&sup, 1) {
        Err(AppError::Forbidden(d)) => {
            assert_eq!(d.to_string(), "missing Delete on msdyn_liveworkstream at Global; held through no role")
        }
        other => panic!("expected a denial, got {other:?}"),
    }
    assert!(delete_alias(&admin).is_ok());
    assert!(delete_alias(&sup).is_err());
}
