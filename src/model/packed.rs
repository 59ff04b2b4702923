//! A form's indicators packed into bytes while the batch waits for its writers.
//!
//! Ten indicators a form are about 3.4 KB as structs (every field keeps its cell, every
//! text 24 bytes inline) plus their longer texts: at a province's 100,000 forms, 400 MB
//! that the rules read once and each writer once more, one form at a time. Packed, a
//! form's indicators take about a quarter of that: texts as their UTF-8, cells and
//! numbers as variable-length integers, a 一级/二级指标 the same as the indicator before
//! it as one flag. They are unpacked where they are read ([`Indicators::load`]) and
//! dropped after: the rules hold one form's at a time, the writers one form's or one
//! chunk's.
//!
//! Packing is exact: every text, cell, group and number comes back as it was, scale and
//! sign included (`1.50` stays `1.50`, `-0` stays `-0`), which the tests prove field by
//! field on real and odd values.

use super::{Field, Indicator, IndicatorExtra, Text};
use crate::grid::Pos;
use crate::kept::Bytes;
use rust_decimal::Decimal;
use serde::Serialize;
use std::borrow::Cow;
use std::io;
use std::sync::OnceLock;

/// A form's indicators: held as structs while they are read and scored, or packed
/// ([`Indicators::pack`]) once they are; [`Indicators::load`] reads them either way.
///
/// They dereference to their `Vec` as before, held or packed: a packed set is then
/// unpacked once and kept so (changed through `DerefMut`, it is held again). jixiao's
/// own readers of a packed batch call [`Indicators::load`] instead, which keeps nothing;
/// `tests/packed.rs` holds that no output leaves a form unpacked.
#[derive(Debug, Clone, Default)]
pub struct Indicators {
    held: Vec<Indicator>,
    packed: Option<Packed>,
}

/// The fields (tags, cells, numbers, each text's length) and, apart, every text one
/// after another: kept as a `str`, the texts need no UTF-8 check as they are unpacked.
#[derive(Debug, Clone)]
struct Packed {
    fields: Box<[u8]>,
    text: Box<str>,
    count: u32,
    /// Unpacked for a reader that dereferences them (a library user's code).
    held: OnceLock<Vec<Indicator>>,
}

impl Packed {
    fn unpack(&self) -> io::Result<Vec<Indicator>> {
        decode(&self.fields, &self.text, self.count as usize)
    }

    /// Unpacked, for `Deref`: the bytes are jixiao's own, so they read back unless
    /// jixiao has a defect (which debug builds stop at).
    fn unpack_or_none(&self) -> Vec<Indicator> {
        self.unpack().unwrap_or_else(|e| {
            if cfg!(debug_assertions) {
                panic!("packed indicators do not read back: {e}");
            }
            Vec::new()
        })
    }
}

impl From<Vec<Indicator>> for Indicators {
    fn from(held: Vec<Indicator>) -> Self {
        Indicators { held, packed: None }
    }
}

impl std::ops::Deref for Indicators {
    type Target = Vec<Indicator>;

    fn deref(&self) -> &Vec<Indicator> {
        match &self.packed {
            None => &self.held,
            Some(p) => p.held.get_or_init(|| p.unpack_or_none()),
        }
    }
}

impl std::ops::DerefMut for Indicators {
    fn deref_mut(&mut self) -> &mut Vec<Indicator> {
        if let Some(mut p) = self.packed.take() {
            self.held = match p.held.take() {
                Some(v) => v,
                None => p.unpack_or_none(),
            };
        }
        &mut self.held
    }
}

