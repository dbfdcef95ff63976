//! `hotlist._core`: the Python binding of hotlist-core.
//!
//! Errors cross as `UrlError(code, detail)`, which `hotlist.urls.core` turns into `InvalidURL`
//! with the reference's message; batch calls return `(code, detail)` tuples in place.
//! Internationalised host names go through the same UTS #46 mapping as the reference
//! (`ada_url.idna_to_ascii`), called only for hosts that are not ASCII.

mod column;

use std::sync::Mutex;

use hotlist_core::{
    canonicalize, expression_hashes_into, expressions, filter_covers, hash, host_filter, Canonical,
    ClearCache, Columns, LineAnswer, Outcome, UrlError, FLAG_DISPUTED, HASH_SIZE, HOST_KEY_SIZE,
    MAX_URL_BYTES,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::column::Column;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyString, PyTuple};

pyo3::create_exception!(
    _core,
    CoreURLError,
    PyValueError,
    "A URL the core cannot canonicalize: args are (code, detail)."
);

/// Codes the binding adds to hotlist-core's (which end at 14).
const SURROGATE: u8 = 15;
const NOT_TEXT: u8 = 16;

/// Why a URL failed, ready to cross into Python.
struct Failure {
    code: u8,
    detail: Py<PyAny>,
}

impl Failure {
    fn from_error(py: Python<'_>, error: &UrlError) -> Failure {
        let detail: Py<PyAny> = match error {
            UrlError::TooLong(size) | UrlError::Nul(size) => {
                size.into_pyobject(py).map_or_else(|_| py.None(), |v| v.into_any().unbind())
            }
            UrlError::Empty | UrlError::NoUsableHost => py.None(),
            UrlError::Scheme(name) | UrlError::NoHost(name) => {
                PyString::new(py, name).into_any().unbind()
            }
            UrlError::Ipv6AfterBracket(data)
            | UrlError::Port(data)
            | UrlError::BracketInHost(data)
            | UrlError::Ipv4Parts(data)
            | UrlError::Ipv4Number(data)
            | UrlError::Ipv4Range(data)
            | UrlError::Ipv6NoClose(data)
            | UrlError::Ipv6Chars(data)
            | UrlError::Ipv6Invalid(data) => PyBytes::new(py, data).into_any().unbind(),
        };
        Failure { code: error.code(), detail }
    }

    fn to_tuple<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, [self.code.into_pyobject(py)?.into_any(), self.detail.bind(py).clone()])
    }

    fn to_err(&self, py: Python<'_>) -> PyErr {
        CoreURLError::new_err((self.code, self.detail.clone_ref(py)))
    }
}

/// A URL's bytes as the reference reads them: text as UTF-8 (a lone surrogate from an
/// undecodable byte becomes that byte again), bytes as they are.
enum UrlBytes<'py> {
    Text(Bound<'py, PyString>),
    Bytes(Bound<'py, PyBytes>),
    Owned(Vec<u8>),
}

impl UrlBytes<'_> {
    fn as_bytes(&self) -> &[u8] {
        match self {
            UrlBytes::Text(text) => text.to_str().map_or(&[][..], str::as_bytes),
            UrlBytes::Bytes(bytes) => bytes.as_bytes(),
            UrlBytes::Owned(bytes) => bytes,
        }
    }
}

