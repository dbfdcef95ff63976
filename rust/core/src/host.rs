//! Host names: canonical form, IP literals, and the host suffixes a lookup tries
//! (the reference: `hotlist.urls.hosts`).

use crate::escape::escape;
use crate::UrlError;

/// Internationalised names to ASCII (UTS #46, as the WHATWG URL standard does it): the caller
/// supplies it, so that the server, the edge and the reference share one implementation.
/// `None` means "no ASCII form"; the host's bytes are then kept, escaped.
pub type Idna<'a> = &'a mut dyn FnMut(&str) -> Option<Vec<u8>>;

#[inline]
fn is_label_byte(byte: u8) -> bool {
    byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_' || byte == b'-'
}

/// `(?:[a-z0-9_\-]+\.)*[a-z_\-][a-z0-9_\-]*\Z`: plain lower-case labels, the last not a number.
fn is_plain_host(host: &[u8]) -> bool {
    let last_start = host.iter().rposition(|&b| b == b'.').map_or(0, |dot| dot + 1);
    let (first_labels, last) = host.split_at(last_start);
    if last.is_empty() || last[0].is_ascii_digit() || !last.iter().all(|&b| is_label_byte(b)) {
        return false;
    }
    is_plain_name_with_dot(first_labels)
}

/// Labels each followed by a dot (or nothing at all).
fn is_plain_name_with_dot(labels: &[u8]) -> bool {
    if labels.is_empty() {
        return true;
    }
    let Some(body) = labels.strip_suffix(b".") else {
        return false;
    };
    is_plain_name(body)
}

/// `[a-z0-9_\-]+(?:\.[a-z0-9_\-]+)*\Z`.
fn is_plain_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name
            .split(|&b| b == b'.')
            .all(|label| !label.is_empty() && label.iter().all(|&b| is_label_byte(b)))
}

fn is_decimal(label: &[u8]) -> bool {
    !label.is_empty() && label.iter().all(u8::is_ascii_digit)
}

