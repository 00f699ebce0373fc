use rolegate::{requires, Principal};

#[derive(Debug)]
enum AppError {
    NotFound,
}

#[requires(privilege = "Read", table = "queue")]
fn list_queues(user: &Principal) -> Result<(), AppError> {
    Err(AppError::NotFound)
}

fn main() {}