fn url_bytes<'py>(url: &Bound<'py, PyAny>) -> Result<UrlBytes<'py>, Failure> {
    let py = url.py();
    if let Ok(text) = url.cast::<PyString>() {
        let characters = text.len().unwrap_or(usize::MAX);
        if characters > MAX_URL_BYTES {
            return Err(Failure::from_error(py, &UrlError::TooLong(characters)));
        }
        if text.to_str().is_ok() {
            return Ok(UrlBytes::Text(text.clone()));
        }
        // Lone surrogates: the reference encodes with surrogateescape, and a surrogate that is
        // no escaped byte is an error at its position.
        return match text.call_method1("encode", ("utf-8", "surrogateescape")) {
            Ok(encoded) => match encoded.cast_into::<PyBytes>() {
                Ok(bytes) => Ok(UrlBytes::Bytes(bytes)),
                Err(_) => Err(Failure {
                    code: SURROGATE,
                    detail: 0usize
                        .into_pyobject(py)
                        .map_or_else(|_| py.None(), |v| v.into_any().unbind()),
                }),
            },
            Err(error) => {
                let start =
                    error.value(py).getattr("start").map_or_else(|_| py.None(), Bound::unbind);
                Err(Failure { code: SURROGATE, detail: start })
            }
        };
    }
    if let Ok(bytes) = url.cast::<PyBytes>() {
        return Ok(UrlBytes::Bytes(bytes.clone()));
    }
    if let Ok(array) = url.cast::<PyByteArray>() {
        return Ok(UrlBytes::Owned(array.to_vec()));
    }
    let memoryview = py.get_type::<pyo3::types::PyMemoryView>();
    if url.is_instance(&memoryview).unwrap_or(false) {
        if let Ok(bytes) = py.get_type::<PyBytes>().call1((url,)) {
            if let Ok(bytes) = bytes.cast_into::<PyBytes>() {
                return Ok(UrlBytes::Bytes(bytes));
            }
        }
    }
    let name = url.get_type().name().map_or_else(|_| "object".to_owned(), |name| name.to_string());
    Err(Failure { code: NOT_TEXT, detail: PyString::new(py, &name).into_any().unbind() })
}

static IDNA: PyOnceLock<Option<Py<PyAny>>> = PyOnceLock::new();

/// The UTS #46 mapping the reference uses (`ada_url.idna_to_ascii`); None when it is missing.
fn idna_function(py: Python<'_>) -> Option<&Bound<'_, PyAny>> {
    IDNA.get_or_init(py, || {
        py.import("ada_url")
            .and_then(|module| module.getattr("idna_to_ascii"))
            .ok()
            .map(Bound::unbind)
    })
    .as_ref()
    .map(|function| function.bind(py))
}

fn canonical<'py>(py: Python<'py>, url: &Bound<'py, PyAny>) -> Result<Canonical, Failure> {
    let data = url_bytes(url)?;
    let mut idna = idna_closure(py);
    canonicalize(data.as_bytes(), &mut idna).map_err(|error| Failure::from_error(py, &error))
}

fn parts_tuple<'py>(py: Python<'py>, parts: &Canonical) -> PyResult<Bound<'py, PyTuple>> {
    let query = match &parts.query {
        Some(query) => PyString::new(py, query).into_any(),
        None => py.None().into_bound(py),
    };
    PyTuple::new(
        py,
        [
            PyString::intern(py, parts.scheme).into_any(),
            PyString::new(py, &parts.host).into_any(),
            PyString::new(py, &parts.path).into_any(),
            query,
        ],
    )
}

/// The canonical parts `(scheme, host, path, query)` of `url`; raises CoreURLError.
#[pyfunction]
fn canonical_parts<'py>(py: Python<'py>, url: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyTuple>> {
    let parts = canonical(py, url).map_err(|failure| failure.to_err(py))?;
    parts_tuple(py, &parts)
}

/// The canonical parts of each URL, or a `(code, detail)` tuple for one that has none.
#[pyfunction]
fn canonical_parts_many<'py>(
    py: Python<'py>,
    urls: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for url in urls.try_iter()? {
        let url = url?;
        match canonical(py, &url) {
            Ok(parts) => out.append(parts_tuple(py, &parts)?)?,
            Err(failure) => out.append(failure.to_tuple(py)?)?,
        }
    }
    Ok(out)
}

