//! Lookup expressions (host suffix x path prefix) and their SHA-256 hashes
//! (the reference: `hotlist.urls.expressions`).

use sha2::{Digest, Sha256};

use crate::canonical::Canonical;
use crate::host::host_suffixes;

/// One path a lookup tries: a prefix of the canonical path, with the query for the first one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathPrefix<'a> {
    pub path: &'a str,
    pub query: Option<&'a str>,
}

impl PathPrefix<'_> {
    /// Its length in bytes as text (`path?query`).
    pub fn len(&self) -> usize {
        self.path.len() + self.query.map_or(0, |query| query.len() + 1)
    }

    /// Whether it is empty (never, for a canonical URL's paths).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Append its text to `out`.
    pub fn push_to(&self, out: &mut String) {
        out.push_str(self.path);
        if let Some(query) = self.query {
            out.push('?');
            out.push_str(query);
        }
    }
}

/// The paths a lookup tries, in Safe Browsing's order (at most six): the exact path with the
/// query (when there is one), the exact path, the root and up to three directory prefixes.
pub fn path_prefixes<'a>(path: &'a str, query: Option<&'a str>) -> Vec<PathPrefix<'a>> {
    let mut paths = Vec::with_capacity(6);
    if query.is_some() {
        paths.push(PathPrefix { path, query });
    }
    paths.push(PathPrefix { path, query: None });
    if path == "/" {
        return paths;
    }
    paths.push(PathPrefix { path: "/", query: None });
    let bytes = path.as_bytes();
    let last = bytes.len().saturating_sub(1);
    let mut from = 1;
    for _ in 0..3 {
        match bytes.get(from..).and_then(|rest| rest.iter().position(|&b| b == b'/')) {
            Some(offset) if from + offset < last => {
                let end = from + offset;
                paths.push(PathPrefix { path: &path[..=end], query: None });
                from = end + 1;
            }
            _ => break,
        }
    }
    paths
}

/// The lookup expressions of a canonical URL: each host suffix with each path prefix.
pub fn expressions(parts: &Canonical) -> Vec<String> {
    let paths = path_prefixes(&parts.path, parts.query.as_deref());
    let hosts = host_suffixes(&parts.host);
    let mut out = Vec::with_capacity(hosts.len() * paths.len());
    for host in &hosts {
        for path in &paths {
            let mut expression = String::with_capacity(host.len() + path.len());
            expression.push_str(host);
            path.push_to(&mut expression);
            out.push(expression);
        }
    }
    out
}

/// SHA-256 of `host` followed by `path`, without building the expression.
#[inline]
pub fn hash_expression(host: &str, path: &PathPrefix<'_>) -> [u8; 32] {
    let mut digest = Sha256::new();
    digest.update(host.as_bytes());
    digest.update(path.path.as_bytes());
    if let Some(query) = path.query {
        digest.update(b"?");
        digest.update(query.as_bytes());
    }
    digest.finalize().into()
}

/// SHA-256 of one expression.
#[inline]
pub fn hash(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// SHA-256 of each expression of a canonical URL, in order, appended to `out`.
pub fn expression_hashes_into(parts: &Canonical, out: &mut Vec<[u8; 32]>) {
    let paths = path_prefixes(&parts.path, parts.query.as_deref());
    for host in host_suffixes(&parts.host) {
        for path in &paths {
            out.push(hash_expression(host, path));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::canonicalize;

    fn exprs(url: &str) -> Vec<String> {
        expressions(&canonicalize(url.as_bytes(), &mut |_| None).unwrap())
    }

    #[test]
    fn safe_browsing_examples() {
        assert_eq!(
            exprs("http://a.b.c/1/2.html?param=1"),
            [
                "a.b.c/1/2.html?param=1",
                "a.b.c/1/2.html",
                "a.b.c/",
                "a.b.c/1/",
                "b.c/1/2.html?param=1",
                "b.c/1/2.html",
                "b.c/",
                "b.c/1/"
            ]
        );
        assert_eq!(exprs("http://a.b.c.d.e.f.g/1.html").len(), 10);
        assert_eq!(exprs("http://1.2.3.4/1/"), ["1.2.3.4/1/", "1.2.3.4/"]);
        assert_eq!(
            exprs("http://a.b/x/y/z/w/v"),
            ["a.b/x/y/z/w/v", "a.b/", "a.b/x/", "a.b/x/y/", "a.b/x/y/z/"]
        );
    }

    #[test]
    fn hashes_match_expressions() {
        let parts = canonicalize(b"http://a.b.c/1/2.html?param=1", &mut |_| None).unwrap();
        let mut hashes = Vec::new();
        expression_hashes_into(&parts, &mut hashes);
        let expected: Vec<[u8; 32]> =
            expressions(&parts).iter().map(|e| hash(e.as_bytes())).collect();
        assert_eq!(hashes, expected);
    }
}
