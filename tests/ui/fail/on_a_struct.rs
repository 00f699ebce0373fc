use rolegate::requires;

#[requires(privilege = "Read", table = "queue")]
struct Queue {
    name: String,
}

fn main() {}
