//! The whole read path over arbitrary bytes: sniff, read (every format), locate, extract,
//! check. It must return results or errors, never panic, and account for every cell.
#![no_main]

use jixiao::batch::forms_in;
use jixiao::model::Batch;
use jixiao::read::{Limits, read_bytes};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(init: jixiao::read::quiet_reader_panics(), |data: &[u8]| {
    let limits = Limits {
        max_file_bytes: 1 << 20,
        max_sheet_cells: 200_000,
        ..Limits::default()
    };
    for name in ["f.xlsx", "f.ods", "f.xlsb", "f.xls"] {
        let Ok(grids) = read_bytes(data, Path::new(name), &limits) else {
            continue;
        };
        let forms = forms_in(&grids, name);
        for f in &forms {
            assert_eq!(f.cells.read, f.cells.placed + f.cells.unplaced.len());
        }
        let mut batch = Batch {
            forms,
            ..Batch::default()
        };
        jixiao::rules::check(&mut batch);
        let _ = jixiao::write::json::to_json(&batch);
    }
});
