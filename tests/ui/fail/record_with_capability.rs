use rolegate::{requires, Denied, Principal, RecordData};

#[requires(capability = "view-quick-replies", record = reply)]
fn view_reply(user: &Principal, reply: &RecordData) -> Result<(), Denied> {
    Ok(())
}

fn main() {}