/// The canonical form of `url`; raises CoreURLError.
#[pyfunction(name = "canonicalize")]
fn canonicalize_url(py: Python<'_>, url: &Bound<'_, PyAny>) -> PyResult<String> {
    canonical(py, url).map(|parts| parts.url()).map_err(|failure| failure.to_err(py))
}

/// The lookup expressions of `url`, in Safe Browsing's order; raises CoreURLError.
#[pyfunction(name = "expressions")]
fn url_expressions(py: Python<'_>, url: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    canonical(py, url).map(|parts| expressions(&parts)).map_err(|failure| failure.to_err(py))
}

fn hash_list<'py>(
    py: Python<'py>,
    parts: &Canonical,
    scratch: &mut Vec<[u8; 32]>,
) -> PyResult<Bound<'py, PyList>> {
    scratch.clear();
    expression_hashes_into(parts, scratch);
    PyList::new(py, scratch.iter().map(|digest| PyBytes::new(py, digest)))
}

/// SHA-256 of each of `url`'s expressions, in order; raises CoreURLError.
#[pyfunction]
fn expression_hashes<'py>(
    py: Python<'py>,
    url: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    let parts = canonical(py, url).map_err(|failure| failure.to_err(py))?;
    hash_list(py, &parts, &mut Vec::with_capacity(30))
}

/// SHA-256 of the expressions of a URL already in canonical parts (host, path, query).
#[pyfunction]
fn expression_hashes_from_parts<'py>(
    py: Python<'py>,
    host: String,
    path: String,
    query: Option<String>,
) -> PyResult<Bound<'py, PyList>> {
    if host.is_empty() || host.len() > MAX_URL_BYTES || path.len() > MAX_URL_BYTES {
        return Err(PyValueError::new_err("not the parts of a canonical URL"));
    }
    let parts = Canonical { scheme: "http", host, path, query };
    hash_list(py, &parts, &mut Vec::with_capacity(30))
}

/// For each URL, the list of its expression hashes, or a `(code, detail)` tuple when invalid.
#[pyfunction]
fn expression_hashes_many<'py>(
    py: Python<'py>,
    urls: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    let mut scratch = Vec::with_capacity(30);
    for url in urls.try_iter()? {
        let url = url?;
        match canonical(py, &url) {
            Ok(parts) => out.append(hash_list(py, &parts, &mut scratch)?)?,
            Err(failure) => out.append(failure.to_tuple(py)?)?,
        }
    }
    Ok(out)
}

/// The expression hashes of many URLs in flat form: `(digests, counts, failures)`, where
/// `digests` holds every 32-byte hash in order, `counts` one byte per URL (how many of the
/// digests are its own; 0 for an invalid URL) and `failures` `(position, code, detail)` tuples.
/// No Python object per hash.
#[pyfunction]
fn expression_hashes_flat<'py>(
    py: Python<'py>,
    urls: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>, Bound<'py, PyList>)> {
    let mut digests: Vec<[u8; 32]> = Vec::new();
    let mut counts: Vec<u8> = Vec::new();
    let failures = PyList::empty(py);
    for (position, url) in urls.try_iter()?.enumerate() {
        let url = url?;
        match canonical(py, &url) {
            Ok(parts) => {
                let before = digests.len();
                expression_hashes_into(&parts, &mut digests);
                // At most 5 hosts x 6 paths.
                counts.push(u8::try_from(digests.len() - before).unwrap_or(u8::MAX));
            }
            Err(failure) => {
                counts.push(0);
                failures.append((position, failure.code, failure.detail))?;
            }
        }
    }
    Ok((PyBytes::new(py, digests.as_flattened()), PyBytes::new(py, &counts), failures))
}

