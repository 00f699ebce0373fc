//! The checked-in `bench-catalog.toml` is exactly what the workload generator writes.

use rolegate_bench::workload::bench_catalog_toml;

#[test]
fn bench_catalog_toml_is_what_the_generator_writes() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench-catalog.toml");
    let generated = bench_catalog_toml();
    if std::env::var_os("ROLEGATE_BENCH_REGENERATE").is_some() {
        std::fs::write(&path, &generated).expect("write bench-catalog.toml");
    }
    let committed = std::fs::read_to_string(&path).expect("read bench-catalog.toml");
    assert!(
        committed == generated,
        "bench-catalog.toml differs from the generator's output; regenerate it with \
         `ROLEGATE_BENCH_REGENERATE=1 cargo test -p rolegate-bench`"
    );
}