/// `0x[0-9a-f]*\Z` (the host is lower case by then).
fn is_hex(label: &[u8]) -> bool {
    label.starts_with(b"0x")
        && label[2..].iter().all(|&b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The canonical form of a host taken, already unescaped, from a URL's authority.
pub fn canonical_host(raw: &[u8], idna: Idna<'_>) -> Result<String, UrlError> {
    if raw.first() == Some(&b'[') {
        return canonical_ipv6(raw);
    }
    let lowered = raw.to_ascii_lowercase();
    if is_plain_host(&lowered) {
        // Plain labels are ASCII.
        return Ok(lowered.iter().map(|&b| b as char).collect());
    }
    let start = lowered.iter().position(|&b| b != b'.');
    let Some(start) = start else {
        return Err(UrlError::NoUsableHost);
    };
    let end = lowered.iter().rposition(|&b| b != b'.').map_or(start, |end| end + 1);
    let mut host: Vec<u8> = Vec::with_capacity(end - start);
    for &byte in &lowered[start..end] {
        if byte == b'.' && host.last() == Some(&b'.') {
            continue;
        }
        host.push(byte);
    }
    if host.contains(&b'[') || host.contains(&b']') {
        return Err(UrlError::BracketInHost(host));
    }
    if !host.is_ascii() {
        host = to_ascii(host, idna);
    }
    let last_start = host.iter().rposition(|&b| b == b'.').map_or(0, |dot| dot + 1);
    let last = &host[last_start..];
    if is_decimal(last) || is_hex(last) {
        return canonical_ipv4(&host);
    }
    Ok(escape(&host))
}

/// Punycode for an internationalised name; other non-ASCII bytes stay, to be escaped.
fn to_ascii(host: Vec<u8>, idna: Idna<'_>) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(&host) else {
        return host;
    };
    if text.chars().any(|c| c <= ' ' || c == '\x7f') {
        return host;
    }
    match idna(text) {
        Some(ascii) if is_plain_name(&ascii) => ascii,
        _ => host,
    }
}

/// One part of an IPv4 address in any legal encoding (saturating: anything past 2^32 is out of
/// range whatever its exact value), or None when it is not a number.
fn ipv4_part(label: &[u8]) -> Option<u64> {
    fn fold(digits: &[u8], radix: u64) -> u64 {
        digits.iter().fold(0u64, |value, &b| {
            let digit = match b {
                b'0'..=b'9' => u64::from(b - b'0'),
                _ => u64::from(b - b'a' + 10),
            };
            value.saturating_mul(radix).saturating_add(digit)
        })
    }
    if is_hex(label) {
        return Some(fold(&label[2..], 16));
    }
    if label.first() == Some(&b'0') && label.len() > 1 {
        return if label[1..].iter().all(|b| (b'0'..=b'7').contains(b)) {
            Some(fold(label, 8))
        } else {
            None
        };
    }
    if is_decimal(label) {
        return Some(fold(label, 10));
    }
    None
}

/// Dotted decimal for a host that ends in a number; an error when it is no IPv4 address.
fn canonical_ipv4(host: &[u8]) -> Result<String, UrlError> {
    let labels: Vec<&[u8]> = host.split(|&b| b == b'.').collect();
    if labels.len() > 4 {
        return Err(UrlError::Ipv4Parts(host.to_vec()));
    }
    let mut numbers = Vec::with_capacity(labels.len());
    for label in &labels {
        match ipv4_part(label) {
            Some(number) => numbers.push(number),
            None => return Err(UrlError::Ipv4Number(host.to_vec())),
        }
    }
    let (last, leading) =
        numbers.split_last().ok_or_else(|| UrlError::Ipv4Number(host.to_vec()))?;
    let limit = 1u64 << (8 * (5 - numbers.len()));
    if leading.iter().any(|&part| part > 255) || *last >= limit {
        return Err(UrlError::Ipv4Range(host.to_vec()));
    }
    let mut value = *last;
    for (position, &part) in leading.iter().enumerate() {
        value += part << (8 * (3 - position));
    }
    Ok(format_ipv4(value as u32))
}

fn format_ipv4(value: u32) -> String {
    let [a, b, c, d] = value.to_be_bytes();
    format!("{a}.{b}.{c}.{d}")
}

/// The v5 form of a bracketed IPv6 literal: shortest text, or IPv4 for mapped/NAT64 ones.
fn canonical_ipv6(raw: &[u8]) -> Result<String, UrlError> {
    if raw.last() != Some(&b']') || raw.len() < 2 {
        return Err(UrlError::Ipv6NoClose(raw.to_vec()));
    }
    let inner = &raw[1..raw.len() - 1];
    if !inner.is_ascii() || inner.contains(&b'%') {
        return Err(UrlError::Ipv6Chars(raw.to_vec()));
    }
    let address = parse_ipv6(inner).ok_or_else(|| UrlError::Ipv6Invalid(raw.to_vec()))?;
    if address >> 32 == 0xFFFF {
        return Ok(format_ipv4(address as u32));
    }
    if address >> 32 == 0x0064_ff9b_0000_0000_0000_0000 {
        return Ok(format_ipv4(address as u32));
    }
    Ok(format!("[{}]", compress_ipv6(address)))
}

/// Python's `ipaddress.IPv6Address` parse (without a scope, which `%` never reaches here).
fn parse_ipv6(text: &[u8]) -> Option<u128> {
    enum Part<'a> {
        Text(&'a [u8]),
        Value(u16),
    }
    if text.is_empty() || text.contains(&b'/') {
        return None;
    }
    let mut parts: Vec<Part<'_>> = text.split(|&b| b == b':').map(Part::Text).collect();
    if parts.len() < 3 {
        return None;
    }
    if let Some(Part::Text(last)) = parts.last() {
        if last.contains(&b'.') {
            let ipv4 = parse_ipv4_strict(last)?;
            parts.pop();
            parts.push(Part::Value((ipv4 >> 16) as u16));
            parts.push(Part::Value(ipv4 as u16));
        }
    }
    if parts.len() > 9 {
        return None;
    }
    let empty = |part: &Part<'_>| matches!(part, Part::Text(t) if t.is_empty());
    let mut skip = None;
    for (index, part) in parts.iter().enumerate().take(parts.len() - 1).skip(1) {
        if empty(part) {
            if skip.is_some() {
                return None;
            }
            skip = Some(index);
        }
    }
    let (hi, lo, skipped) = if let Some(skip) = skip {
        let mut hi = skip;
        let mut lo = parts.len() - skip - 1;
        if empty(&parts[0]) {
            hi -= 1;
            if hi != 0 {
                return None;
            }
        }
        if empty(&parts[parts.len() - 1]) {
            lo -= 1;
            if lo != 0 {
                return None;
            }
        }
        if hi + lo >= 8 {
            return None;
        }
        (hi, lo, 8 - (hi + lo))
    } else {
        if parts.len() != 8 || empty(&parts[0]) || empty(&parts[7]) {
            return None;
        }
        (8, 0, 0)
    };
    let hextet = |part: &Part<'_>| -> Option<u128> {
        match part {
            Part::Value(value) => Some(u128::from(*value)),
            Part::Text(t) => {
                if t.is_empty() || t.len() > 4 || !t.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                let s = std::str::from_utf8(t).ok()?;
                u16::from_str_radix(s, 16).ok().map(u128::from)
            }
        }
    };
    let mut value: u128 = 0;
    for part in &parts[..hi] {
        value = value << 16 | hextet(part)?;
    }
    value <<= 16 * skipped as u32;
    for part in &parts[parts.len() - lo..] {
        value = value << 16 | hextet(part)?;
    }
    Some(value)
}

