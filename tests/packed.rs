//! Packing a form's indicators (`batch::Options::pack`, as `convert` reads) changes no
//! figure and no finding: every sample, variant and real published form read both ways
//! gives the same indicators (every text, cell, number with its scale, group, 建议得分) and
//! the same findings, in the same order.

mod common;

use common::root;
use jixiao::batch::{self, Options};
use jixiao::model::Batch;

fn read(pack: bool) -> Batch {
    let inputs = [
        "samples/2023",
        "samples/stacked",
        "samples/variants",
        "tests/fixtures/real",
    ]
    .map(|p| root().join(p));
    let opts = Options {
        pack,
        keep_source: true,
        ..Default::default()
    };
    batch::run(&inputs, &opts).unwrap()
}

#[test]
fn packed_indicators_read_back_as_read_and_raise_the_same_findings() {
    let (held, packed) = (read(false), read(true));
    assert_eq!(held.forms.len(), packed.forms.len());
    assert!(held.forms.len() >= 30, "{} forms", held.forms.len());
    let mut indicators = 0;
    for (h, p) in held.forms.iter().zip(&packed.forms) {
        assert_eq!((&h.file, &h.sheet, h.anchor), (&p.file, &p.sheet, p.anchor));
        assert!(!h.indicators.is_packed());
        assert_eq!(
            p.indicators.is_packed(),
            !h.indicators.is_empty(),
            "{}",
            p.file
        );
        assert_eq!(h.indicators.len(), p.indicators.len());
        let back = p.indicators.load().unwrap();
        // Debug shows every field, a number with its scale (`1.50`), each cell.
        assert_eq!(
            format!("{:?}", &h.indicators[..]),
            format!("{back:?}"),
            "{} {}",
            p.file,
            p.sheet
        );
        assert_eq!(
            serde_json::to_string(&h.indicators).unwrap(),
            serde_json::to_string(&p.indicators).unwrap()
        );
        assert_eq!(h.findings, p.findings, "{} {}", p.file, p.sheet);
        indicators += back.len();
    }
    assert!(indicators >= 250, "{indicators} indicators");
    assert_eq!(held.file_findings, packed.file_findings);
    assert_eq!(held.duplicates, packed.duplicates);
}

/// A conversion with every output (form sheets, feedback, JSON, CSV) reads each form's
/// indicators through `load` only: none is left unpacked in place, or a province's forms
/// would hold their indicators twice by the end of the run.
#[test]
fn no_output_leaves_a_form_unpacked() {
    let dir = tempfile::tempdir().unwrap();
    let req = jixiao::convert::Request {
        inputs: ["samples/2023", "samples/variants", "tests/fixtures/real"]
            .map(|p| root().join(p))
            .to_vec(),
        output: dir.path().join("汇总.xlsx"),
        json: Some(dir.path().join("汇总.json")),
        csv: Some(dir.path().join("csv")),
        feedback: Some(dir.path().join("反馈")),
        form_sheets: Some(true),
        ..Default::default()
    };
    let done = jixiao::convert::run(&req, |_, _| {}).unwrap();
    assert!(done.batch.forms.len() >= 20);
    for f in &done.batch.forms {
        assert!(
            f.indicators.is_packed() || f.indicators.is_empty(),
            "{} {}",
            f.file,
            f.sheet
        );
        assert!(
            !f.indicators.is_unpacked_in_place(),
            "{} {}",
            f.file,
            f.sheet
        );
    }
    // Dereferenced, as a library user may, they are all there.
    let f = done
        .batch
        .forms
        .iter()
        .find(|f| !f.indicators.is_empty())
        .unwrap();
    assert_eq!(f.indicators.iter().count(), f.indicators.len());
    assert!(f.indicators.is_unpacked_in_place());
}
