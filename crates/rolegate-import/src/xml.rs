//! A thin streaming layer over quick-xml's namespace-aware reader: elements by namespace URI and local name, text,
//! and every error with its line and column.

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use std::cell::OnceCell;

use rolegate_catalog::LineIndex;

use crate::ImportError;

/// What the walker reports.
#[derive(Debug)]
pub(crate) enum Node {
    /// An element opens (also for `<empty/>`, which is followed by its [`Node::End`]).
    Start(Element),
    /// An element closes.
    End {
        /// Local name.
        local: String,
    },
    /// Character data, entities resolved.
    Text(String),
    /// The document ended with every element closed.
    Eof,
}

/// An opening tag.
#[derive(Debug)]
pub(crate) struct Element {
    /// Index of its namespace in the walker's known list, `None` for any other (or none).
    pub ns: Option<usize>,
    /// Local name.
    pub local: String,
    /// Byte offset of `<`.
    pub offset: usize,
    /// Attributes: local name, value, byte offset of the value.
    pub attrs: Vec<(String, String, usize)>,
}

impl Element {
    /// An attribute's value and its offset, by local name.
    pub fn attr(&self, name: &str) -> Option<(&str, usize)> {
        self.attrs
            .iter()
            .find(|(k, _, _)| k == name)
            .map(|(_, v, o)| (v.as_str(), *o))
    }
}

/// Walks an XML text.
pub(crate) struct Walker<'a> {
    reader: NsReader<&'a [u8]>,
    text: &'a str,
    lines: OnceCell<LineIndex<'a>>,
    origin: &'a str,
    known: &'a [&'a str],
    open: Vec<(String, usize)>,
    pending_end: Option<String>,
}

fn ns_of(known: &[&str], resolved: &ResolveResult<'_>) -> Option<usize> {
    match resolved {
        ResolveResult::Bound(ns) => known.iter().position(|k| k.as_bytes() == ns.as_ref()),
        _ => None,
    }
}

/// The text without a leading UTF-8 byte-order mark.
pub(crate) fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// The local name of a document's root element: what follows the prolog (XML declaration, processing instructions,
/// comments, doctype, white space), without its prefix; `None` when the text does not start as XML.
pub(crate) fn root_element(text: &str) -> Option<&str> {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        let skip = if rest.starts_with("<?") {
            "?>"
        } else if rest.starts_with("<!--") {
            "-->"
        } else if rest.starts_with("<!") {
            ">"
        } else {
            break;
        };
        let end = rest.find(skip)?;
        rest = &rest[end + skip.len()..];
    }
    let name = rest.strip_prefix('<')?;
    let len = name
        .find(|c: char| c.is_whitespace() || matches!(c, '/' | '>'))
        .unwrap_or(name.len());
    let name = &name[..len];
    let local = name.rsplit(':').next().unwrap_or(name);
    (!local.is_empty()).then_some(local)
}

