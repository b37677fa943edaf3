//! The one reader of provider JSON records, shared by the connectors. A mapping reads a record
//! field by field; the first field it cannot use becomes a [`Skipped`] naming the record's id,
//! the field's full path (`categories.department`, `emailAddresses[1].value`) and why. Reasons
//! name a value's kind, never the value: they go to the sync log, and values may be personal
//! data. A whole answer of the wrong shape is an error instead, [`invalid`], which names the
//! provider, the request and an excerpt of the answer.

use std::borrow::Cow;

use chrono::{DateTime, TimeZone, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::http;
use super::{Page, Skipped};
use model::error::Error;
use model::Extra;

/// A field read, or why it could not be.
pub(crate) type Read<T> = std::result::Result<T, Skipped>;

/// `{provider} answered {what} {why}: {excerpt of the body}`: an answer that is not the shape
/// the provider documents (`why` says how: "with something that is not JSON", "without a data
/// list").
pub(crate) fn invalid(provider: &str, what: &str, why: &str, body: &str) -> Error {
    Error::InvalidResponse(format!("{provider} answered {what} {why}: {}", http::excerpt(body)))
}

/// A record read on its own (the application a write is about), which the mapping could not
/// read: an error, where a sync would skip the record and go on.
pub(crate) fn unreadable(provider: &str, record: &str, id: &str, s: &Skipped) -> Error {
    Error::InvalidResponse(format!("{provider} sent the {record} {id} with an unreadable {}: {}", s.field, s.reason))
}

/// Maps one record into the page, or reports it skipped; either way it is listed by its id
/// (deletion reconciliation must not take a malformed record for a deleted one).
pub(crate) fn read_into<T>(
    page: &mut Page,
    provider: &str,
    rec: &Rec<'_>,
    map: impl FnOnce(&Rec<'_>) -> Read<T>,
    push: impl FnOnce(&mut Page, T),
) {
    if let Some(id) = &rec.id {
        page.listed.push(id.clone());
    }
    match map(rec) {
        Ok(t) => push(page, t),
        Err(s) => {
            // Field and reason only: record values may be personal data.
            let (remote_id, field, reason) = (&s.remote_id, &s.field, &s.reason);
            tracing::warn!(provider, ?remote_id, %field, %reason, "skipped a malformed record");
            page.skipped.push(s);
        }
    }
}

/// A record's id for listing and reporting, whatever each provider's own rule (Greenhouse:
/// integers, Lever and Ashby: strings): a non-blank string (trimmed) or a number. Settings
/// typed by hand (a Greenhouse user id) read the same way.
pub(crate) fn id_of(v: &Value) -> Option<String> {
    model::id_text(v)
}

/// A value's kind, as reasons name it.
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A record (or an object inside one) being read.
pub(crate) struct Rec<'a> {
    src: Src<'a>,
    /// The record's id, if readable ([`id_of`]); kept by nested objects, which report by it.
    pub id: Option<String>,
    /// Where this object sits in the record: `""`, or e.g. `"categories."`.
    at: String,
}

enum Src<'a> {
    Tree(Cow<'a, Map<String, Value>>),
    /// Fields sliced out of the page's text, each parsed only when a mapping reads it (see
    /// [`Rec::list`]).
    Raw(Fields<'a>),
    /// Not an object: every read fails, naming what it is.
    Not(&'static str),
}

impl<'a> Rec<'a> {
    /// A record of an already parsed page.
    pub fn new(v: &'a Value) -> Rec<'a> {
        let id = v.get("id").and_then(id_of);
        Rec { src: src_of(Cow::Borrowed(v)), id, at: String::new() }
    }

    /// The records of a page's text, a JSON list, sliced out in the same pass that reads the
    /// list: no tree of every value of every record is built and dropped, and a field is
    /// parsed when a mapping reads it (Greenhouse's large candidate pages). Slicing a list of
    /// [`RawValue`]s first, then each of them, read every record's text twice. `Err` if the
    /// text is not a JSON list.
    pub fn list(text: &'a str) -> serde_json::Result<Vec<Rec<'a>>> {
        let elements: Vec<Element<'a>> = serde_json::from_str(text)?;
        Ok(elements
            .into_iter()
            .map(|Element(src)| {
                let mut rec = Rec { src, id: None, at: String::new() };
                rec.id = rec.listed_id();
                rec
            })
            .collect())
    }

    /// The id a page lists this record by ([`id_of`]): an integer read in place (Greenhouse's
    /// every record), anything else through a `Value`.
    fn listed_id(&self) -> Option<String> {
        if let Some(Some(n)) = self.sliced_as::<u64>("id") {
            return Some(n.to_string());
        }
        self.value("id").as_deref().and_then(id_of)
    }

    fn child(&self, v: Cow<'a, Value>, at: String) -> Rec<'a> {
        Rec { src: src_of(v), id: self.id.clone(), at }
    }

    /// What this is: "an object", or the kind of value found where one was expected.
    pub fn kind(&self) -> &'static str {
        match self.src {
            Src::Not(kind) => kind,
            _ => "an object",
        }
    }

    pub fn is_object(&self) -> bool {
        !matches!(self.src, Src::Not(_))
    }

    /// A failure of `field` (relative to this object).
    pub fn skip(&self, field: &str, reason: impl Into<String>) -> Skipped {
        Skipped { remote_id: self.id.clone(), field: format!("{}{field}", self.at), reason: reason.into() }
    }

    /// A field as sent (null included); `None` if absent, or if this is not an object. For
    /// lenient reads (lookups, `extra`); mappings use the checked readers below.
    pub fn value(&self, field: &str) -> Option<Cow<'a, Value>> {
        match &self.src {
            Src::Tree(Cow::Borrowed(m)) => m.get(field).map(Cow::Borrowed),
            Src::Tree(Cow::Owned(m)) => m.get(field).cloned().map(Cow::Owned),
            Src::Raw(f) => serde_json::from_str(f.get(field)?.get()).ok().map(Cow::Owned),
            Src::Not(_) => None,
        }
    }

    /// The field's value; `None` for absent or null. Fails if this is not an object.
    pub fn get(&self, field: &str) -> Read<Option<Cow<'a, Value>>> {
        if let Src::Not(kind) = self.src {
            let whole = if self.at.is_empty() { "record" } else { self.at.trim_end_matches('.') };
            return Err(Skipped {
                remote_id: self.id.clone(),
                field: whole.to_string(),
                reason: format!("expected an object, found {kind}"),
            });
        }
        Ok(self.value(field).filter(|v| !v.is_null()))
    }

    /// An optional field read by `read`; a value it refuses is "expected {expected}, found …".
    pub fn opt<T>(&self, field: &str, expected: &str, read: impl FnOnce(&Value) -> Option<T>) -> Read<Option<T>> {
        match self.get(field)? {
            None => Ok(None),
            Some(v) => {
                let found = kind_of(&v);
                read(&v).map(Some).ok_or_else(|| self.skip(field, format!("expected {expected}, found {found}")))
            }
        }
    }

    /// [`Rec::opt`] for a field that must be there (absent or null: "missing").
    pub fn req<T>(&self, field: &str, expected: &str, read: impl FnOnce(&Value) -> Option<T>) -> Read<T> {
        self.opt(field, expected, read)?.ok_or_else(|| self.skip(field, "missing"))
    }

    /// The field parsed straight from its text as `T` (absent and null: `None`), if this record
    /// was sliced from a page's text and the value is a `T`; otherwise `None`, and the caller
    /// reads it the general way, which also says why a value does not fit. Skips building a
    /// [`Value`] only to copy the string or number out of it.
    fn sliced_as<T: serde::de::DeserializeOwned>(&self, field: &str) -> Option<Option<T>> {
        let Src::Raw(f) = &self.src else { return None };
        match f.get(field) {
            None => Some(None),
            Some(raw) => serde_json::from_str::<Option<T>>(raw.get()).ok(),
        }
    }

    pub fn str(&self, field: &str) -> Read<String> {
        self.opt_str(field)?.ok_or_else(|| self.skip(field, "missing"))
    }

    pub fn opt_str(&self, field: &str) -> Read<Option<String>> {
        if let Some(s) = self.sliced_as::<String>(field) {
            return Ok(s);
        }
        self.opt(field, "a string", |v| v.as_str().map(str::to_string))
    }

    /// A string that must be there and not blank (names, titles).
    pub fn text(&self, field: &str) -> Read<String> {
        let s = self.str(field)?;
        if s.trim().is_empty() {
            return Err(self.skip(field, "empty"));
        }
        Ok(s)
    }

    /// The record's own id as it is listed ([`id_of`]), for providers that accept either form.
    pub fn id(&self) -> Read<String> {
        let v = self.get("id")?.ok_or_else(|| self.skip("id", "missing"))?;
        id_of(&v).ok_or_else(|| match v.as_ref() {
            Value::String(_) => self.skip("id", "empty"),
            other => self.skip("id", format!("expected a string id, found {}", kind_of(other))),
        })
    }

    /// A string id (Lever, Ashby): there and not empty.
    pub fn str_id(&self, field: &str) -> Read<String> {
        let s = self.req(field, "a string id", |v| v.as_str().map(str::to_string))?;
        if s.is_empty() {
            return Err(self.skip(field, "empty"));
        }
        Ok(s)
    }

    /// An integer id (Greenhouse), as the decimal text the model keeps.
    pub fn int_id(&self, field: &str) -> Read<String> {
        self.opt_int_id(field)?.ok_or_else(|| self.skip(field, "missing"))
    }

    pub fn opt_int_id(&self, field: &str) -> Read<Option<String>> {
        if let Some(n) = self.sliced_as::<u64>(field) {
            return Ok(n.map(|n| n.to_string()));
        }
        self.opt(field, "an integer id", |v| v.as_u64().map(|n| n.to_string()))
    }

    pub fn int(&self, field: &str) -> Read<i64> {
        self.req(field, "an integer", Value::as_i64)
    }

    pub fn opt_bool(&self, field: &str) -> Read<Option<bool>> {
        self.opt(field, "true/false", Value::as_bool)
    }

    /// An RFC 3339 (ISO 8601) time, as Greenhouse and Ashby send them.
    pub fn time(&self, field: &str) -> Read<DateTime<Utc>> {
        self.opt_time(field)?.ok_or_else(|| self.skip(field, "missing"))
    }

    pub fn opt_time(&self, field: &str) -> Read<Option<DateTime<Utc>>> {
        let parse = |s: &str| parse_time(s).map(Some).ok_or_else(|| self.skip(field, "not an RFC 3339 time"));
        if let Some(Some(s)) = self.sliced_as::<String>(field) {
            return parse(&s);
        }
        match self.get(field)? {
            None => Ok(None),
            Some(v) => match v.as_str() {
                Some(s) => parse(s),
                None => Err(self.skip(field, format!("expected an RFC 3339 time, found {}", kind_of(&v)))),
            },
        }
    }

    /// Milliseconds since the epoch, as Lever sends every time: the number and the instant.
    pub fn ms(&self, field: &str) -> Read<(i64, DateTime<Utc>)> {
        let v = self.get(field)?.ok_or_else(|| self.skip(field, "missing"))?;
        let ms = match v.as_ref() {
            Value::Number(n) => {
                n.as_i64().ok_or_else(|| self.skip(field, format!("{n} is not a time in milliseconds")))?
            }
            v => return Err(self.skip(field, format!("expected a time in milliseconds, found {}", kind_of(v)))),
        };
        let t =
            Utc.timestamp_millis_opt(ms).single().ok_or_else(|| self.skip(field, format!("{ms} is out of range")))?;
        Ok((ms, t))
    }

    /// A list of strings (tags); absent or null reads as empty.
    pub fn strings(&self, field: &str) -> Read<Vec<String>> {
        let Some(v) = self.get(field)? else { return Ok(Vec::new()) };
        let Some(items) = v.as_array() else {
            return Err(self.skip(field, format!("expected a list of strings, found {}", kind_of(&v))));
        };
        items
            .iter()
            .map(|i| match i {
                Value::String(s) => Ok(s.clone()),
                other => Err(self.skip(field, format!("expected a list of strings, found {} in it", kind_of(other)))),
            })
            .collect()
    }

    /// An object field, to be read in turn; absent or null is `None`.
    pub fn object(&self, field: &str) -> Read<Option<Rec<'a>>> {
        match self.get(field)? {
            None => Ok(None),
            Some(v) if v.is_object() => Ok(Some(self.child(v, format!("{}{field}.", self.at)))),
            Some(v) => Err(self.skip(field, format!("expected an object, found {}", kind_of(&v)))),
        }
    }

    /// A list field's items, each to be read in turn (`field[i].…`); absent or null is empty.
    /// `expected` describes the list for a value that is not one.
    pub fn items(&self, field: &str, expected: &str) -> Read<Vec<Rec<'a>>> {
        let at = |i: usize| format!("{}{field}[{i}].", self.at);
        match self.get(field)? {
            None => Ok(Vec::new()),
            Some(Cow::Borrowed(Value::Array(a))) => {
                Ok(a.iter().enumerate().map(|(i, v)| self.child(Cow::Borrowed(v), at(i))).collect())
            }
            Some(Cow::Owned(Value::Array(a))) => {
                Ok(a.into_iter().enumerate().map(|(i, v)| self.child(Cow::Owned(v), at(i))).collect())
            }
            Some(v) => Err(self.skip(field, format!("expected {expected}, found {}", kind_of(&v)))),
        }
    }

    /// `field: [{inner: "…"}, …]` (e-mail addresses, phone numbers, tags) → the inner strings;
    /// absent or null reads as empty.
    pub fn strings_in(&self, field: &str, inner: &str) -> Read<Vec<String>> {
        if let Src::Raw(f) = &self.src {
            // Every item an object with a string `inner`: read in place (see `sliced_as`).
            let sliced = || -> Option<Vec<String>> {
                let Some(raw) = f.get(field) else { return Some(Vec::new()) };
                let items: Option<Vec<Fields<'_>>> = serde_json::from_str(raw.get()).ok()?;
                items.unwrap_or_default().iter().map(|i| serde_json::from_str(i.get(inner)?.get()).ok()).collect()
            };
            if let Some(strings) = sliced() {
                return Ok(strings);
            }
        }
        self.items(field, &format!("a list of objects with a {inner}"))?.iter().map(|item| item.str(inner)).collect()
    }

    /// The listed fields that are present, exactly as sent (null included), for `extra`.
    /// `fields` are listed in order (as `extra` is written), each once.
    pub fn extra(&self, fields: &[&str]) -> Extra {
        self.extra_where(fields, true)
    }

    /// [`Rec::extra`] without the null ones. Each connector keeps the form it always stored:
    /// the store compares `extra` to tell an update, so changing it would report every record
    /// updated once.
    pub fn extra_non_null(&self, fields: &[&str]) -> Extra {
        self.extra_where(fields, false)
    }

    fn extra_where(&self, fields: &[&str], nulls: bool) -> Extra {
        debug_assert!(fields.windows(2).all(|w| w[0] < w[1]), "extra's fields are listed sorted, once each");
        let Src::Raw(f) = &self.src else {
            let mut m = Map::new();
            for &name in fields {
                if let Some(v) = self.value(name).filter(|v| nulls || !v.is_null()) {
                    m.insert(name.to_string(), v.into_owned());
                }
            }
            return Extra::from(Value::Object(m));
        };
        // Written as a `Value` would be: keys in order, and each field's text copied where a
        // `Value` of it writes the same text again, else parsed and written out.
        let mut kept = Vec::with_capacity(fields.len());
        for &name in fields {
            let Some(raw) = f.get(name) else { continue };
            let text = raw.get();
            if !nulls && text == "null" {
                continue;
            }
            let text = if written_alike(text) {
                Cow::Borrowed(text)
            } else {
                // Left out if a `Value` cannot hold it (a number beyond a float's range), as
                // from a parsed record.
                let Ok(v) = serde_json::from_str::<Value>(text) else { continue };
                Cow::Owned(serde_json::to_string(&v).expect("a Value's keys are strings"))
            };
            // The names are the connectors' own field names: nothing in them to escape.
            debug_assert!(!name.contains(['"', '\\']) && !name.chars().any(char::is_control));
            kept.push((name, text));
        }
        let mut out =
            String::with_capacity(2 + kept.iter().map(|(name, text)| name.len() + text.len() + 4).sum::<usize>());
        out.push('{');
        for (name, text) in kept {
            if out.len() > 1 {
                out.push(',');
            }
            out.push('"');
            out.push_str(name);
            out.push_str("\":");
            out.push_str(&text);
        }
        out.push('}');
        Extra::from_canonical_text(out)
    }
}

/// Whether serde_json writes a `Value` parsed from this JSON text (valid JSON, as a page's
/// fields are) as the same text: literals; strings without escapes (it escapes only quotes,
/// backslashes and control characters, which unescaped JSON strings cannot hold); integers it
/// keeps as integers; and lists and objects of those, with no space between tokens and an
/// object's keys in the order it sorts them, each once. Anything else (an escape it may write
/// otherwise, a number it writes as a float, keys out of order or repeated, space) is not.
/// Objects matter: a provider's nested records (Greenhouse's `source`) come as serde_json would
/// write them, and parsing each into a `Value` to write it out again was over a third of `extra`.
fn written_alike(text: &str) -> bool {
    let mut at = Canonical { text: text.as_bytes(), i: 0 };
    at.value() && at.i == text.len()
}

/// A walk over valid JSON text that stops at the first token serde_json would write otherwise.
struct Canonical<'t> {
    text: &'t [u8],
    i: usize,
}

