//! `cargo run --release --example bench -- N [RUNS]`: convert vs the raw calamine floor on
//! N generated workbooks. Prints one Markdown table row; see BENCHMARKS.md.

#[path = "harness/mod.rs"]
mod harness;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    // JIXIAO_BENCH_DIR shares the generated files between checkouts (100,000 forms are
    // about 1 GB and take minutes to generate).
    let dir = std::env::var_os("JIXIAO_BENCH_DIR")
        .map_or_else(
            || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench"),
            std::path::PathBuf::from,
        )
        .join(n.to_string());
    eprintln!("generating {n} workbooks in {} …", dir.display());
    let files = harness::generate(&dir, n);
    // Warm the page cache so both phases read from memory.
    harness::floor(&files);

    harness::reset_peak();
    let (floor, cells) = harness::median(runs, || harness::floor(&files));
    let floor_rss = harness::peak_rss_mb();

    let out = dir.join("汇总.xlsx");
    harness::reset_peak();
    let (convert, done) = harness::median(runs, || harness::convert(&files, &out));
    let convert_rss = harness::peak_rss_mb();

    let ratio = convert.as_secs_f64() / floor.as_secs_f64();
    eprintln!(
        "{} cells read by the floor; convert: {} files, {} forms, {} indicators, {} findings",
        cells,
        done.batch.inputs.len(),
        done.forms,
        done.indicators,
        done.findings
    );
    println!(
        "| N | cores | floor (s) | convert (s) | ratio | floor peak RSS (MB) | convert peak RSS (MB) |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {n} | {} | {:.3} | {:.3} | {:.2} | {:.0} | {:.0} |",
        rayon::current_num_threads(),
        floor.as_secs_f64(),
        convert.as_secs_f64(),
        ratio,
        floor_rss,
        convert_rss
    );
}
