//! Byte columns read in place from any read-only Python buffer: `bytes`, or a `memoryview` of
//! a list file mapped read-only (`mmap`) by `hotlist.publish.format`, so that every process on
//! a machine reads one copy of the list (the page cache's) instead of a private one each.

// The one `unsafe` of the binding: PyO3 gives a buffer's memory only as a raw pointer.
#![allow(unsafe_code)]

use pyo3::buffer::PyBuffer;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// A read-only, contiguous byte buffer held for as long as the column lives.
pub struct Column {
    buffer: PyBuffer<u8>,
}

impl Column {
    /// The buffer of `object`; `what` names it in the error for anything but a read-only,
    /// contiguous buffer of bytes.
    pub fn new(object: &Bound<'_, PyAny>, what: &str) -> PyResult<Self> {
        let buffer = PyBuffer::<u8>::get(object).map_err(|_| {
            PyValueError::new_err(format!("the {what} column is not a buffer of bytes"))
        })?;
        if !buffer.readonly() || !buffer.is_c_contiguous() {
            return Err(PyValueError::new_err(format!(
                "the {what} column must be read-only and contiguous (bytes or a read-only map)"
            )));
        }
        Ok(Column { buffer })
    }

    /// The column's bytes.
    pub fn bytes(&self) -> &[u8] {
        match self.buffer.as_slice_ptr() {
            // SAFETY: `new` checked that the buffer is contiguous bytes and read-only. The
            // PyBuffer keeps its exporter from freeing, resizing or unmapping that memory until
            // it is dropped, which is after the borrow of `self` ends. Read-only means no
            // Python code writes it through that object; the list files hotlist maps are never
            // written in place (a new version is a new file, put in place by a rename).
            Some(pointer) => unsafe { pointer.as_ref() },
            None => &[], // an empty buffer may have no memory at all
        }
    }
}