impl<'t> Canonical<'t> {
    fn value(&mut self) -> bool {
        match self.text.get(self.i) {
            Some(b'{') => self.object(),
            Some(b'[') => self.list(),
            Some(b'"') => self.string().is_some(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(_) => self.integer(),
            None => false,
        }
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        let found = self.text[self.i..].starts_with(word);
        self.i += word.len();
        found
    }

    /// A string without escapes: its contents.
    fn string(&mut self) -> Option<&'t [u8]> {
        let text: &'t [u8] = self.text;
        let start = self.i + 1;
        let len = text.get(start..)?.iter().position(|&b| b == b'"' || b == b'\\')?;
        if text[start + len] == b'\\' {
            return None;
        }
        self.i = start + len + 1;
        Some(&text[start..start + len])
    }

    /// At most 18 digits, with a minus or not, and neither a fraction nor an exponent. `-0` is
    /// read as a float (written `-0.0`).
    fn integer(&mut self) -> bool {
        let negative = self.text[self.i] == b'-';
        let start = self.i + usize::from(negative);
        let digits = self.text[start..].iter().take_while(|b| b.is_ascii_digit()).count();
        self.i = start + digits;
        (1..=18).contains(&digits)
            && !(negative && self.text[start] == b'0')
            && !matches!(self.text.get(self.i), Some(b'.' | b'e' | b'E'))
    }

