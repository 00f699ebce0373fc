use rolegate::{requires, Authority, Denied, Principal};

struct Queues {
    names: Vec<String>,
}

impl Queues {
    #[requires(privilege = "Read", table = "queue")]
    fn list(&self, user: &Principal) -> Result<usize, Denied> {
        Ok(self.names.len())
    }

    #[requires(privilege = "Create", table = "Queue", depth = "Global")]
    fn add(&mut self, user: &Principal, name: &str) -> Result<(), Denied> {
        self.names.push(name.to_owned());
        Ok(())
    }

    #[requires(privilege = "Delete", table = "queue", depth = "Global")]
    fn drop_all(self, user: &Principal) -> Result<usize, Denied> {
        Ok(self.names.len())
    }
}

fn main() {
    let authority = Authority::builtin();
    let admin = authority.principal("ada", ["Omnichannel administrator"]).unwrap();
    let agent = authority.principal("alan", ["Omnichannel agent"]).unwrap();
    let mut queues = Queues { names: vec![] };
    queues.add(&admin, "vip").unwrap();
    assert!(queues.add(&agent, "spam").is_err());
    assert_eq!(queues.list(&admin).unwrap(), 1);
    assert!(queues.list(&agent).is_err(), "the seeds give the agent no privilege on queue");
    assert_eq!(queues.drop_all(&admin).unwrap(), 1);
}
