//! The whole read path over arbitrary bytes: sniff, read (every format), locate, extract,
//! check. It must return results or errors, never panic, and account for every cell.
//!
//! The bytes are read as they are under each format's name, and also wrapped so that the
//! XML readers meet them even when the fuzzer makes no valid zip: as the content.xml of
//! an .ods package, and as a SpreadsheetML document (after the processing instruction
//! that makes one).
#![no_main]

use jixiao::batch::forms_in;
use jixiao::model::Batch;
use jixiao::read::{Limits, read_bytes};
use libfuzzer_sys::fuzz_target;
use std::io::{Cursor, Write};
use std::path::Path;

/// An .ods package whose content.xml is `content`.
fn ods(content: &[u8]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let parts: [(&str, &[u8]); 3] = [
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        ("content.xml", content),
        (
            "META-INF/manifest.xml",
            br#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>"#,
        ),
    ];
    for (name, body) in parts {
        if w.start_file(name, stored).is_err() || w.write_all(body).is_err() {
            return Vec::new();
        }
    }
    w.finish().map(Cursor::into_inner).unwrap_or_default()
}

/// A SpreadsheetML document of `body`.
fn spreadsheetml(body: &[u8]) -> Vec<u8> {
    let mut v = br#"<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>"#.to_vec();
    v.extend_from_slice(body);
    v
}

fn read_path(data: &[u8], name: &str, limits: &Limits) {
    let Ok(grids) = read_bytes(data, Path::new(name), limits) else {
        return;
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

fuzz_target!(init: jixiao::read::quiet_reader_panics(), |data: &[u8]| {
    let limits = Limits {
        max_file_bytes: 1 << 20,
        max_sheet_cells: 200_000,
        ..Limits::default()
    };
    for name in ["f.xlsx", "f.ods", "f.xlsb", "f.xls"] {
        read_path(data, name, &limits);
    }
    read_path(&ods(data), "c.ods", &limits);
    read_path(&spreadsheetml(data), "s.xls", &limits);
});