    fn list(&mut self) -> bool {
        self.i += 1;
        if self.take(b']') {
            return true;
        }
        loop {
            if !self.value() {
                return false;
            }
            match self.separator(b']') {
                Some(true) => return true,
                Some(false) => {}
                None => return false,
            }
        }
    }

    fn object(&mut self) -> bool {
        self.i += 1;
        if self.take(b'}') {
            return true;
        }
        let mut last: Option<&[u8]> = None;
        loop {
            if self.text.get(self.i) != Some(&b'"') {
                return false;
            }
            // Keys sort as strings, byte by byte; without escapes their text is the string.
            let Some(key) = self.string() else { return false };
            if last.is_some_and(|last| last >= key) || !self.take(b':') || !self.value() {
                return false;
            }
            last = Some(key);
            match self.separator(b'}') {
                Some(true) => return true,
                Some(false) => {}
                None => return false,
            }
        }
    }

    /// Whether `byte` is next, stepping over it if so.
    fn take(&mut self, byte: u8) -> bool {
        let found = self.text.get(self.i) == Some(&byte);
        self.i += usize::from(found);
        found
    }

    /// After an item or a field: `Some(true)` past `close` (the last one), `Some(false)` past a
    /// comma (another follows), `None` for anything else.
    fn separator(&mut self, close: u8) -> Option<bool> {
        if self.take(close) {
            return Some(true);
        }
        self.take(b',').then_some(false)
    }
}

