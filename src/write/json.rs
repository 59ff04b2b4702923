//! The JSON document of `convert --json` (contract.md): decimals as strings, empty as null.

use crate::model::{Batch, Finding, Severity};
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    forms: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Forms that repeat an earlier one (C005), so counted twice in any total over forms.
    duplicates: usize,
}

/// The batch as pretty-printed JSON.
///
/// # Example
///
/// ```
/// use jixiao::{batch, write};
/// use std::path::PathBuf;
///
/// let b = batch::run(
///     &[PathBuf::from("samples/2023/1.xlsx")],
///     &batch::Options::default(),
/// )?;
/// let json: serde_json::Value = serde_json::from_str(&write::json::to_json(&b)?)?;
/// assert_eq!(json["summary"]["forms"], 1);
/// assert_eq!(json["summary"]["warnings"], 2);
/// assert_eq!(json["inputs"][0]["path"], "samples/2023/1.xlsx");
/// assert_eq!(json["inputs"][0]["status"], "ok");
/// assert_eq!(json["projects"][0]["id"], "P0001");
/// assert_eq!(json["projects"][0]["year"], 2023);
/// assert_eq!(json["findings"][0]["code"], "F003");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn to_json(batch: &Batch) -> std::io::Result<String> {
    let mut out = Vec::new();
    write_json(batch, &mut out)?;
    String::from_utf8(out).map_err(std::io::Error::other)
}

/// [`to_json`] streamed to `out` (a file): the document is never held whole in memory,
/// which at a province's 100,000 forms would be several hundred MB.
///
/// The long arrays (projects, findings, changes) are serialized a window of elements at
/// a time, the window's chunks side by side (rayon), each element pretty-printed at its
/// depth ([`Nested`]): byte for byte what `serde_json::to_writer_pretty` writes for the
/// whole document. On one core the JSON of 10,000 forms was
/// half a second after everything else in `check --format json`.
pub fn write_json(batch: &Batch, out: impl std::io::Write) -> std::io::Result<()> {
    let summary = Summary {
        files: batch.inputs.len(),
        forms: batch.forms.len(),
        errors: batch.count(Severity::Error),
        warnings: batch.count(Severity::Warning),
        infos: batch.count(Severity::Info),
        duplicates: batch.extra_copies(),
    };
    let tool = Tool {
        name: "jixiao",
        version: env!("CARGO_PKG_VERSION"),
    };
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    w.write_all(b"{\n  \"tool\": ")?;
    indented(&mut w, &tool, 1)?;
    w.write_all(b",\n  \"summary\": ")?;
    indented(&mut w, &summary, 1)?;
    w.write_all(b",\n  \"inputs\": ")?;
    array(&mut w, &batch.inputs, |x, buf| element(buf, x))?;
    w.write_all(b",\n  \"projects\": ")?;
    array(&mut w, &batch.forms, |x, buf| element(buf, x))?;
    w.write_all(b",\n  \"findings\": ")?;
    let findings: Vec<&Finding> = batch.findings().collect();
    array(&mut w, &findings, |x, buf| element(buf, x))?;
    w.write_all(b",\n  \"changes\": ")?;
    array(&mut w, &batch.forms, |form, buf| {
        let changes = form.changes().map_err(|e| {
            std::io::Error::other(format!(
                "{} 的{}",
                form.id,
                super::forms::changes_unreadable(&e)
            ))
        })?;
        for c in changes.iter() {
            element(buf, c)?;
        }
        Ok(())
    })?;
    w.write_all(b"\n}\n")?;
    w.flush()
}

/// Elements serialized in one task; a window is this many chunks per thread.
const CHUNK: usize = 64;
const WINDOW_CHUNKS_PER_THREAD: usize = 4;

/// A JSON array member of the document (at depth 1): `[]`, or each element on its own
/// lines at depth 2. `each` appends an item's elements (none, one or several), each as
/// [`element`] writes it.
fn array<T: Sync>(
    w: &mut impl Write,
    items: &[T],
    each: impl Fn(&T, &mut Vec<u8>) -> std::io::Result<()> + Sync,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let window = CHUNK * WINDOW_CHUNKS_PER_THREAD * rayon::current_num_threads().max(1);
    let mut any = false;
    for part in items.chunks(window) {
        let bufs: Vec<std::io::Result<Vec<u8>>> = part
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut buf = Vec::new();
                for x in chunk {
                    each(x, &mut buf)?;
                }
                Ok(buf)
            })
            .collect();
        for buf in bufs {
            let buf = buf?;
            // Each element starts `,\n    `: the first of the array without its comma.
            let buf = match (any, buf.split_first()) {
                (_, None) => continue,
                (false, Some((_, rest))) => {
                    w.write_all(b"[")?;
                    rest
                }
                (true, Some(_)) => &buf[..],
            };
            any = true;
            w.write_all(buf)?;
        }
    }
    w.write_all(if any { b"\n  ]" } else { b"[]" })
}