/// SHA-256 of `data` with the core's implementation (to compare it with OpenSSL's).
/// What is wrong with a snapshot's columns, or None: `"order"` (hashes not sorted and unique),
/// `"category"` (0), `"entry_id"` (0 or above 2**63-1) or `"flags"` (a bit outside
/// `known_flags`). Each column is a read-only buffer of bytes (`bytes`, or a read-only
/// `memoryview` of a mapped file or of an `array`); `categories` and `entry_ids` in native
/// byte order. `hotlist.publish.format.Snapshot.validate` gives the messages.
#[pyfunction]
fn snapshot_problem(
    hashes: &Bound<'_, PyAny>,
    categories: &Bound<'_, PyAny>,
    entry_ids: &Bound<'_, PyAny>,
    flags: &Bound<'_, PyAny>,
    known_flags: u8,
) -> PyResult<Option<&'static str>> {
    let (hashes, categories) = (Column::new(hashes, "hash")?, Column::new(categories, "category")?);
    let (entry_ids, flags) = (Column::new(entry_ids, "entry id")?, Column::new(flags, "flags")?);
    let (hashes, categories) = (hashes.bytes(), categories.bytes());
    let (entry_ids, flags) = (entry_ids.bytes(), flags.bytes());
    if hashes.len() % HASH_SIZE != 0 || categories.len() % 2 != 0 || entry_ids.len() % 8 != 0 {
        return Err(PyValueError::new_err("the snapshot's columns have partial values"));
    }
    let mut previous: Option<&[u8]> = None;
    for hash in hashes.chunks_exact(HASH_SIZE) {
        if previous.is_some_and(|earlier| earlier >= hash) {
            return Ok(Some("order"));
        }
        previous = Some(hash);
    }
    if categories.chunks_exact(2).any(|value| value == [0, 0]) {
        return Ok(Some("category"));
    }
    let bad_id = |value: &[u8]| {
        let id = u64::from_ne_bytes(value.try_into().unwrap_or([0; 8]));
        id == 0 || id > i64::MAX as u64
    };
    if entry_ids.chunks_exact(8).any(bad_id) {
        return Ok(Some("entry_id"));
    }
    if flags.iter().any(|&flag| flag & !known_flags != 0) {
        return Ok(Some("flags"));
    }
    Ok(None)
}

/// Buffers from this size on are hashed with the GIL released (below it, releasing and taking
/// it back again costs more than other threads gain).
const DETACHED_SHA256_BYTES: usize = 1 << 16;

/// SHA-256 of a read-only buffer (`bytes`, or a view of a mapped file, read in place).
///
/// A large buffer (a list file: 51 MB at 1,000,000 entries, about 50 ms) is hashed with the GIL
/// released, so that other threads keep running meanwhile: the Squid helper answers while its
/// watcher thread verifies the list's checksum. The buffer is held (its exporter can neither
/// free nor resize it) until the digest is made; it is read-only, as `Column` requires.
#[pyfunction]
fn sha256<'py>(py: Python<'py>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    let data = Column::new(data, "data")?;
    let bytes = data.bytes();
    let digest =
        if bytes.len() >= DETACHED_SHA256_BYTES { py.detach(|| hash(bytes)) } else { hash(bytes) };
    Ok(PyBytes::new(py, &digest))
}

/// The host filter's table for `host_keys` (a read-only buffer of 8-byte keys), as an index
/// builds it: what an edge store keeps beside the list for its processes to share.
#[pyfunction]
fn host_filter_table<'py>(
    py: Python<'py>,
    host_keys: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let keys = Column::new(host_keys, "host key")?;
    if keys.bytes().len() % HOST_KEY_SIZE != 0 {
        return Err(PyValueError::new_err("the host key buffer's length is not a multiple of 8"));
    }
    let (bits, _mask) = host_filter(keys.bytes());
    Ok(PyBytes::new(py, &bits))
}

/// The matcher's two stages over a snapshot's columns: the hash and flags columns are held as
/// they are (no copy); the host filter's table (2 to 4 bytes per entry) is read in place too
/// when the store holds one that covers the host keys, else built from them; the host keys are
/// not kept.
#[pyclass(frozen, module = "hotlist._core")]
struct Index {
    hashes: Column,
    flags: Column,
    filter: Option<(Filter, u64)>,
    suspend_disputed: bool,
    /// Plain authority -> no host of it can have an entry (the Squid lines' authority stage).
    clear: Mutex<ClearCache>,
}

