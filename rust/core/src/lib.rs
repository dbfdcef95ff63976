//! hotlist's edge core: Safe Browsing canonicalization, lookup expressions, their SHA-256, and
//! the matcher's two stages over a list snapshot's flat columns.
//!
//! The Python package `hotlist.urls` holds the reference implementation, which the tests compare
//! this crate with; every rule here follows it exactly, error for error. Nothing here panics on
//! any input, and every length is bounded by [`MAX_URL_BYTES`].

// No `unsafe` here, whatever the workspace allows: the binding holds the one it needs.
#![forbid(unsafe_code)]

pub mod canonical;
pub mod clear_cache;
pub mod escape;
pub mod expressions;
pub mod host;
pub mod matcher;
pub mod squid;

pub use canonical::{canonicalize, Canonical, SCHEMES};
pub use clear_cache::ClearCache;
pub use expressions::{expression_hashes_into, expressions, hash, path_prefixes, PathPrefix};
pub use host::{host_suffixes, is_ip_host, Idna};
pub use matcher::{
    filter_covers, filter_mask, host_filter, Columns, ColumnsError, Outcome, FLAG_DISPUTED,
    HASH_SIZE, HOST_KEY_SIZE,
};
pub use squid::LineAnswer;

/// The longest URL accepted, in bytes (8 KiB); the reference's `MAX_URL_BYTES`.
pub const MAX_URL_BYTES: usize = 8192;

/// Why a URL cannot be canonicalized. The Python binding turns each into `InvalidURL` with the
/// reference's message; the payload is what that message shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// Longer than [`MAX_URL_BYTES`] (its length in bytes).
    TooLong(usize),
    /// A NUL byte at this position.
    Nul(usize),
    /// Nothing left after trimming and dropping the fragment.
    Empty,
    /// A scheme that is not one of [`SCHEMES`] (lower case).
    Scheme(String),
    /// No host at all (why, in words).
    NoHost(String),
    /// Text after an IPv6 literal's closing bracket (the authority).
    Ipv6AfterBracket(Vec<u8>),
    /// A port that is not a number (the port).
    Port(Vec<u8>),
    /// Nothing left of the host after removing dots.
    NoUsableHost,
    /// `[` or `]` in a host that is no IPv6 literal (the host).
    BracketInHost(Vec<u8>),
    /// A host ending in a number with more than four parts (the host).
    Ipv4Parts(Vec<u8>),
    /// A host ending in a number with a part that is not one (the host).
    Ipv4Number(Vec<u8>),
    /// An IPv4 part out of range (the host).
    Ipv4Range(Vec<u8>),
    /// An IPv6 literal without its closing bracket (the literal).
    Ipv6NoClose(Vec<u8>),
    /// An IPv6 literal with non-ASCII or `%` inside (the literal).
    Ipv6Chars(Vec<u8>),
    /// An IPv6 literal that is no IPv6 address (the literal).
    Ipv6Invalid(Vec<u8>),
}

impl UrlError {
    /// A stable number for the kind of error (the binding's error code).
    pub fn code(&self) -> u8 {
        match self {
            UrlError::TooLong(_) => 0,
            UrlError::Nul(_) => 1,
            UrlError::Empty => 2,
            UrlError::Scheme(_) => 3,
            UrlError::NoHost(_) => 4,
            UrlError::Ipv6AfterBracket(_) => 5,
            UrlError::Port(_) => 6,
            UrlError::NoUsableHost => 7,
            UrlError::BracketInHost(_) => 8,
            UrlError::Ipv4Parts(_) => 9,
            UrlError::Ipv4Number(_) => 10,
            UrlError::Ipv4Range(_) => 11,
            UrlError::Ipv6NoClose(_) => 12,
            UrlError::Ipv6Chars(_) => 13,
            UrlError::Ipv6Invalid(_) => 14,
        }
    }
}