fn src_of(v: Cow<'_, Value>) -> Src<'_> {
    match v {
        Cow::Borrowed(Value::Object(m)) => Src::Tree(Cow::Borrowed(m)),
        Cow::Owned(Value::Object(m)) => Src::Tree(Cow::Owned(m)),
        other => Src::Not(kind_of(&other)),
    }
}

pub(crate) fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

/// An object's fields in order, unparsed; keys are borrowed unless they hold escapes.
struct Fields<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> Fields<'a> {
    /// A field's text; the last of repeated keys wins, as when an object is read whole.
    fn get(&self, field: &str) -> Option<&'a RawValue> {
        self.0.iter().rev().find(|(k, _)| k == field).map(|(_, raw)| *raw)
    }
}

#[derive(Deserialize)]
struct Key<'a>(#[serde(borrow)] Cow<'a, str>);

impl<'de> Deserialize<'de> for Fields<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut m: M) -> std::result::Result<Fields<'de>, M::Error> {
                // serde_json gives no size hint; a Greenhouse candidate has 20 fields or more.
                let mut fields = Vec::with_capacity(m.size_hint().unwrap_or(32));
                while let Some(Key(k)) = m.next_key()? {
                    fields.push((k, m.next_value()?));
                }
                Ok(Fields(fields))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// A list's element as a record: an object's [`Fields`], or the kind of value it is instead