/// The host filter's table: built by this process, or a mapped file's, shared.
enum Filter {
    Built(Vec<u8>),
    Shared(Column),
}

impl Filter {
    fn bits(&self) -> &[u8] {
        match self {
            Filter::Built(bits) => bits,
            Filter::Shared(column) => column.bytes(),
        }
    }
}

/// Whether no host of `authority` can have an entry, remembered in `cache` when the caller
/// holds it; without it, decided afresh.
fn cached_clear(
    cache: Option<&mut ClearCache>,
    columns: &Columns<'_>,
    authority: &[u8],
    idna: hotlist_core::Idna<'_>,
) -> bool {
    let Some(cache) = cache else {
        return columns.authority_is_clear(authority, idna);
    };
    if let Some(known) = cache.get(authority) {
        return known;
    }
    let known = columns.authority_is_clear(authority, idna);
    cache.put(authority, known);
    known
}

impl Index {
    fn columns(&self) -> PyResult<Columns<'_>> {
        let filter = self.filter.as_ref().map(|(table, mask)| (table.bits(), *mask));
        Columns::new(self.hashes.bytes(), self.flags.bytes(), filter, self.suspend_disputed)
            .map_err(|error| {
                PyValueError::new_err(format!("the list's columns do not fit together: {error:?}"))
            })
    }
}

