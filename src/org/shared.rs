//! Entries shared between an organisation and the ones made from it by [`Organization::apply`](super::Organization::apply).

use std::fmt;
use std::ops::Index;
use std::sync::Arc;

/// How many entries a chunk holds, as a power of two.
const CHUNK_BITS: u32 = 6;
const CHUNK: usize = 1 << CHUNK_BITS;

/// A vector of entries (users, teams) kept in chunks of 64 behind `Arc`s, so that organisations share them.
///
/// Why: an organisation made from another by a few changes ([`Organization::apply`](super::Organization::apply))
/// keeps almost every entry as it was, while requests still hold the old one. Cloning copies the chunk pointers
/// (1,563 for 100,000 users), and changing an entry copies its chunk alone ([`make_mut`](Self::make_mut)), never the
/// other 99,936 entries. Reading stays an index: entry `i` is entry `i % 64` of chunk `i / 64`.
pub(crate) struct Chunked<T> {
    chunks: Vec<Arc<[T]>>,
    len: usize,
}

impl<T> Chunked<T> {
    /// How many entries.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Entry `i`, if there is one.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i >> CHUNK_BITS)?.get(i & (CHUNK - 1))
    }

    /// The entries in order.
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = &T> + '_ {
        Iter {
            inner: self.chunks.iter().flat_map(|chunk| chunk.iter()),
            left: self.len,
        }
    }
}

impl<T: Clone> Chunked<T> {
    /// Entry `i`, to change: its chunk is copied first if another organisation shares it.
    ///
    /// # Panics
    ///
    /// When `i` is out of range (callers pass indexes of entries they resolved).
    pub(crate) fn make_mut(&mut self, i: usize) -> &mut T {
        &mut Arc::make_mut(&mut self.chunks[i >> CHUNK_BITS])[i & (CHUNK - 1)]
    }
}

impl<T> From<Vec<T>> for Chunked<T> {
    fn from(entries: Vec<T>) -> Self {
        let len = entries.len();
        let mut chunks = Vec::with_capacity(len.div_ceil(CHUNK));
        let mut entries = entries.into_iter();
        loop {
            let chunk: Arc<[T]> = entries.by_ref().take(CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            chunks.push(chunk);
        }
        Self { chunks, len }
    }
}

impl<T> Index<usize> for Chunked<T> {
    type Output = T;

    #[inline]
    fn index(&self, i: usize) -> &T {
        &self.chunks[i >> CHUNK_BITS][i & (CHUNK - 1)]
    }
}

impl<T> Clone for Chunked<T> {
    fn clone(&self) -> Self {
        Self {
            chunks: self.chunks.clone(),
            len: self.len,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Chunked<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The entries in order, with their count known.
struct Iter<I> {
    inner: I,
    left: usize,
}

impl<'a, T: 'a, I: Iterator<Item = &'a T>> Iterator for Iter<I> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        let next = self.inner.next()?;
        self.left -= 1;
        Some(next)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<'a, T: 'a, I: Iterator<Item = &'a T>> ExactSizeIterator for Iter<I> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_copies_one_chunk_and_leaves_the_original_as_it_was() {
        let original: Chunked<u32> = (0..1000).collect::<Vec<_>>().into();
        let mut changed = original.clone();
        *changed.make_mut(700) = 7;
        assert_eq!(original[700], 700);
        assert_eq!(changed[700], 7);
        assert_eq!(changed.get(1000), None);
        assert_eq!(changed.iter().len(), 1000);
        let shared = original
            .chunks
            .iter()
            .zip(&changed.chunks)
            .filter(|(a, b)| Arc::ptr_eq(a, b))
            .count();
        assert_eq!(
            shared,
            original.chunks.len() - 1,
            "every other chunk is shared"
        );
        assert!(original.iter().copied().eq(0..1000));
    }
}
