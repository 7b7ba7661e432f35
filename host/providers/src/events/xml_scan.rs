//! The markup of a WeCom callback plaintext, split into the pieces [`super::xml`] builds its field
//! map from: tags, text and CDATA, each borrowed from the plaintext.
//!
//! Hand-written rather than quick-xml's event reader because the callback path has a budget of a
//! few microseconds per request and the general reader alone spends about 2 µs on a 1 KiB approval
//! callback (it copies every tag name for its end-tag check and hands back a large event per
//! node); this scanner does the same job in a fraction of that. It follows quick-xml's reading of
//! the same bytes — tag names end at XML whitespace, `>` inside quoted attribute values does not
//! end a tag, comments, processing instructions and `<!DOCTYPE …>` are skipped, a `&` needs its
//! `;` — and the unit tests compare the two on mutated callbacks. Text decoding (line ends and
//! entity references) stays with quick-xml.

use std::borrow::Cow;

use memchr::memchr;
use quick_xml::events::BytesText;

use super::EventError;

/// One piece of markup, with names and text borrowed from the plaintext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// `<name …>`: the qualified name, attributes dropped.
    Start(&'a str),
    /// `<name …/>`.
    Empty(&'a str),
    /// `</name>`, trailing whitespace dropped (unless that leaves nothing).
    End(&'a str),
    /// Character data between tags, still escaped: see [`text`].
    Text(&'a str),
    /// The inside of `<![CDATA[…]]>`, taken literally.
    CData(&'a str),
}

/// XML's whitespace, which ends a tag name (a narrower set than `char::is_whitespace`).
fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Reads a plaintext front to back; [`next`](Self::next) yields each token with its byte offset.
pub(crate) struct Scanner<'a> {
    doc: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    /// A scanner at the start of `doc`.
    pub(crate) fn new(doc: &'a str) -> Self {
        Self { doc, pos: 0 }
    }

    /// The next token and where it starts, `None` at the end of input.
    ///
    /// Inlined into the tree builder's loop, its caller on the request path: measurably faster
    /// there than a call per token.
    #[inline(always)]
    pub(crate) fn next(&mut self) -> Result<Option<(usize, Token<'a>)>, EventError> {
        loop {
            let at = self.pos;
            let rest = &self.doc[at..];
            let Some(&first) = rest.as_bytes().first() else {
                return Ok(None);
            };
            if first != b'<' {
                let len = find_byte(b'<', rest.as_bytes()).unwrap_or(rest.len());
                self.pos += len;
                return Ok(Some((at, Token::Text(&rest[..len]))));
            }
            let token = match rest.as_bytes().get(1) {
                Some(b'/') => {
                    if let Some(gt) = self.plain_tag_end(at + 2) {
                        self.pos = gt + 1;
                        return Ok(Some((at, Token::End(&self.doc[at + 2..gt]))));
                    }
                    let gt = self.tag_end(at, "end tag")?;
                    let name = &self.doc[at + 2..gt];
                    // quick-xml keeps a name that is nothing but whitespace as it is.
                    let kept = name.bytes().rposition(|b| !is_xml_space(b)).map_or(name.len(), |last| last + 1);
                    Some(Token::End(&name[..kept]))
                }
                Some(b'?') => {
                    // quick-xml rejects `<?>` rather than reading on to a later `?>`.
                    if self.through(at + 1, "?>", "processing instruction")? == at + 1 {
                        return Err(unclosed(at, "processing instruction"));
                    }
                    None
                }
                Some(b'!') => self.bang(at, rest)?,
                _ => Some(self.start_tag(at)?),
            };
            if let Some(token) = token {
                return Ok(Some((at, token)));
            }
        }
    }

    /// Moves past the next token if it is exactly `</name>`, which [`next`](Self::next) would read
    /// as [`Token::End`] of `name`. A name holding a quote is left to `next`: quotes change where
    /// a tag ends.
    pub(crate) fn close(&mut self, name: &str) -> bool {
        let (rest, name) = (&self.doc.as_bytes()[self.pos..], name.as_bytes());
        let fits = rest.len() > name.len() + 2
            && rest[0] == b'<'
            && rest[1] == b'/'
            && rest[name.len() + 2] == b'>'
            && rest[2..].iter().zip(name).all(|(&a, &b)| a == b && a != b'"' && a != b'\'');
        if fits {
            self.pos += name.len() + 3;
        }
        fits
    }

    /// `<!--…-->`, `<![CDATA[…]]>` or `<!DOCTYPE …>` at `at`; only CDATA yields a token.
    fn bang(&mut self, at: usize, rest: &'a str) -> Result<Option<Token<'a>>, EventError> {
        let third = rest.as_bytes().get(2);
        if third == Some(&b'[') && rest.starts_with("<![CDATA[") {
            let end = self.through(at + 9, "]]>", "CDATA section")?;
            Ok(Some(Token::CData(&self.doc[at + 9..end])))
        } else if third == Some(&b'-') && rest.starts_with("<!--") {
            self.through(at + 4, "-->", "comment")?;
            Ok(None)
        } else if rest.get(2..9).is_some_and(|word| word.eq_ignore_ascii_case("DOCTYPE")) {
            // Like quick-xml: the declaration ends at the `>` that balances the `<`s inside it,
            // and must name a document type.
            let mut depth = 0usize;
            for (i, b) in rest.bytes().enumerate().skip(9) {
                match b {
                    b'<' => depth += 1,
                    b'>' if depth == 0 => {
                        if rest.as_bytes()[9..i].iter().all(|&b| is_xml_space(b)) {
                            return Err(EventError::Xml { position: at as u64, reason: "DOCTYPE without a name".into() });
                        }
                        self.pos = at + i + 1;
                        return Ok(None);
                    }
                    b'>' => depth -= 1,
                    _ => {}
                }
            }
            Err(unclosed(at, "DOCTYPE declaration"))
        } else {
            Err(EventError::Xml { position: at as u64, reason: "`<!` starts no comment, CDATA section or DOCTYPE".into() })
        }
    }

    /// Moves past the `>` closing the tag at `at` and returns its offset. As in quick-xml, a `>`
    /// inside a quoted attribute value (or a stray quote in an end tag) does not close the tag.
    ///
    /// A plain loop rather than `memchr`: tags are a dozen bytes, shorter than a vector search
    /// takes to pay for its setup.
    fn tag_end(&mut self, at: usize, what: &str) -> Result<usize, EventError> {
        let mut quote = None;
        for (i, &b) in self.doc.as_bytes().iter().enumerate().skip(at + 1) {
            match quote {
                None if b == b'>' => {
                    self.pos = i + 1;
                    return Ok(i);
                }
                None if b == b'"' || b == b'\'' => quote = Some(b),
                Some(q) if q == b => quote = None,
                _ => {}
            }
        }
        Err(unclosed(at, what))
    }

    /// `<name attr="…">` or `<name/>` at `at`.
    fn start_tag(&mut self, at: usize) -> Result<Token<'a>, EventError> {
        if let Some(gt) = self.plain_tag_end(at + 1) {
            self.pos = gt + 1;
            return Ok(Token::Start(&self.doc[at + 1..gt]));
        }
        let gt = self.tag_end(at, "start tag")?;
        let inner = &self.doc[at + 1..gt];
        let (inner, empty) = match inner.strip_suffix('/') {
            Some(inner) => (inner, true),
            None => (inner, false),
        };
        let name = &inner[..inner.bytes().position(is_xml_space).unwrap_or(inner.len())];
        Ok(if empty { Token::Empty(name) } else { Token::Start(name) })
    }

    /// The `>` of a tag that is nothing but a name from `from` on (`<Name>`, `</Name>`: nearly
    /// every tag of a callback), or `None` when something else comes first (whitespace,
    /// attributes, quotes, `/`) and the tag needs the general reading.
    fn plain_tag_end(&self, from: usize) -> Option<usize> {
        let bytes = self.doc.as_bytes();
        let len = bytes.get(from..)?.iter().position(|&b| matches!(b, b'>' | b'/' | b'"' | b'\'') || is_xml_space(b))?;
        (bytes[from + len] == b'>').then_some(from + len)
    }

    /// Moves past the first `end` at or after `from` and returns where that `end` starts.
    ///
    /// The terminators are three bytes or fewer: finding their first byte and comparing the rest
    /// costs less than setting up a general substring search per CDATA section.
    fn through(&mut self, from: usize, end: &str, what: &str) -> Result<usize, EventError> {
        let bytes = self.doc.as_bytes();
        let (lead, tail) = (end.as_bytes()[0], &end.as_bytes()[1..]);
        let mut i = from;
        let found = loop {
            i += find_byte(lead, &bytes[i..]).ok_or_else(|| unclosed(self.pos, what))?;
            // Compared in place: `starts_with` on a slice calls `memcmp`, dear for two bytes.
            if bytes.len() > i + tail.len() && bytes[i + 1..].iter().zip(tail).all(|(a, b)| a == b) {
                break i;
            }
            i += 1;
        };
        self.pos = found + end.len();
        Ok(found)
    }
}

/// Where `byte` first occurs in `haystack`. Callback texts and CDATA sections are mostly a few
/// bytes long, where a plain loop finds the byte before `memchr`'s vector search is set up; the
/// rest of a longer haystack goes to `memchr`.
fn find_byte(byte: u8, haystack: &[u8]) -> Option<usize> {
    const SHORT: usize = 16;
    let (head, tail) = haystack.split_at(haystack.len().min(SHORT));
    match head.iter().position(|&b| b == byte) {
        Some(i) => Some(i),
        None => memchr(byte, tail).map(|i| i + SHORT),
    }
}

fn unclosed(at: usize, what: &str) -> EventError {
    EventError::Xml { position: at as u64, reason: format!("unclosed {what}") }
}

/// Decodes a [`Token::Text`] the way quick-xml's reader does: line ends normalised (XML 1.1
/// rules), then entity and character references resolved. Borrowed unless something changed.
pub(crate) fn text(raw: &str, at: usize) -> Result<Cow<'_, str>, EventError> {
    let error = |reason: String| EventError::Xml { position: at as u64, reason };
    // `\r`, and the lead bytes of U+0085 and U+2028: the only inputs line-end normalisation changes.
    // Most texts have none of these nor a `&`: one pass over their few bytes says so.
    let special = |b: &u8| matches!(b, b'\r' | 0xC2 | 0xE2 | b'&');
    if !raw.as_bytes().iter().any(special) {
        return Ok(Cow::Borrowed(raw));
    }
    let normalized = if raw.bytes().any(|b| matches!(b, b'\r' | 0xC2 | 0xE2)) {
        BytesText::from_escaped(raw).xml_content().map_err(|e| error(e.to_string()))?
    } else {
        Cow::Borrowed(raw)
    };
    if !normalized.contains('&') {
        return Ok(normalized);
    }
    let resolved = quick_xml::escape::unescape(&normalized).map_err(|e| error(e.to_string()))?;
    Ok(Cow::Owned(resolved.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(doc: &str) -> Result<Vec<Token<'_>>, EventError> {
        let mut scanner = Scanner::new(doc);
        let mut out = Vec::new();
        while let Some((_, token)) = scanner.next()? {
            out.push(token);
        }
        Ok(out)
    }

    #[test]
    fn tags_text_and_cdata_with_markup_skipped() {
        let doc = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><xml a=\"x>y\" b='1'><!-- c --><A>t</A ><B/><C x=\"1\" /><![CDATA[<&>]]></xml>";
        assert_eq!(
            tokens(doc).unwrap(),
            [
                Token::Start("xml"),
                Token::Start("A"),
                Token::Text("t"),
                Token::End("A"),
                Token::Empty("B"),
                Token::Empty("C"),
                Token::CData("<&>"),
                Token::End("xml"),
            ]
        );
    }

    #[test]
    fn unterminated_markup_is_an_error_at_its_start() {
        for (doc, at) in [("<xml><!-- x", 5), ("<xml><![CDATA[x]]", 5), ("<a b=\">", 0), ("<xml></xml", 5), ("<x><!DOCTYPE <a>", 3), ("<x><!x>", 3), ("<?xml", 0)] {
            match tokens(doc) {
                Err(EventError::Xml { position, .. }) => assert_eq!(position, at, "{doc}"),
                other => panic!("{doc}: {other:?}"),
            }
        }
    }

    /// A token with its text decoded, for comparing scanners.
    #[derive(Debug, PartialEq)]
    enum Piece {
        Start(String),
        Empty(String),
        End(String),
        Text(String),
        CData(String),
    }

    /// Appends text, joining it to a text piece just before (quick-xml splits text at references).
    fn push_text(out: &mut Vec<Piece>, text: &str) {
        match out.last_mut() {
            Some(Piece::Text(last)) => last.push_str(text),
            _ => out.push(Piece::Text(text.to_owned())),
        }
    }

    fn ours(doc: &str) -> Option<Vec<Piece>> {
        let mut scanner = Scanner::new(doc);
        let mut out = Vec::new();
        while let Some((at, token)) = scanner.next().ok()? {
            match token {
                Token::Start(n) => out.push(Piece::Start(n.into())),
                Token::Empty(n) => out.push(Piece::Empty(n.into())),
                Token::End(n) => out.push(Piece::End(n.into())),
                Token::Text(raw) => push_text(&mut out, &text(raw, at).ok()?),
                Token::CData(data) => out.push(Piece::CData(data.into())),
            }
        }
        Some(out)
    }

    /// The same document through quick-xml's event reader, end tags unchecked: matching them is
    /// the tree builder's job.
    fn quick_xml(doc: &str) -> Option<Vec<Piece>> {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_str(doc);
        reader.config_mut().check_end_names = false;
        reader.config_mut().allow_unmatched_ends = true;
        let mut out = Vec::new();
        loop {
            match reader.read_event().ok()? {
                Event::Start(e) => out.push(Piece::Start(String::from_utf8(e.name().as_ref().to_vec()).ok()?)),
                Event::Empty(e) => out.push(Piece::Empty(String::from_utf8(e.name().as_ref().to_vec()).ok()?)),
                Event::End(e) => out.push(Piece::End(String::from_utf8(e.name().as_ref().to_vec()).ok()?)),
                Event::Text(e) => push_text(&mut out, &e.xml_content().ok()?),
                Event::GeneralRef(e) => {
                    let name = e.decode().ok()?;
                    push_text(&mut out, &quick_xml::escape::unescape(&format!("&{name};")).ok()?);
                }
                Event::CData(e) => out.push(Piece::CData(e.decode().ok()?.into_owned())),
                Event::Eof => return Some(out),
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            }
        }
    }

    #[test]
    fn reads_mutated_callbacks_like_quick_xml() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};

        use crate::events::text_edits::{random_boundary, stretch};

        let seeds = [
            "<?xml version=\"1.0\"?>\n<xml><ToUserName><![CDATA[ww1]]></ToUserName><CreateTime>1</CreateTime><Event><![CDATA[click]]></Event><A x=\"1\">a &amp; b&#x4e2d;</A><B/><C><D>d</D></C></xml>",
            "<!DOCTYPE xml><xml><!-- note --><Name>\u{5f20}\u{4e09}\r\n</Name><ns:Id>7</ns:Id><E  /><F\ty='>'>x</F ></xml>\n",
        ];
        // Fragments that steer mutations into markup the scanner treats specially.
        let fragments = ["<", ">", "/", "!", "?", "&", ";", "[", "]", "-", "\"", "'", " ", "\r", "\u{85}", "<!--", "-->", "<![CDATA[", "]]>", "<!DOCTYPE", "<?", "?>", "&amp;", "&#", "</", "/>", "\u{2028}"];
        let mut rng = StdRng::seed_from_u64(0x5CA4);
        let mut outcomes = [0usize; 2];
        for _ in 0..20_000 {
            let mut doc = seeds[rng.random_range(0..seeds.len())].to_owned();
            for _ in 0..rng.random_range(1..=3) {
                let at = random_boundary(&mut rng, &doc);
                match rng.random_range(0..3) {
                    0 => doc.insert_str(at, fragments[rng.random_range(0..fragments.len())]),
                    1 => {
                        let cut = stretch(&doc, at, rng.random_range(1..4));
                        doc.replace_range(cut, "");
                    }
                    _ => doc.truncate(at),
                }
            }
            let ours = ours(&doc);
            assert_eq!(ours, quick_xml(&doc), "{doc:?}");
            outcomes[usize::from(ours.is_some())] += 1;
        }
        assert!(outcomes[0] > 1000 && outcomes[1] > 1000, "{outcomes:?}");
    }

    #[test]
    fn text_normalises_line_ends_before_resolving_references() {
        assert_eq!(text("a\r\nb\rc\u{85}d\u{2028}e", 0).unwrap(), "a\nb\nc\nd\ne");
        assert_eq!(text("&#13;&amp;&#x4e2d;", 0).unwrap(), "\r&中");
        assert!(matches!(text("plain", 0).unwrap(), Cow::Borrowed("plain")));
        assert!(matches!(text("a & b", 7), Err(EventError::Xml { position: 7, .. })));
        assert!(text("&bogus;", 0).is_err());
    }
}