/// The IDNA mapping as the core calls it; `ada_url` is imported on the first internationalised
/// name only (with cffi it holds about 2 MB in every process that imports it).
fn idna_closure(py: Python<'_>) -> impl FnMut(&str) -> Option<Vec<u8>> + '_ {
    move |text: &str| -> Option<Vec<u8>> {
        let result = idna_function(py)?.call1((text,)).ok()?;
        let bytes = result.cast::<PyBytes>().ok()?;
        Some(bytes.as_bytes().to_vec())
    }
}

#[pymethods]
impl Index {
    /// `hashes`: the sorted 32-byte hash column; `flags`: one byte per entry; `host_keys`: the
    /// 8-byte host keys for the host stage (None: no host stage); `filter`: a host filter's
    /// table for those keys (a mapped file's), taken when it covers every key and built afresh
    /// when it does not. Each is a read-only buffer (`bytes`, or a `memoryview` of a mapped
    /// file); the hash and flags columns and a table taken are read in place for the index's
    /// life, the host keys only while the table is checked or built.
    #[new]
    #[pyo3(signature = (hashes, flags, host_keys, suspend_disputed, filter=None))]
    fn new(
        hashes: &Bound<'_, PyAny>,
        flags: &Bound<'_, PyAny>,
        host_keys: Option<&Bound<'_, PyAny>>,
        suspend_disputed: bool,
        filter: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let filter = match host_keys {
            None => None,
            Some(keys) => {
                let keys = Column::new(keys, "host key")?;
                let keys = keys.bytes();
                if keys.len() % HOST_KEY_SIZE != 0 {
                    return Err(PyValueError::new_err(
                        "the host key buffer's length is not a multiple of 8",
                    ));
                }
                let given = filter.map(|table| Column::new(table, "host filter")).transpose()?;
                let shared = given.and_then(|table| {
                    filter_covers(table.bytes(), keys).map(|mask| (Filter::Shared(table), mask))
                });
                Some(shared.unwrap_or_else(|| {
                    let (bits, mask) = host_filter(keys);
                    (Filter::Built(bits), mask)
                }))
            }
        };
        let (hashes, flags) = (Column::new(hashes, "hash")?, Column::new(flags, "flags")?);
        let index = Index { hashes, flags, filter, suspend_disputed, clear: Mutex::default() };
        index.columns()?;
        Ok(index)
    }

    /// Whether the host filter's table is the one given (read in place), not built here.
    #[getter]
    fn filter_shared(&self) -> bool {
        matches!(self.filter, Some((Filter::Shared(_), _)))
    }

    /// How many entries the columns hold.
    #[getter]
    fn count(&self) -> PyResult<usize> {
        Ok(self.columns()?.count())
    }

    /// Bytes of the host filter's table (the process's own unless `filter_shared`).
    fn nbytes(&self) -> usize {
        self.filter.as_ref().map_or(0, |(table, _)| table.bits().len())
    }

    /// The host stage: the suffixes of canonical `host` that may have an entry, or None.
    fn candidate_hosts(&self, host: &str) -> PyResult<Option<Vec<String>>> {
        if host.is_empty() || host.len() > MAX_URL_BYTES {
            return Err(PyValueError::new_err("not a canonical host"));
        }
        let hosts = self.columns()?.candidate_hosts(host);
        Ok((!hosts.is_empty()).then(|| hosts.into_iter().map(str::to_owned).collect()))
    }

    /// The position of the entry answering for canonical parts, or None.
    #[pyo3(signature = (host, path, query))]
    fn lookup_parts(
        &self,
        host: String,
        path: String,
        query: Option<String>,
    ) -> PyResult<Option<usize>> {
        if host.is_empty() || host.len() > MAX_URL_BYTES || !path.starts_with('/') {
            return Err(PyValueError::new_err("not the parts of a canonical URL"));
        }
        let parts = Canonical { scheme: "http", host, path, query };
        Ok(self.columns()?.lookup(&parts))
    }

    /// One answer per Squid request line, in order (see `hotlist.edge.squid`): `ERR`,
    /// `hit(position)` for a blocked URL, `empty` or `no_url` with the channel ID, or None for
    /// a line whose answer needs a message (an invalid URL), which the caller gives.
    fn answer_squid_lines<'py>(
        &self,
        py: Python<'py>,
        lines: &Bound<'py, PyAny>,
        hit: &Bound<'py, PyAny>,
        empty: &str,
        no_url: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        let columns = self.columns()?;
        let mut idna = idna_closure(py);
        // Never wait for the cache: a thread holding it may be inside a Python call (IDNA) that
        // let go of the GIL, and waiting here with the GIL would deadlock. Busy: no cache.
        let mut cache = self.clear.try_lock().ok();
        let mut clear = |columns: &Columns<'_>, authority: &[u8], idna: hotlist_core::Idna<'_>| {
            cached_clear(cache.as_deref_mut(), columns, authority, idna)
        };
        let out = PyList::empty(py);
        let mut text = String::new();
        for line in lines.try_iter()? {
            let line = line?;
            let Ok(data) = url_bytes(&line) else {
                out.append(py.None())?;
                continue;
            };
            let data = data.as_bytes();
            let (channel, answer) = columns.squid_line(data, &mut idna, &mut clear);
            text.clear();
            if let Some((start, end)) = channel {
                // A channel ID is ASCII digits.
                text.extend(data[start..end].iter().map(|&b| b as char));
                text.push(' ');
            }
            match answer {
                LineAnswer::Empty => text.push_str(empty),
                LineAnswer::NoUrl => text.push_str(no_url),
                LineAnswer::Err => text.push_str("ERR"),
                LineAnswer::Hit(position) => {
                    let redirect = hit.call1((position,))?;
                    text.push_str(&redirect.cast::<PyString>()?.to_cow()?);
                }
                LineAnswer::Defer => {
                    out.append(py.None())?;
                    continue;
                }
            }
            out.append(PyString::new(py, &text))?;
        }
        Ok(out)
    }

    /// The answers to a block of Squid request lines as the bytes to write (each answer and a
    /// newline), as [`Index::answer_squid_lines`] gives them; None when a line's answer needs
    /// the caller (an invalid URL, a line that is not text, a redirect that is not ASCII).
    fn answer_squid_block<'py>(
        &self,
        py: Python<'py>,
        lines: &Bound<'py, PyAny>,
        hit: &Bound<'py, PyAny>,
        empty: &str,
        no_url: &str,
    ) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let mut block = SquidBlock::new(self, py, hit, empty, no_url)?;
        for line in lines.try_iter()? {
            let Ok(data) = url_bytes(&line?) else {
                return Ok(None);
            };
            if !block.answer(data.as_bytes())? {
                return Ok(None);
            }
        }
        Ok(Some(PyBytes::new(py, &block.out)))
    }

    /// The same answers for the request lines of `data`, a read-only buffer of the lines as
    /// Squid wrote them, separated by newlines (the last one without its own): Python's
    /// `data.decode("utf-8", "surrogateescape").split("\n")`, read in place.
    ///
    /// The helper's hot path: no Python object per line, nor per answer.
    fn answer_squid_data<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        hit: &Bound<'py, PyAny>,
        empty: &str,
        no_url: &str,
    ) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let data = Column::new(data, "request lines")?;
        let mut block = SquidBlock::new(self, py, hit, empty, no_url)?;
        for line in data.bytes().split(|&byte| byte == b'\n') {
            if !block.answer(line)? {
                return Ok(None);
            }
        }
        Ok(Some(PyBytes::new(py, &block.out)))
    }

    /// `(index, answer)` for the URLs that are not a miss, in order: `hit(position)` or
    /// `invalid(code, detail)` (a batch of mostly clear URLs costs no object per URL).
    fn check_sparse<'py>(
        &self,
        py: Python<'py>,
        urls: &Bound<'py, PyAny>,
        hit: &Bound<'py, PyAny>,
        invalid: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        self.each_answer(py, urls, hit, invalid, |index, answer| match answer {
            Some(answer) => out.append((index, answer)),
            None => Ok(()),
        })?;
        Ok(out)
    }

    /// One answer per URL, in order: `miss`, `hit(position)` or `invalid(code, detail)`.
    fn check_many<'py>(
        &self,
        py: Python<'py>,
        urls: &Bound<'py, PyAny>,
        miss: &Bound<'py, PyAny>,
        hit: &Bound<'py, PyAny>,
        invalid: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        self.each_answer(py, urls, hit, invalid, |_, answer| match answer {
            Some(answer) => out.append(answer),
            None => out.append(miss),
        })?;
        Ok(out)
    }
}

