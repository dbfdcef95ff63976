//! Safe Browsing URL canonicalization, one URL's bytes in, its canonical parts out
//! (the reference: `hotlist.urls.canonical`, whose docstring gives the rules).

use crate::escape::{escape, escape_into, unescape_fully};
use crate::host::{canonical_host, Idna};
use crate::{UrlError, MAX_URL_BYTES};

/// The schemes a list entry can name, sorted; a URL with no scheme is taken as `http`.
pub const SCHEMES: [&str; 6] = ["ftp", "ftps", "http", "https", "ws", "wss"];

/// A canonical URL in parts; `query` is None when the URL has no `?` at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    pub scheme: &'static str,
    pub host: String,
    pub path: String,
    pub query: Option<String>,
}

impl Canonical {
    /// The canonical URL as one string.
    pub fn url(&self) -> String {
        let mut out =
            String::with_capacity(self.scheme.len() + 3 + self.host.len() + self.path.len());
        out.push_str(self.scheme);
        out.push_str("://");
        out.push_str(&self.host);
        out.push_str(&self.path);
        if let Some(query) = &self.query {
            out.push('?');
            out.push_str(query);
        }
        out
    }
}

fn scheme_name(name: &[u8]) -> Option<&'static str> {
    SCHEMES.iter().copied().find(|scheme| scheme.as_bytes() == name)
}

fn no_host(why: &str) -> UrlError {
    UrlError::NoHost(why.to_owned())
}

/// Canonicalize the bytes of one URL (text is given as its UTF-8, surrogate-escaped).
pub fn canonicalize(raw: &[u8], idna: Idna<'_>) -> Result<Canonical, UrlError> {
    if raw.len() > MAX_URL_BYTES {
        return Err(UrlError::TooLong(raw.len()));
    }
    if let Some(position) = raw.iter().position(|&b| b == 0) {
        return Err(UrlError::Nul(position));
    }
    let start = raw.iter().position(|&b| b > 0x20).unwrap_or(raw.len());
    let end = raw.iter().rposition(|&b| b > 0x20).map_or(start, |end| end + 1);
    let mut data: Vec<u8> = Vec::with_capacity(end - start);
    for &byte in &raw[start..end] {
        if byte == b'#' {
            break;
        }
        if byte != b'\t' && byte != b'\r' && byte != b'\n' {
            data.push(byte);
        }
    }
    if data.is_empty() {
        return Err(UrlError::Empty);
    }
    if data.contains(&b'%') {
        data = unescape_fully(&data);
    }
    let (scheme, rest): (&'static str, &[u8]) = if let Some(rest) = data.strip_prefix(b"http://") {
        ("http", rest)
    } else if let Some(rest) = data.strip_prefix(b"https://") {
        ("https", rest)
    } else {
        split_scheme(&data)?
    };
    if rest.first() == Some(&b'/') {
        return Err(no_host("nothing between '//' and the next '/'"));
    }
    let authority_end = rest.iter().position(|&b| b == b'/' || b == b'?').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let after = &rest[authority_end..];
    let (path, query) = match after.iter().position(|&b| b == b'?') {
        Some(mark) => (&after[..mark], Some(&after[mark + 1..])),
        None => (after, None),
    };
    let host_bytes = if authority.contains(&b'@')
        || authority.contains(&b':')
        || authority.first() == Some(&b'[')
    {
        host_of(authority)?
    } else if authority.is_empty() {
        return Err(no_host("the host is empty"));
    } else {
        authority
    };
    let host = canonical_host(host_bytes, idna)?;
    let path = if path.is_empty() { "/".to_owned() } else { normalized_path(path) };
    Ok(Canonical { scheme, host, path, query: query.map(escape) })
}

/// The lower-case scheme and what follows its `//`; `http` when there is none.
///
/// A URL names its host right after `scheme://`, after `//` with no scheme, or first of all (a
/// bare host, taken as http). A scheme without `//` (`http:/x`), or a leading single `/` (`/x`,
/// a path), names none.
fn split_scheme(data: &[u8]) -> Result<(&'static str, &[u8]), UrlError> {
    // [A-Za-z][A-Za-z0-9+.\-]*:
    if data.first().is_some_and(u8::is_ascii_alphabetic) {
        let name_end = data
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'+' || b == b'.' || b == b'-'))
            .unwrap_or(data.len());
        if data.get(name_end) == Some(&b':') {
            let name = data[..name_end].to_ascii_lowercase();
            if let Some(scheme) = scheme_name(&name) {
                return match data[name_end + 1..].strip_prefix(b"//") {
                    Some(rest) => Ok((scheme, rest)),
                    None => Err(UrlError::NoHost(format!("'{scheme}:' is not followed by '//'"))),
                };
            }
            if !name.contains(&b'.') && !port_follows(&data[name_end + 1..]) {
                return Err(UrlError::Scheme(String::from_utf8_lossy(&name).into_owned()));
            }
        }
    }
    if let Some(rest) = data.strip_prefix(b"//") {
        return Ok(("http", rest));
    }
    if data.first() == Some(&b'/') {
        return Err(no_host("it starts with a path ('/')"));
    }
    Ok(("http", data))
}

/// After `name:`, whether `name` is a host with a port: `[0-9]+(?:[/?]|\Z)|/(?!/)|\?|\Z`.
fn port_follows(after: &[u8]) -> bool {
    let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0 && matches!(after.get(digits), None | Some(b'/' | b'?')) {
        return true;
    }
    match after.first() {
        None | Some(b'?') => true,
        Some(b'/') => after.get(1) != Some(&b'/'),
        _ => false,
    }
}

