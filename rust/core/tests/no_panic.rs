//! Hostile input never panics: any bytes through canonicalization, expressions, hashing and the
//! matcher give a result or an error. (Set PROPTEST_CASES for a longer run.)

use hotlist_core::{
    canonicalize, expression_hashes_into, expressions, Columns, Outcome, MAX_URL_BYTES,
};
use proptest::prelude::*;

/// Bytes shaped like URLs: the pieces that reach the rarer rules, and arbitrary bytes between.
fn url_bytes() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        &b"http://"[..],
        b"https://",
        b"ftp:",
        b"x:",
        b"//",
        b"/",
        b"?",
        b"#",
        b"@",
        b":",
        b"::",
        b"[",
        b"]",
        b".",
        b"..",
        b"%",
        b"%2e",
        b"%25",
        b"%5b",
        b"%3a",
        b"%00",
        b"0x",
        b"07",
        b"08",
        b"255",
        b"256",
        b"4294967296",
        b"::ffff:",
        b"64:ff9b::",
        b"1.2.3.4",
        b"a",
        b"\xc3\xa9",
        b"\xff",
        b" ",
        b"\t",
        b"\x7f",
    ]);
    prop::collection::vec(
        prop_oneof![pieces.prop_map(<[u8]>::to_vec), prop::collection::vec(any::<u8>(), 0..6)],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

fn idna(text: &str) -> Option<Vec<u8>> {
    // A stand-in for UTS #46 that returns odd results, to reach every branch after it.
    match text.len() % 3 {
        0 => None,
        1 => Some(text.bytes().filter(u8::is_ascii).collect()),
        _ => Some(b"xn--a.b".to_vec()),
    }
}

proptest! {
    #[test]
    fn canonicalization_never_panics(data in url_bytes()) {
        if let Ok(parts) = canonicalize(&data, &mut idna) {
            prop_assert!(parts.url().is_ascii());
            prop_assert!(!parts.host.is_empty());
            let listed = expressions(&parts);
            prop_assert!(!listed.is_empty() && listed.len() <= 30);
            let mut hashes = Vec::new();
            expression_hashes_into(&parts, &mut hashes);
            prop_assert_eq!(hashes.len(), listed.len());
            // Idempotent on its own output.
            let again = canonicalize(parts.url().as_bytes(), &mut idna);
            prop_assert_eq!(again.map(|p| p.url()), Ok(parts.url()));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = canonicalize(&data, &mut idna);
    }

    #[test]
    fn the_matcher_never_panics(data in url_bytes(), entries in prop::collection::vec(url_bytes(), 0..8)) {
        let mut digests: Vec<[u8; 32]> = Vec::new();
        for entry in &entries {
            if let Ok(parts) = canonicalize(entry, &mut idna) {
                expression_hashes_into(&parts, &mut digests);
            }
        }
        digests.sort_unstable();
        digests.dedup();
        let hashes = digests.concat();
        let flags = vec![1u8; digests.len()];
        let bits = [0xFFu8; 128];
        for filter in [None, Some((&bits[..], 1023u64))] {
            for suspend in [false, true] {
                let columns = Columns::new(&hashes, &flags, filter, suspend).unwrap();
                match columns.check(&data, &mut idna) {
                    Outcome::Hit(position) => prop_assert!(position < digests.len() && !suspend),
                    Outcome::Miss | Outcome::Invalid(_) => {}
                }
            }
        }
    }
}

#[test]
fn every_length_is_bounded() {
    let mut long = b"http://a.example/".to_vec();
    long.resize(MAX_URL_BYTES + 1, b'a');
    assert!(canonicalize(&long, &mut idna).is_err());
    long.truncate(MAX_URL_BYTES);
    assert!(canonicalize(&long, &mut idna).is_ok());
    // The worst case for repeated unescaping stays well inside the limit.
    let mut nested = b"http://a.example/%".to_vec();
    nested.extend(std::iter::repeat_n(b"25"[..].to_vec(), 4000).flatten());
    nested.truncate(MAX_URL_BYTES);
    let _ = canonicalize(&nested, &mut idna);
}