impl<'a> IntoIterator for &'a Indicators {
    type Item = &'a Indicator;
    type IntoIter = std::slice::Iter<'a, Indicator>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Indicators {
    type Item = &'a mut Indicator;
    type IntoIter = std::slice::IterMut<'a, Indicator>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl Indicators {
    /// How many, held or packed.
    pub fn len(&self) -> usize {
        match &self.packed {
            Some(p) => p.count as usize,
            None => self.held.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_packed(&self) -> bool {
        self.packed.is_some()
    }

    /// The indicators: borrowed where held, unpacked where packed (and not kept). An
    /// error only where the packed bytes do not read back (a defect, never the input's
    /// doing).
    pub fn load(&self) -> io::Result<Cow<'_, [Indicator]>> {
        match &self.packed {
            None => Ok(Cow::Borrowed(&self.held)),
            Some(p) => match p.held.get() {
                Some(v) => Ok(Cow::Borrowed(v)),
                None => p.unpack().map(Cow::Owned),
            },
        }
    }

    /// Packed, and unpacked in place as well (dereferenced while packed): what none of
    /// jixiao's own readers may leave behind, or a province's forms would hold their
    /// indicators twice (`tests/packed.rs`).
    #[doc(hidden)]
    pub fn is_unpacked_in_place(&self) -> bool {
        self.packed.as_ref().is_some_and(|p| p.held.get().is_some())
    }

    /// Packs held indicators (an empty or already packed set stays as it is).
    pub fn pack(&mut self) {
        if self.packed.is_some() || self.held.is_empty() {
            return;
        }
        let Ok(count) = u32::try_from(self.held.len()) else {
            return;
        };
        let (fields, text) = encode(&self.held);
        self.packed = Some(Packed {
            fields: fields.into_boxed_slice(),
            text: text.into_boxed_str(),
            count,
            held: OnceLock::new(),
        });
        self.held = Vec::new();
    }

    /// These indicators held, unpacked where packed (the packed bytes are not kept).
    pub fn unpacked(&self) -> io::Result<Indicators> {
        Ok(Indicators::from(self.load()?.into_owned()))
    }
}

#[cfg(test)]
impl Indicators {
    /// `count` packed indicators whose bytes do not read back: what a defect in packing
    /// would leave, for the tests of what each reader then does.
    pub(crate) fn unreadable(count: u32) -> Indicators {
        Indicators {
            held: Vec::new(),
            packed: Some(Packed {
                fields: Box::new([]),
                text: "".into(),
                count,
                held: OnceLock::new(),
            }),
        }
    }
}

impl Serialize for Indicators {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let held = self
            .load()
            .map_err(|e| serde::ser::Error::custom(format!("指标读回失败（internal）：{e}")))?;
        held.serialize(s)
    }
}

// Field tags: which parts are present, and whether the field repeats the one before.
const VALUE: u8 = 1;
const CELL: u8 = 2;
const SAME: u8 = 4;

/// The packed fields, and the texts apart ([`Packed`]).
struct Writer {
    out: Vec<u8>,
    text: String,
}

fn put_var(out: &mut Vec<u8>, mut v: u128) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn tag<T>(f: &Field<T>) -> u8 {
    (if f.value.is_some() { VALUE } else { 0 }) | if f.cell.is_some() { CELL } else { 0 }
}

impl Writer {
    fn var(&mut self, v: u128) {
        put_var(&mut self.out, v);
    }

    fn cell(&mut self, p: Pos) {
        self.var(p.row.into());
        self.var(p.col.into());
    }

    /// Scale and sign in one byte, then the mantissa's magnitude.
    fn decimal(&mut self, d: &Decimal) {
        let sign = if d.is_sign_negative() { 0x80 } else { 0 };
        self.out.push(d.scale() as u8 | sign);
        self.var(d.mantissa().unsigned_abs());
    }

    /// A field's tag, its value (written by `value`) where it has one, then its cell.
    fn field<T>(&mut self, f: &Field<T>, value: impl FnOnce(&mut Self, &T)) {
        self.out.push(tag(f));
        if let Some(v) = &f.value {
            value(self, v);
        }
        if let Some(p) = f.cell {
            self.cell(p);
        }
    }

    fn text(&mut self, f: &Field<Text>, before: Option<&Field<Text>>) {
        if before == Some(f) {
            self.out.push(SAME);
            return;
        }
        self.field(f, |w, v| {
            w.var(v.len() as u128);
            w.text.push_str(v);
        });
    }

    fn number(&mut self, f: &Field<Decimal>) {
        self.field(f, Self::decimal);
    }
}