impl<'a> Walker<'a> {
    /// A walker over `text` (without BOM), recognising the namespaces `known` by URI.
    pub fn new(text: &'a str, origin: &'a str, known: &'a [&'a str]) -> Self {
        let mut reader = NsReader::from_reader(text.as_bytes());
        reader.config_mut().check_end_names = true;
        Walker {
            reader,
            text,
            lines: OnceCell::new(),
            origin,
            known,
            open: Vec::new(),
            pending_end: None,
        }
    }

    /// An error at a byte offset.
    pub fn error_at(&self, offset: usize, message: impl Into<String>) -> ImportError {
        ImportError::at(self.origin, self.place(offset), message)
    }

    /// The line and column of a byte offset, from the text's lines indexed once.
    pub fn place(&self, offset: usize) -> (usize, usize) {
        self.lines
            .get_or_init(|| LineIndex::new(self.text))
            .line_column(offset)
    }

    /// The depth of open elements (1 inside the root).
    pub fn depth(&self) -> usize {
        self.open.len()
    }

    fn offset_in(&self, slice: &[u8]) -> Option<usize> {
        let base = self.text.as_ptr() as usize;
        let at = slice.as_ptr() as usize;
        (at >= base && at <= base + self.text.len()).then(|| at - base)
    }

    fn element(
        &self,
        ns: Option<usize>,
        e: &BytesStart<'_>,
        offset: usize,
    ) -> Result<Element, ImportError> {
        let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        let mut attrs = Vec::new();
        for attr in e.attributes() {
            let attr = attr.map_err(|err| {
                self.error_at(offset, format!("malformed attribute in <{local}>: {err}"))
            })?;
            let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
            let value_offset = self.offset_in(&attr.value).unwrap_or(offset);
            let value = attr
                .unescape_value()
                .map_err(|err| {
                    self.error_at(
                        value_offset,
                        format!("bad value of attribute `{key}`: {err}"),
                    )
                })?
                .into_owned();
            attrs.push((key, value, value_offset));
        }
        Ok(Element {
            ns,
            local,
            offset,
            attrs,
        })
    }

    /// The next node; an error for malformed XML and for a document that ends with elements open.
    pub fn next(&mut self) -> Result<Node, ImportError> {
        if let Some(local) = self.pending_end.take() {
            self.open.pop();
            return Ok(Node::End { local });
        }
        loop {
            let start = usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX);
            let known = self.known;
            let (ns, event) = match self.reader.read_resolved_event() {
                Ok((resolved, event)) => (ns_of(known, &resolved), event),
                Err(err) => {
                    let at = usize::try_from(self.reader.error_position()).unwrap_or(start);
                    return Err(self.error_at(at, format!("malformed XML: {err}")));
                }
            };
            match event {
                Event::Start(e) => {
                    let element = self.element(ns, &e, start)?;
                    self.open.push((element.local.clone(), start));
                    return Ok(Node::Start(element));
                }
                Event::Empty(e) => {
                    let element = self.element(ns, &e, start)?;
                    self.open.push((element.local.clone(), start));
                    self.pending_end = Some(element.local.clone());
                    return Ok(Node::Start(element));
                }
                Event::End(e) => {
                    let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    self.open.pop();
                    return Ok(Node::End { local });
                }
                Event::Text(t) => {
                    let text = t
                        .xml_content()
                        .map_err(|err| self.error_at(start, format!("bad text: {err}")))?;
                    return Ok(Node::Text(text.into_owned()));
                }
                Event::CData(t) => {
                    let text = t
                        .decode()
                        .map_err(|err| self.error_at(start, format!("bad CDATA: {err}")))?;
                    return Ok(Node::Text(text.into_owned()));
                }
                Event::GeneralRef(r) => {
                    let name = r
                        .decode()
                        .map_err(|err| self.error_at(start, format!("bad reference: {err}")))?;
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c.to_string()),
                        Ok(None) => quick_xml::escape::resolve_xml_entity(&name).map(str::to_owned),
                        Err(err) => {
                            return Err(
                                self.error_at(start, format!("bad character reference: {err}"))
                            );
                        }
                    };
                    match resolved {
                        Some(text) => return Ok(Node::Text(text)),
                        None => {
                            return Err(self.error_at(start, format!("unknown entity `&{name};`")));
                        }
                    }
                }
                Event::Eof => {
                    if let Some((name, at)) = self.open.last() {
                        let message = format!(
                            "the document ends before <{name}> (opened here) is closed: truncated?"
                        );
                        return Err(self.error_at(*at, message));
                    }
                    return Ok(Node::Eof);
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            }
        }
    }

    /// Skips the rest of the element just opened (its children and its end).
    pub fn skip(&mut self) -> Result<(), ImportError> {
        let depth = self.open.len();
        while self.open.len() >= depth {
            if let Node::Eof = self.next()? {
                break;
            }
        }
        Ok(())
    }

    /// The text content of the element just opened, up to its end; nested elements are an error.
    pub fn text(&mut self, element: &Element) -> Result<String, ImportError> {
        let mut out = String::new();
        loop {
            match self.next()? {
                Node::Text(t) => out.push_str(&t),
                Node::End { .. } => return Ok(out),
                Node::Start(child) => {
                    return Err(self.error_at(
                        child.offset,
                        format!(
                            "<{}> inside <{}>: expected text only",
                            child.local, element.local
                        ),
                    ));
                }
                Node::Eof => {
                    return Err(
                        self.error_at(element.offset, format!("<{}> is not closed", element.local))
                    );
                }
            }
        }
    }
}