/// The host in an authority: user information and port removed.
fn host_of(authority: &[u8]) -> Result<&[u8], UrlError> {
    let authority = match authority.iter().rposition(|&b| b == b'@') {
        Some(at) => &authority[at + 1..],
        None => authority,
    };
    let (host, port) = if authority.first() == Some(&b'[') {
        let Some(close) = authority.iter().position(|&b| b == b']') else {
            return Ok(authority);
        };
        let (host, port) = authority.split_at(close + 1);
        if !port.is_empty() && port[0] != b':' {
            return Err(UrlError::Ipv6AfterBracket(authority.to_vec()));
        }
        (host, port.get(1..).unwrap_or_default())
    } else {
        match authority.iter().position(|&b| b == b':') {
            Some(colon) => (&authority[..colon], &authority[colon + 1..]),
            None => (authority, &b""[..]),
        }
    };
    if !port.iter().all(u8::is_ascii_digit) {
        return Err(UrlError::Port(port.to_vec()));
    }
    if host.is_empty() {
        return Err(no_host("the host is empty once user information and port are removed"));
    }
    Ok(host)
}

/// Resolve `.` and `..` segments, collapse runs of slashes and escape; `path` starts with `/`.
fn normalized_path(path: &[u8]) -> String {
    let needs_work =
        path.windows(2).any(|pair| pair[0] == b'/' && (pair[1] == b'/' || pair[1] == b'.'));
    if !needs_work {
        return escape(path);
    }
    let mut segments: Vec<&[u8]> = Vec::new();
    let parts: Vec<&[u8]> = path.split(|&b| b == b'/').collect();
    for &segment in &parts[1..] {
        if segment == b".." && !segments.is_empty() {
            segments.pop();
        } else if !(segment.is_empty() || segment == b"." || segment == b"..") {
            segments.push(segment);
        }
    }
    let mut out = String::with_capacity(path.len());
    if segments.is_empty() {
        out.push('/');
        return out;
    }
    for segment in &segments {
        out.push('/');
        escape_into(segment, &mut out);
    }
    let last = parts[parts.len() - 1];
    if last.is_empty() || last == b"." || last == b".." {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(raw: &str) -> Result<String, UrlError> {
        canonicalize(raw.as_bytes(), &mut |_| None).map(|c| c.url())
    }

    #[test]
    fn safe_browsing_examples() {
        assert_eq!(url("http://host/%25%32%35").unwrap(), "http://host/%25");
        assert_eq!(url("http://host/%25%32%35%25%32%35").unwrap(), "http://host/%25%25");
        assert_eq!(url("http://www.google.com/blah/..").unwrap(), "http://www.google.com/");
        assert_eq!(url("www.google.com/").unwrap(), "http://www.google.com/");
        assert_eq!(url("http://www.evil.com/blah#frag").unwrap(), "http://www.evil.com/blah");
        assert_eq!(url("http://www.GOOgle.com/").unwrap(), "http://www.google.com/");
        assert_eq!(url("http://www.google.com.../").unwrap(), "http://www.google.com/");
        assert_eq!(
            url("http://www.google.com/foo\tbar\rbaz\n2").unwrap(),
            "http://www.google.com/foobarbaz2"
        );
        assert_eq!(url("http://www.google.com/q?").unwrap(), "http://www.google.com/q?");
        assert_eq!(url("http://www.google.com/q?r?").unwrap(), "http://www.google.com/q?r?");
        assert_eq!(url("http://www.google.com/q?r?s").unwrap(), "http://www.google.com/q?r?s");
        assert_eq!(url("http://evil.com/foo#bar#baz").unwrap(), "http://evil.com/foo");
        assert_eq!(url("http://evil.com/foo;").unwrap(), "http://evil.com/foo;");
        assert_eq!(url("http://evil.com/foo?bar;").unwrap(), "http://evil.com/foo?bar;");
        assert_eq!(url("http://notrailingslash.com").unwrap(), "http://notrailingslash.com/");
        assert_eq!(url("http://www.gotaport.com:1234/").unwrap(), "http://www.gotaport.com/");
        assert_eq!(url("  http://www.google.com/  ").unwrap(), "http://www.google.com/");
        assert_eq!(url("http:// leadingspace.com/").unwrap(), "http://%20leadingspace.com/");
        assert_eq!(url("http://%20leadingspace.com/").unwrap(), "http://%20leadingspace.com/");
        assert_eq!(url("%20leadingspace.com/").unwrap(), "http://%20leadingspace.com/");
        assert_eq!(url("https://www.securesite.com/").unwrap(), "https://www.securesite.com/");
        assert_eq!(url("http://host.com/ab%23cd").unwrap(), "http://host.com/ab%23cd");
        assert_eq!(
            url("http://host.com//twoslashes?more//slashes").unwrap(),
            "http://host.com/twoslashes?more//slashes"
        );
        assert_eq!(url("http://3279880203/blah").unwrap(), "http://195.127.0.11/blah");
    }

    #[test]
    fn errors() {
        assert_eq!(url(""), Err(UrlError::Empty));
        assert_eq!(url("javascript:alert(1)"), Err(UrlError::Scheme("javascript".into())));
        assert_eq!(url("http://a:b/"), Err(UrlError::Port(b"b".to_vec())));
        assert_eq!(
            url("http://@/"),
            Err(UrlError::NoHost(
                "the host is empty once user information and port are removed".into()
            ))
        );
        for hostless in ["/blah", "http:///blah", "///blah", "http:/blah", "http:blah", "http://?q"]
        {
            assert!(matches!(url(hostless), Err(UrlError::NoHost(_))), "{hostless}");
        }
        assert_eq!(url("//a.example/x").unwrap(), "http://a.example/x");
        assert_eq!(url("a\0b"), Err(UrlError::Nul(1)));
    }
}