impl Index {
    /// Check each of `urls` and hand `each` its position and answer: None for a miss, else
    /// `hit(position)` or `invalid(code, detail)`.
    fn each_answer<'py>(
        &self,
        py: Python<'py>,
        urls: &Bound<'py, PyAny>,
        hit: &Bound<'py, PyAny>,
        invalid: &Bound<'py, PyAny>,
        mut each: impl FnMut(usize, Option<Bound<'py, PyAny>>) -> PyResult<()>,
    ) -> PyResult<()> {
        if !hit.is_callable() || !invalid.is_callable() {
            return Err(PyTypeError::new_err("hit and invalid must be callables"));
        }
        let columns = self.columns()?;
        let mut idna = idna_closure(py);
        for (index, url) in urls.try_iter()?.enumerate() {
            let url = url?;
            let answer = match url_bytes(&url) {
                Ok(data) => match columns.check(data.as_bytes(), &mut idna) {
                    Outcome::Miss => None,
                    Outcome::Hit(position) => Some(hit.call1((position,))?),
                    Outcome::Invalid(error) => {
                        let failure = Failure::from_error(py, &error);
                        Some(invalid.call1((failure.code, failure.detail))?)
                    }
                },
                Err(failure) => Some(invalid.call1((failure.code, failure.detail))?),
            };
            each(index, answer)?;
        }
        Ok(())
    }
}