/// (every read of it then fails, naming that kind).
struct Element<'a>(Src<'a>);

impl<'de> Deserialize<'de> for Element<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Element<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, m: M) -> std::result::Result<Element<'de>, M::Error> {
                let fields = Fields::deserialize(serde::de::value::MapAccessDeserializer::new(m))?;
                Ok(Element(Src::Raw(fields)))
            }
            fn visit_seq<S: serde::de::SeqAccess<'de>>(self, mut s: S) -> std::result::Result<Element<'de>, S::Error> {
                while s.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Element(Src::Not("a list")))
            }
            fn visit_str<E>(self, _: &str) -> std::result::Result<Element<'de>, E> {
                Ok(Element(Src::Not("a string")))
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<Element<'de>, E> {
                Ok(Element(Src::Not("true/false")))
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<Element<'de>, E> {
                Ok(Element(Src::Not("a number")))
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<Element<'de>, E> {
                Ok(Element(Src::Not("a number")))
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<Element<'de>, E> {
                Ok(Element(Src::Not("a number")))
            }
            fn visit_unit<E>(self) -> std::result::Result<Element<'de>, E> {
                Ok(Element(Src::Not("null")))
            }
        }
        d.deserialize_any(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Checks a record read from a parsed value and from a page's text.
    fn both(v: Value, check: impl Fn(&Rec<'_>)) {
        check(&Rec::new(&v));
        let page = serde_json::to_string(&json!([{ "id": "before" }, v, 5])).unwrap();
        let records = Rec::list(&page).unwrap();
        assert_eq!(records.len(), 3);
        check(&records[1]);
        assert_eq!((records[0].id.as_deref(), records[2].kind()), (Some("before"), "a number"));
    }

    #[test]
    fn parsed_and_raw_records_read_alike_and_name_the_failing_path() {
        let v = json!({ "id": 7, "name": " ", "tags": ["a", 1], "when": "yesterday", "cat": { "dept": 3 },
                        "emails": [{ "value": "a@x.test" }, { "value": null }], "gone": null, "blank": "",
                        "phones": [{ "value": "+1 555" }, { "type": "m", "value": "+2" }],
                        "at": "2026-01-02T03:04:05Z" });
        both(v, |r| {
            assert_eq!(r.id.as_deref(), Some("7"));
            assert_eq!(r.int_id("id"), Ok("7".to_string()));
            assert_eq!(r.text("name").unwrap_err().reason, "empty");
            assert_eq!(r.strings("tags").unwrap_err().reason, "expected a list of strings, found a number in it");
            assert_eq!(r.time("when").unwrap_err().reason, "not an RFC 3339 time");
            assert_eq!(r.time("at").unwrap().to_rfc3339(), "2026-01-02T03:04:05+00:00");
            assert_eq!(r.time("id").unwrap_err().reason, "expected an RFC 3339 time, found a number");
            assert_eq!(r.int_id("name").unwrap_err().reason, "expected an integer id, found a string");
            assert_eq!(r.strings_in("phones", "value"), Ok(vec!["+1 555".to_string(), "+2".to_string()]));
            assert_eq!(r.strings_in("gone", "value"), Ok(vec![]));
            assert_eq!(r.strings_in("absent", "value"), Ok(vec![]));
            assert_eq!(r.str("gone").unwrap_err().reason, "missing");
            assert_eq!(r.str_id("blank").unwrap_err().reason, "empty");
            assert_eq!(r.opt_str("gone"), Ok(None));
            let cat = r.object("cat").unwrap().unwrap();
            let s = cat.opt_str("dept").unwrap_err();
            assert_eq!((s.remote_id.as_deref(), s.field.as_str()), (Some("7"), "cat.dept"));
            assert_eq!(s.reason, "expected a string, found a number");
            let s = r.strings_in("emails", "value").unwrap_err();
            assert_eq!((s.field.as_str(), s.reason.as_str()), ("emails[1].value", "missing"));
            let s = r.strings_in("name", "value").unwrap_err();
            assert_eq!(s.reason, "expected a list of objects with a value, found a string");
            assert_eq!(r.extra(&["absent", "gone"]), Extra::from(json!({ "gone": null })));
            assert_eq!(r.extra_non_null(&["gone", "id"]), Extra::from(json!({ "id": 7 })));
        });
    }

    #[test]
    fn extra_from_a_pages_text_is_the_text_a_parsed_record_gives() {
        // The store tells an updated record by comparing `extra`: read from a page's text it must
        // be exactly what the parsed record gives, whatever the provider's spacing, escapes,
        // number forms and key order.
        let page = r#"[{ "id": 1, "z": "last", "a": {"y": 1, "b": [ 2, {"d": null, "c": "x"} ]},
            "s": "caf\u00e9 \/ \"q\" \n", "plain": "café ✓", "f": 1.50, "e": 1e2, "neg": -0, "min": -12,
            "big": 123456789012345678901, "huge": 1e400, "t": true, "n": null, "o": {}, "l": [],
            "dup": 1, "dup": "second" }]"#;
        let records = Rec::list(page).unwrap();
        let sliced = &records[0];
        let fields = ["a", "absent", "big", "dup", "e", "f", "l", "min", "n", "neg", "o", "plain", "s", "t", "z"];
        let text = page.replace("\"huge\": 1e400,", "");
        let value: Value = serde_json::from_str(&text).unwrap();
        let parsed = Rec::new(&value[0]);
        assert_eq!(sliced.extra(&fields), parsed.extra(&fields));
        assert_eq!(sliced.extra_non_null(&fields), parsed.extra_non_null(&fields));
        assert!(sliced.extra(&fields).as_str().starts_with(r#"{"a":{"b":[2,{"c":"x","d":null}],"y":1},"big":"#));
        assert_eq!(sliced.extra(&["n", "s"]).as_str(), r#"{"n":null,"s":"café / \"q\" \n"}"#);
        // A number no `Value` holds is left out, as an unreadable field always was.
        assert_eq!(sliced.extra(&["huge", "t"]).as_str(), r#"{"t":true}"#);
    }

    #[test]
    fn compact_lists_and_objects_are_copied_only_where_serde_json_writes_them_alike() {
        let page = r#"[{"id":1,"sorted":{"id":12,"public_name":"Jobs page"},"nested":[{"a":[1,{"b":null}],"c":{}},[]],
            "unsorted":{"b":1,"a":2},"deep_unsorted":{"a":[{"d":1,"c":2}]},"repeated":{"a":1,"a":2},"prefix":{"ab":1,"a":2},
            "float":{"a":1.0},"exp":[1e2],"neg_zero":{"a":[-0]},"escaped":{"a":"x\"y"},"escaped_key":{"\u0061":1,"b":2},
            "long":{"a":1234567890123456789},"spaced":{"a": 1},"utf8":{"z":"é","é":1}}]"#;
        let records = Rec::list(page).unwrap();
        let value: Value = serde_json::from_str(page).unwrap();
        let parsed = Rec::new(&value[0]);
        let fields = [
            "deep_unsorted",
            "escaped",
            "escaped_key",
            "exp",
            "float",
            "long",
            "neg_zero",
            "nested",
            "prefix",
            "repeated",
            "sorted",
            "spaced",
            "unsorted",
            "utf8",
        ];
        for field in fields {
            assert_eq!(records[0].extra(&[field]), parsed.extra(&[field]), "{field}");
        }
        assert_eq!(records[0].extra(&fields), parsed.extra(&fields));
        // The forms it copies as they are.
        for alike in
            [r#"{"id":12,"public_name":"Jobs page"}"#, r#"[{"a":[1,{"b":null}],"c":{}},[]]"#, r#"{"z":"é","é":1}"#]
        {
            assert!(written_alike(alike), "{alike}");
        }
        for not in [r#"{"b":1,"a":2}"#, r#"{"a":1,"a":2}"#, r#"{"a": 1}"#, r#"[1.0]"#, r#"[-0]"#, r#"{"\u0061":1}"#] {
            assert!(!written_alike(not), "{not}");
        }
    }

    #[test]
    fn a_record_that_is_not_an_object_fails_on_every_read() {
        both(json!(["x"]), |r| {
            assert_eq!(r.id, None);
            let reason = "expected an object, found a list".to_string();
            assert_eq!(r.str("name"), Err(Skipped { remote_id: None, field: "record".into(), reason }));
        });
        both(json!({ "id": "p1", "files": ["x"] }), |r| {
            let item = &r.items("files", "a list").unwrap()[0];
            let s = item.str_id("id").unwrap_err();
            assert_eq!((s.field.as_str(), s.reason.as_str()), ("files[0]", "expected an object, found a string"));
        });
    }

    #[test]
    fn lever_times_are_milliseconds() {
        both(json!({ "id": "o1", "t": 1_700_000_000_000i64, "f": 1.5, "s": "now" }), |r| {
            assert_eq!(r.ms("t").unwrap().0, 1_700_000_000_000);
            assert_eq!(r.ms("f").unwrap_err().reason, "1.5 is not a time in milliseconds");
            assert_eq!(r.ms("s").unwrap_err().reason, "expected a time in milliseconds, found a string");
        });
    }
}
