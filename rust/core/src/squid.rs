//! Squid's url_rewrite request lines, read as the reference reads them
//! (`hotlist.edge.squid.SquidResponder.answer_lines`): the channel ID, the URL, the authority
//! stage, and the verdict, for the lines whose answer needs no message text.

use crate::canonical::canonicalize;
use crate::host::Idna;
use crate::matcher::Columns;

/// What to answer to one request line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineAnswer {
    /// No field at all.
    Empty,
    /// A channel ID and nothing after it.
    NoUrl,
    /// Not blocked: keep the request.
    Err,
    /// Blocked by the entry at this position.
    Hit(usize),
    /// An answer with a message (an invalid URL): the caller's own path gives it.
    Defer,
}

/// The length of the white-space character at the start of `data` (Python's `str.isspace`, on
/// UTF-8; an undecodable byte is never white space), or 0.
fn space_len(data: &[u8]) -> usize {
    match data {
        [b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | 0x1C..=0x1F | b' ', ..] => 1,
        [0xC2, 0x85 | 0xA0, ..] => 2,
        [0xE1, 0x9A, 0x80, ..] | [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..] => 3,
        [0xE2, 0x81, 0x9F, ..] | [0xE3, 0x80, 0x80, ..] => 3,
        _ => 0,
    }
}

/// The next white-space separated field of `line` from `start`: its range, or None.
fn next_field(line: &[u8], mut start: usize) -> Option<(usize, usize)> {
    while start < line.len() {
        let skip = space_len(&line[start..]);
        if skip == 0 {
            break;
        }
        start += skip;
    }
    if start >= line.len() {
        return None;
    }
    let mut end = start;
    while end < line.len() && space_len(&line[end..]) == 0 {
        end += 1;
    }
    Some((start, end))
}

/// A plain authority's byte: printable ASCII but `%`, `@`, `/`, `?`, `#` and `\`.
fn is_authority_byte(byte: u8) -> bool {
    (0x21..0x7F).contains(&byte) && !matches!(byte, b'%' | b'@' | b'/' | b'?' | b'#' | b'\\')
}

/// The plain authority of a URL as Squid sends it (`http(s)://authority` followed by `/`, `?`,
/// `#` or the end), or the whole of a CONNECT `host:port`; None otherwise.
fn plain_authority(url: &[u8]) -> Option<&[u8]> {
    let rest = url.strip_prefix(b"http://").or_else(|| url.strip_prefix(b"https://"));
    if let Some(rest) = rest {
        let end = rest.iter().position(|&b| !is_authority_byte(b)).unwrap_or(rest.len());
        if end > 0 && matches!(rest.get(end), None | Some(b'/' | b'?' | b'#')) {
            return Some(&rest[..end]);
        }
    }
    (!url.is_empty() && url.iter().all(|&b| is_authority_byte(b))).then_some(url)
}

impl Columns<'_> {
    /// True when no host of a plain authority can have an entry (an invalid one: false).
    pub fn authority_is_clear(&self, authority: &[u8], idna: Idna<'_>) -> bool {
        let mut url = Vec::with_capacity(authority.len() + 8);
        url.extend_from_slice(b"http://");
        url.extend_from_slice(authority);
        url.push(b'/');
        match canonicalize(&url, idna) {
            Ok(parts) => self.candidate_hosts(&parts.host).is_empty(),
            Err(_) => false,
        }
    }

    /// The channel ID of a request line (its range, when there is one) and what to answer.
    ///
    /// `clear` answers the authority stage (a cache may stand in front of
    /// [`Columns::authority_is_clear`]).
    pub fn squid_line(
        &self,
        line: &[u8],
        idna: Idna<'_>,
        clear: &mut dyn FnMut(&Columns<'_>, &[u8], Idna<'_>) -> bool,
    ) -> (Option<(usize, usize)>, LineAnswer) {
        let Some(first) = next_field(line, 0) else {
            return (None, LineAnswer::Empty);
        };
        let (channel, url) = if line[first.0..first.1].iter().all(u8::is_ascii_digit) {
            match next_field(line, first.1) {
                Some(second) => (Some(first), &line[second.0..second.1]),
                None => return (Some(first), LineAnswer::NoUrl),
            }
        } else {
            (None, &line[first.0..first.1])
        };
        if let Some(authority) = plain_authority(url) {
            if clear(self, authority, &mut *idna) {
                return (channel, LineAnswer::Err);
            }
        }
        let Ok(mut parts) = canonicalize(url, idna) else {
            return (channel, LineAnswer::Defer);
        };
        if !url.windows(3).any(|window| window == b"://") {
            // CONNECT host:port: the proxy sees no path, so only host-scoped entries apply.
            parts.path = "/".to_owned();
            parts.query = None;
        }
        match self.lookup(&parts) {
            Some(position) => (channel, LineAnswer::Hit(position)),
            None => (channel, LineAnswer::Err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expressions::hash;

    #[test]
    fn fields_split_on_python_white_space() {
        assert_eq!(next_field(b"  a\xc2\xa0b", 0), Some((2, 3)));
        assert_eq!(next_field(b"a\xc2\xa0b", 1), Some((3, 4)));
        assert_eq!(next_field(b"\xe3\x80\x80", 0), None);
        assert_eq!(next_field(b"\xc2x", 0), Some((0, 2)));
    }

    #[test]
    fn authorities() {
        assert_eq!(plain_authority(b"http://a.example:80/x"), Some(&b"a.example:80"[..]));
        assert_eq!(plain_authority(b"HTTP://a.example/"), None);
        assert_eq!(plain_authority(b"a.example:443"), Some(&b"a.example:443"[..]));
        assert_eq!(plain_authority(b"http://u@a.example/"), None);
    }

    #[test]
    fn lines() {
        let mut digests = [hash(b"blocked.example/"), hash(b"page.example/a.html")];
        digests.sort_unstable();
        let hashes = digests.concat();
        let flags = [0u8; 2];
        let columns = Columns::new(&hashes, &flags, None, false).unwrap();
        let mut idna = |_: &str| None;
        let mut clear = |c: &Columns<'_>, a: &[u8], i: Idna<'_>| c.authority_is_clear(a, i);
        let mut answer = |line: &[u8]| columns.squid_line(line, &mut idna, &mut clear);
        assert_eq!(answer(b""), (None, LineAnswer::Empty));
        assert_eq!(answer(b"7"), (Some((0, 1)), LineAnswer::NoUrl));
        assert_eq!(answer(b"7 http://x.example/ -"), (Some((0, 1)), LineAnswer::Err));
        assert!(matches!(answer(b"http://www.blocked.example/x"), (None, LineAnswer::Hit(_))));
        assert!(matches!(answer(b"12 blocked.example:443"), (Some((0, 2)), LineAnswer::Hit(_))));
        assert_eq!(answer(b"page.example:443"), (None, LineAnswer::Err));
        assert_eq!(answer(b"javascript:x"), (None, LineAnswer::Defer));
    }
}