/// Python's `ipaddress.IPv4Address` parse: four decimal octets, no leading zeros.
fn parse_ipv4_strict(text: &[u8]) -> Option<u32> {
    let mut value: u32 = 0;
    let mut count = 0;
    for octet in text.split(|&b| b == b'.') {
        count += 1;
        if count > 4 || octet.is_empty() || octet.len() > 3 || !octet.iter().all(u8::is_ascii_digit)
        {
            return None;
        }
        if octet.len() > 1 && octet[0] == b'0' {
            return None;
        }
        let number = octet.iter().fold(0u32, |n, &b| n * 10 + u32::from(b - b'0'));
        if number > 255 {
            return None;
        }
        value = value << 8 | number;
    }
    (count == 4).then_some(value)
}

/// Python's `IPv6Address.compressed`: hextets in lower-case hex, the first longest run of two or
/// more zero hextets written as `::`.
fn compress_ipv6(address: u128) -> String {
    let hextets: Vec<u16> = (0..8).rev().map(|i| (address >> (16 * i)) as u16).collect();
    let (mut best_start, mut best_len, mut start, mut len) = (0usize, 0usize, 0usize, 0usize);
    for (index, &hextet) in hextets.iter().enumerate() {
        if hextet == 0 {
            if len == 0 {
                start = index;
            }
            len += 1;
            if len > best_len {
                best_len = len;
                best_start = start;
            }
        } else {
            len = 0;
        }
    }
    let text = |slice: &[u16]| slice.iter().map(|h| format!("{h:x}")).collect::<Vec<_>>().join(":");
    if best_len > 1 {
        let end = best_start + best_len;
        format!("{}::{}", text(&hextets[..best_start]), text(&hextets[end..]))
    } else {
        text(&hextets)
    }
}

/// Whether a canonical host is an IP address (dotted IPv4 or bracketed IPv6).
#[inline]
pub fn is_ip_host(host: &str) -> bool {
    matches!(host.as_bytes().last(), Some(b'0'..=b'9' | b']'))
}

/// The host forms a lookup tries, in Safe Browsing's order: the host itself, then up to four
/// suffixes of its last five labels, down to two labels; an IP address only as itself.
pub fn host_suffixes(host: &str) -> Vec<&str> {
    let mut suffixes = Vec::with_capacity(5);
    suffixes.push(host);
    if host.is_empty() || is_ip_host(host) {
        return suffixes;
    }
    let dots: Vec<usize> =
        host.bytes().enumerate().filter(|&(_, b)| b == b'.').map(|(i, _)| i).collect();
    let count = dots.len();
    if count < 2 {
        return suffixes;
    }
    // The suffix after the i-th dot has count - i labels; keep those with 5 down to 2 labels.
    for (index, &position) in dots.iter().enumerate().take(count - 1) {
        if index + 5 >= count {
            suffixes.push(&host[position + 1..]);
        }
    }
    suffixes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(raw: &str) -> Result<String, UrlError> {
        canonical_host(raw.as_bytes(), &mut |_| None)
    }

    #[test]
    fn ipv4_forms() {
        assert_eq!(host("3279880203").unwrap(), "195.127.0.11");
        assert_eq!(host("0x7f.1").unwrap(), "127.0.0.1");
        assert_eq!(host("012.1.2.3").unwrap(), "10.1.2.3");
        assert!(matches!(host("256.1.1.1"), Err(UrlError::Ipv4Range(_))));
        assert!(matches!(host("example.123"), Err(UrlError::Ipv4Number(_))));
        assert!(matches!(host("1.2.3.4.5"), Err(UrlError::Ipv4Parts(_))));
    }

    #[test]
    fn ipv6_forms() {
        assert_eq!(host("[2001:DB8::1]").unwrap(), "[2001:db8::1]");
        assert_eq!(host("[::ffff:192.0.2.1]").unwrap(), "192.0.2.1");
        assert_eq!(host("[64:ff9b::c000:201]").unwrap(), "192.0.2.1");
        assert_eq!(host("[2001:db8:0:0:1:0:0:1]").unwrap(), "[2001:db8::1:0:0:1]");
        assert!(matches!(host("[::1"), Err(UrlError::Ipv6NoClose(_))));
        assert!(matches!(host("[1::2::3]"), Err(UrlError::Ipv6Invalid(_))));
    }

    #[test]
    fn suffixes() {
        assert_eq!(
            host_suffixes("a.b.c.d.e.f.g"),
            ["a.b.c.d.e.f.g", "c.d.e.f.g", "d.e.f.g", "e.f.g", "f.g"]
        );
        assert_eq!(host_suffixes("a.b.c"), ["a.b.c", "b.c"]);
        assert_eq!(host_suffixes("192.0.2.1"), ["192.0.2.1"]);
    }
}