/// One block of Squid answers being written: the list's columns, the authority cache (when
/// free), and the bytes so far.
struct SquidBlock<'a, 'py> {
    columns: Columns<'a>,
    cache: Option<std::sync::MutexGuard<'a, ClearCache>>,
    py: Python<'py>,
    hit: &'a Bound<'py, PyAny>,
    empty: &'a str,
    no_url: &'a str,
    out: Vec<u8>,
}

impl<'a, 'py> SquidBlock<'a, 'py> {
    fn new(
        index: &'a Index,
        py: Python<'py>,
        hit: &'a Bound<'py, PyAny>,
        empty: &'a str,
        no_url: &'a str,
    ) -> PyResult<Self> {
        let columns = index.columns()?;
        // Never wait for the cache: a thread holding it may be inside a Python call (IDNA) that
        // let go of the GIL, and waiting here with the GIL would deadlock. Busy: no cache.
        let cache = index.clear.try_lock().ok();
        Ok(SquidBlock { columns, cache, py, hit, empty, no_url, out: Vec::with_capacity(1 << 12) })
    }

    /// Append the answer to one request line and its newline; false when the caller must
    /// answer it (an invalid URL, a redirect that is not ASCII).
    fn answer(&mut self, data: &[u8]) -> PyResult<bool> {
        let mut idna = idna_closure(self.py);
        let cache = &mut self.cache;
        let mut clear = |columns: &Columns<'_>, authority: &[u8], idna: hotlist_core::Idna<'_>| {
            cached_clear(cache.as_deref_mut(), columns, authority, idna)
        };
        let (channel, answer) = self.columns.squid_line(data, &mut idna, &mut clear);
        let out = &mut self.out;
        if let Some((start, end)) = channel {
            out.extend_from_slice(&data[start..end]);
            out.push(b' ');
        }
        match answer {
            LineAnswer::Empty => out.extend_from_slice(self.empty.as_bytes()),
            LineAnswer::NoUrl => out.extend_from_slice(self.no_url.as_bytes()),
            LineAnswer::Err => out.extend_from_slice(b"ERR"),
            LineAnswer::Hit(position) => {
                let redirect = self.hit.call1((position,))?;
                let redirect = redirect.cast::<PyString>()?.to_cow()?;
                if !redirect.is_ascii() {
                    return Ok(false);
                }
                out.extend_from_slice(redirect.as_bytes());
            }
            LineAnswer::Defer => return Ok(false),
        }
        out.push(b'\n');
        Ok(true)
    }
}

#[pymodule]
fn _core(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("MAX_URL_BYTES", MAX_URL_BYTES)?;
    module.add("HASH_SIZE", HASH_SIZE)?;
    module.add("HOST_KEY_SIZE", HOST_KEY_SIZE)?;
    module.add("FLAG_DISPUTED", FLAG_DISPUTED)?;
    module.add("CoreURLError", module.py().get_type::<CoreURLError>())?;
    module.add_function(wrap_pyfunction!(canonical_parts, module)?)?;
    module.add_function(wrap_pyfunction!(canonical_parts_many, module)?)?;
    module.add_function(wrap_pyfunction!(canonicalize_url, module)?)?;
    module.add_function(wrap_pyfunction!(url_expressions, module)?)?;
    module.add_function(wrap_pyfunction!(expression_hashes, module)?)?;
    module.add_function(wrap_pyfunction!(expression_hashes_from_parts, module)?)?;
    module.add_function(wrap_pyfunction!(expression_hashes_many, module)?)?;
    module.add_function(wrap_pyfunction!(expression_hashes_flat, module)?)?;
    module.add_function(wrap_pyfunction!(sha256, module)?)?;
    module.add_function(wrap_pyfunction!(snapshot_problem, module)?)?;
    module.add_function(wrap_pyfunction!(host_filter_table, module)?)?;
    module.add_class::<Index>()?;
    Ok(())
}