/// One array element at depth 2, after `,\n    `.
fn element(buf: &mut Vec<u8>, x: &impl Serialize) -> std::io::Result<()> {
    buf.extend_from_slice(b",\n    ");
    indented(buf, x, 2)
}

/// `x` pretty-printed as it stands `depth` levels into the document.
fn indented(w: &mut impl Write, x: &impl Serialize, depth: usize) -> std::io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, Nested::at(depth));
    x.serialize(&mut ser).map_err(std::io::Error::from)
}

/// serde_json's `PrettyFormatter` (two spaces a level) starting `depth` levels in, so an
/// element is written in place, not printed alone and indented after (a copy of every
/// byte of a province's document).
struct Nested {
    depth: usize,
    has_value: bool,
}

impl Nested {
    fn at(depth: usize) -> Self {
        Nested {
            depth,
            has_value: false,
        }
    }

    fn line<W: ?Sized + Write>(&self, w: &mut W, first: bool) -> std::io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }

    fn indent<W: ?Sized + Write>(&self, w: &mut W) -> std::io::Result<()> {
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `serde_json::to_writer_pretty` writes for `{"a": 1, "list": items}`.
    fn whole<T: Serialize>(items: &[T]) -> Vec<u8> {
        #[derive(Serialize)]
        struct Doc<'a, T> {
            a: u8,
            list: &'a [T],
        }
        serde_json::to_vec_pretty(&Doc { a: 1, list: items }).unwrap()
    }

    /// The same document with its array written by [`array`].
    fn windowed<T: Sync>(
        items: &[T],
        each: impl Fn(&T, &mut Vec<u8>) -> std::io::Result<()> + Sync,
    ) -> Vec<u8> {
        let mut out = b"{\n  \"a\": 1,\n  \"list\": ".to_vec();
        array(&mut out, items, each).unwrap();
        out.extend_from_slice(b"\n}");
        out
    }

    #[derive(Serialize, Clone)]
    struct Item {
        n: usize,
        text: String,
        inner: Vec<Option<u8>>,
        map: std::collections::BTreeMap<String, Vec<u8>>,
    }

    #[test]
    fn arrays_are_written_as_the_whole_document_would_be() {
        let item = |n: usize| Item {
            n,
            // Escaped line breaks and quotes: no raw `\n` inside an element's text.
            text: format!("第{n}行\n\"引号\"\t"),
            inner: (0..n % 3).map(|k| (k > 0).then_some(k as u8)).collect(),
            // Empty objects and arrays inside objects, as well as full ones.
            map: (0..n % 4)
                .map(|k| (format!("键{k}"), vec![k as u8; k % 2]))
                .collect(),
        };
        let window = CHUNK * WINDOW_CHUNKS_PER_THREAD * rayon::current_num_threads().max(1);
        for n in [
            0,
            1,
            2,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            window,
            window + 1,
            3 * window + 7,
        ] {
            let items: Vec<Item> = (0..n).map(item).collect();
            let got = windowed(&items, |x, buf| element(buf, x));
            assert_eq!(
                String::from_utf8(got).unwrap(),
                String::from_utf8(whole(&items)).unwrap(),
                "{n}"
            );
            // Items of none, one or several elements (a form's changes), the first
            // chunks of a window with none at all.
            let per = |i: usize| if i < CHUNK + 5 { 0 } else { i % 4 };
            let flat: Vec<Item> = (0..n)
                .flat_map(|i| (0..per(i)).map(move |k| item(i * 10 + k)))
                .collect();
            let got = windowed(&(0..n).collect::<Vec<_>>(), |&i, buf| {
                for k in 0..per(i) {
                    element(buf, &item(i * 10 + k))?;
                }
                Ok(())
            });
            assert_eq!(
                String::from_utf8(got).unwrap(),
                String::from_utf8(whole(&flat)).unwrap(),
                "{n} flat"
            );
        }
    }
}