fn encode(v: &[Indicator]) -> (Vec<u8>, String) {
    let mut w = Writer {
        out: Vec::with_capacity(v.len() * 40),
        text: String::with_capacity(v.len() * 64),
    };
    let mut before: Option<&Indicator> = None;
    for i in v {
        w.text(&i.level1, before.map(|b| &b.level1));
        w.text(&i.level2, before.map(|b| &b.level2));
        for f in [&i.name, &i.target, &i.actual, &i.reason] {
            w.text(f, None);
        }
        w.number(&i.weight);
        w.number(&i.score);
        match i.group {
            Some(g) => {
                w.out.push(1);
                w.var(g.into());
            }
            None => w.out.push(0),
        }
        match &i.suggested {
            Some(d) => {
                w.out.push(1);
                w.decimal(d);
            }
            None => w.out.push(0),
        }
        match &i.extra {
            Some(x) => {
                w.out.push(1);
                for f in [&x.nature, &x.unit, &x.direction] {
                    w.text(f, None);
                }
                w.number(&x.review);
            }
            None => w.out.push(0),
        }
        before = Some(i);
    }
    (w.out, w.text)
}

fn bad(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("packed indicators: {what}"),
    )
}

struct Reader<'a> {
    b: Bytes<'a>,
    text: &'a str,
}

impl Reader<'_> {
    fn var(&mut self) -> io::Result<u128> {
        let mut v: u128 = 0;
        for shift in (0..128).step_by(7) {
            let b = self.b.u8()?;
            v |= u128::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(bad("integer too long"))
    }

    fn small(&mut self) -> io::Result<u32> {
        u32::try_from(self.var()?).map_err(|_| bad("integer out of range"))
    }

    fn cell(&mut self) -> io::Result<Pos> {
        Ok(Pos::new(self.small()?, self.small()?))
    }

    fn decimal(&mut self) -> io::Result<Decimal> {
        let head = self.b.u8()?;
        let m = i128::try_from(self.var()?).map_err(|_| bad("number out of range"))?;
        let negative = head & 0x80 != 0;
        let signed = if negative { -m } else { m };
        let mut d = Decimal::try_from_i128_with_scale(signed, u32::from(head & 0x7f))
            .map_err(|_| bad("number out of range"))?;
        // `-0` keeps its sign, as it was read.
        d.set_sign_negative(negative);
        Ok(d)
    }

    /// A field's value (read by `value` where its tag says there is one), then its cell.
    fn field<T>(
        &mut self,
        tag: u8,
        value: impl FnOnce(&mut Self) -> io::Result<T>,
    ) -> io::Result<Field<T>> {
        let value = if tag & VALUE != 0 {
            Some(value(self)?)
        } else {
            None
        };
        let cell = if tag & CELL != 0 {
            Some(self.cell()?)
        } else {
            None
        };
        Ok(Field { value, cell })
    }

    fn text(&mut self, before: Option<&Field<Text>>) -> io::Result<Field<Text>> {
        let tag = self.b.u8()?;
        if tag == SAME {
            return before.cloned().ok_or_else(|| bad("no field before"));
        }
        self.field(tag, |r| {
            let n = usize::try_from(r.var()?).map_err(|_| bad("text too long"))?;
            let t = r.text.get(..n).ok_or_else(|| bad("text cut short"))?;
            r.text = &r.text[n..];
            Ok(Text::from(t))
        })
    }

    fn number(&mut self) -> io::Result<Field<Decimal>> {
        let tag = self.b.u8()?;
        self.field(tag, Self::decimal)
    }

    fn flag(&mut self) -> io::Result<bool> {
        Ok(self.b.u8()? != 0)
    }
}

