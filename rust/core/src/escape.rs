//! Percent-unescaping and percent-escaping as Safe Browsing canonicalization does them
//! (the reference: `hotlist.urls.escaping`).

/// Whether the canonical form escapes `byte`: controls and space, `#`, `%`, and non-ASCII.
#[inline]
pub fn needs_escape(byte: u8) -> bool {
    byte <= 0x20 || byte >= 0x7F || byte == b'#' || byte == b'%'
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Append the escaped form of `data` to `out`: upper-case `%XX` for what [`needs_escape`] names.
pub fn escape_into(data: &[u8], out: &mut String) {
    out.reserve(data.len());
    for &byte in data {
        if needs_escape(byte) {
            out.push('%');
            out.push(HEX_UPPER[usize::from(byte >> 4)] as char);
            out.push(HEX_UPPER[usize::from(byte & 0x0F)] as char);
        } else {
            out.push(byte as char);
        }
    }
}

/// The escaped form of `data` (always ASCII).
pub fn escape(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len());
    escape_into(data, &mut out);
    out
}

#[inline]
fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// One pass of percent-unescaping into `out`; a `%` without two hex digits after it stays.
/// Returns whether anything was unescaped.
fn unescape_once(data: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let mut changed = false;
    let mut index = 0;
    while index < data.len() {
        let byte = data[index];
        if byte == b'%' && index + 2 < data.len() {
            if let (Some(high), Some(low)) =
                (hex_value(data[index + 1]), hex_value(data[index + 2]))
            {
                out.push(high << 4 | low);
                index += 3;
                changed = true;
                continue;
            }
        }
        out.push(byte);
        index += 1;
    }
    changed
}

/// Percent-unescape `data` again and again until no valid `%XX` escape is left.
///
/// Each pass that changes anything makes the data shorter, so the loop ends.
pub fn unescape_fully(data: &[u8]) -> Vec<u8> {
    let mut current = data.to_vec();
    let mut next = Vec::with_capacity(data.len());
    while current.contains(&b'%') {
        if !unescape_once(&current, &mut next) {
            break;
        }
        std::mem::swap(&mut current, &mut next);
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes_repeatedly() {
        assert_eq!(unescape_fully(b"%252541"), b"A");
        assert_eq!(unescape_fully(b"%%41"), b"%A");
        assert_eq!(unescape_fully(b"100%"), b"100%");
        assert_eq!(unescape_fully(b"%4"), b"%4");
        assert_eq!(unescape_fully(b"%zz%41"), b"%zzA");
    }

    #[test]
    fn escapes_upper_case() {
        assert_eq!(escape(b"a b#%\x7f\xff~"), "a%20b%23%25%7F%FF~");
    }
}
