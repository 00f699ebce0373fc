//! Compile-time behaviour of `#[requires]`: every accepted shape compiles and runs (`ui/pass`), every mistake fails
//! with the message pinned in its `.stderr` (`ui/fail`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