fn decode(fields: &[u8], text: &str, count: usize) -> io::Result<Vec<Indicator>> {
    let mut r = Reader {
        b: Bytes(fields),
        text,
    };
    let mut out: Vec<Indicator> = Vec::with_capacity(count);
    for _ in 0..count {
        let before = out.last();
        let level1 = r.text(before.map(|i| &i.level1))?;
        let level2 = r.text(before.map(|i| &i.level2))?;
        let (name, target) = (r.text(None)?, r.text(None)?);
        let (actual, reason) = (r.text(None)?, r.text(None)?);
        let (weight, score) = (r.number()?, r.number()?);
        let group = if r.flag()? { Some(r.small()?) } else { None };
        let suggested = if r.flag()? { Some(r.decimal()?) } else { None };
        let extra = if r.flag()? {
            Some(Box::new(IndicatorExtra {
                nature: r.text(None)?,
                unit: r.text(None)?,
                direction: r.text(None)?,
                review: r.number()?,
            }))
        } else {
            None
        };
        out.push(Indicator {
            level1,
            level2,
            name,
            target,
            actual,
            weight,
            score,
            reason,
            extra,
            group,
            suggested,
        });
    }
    if !r.b.0.is_empty() || !r.text.is_empty() {
        return Err(bad("bytes left over"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// Every part of a decimal, so that `1.5` and `1.50` (equal as numbers) differ.
    fn exact(d: &Option<Decimal>) -> Option<[u8; 16]> {
        d.map(|d| d.serialize())
    }

    fn same_text(a: &Field<Text>, b: &Field<Text>) {
        assert_eq!((&a.value, a.cell), (&b.value, b.cell));
    }

    fn same_number(a: &Field<Decimal>, b: &Field<Decimal>) {
        assert_eq!((exact(&a.value), a.cell), (exact(&b.value), b.cell));
    }

    fn same(a: &Indicator, b: &Indicator) {
        for (x, y) in [
            (&a.level1, &b.level1),
            (&a.level2, &b.level2),
            (&a.name, &b.name),
            (&a.target, &b.target),
            (&a.actual, &b.actual),
            (&a.reason, &b.reason),
        ] {
            same_text(x, y);
        }
        same_number(&a.weight, &b.weight);
        same_number(&a.score, &b.score);
        assert_eq!(a.group, b.group);
        assert_eq!(exact(&a.suggested), exact(&b.suggested));
        assert_eq!(a.extra.is_some(), b.extra.is_some());
        if let (Some(x), Some(y)) = (&a.extra, &b.extra) {
            same_text(&x.nature, &y.nature);
            same_text(&x.unit, &y.unit);
            same_text(&x.direction, &y.direction);
            same_number(&x.review, &y.review);
        }
    }

    fn text(s: &str, row: u32, col: u32) -> Field<Text> {
        Field::new(Some(Text::from(s)), Some(Pos::new(row, col)))
    }

    fn number(s: &str, row: u32, col: u32) -> Field<Decimal> {
        Field::new(Some(d(s)), Some(Pos::new(row, col)))
    }

    fn sample() -> Vec<Indicator> {
        let long = "对各辖区戒毒和康复人员进行有效帮扶，社区戒毒康复人员回归社会".repeat(3);
        let mut v = vec![
            Indicator {
                level1: text("产出指标", 12, 1),
                level2: text("数量指标", 12, 2),
                name: text("培训人次", 12, 3),
                target: text("≥95%", 12, 4),
                actual: text("100%", 12, 5),
                weight: number("10", 12, 6),
                score: number("9.50", 12, 7),
                reason: Field::new(None, Some(Pos::new(12, 8))),
                group: Some(1),
                suggested: Some(d("9.5")),
                ..Default::default()
            },
            // The same 一级/二级指标 as the one before: packed as a flag.
            Indicator {
                level1: text("产出指标", 12, 1),
                level2: text("数量指标", 12, 2),
                name: text(&long, 13, 3),
                target: text("", 13, 4),
                actual: Field::new(Some(Text::from("完成\n\t ")), None),
                weight: Field::empty(),
                score: number("-0", 13, 7),
                reason: text("因疫情延期", 13, 8),
                group: Some(1),
                ..Default::default()
            },
            // The same text at another cell is not the same field.
            Indicator {
                level1: text("产出指标", 14, 1),
                level2: Field::new(None, Some(Pos::new(14, 2))),
                name: text("满意度", 1_048_575, 16_383),
                weight: number("79228162514264337593543950335", 14, 6),
                score: number("-0.0000000000000000000000000001", 14, 7),
                group: Some(u32::MAX),
                suggested: Some(d("-7.25")),
                ..Default::default()
            },
            Indicator::default(),
        ];
        let x = v[2].extra_mut();
        x.nature = text("≥", 14, 9);
        x.unit = text("%", 14, 10);
        x.direction = Field::new(Some(Text::from("大于等于")), None);
        x.review = number("8.00", 14, 11);
        v[3].extra = Some(Box::default());
        v
    }

    #[test]
    fn indicators_come_back_exactly_as_packed() {
        let v = sample();
        let mut held = Indicators::from(v.clone());
        held.pack();
        assert!(held.is_packed());
        assert_eq!(held.len(), v.len());
        let back = held.load().unwrap();
        assert_eq!(back.len(), v.len());
        for (a, b) in v.iter().zip(back.iter()) {
            same(a, b);
        }
        // And the JSON, which a packed form writes from its bytes.
        assert_eq!(
            serde_json::to_string(&held).unwrap(),
            serde_json::to_string(&v).unwrap()
        );
        // Packing twice packs once.
        held.pack();
        assert_eq!(held.load().unwrap().len(), v.len());
    }

    /// Code that reads packed indicators as a `Vec` (a library user's) gets them all,
    /// unpacked once; changing them holds them again.
    #[test]
    fn packed_indicators_dereference_to_all_of_them() {
        let v = sample();
        let mut p = Indicators::from(v.clone());
        p.pack();
        assert!(!p.is_unpacked_in_place());
        let loaded = p.load().unwrap();
        assert!(matches!(loaded, Cow::Owned(_)));
        drop(loaded);
        assert!(!p.is_unpacked_in_place());
        assert_eq!(p.iter().count(), v.len());
        assert!(p.is_packed() && p.is_unpacked_in_place());
        for (a, b) in v.iter().zip(&p) {
            same(a, b);
        }
        assert!(matches!(p.load().unwrap(), Cow::Borrowed(_)));
        p[0].group = Some(7);
        assert!(!p.is_packed());
        assert_eq!((p.len(), p[0].group), (v.len(), Some(7)));
        same(&v[1], &p[1]);
        let mut q = Indicators::from(v.clone());
        q.pack();
        q.push(Indicator::default());
        assert_eq!(q.len(), v.len() + 1);
        same(&v[2], &q[2]);
    }

    #[test]
    fn every_prefix_and_single_indicator_round_trips() {
        let v = sample();
        for n in 0..=v.len() {
            let mut p = Indicators::from(v[..n].to_vec());
            p.pack();
            assert_eq!(p.is_packed(), n > 0);
            for (a, b) in v[..n].iter().zip(p.load().unwrap().iter()) {
                same(a, b);
            }
        }
        for one in &v {
            let mut p = Indicators::from(vec![one.clone()]);
            p.pack();
            same(one, &p.load().unwrap()[0]);
        }
    }

    #[test]
    fn packed_is_smaller_than_held() {
        let v: Vec<Indicator> = (0..10).flat_map(|_| sample().into_iter().take(1)).collect();
        let (fields, text) = encode(&v);
        let packed = fields.len() + text.len();
        assert!(
            packed * 4 < v.len() * std::mem::size_of::<Indicator>(),
            "{packed}"
        );
    }

    #[test]
    fn cut_or_altered_bytes_are_an_error_not_a_panic() {
        let v = sample();
        let (fields, text) = encode(&v);
        assert!(decode(&fields, &text, v.len()).is_ok());
        for n in 0..fields.len() {
            assert!(decode(&fields[..n], &text, v.len()).is_err(), "cut at {n}");
        }
        for (n, _) in text.char_indices() {
            assert!(
                decode(&fields, &text[..n], v.len()).is_err(),
                "text cut at {n}"
            );
        }
        let mut more = fields.clone();
        more.push(0);
        assert!(decode(&more, &text, v.len()).is_err());
        assert!(decode(&fields, &format!("{text}x"), v.len()).is_err());
        // Whoever reads them is told: the JSON fails rather than list none.
        let broken = Indicators::unreadable(2);
        assert!(broken.load().is_err() && broken.unpacked().is_err());
        let json = serde_json::to_string(&broken).unwrap_err().to_string();
        assert!(json.contains("指标读回失败"), "{json}");
        // Every single byte changed: read back or refused, never a panic (a length
        // changed may end inside a character of the texts).
        for n in 0..fields.len() {
            for x in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                let mut b = fields.clone();
                b[n] = x;
                let _ = decode(&b, &text, v.len());
            }
        }
    }
}
