//! The small-block heap behind a `no_std` plugin's allocator (see `guest.rs`): one free list per
//! power-of-two size class, carved from chunks the caller supplies. Kept free of wasm so its
//! bookkeeping is unit-tested natively.

use core::alloc::Layout;
use core::ptr;

/// Alignment wasi-libc's `malloc` guarantees, and so the alignment of every chunk and block.
pub(crate) const MALLOC_ALIGN: usize = 16;

/// Smallest and largest size class, as powers of two: 16 B to 4 KiB.
const MIN_CLASS_SHIFT: u32 = 4;
const MAX_CLASS_SHIFT: u32 = 12;
const CLASSES: usize = (MAX_CLASS_SHIFT - MIN_CLASS_SHIFT + 1) as usize;

/// Bytes asked of the chunk source at a time.
pub(crate) const REFILL: usize = 16 << 10;

/// Free lists per size class and the unused rest of the current chunk.
pub(crate) struct SmallBlocks {
    /// Head of each class's free list; a free block's first word points to the next one.
    free: [*mut u8; CLASSES],
    /// Start of the unused rest of the current chunk.
    next: usize,
    /// End of the current chunk.
    end: usize,
}

impl SmallBlocks {
    /// An empty heap; the first `take` asks for a chunk.
    pub(crate) const fn new() -> Self {
        Self {
            free: [ptr::null_mut(); CLASSES],
            next: 0,
            end: 0,
        }
    }

    /// The class serving `layout`, or `None` when it is larger than 4 KiB or aligned above 16.
    pub(crate) fn class_of(layout: Layout) -> Option<usize> {
        if layout.align() > MALLOC_ALIGN || layout.size() > 1 << MAX_CLASS_SHIFT {
            return None;
        }
        let size = layout.size().max(1 << MIN_CLASS_SHIFT).next_power_of_two();
        Some((size.trailing_zeros() - MIN_CLASS_SHIFT) as usize)
    }

    /// Bytes in a block of `class`.
    pub(crate) fn class_size(class: usize) -> usize {
        1 << (class as u32 + MIN_CLASS_SHIFT)
    }

    /// A block of `class`: the last one given back, else the next piece of the current chunk,
    /// else the first piece of a new [`REFILL`]-byte chunk from `refill` (null when that fails).
    /// The rest of an exhausted chunk, less than one block, stays unused.
    ///
    /// # Safety
    /// `refill(n)` returns null or `n` writable bytes aligned to [`MALLOC_ALIGN`] that nothing
    /// else uses.
    pub(crate) unsafe fn take(
        &mut self,
        class: usize,
        refill: impl FnOnce(usize) -> *mut u8,
    ) -> *mut u8 {
        let head = self.free[class];
        if !head.is_null() {
            // SAFETY: `head` is a free block of at least 16 bytes whose first word `give` wrote.
            self.free[class] = unsafe { head.cast::<*mut u8>().read() };
            return head;
        }
        let size = Self::class_size(class);
        if self.end - self.next < size {
            let chunk = refill(REFILL);
            if chunk.is_null() {
                return chunk;
            }
            self.next = chunk as usize;
            self.end = self.next + REFILL;
        }
        let block = self.next as *mut u8;
        self.next += size;
        block
    }

    /// Puts `block` at the head of the free list of `class`.
    ///
    /// # Safety
    /// `block` came from `take(class, ..)` on this heap and is no longer used.
    pub(crate) unsafe fn give(&mut self, block: *mut u8, class: usize) {
        // SAFETY: the block is at least 16 bytes and 16-aligned, and no longer in use.
        unsafe { block.cast::<*mut u8>().write(self.free[class]) };
        self.free[class] = block;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::{alloc, dealloc};

    /// A heap whose chunks come from the test process's allocator, freed when it drops.
    struct Fixture {
        heap: SmallBlocks,
        chunks: Vec<*mut u8>,
    }

    impl Fixture {
        fn new() -> Self {
            Self {
                heap: SmallBlocks::new(),
                chunks: Vec::new(),
            }
        }

        fn take(&mut self, size: usize) -> *mut u8 {
            let class = SmallBlocks::class_of(Layout::from_size_align(size, 1).unwrap()).unwrap();
            let chunks = &mut self.chunks;
            // SAFETY: chunks are fresh allocations of the asked size and alignment.
            let block = unsafe {
                self.heap.take(class, |n| {
                    let chunk = alloc(Layout::from_size_align(n, MALLOC_ALIGN).unwrap());
                    chunks.push(chunk);
                    chunk
                })
            };
            assert!(!block.is_null());
            block
        }

        fn give(&mut self, block: *mut u8, size: usize) {
            let class = SmallBlocks::class_of(Layout::from_size_align(size, 1).unwrap()).unwrap();
            // SAFETY: `block` came from `take` with the same size.
            unsafe { self.heap.give(block, class) };
        }
    }

    impl Drop for Fixture {
        fn drop(&mut self) {
            for &chunk in &self.chunks {
                // SAFETY: allocated in `take` with this layout.
                unsafe { dealloc(chunk, Layout::from_size_align(REFILL, MALLOC_ALIGN).unwrap()) };
            }
        }
    }

    #[test]
    fn sizes_round_up_to_power_of_two_classes_and_large_or_overaligned_is_refused() {
        let class = |size, align| SmallBlocks::class_of(Layout::from_size_align(size, align).unwrap());
        assert_eq!(class(1, 1), Some(0));
        assert_eq!(class(16, 8), Some(0));
        assert_eq!(class(17, 1), Some(1));
        assert_eq!(class(4096, 16), Some(8));
        assert_eq!(SmallBlocks::class_size(8), 4096);
        assert_eq!(class(4097, 1), None);
        assert_eq!(class(8, 32), None);
    }

    #[test]
    fn blocks_are_aligned_disjoint_and_hold_their_contents() {
        let mut fx = Fixture::new();
        let sizes = [1usize, 16, 17, 100, 1000, 4096];
        // Enough blocks to need several chunks.
        let blocks: Vec<(*mut u8, usize)> = (0..200)
            .map(|i| {
                let size = sizes[i % sizes.len()];
                let block = fx.take(size);
                assert_eq!(block as usize % MALLOC_ALIGN, 0);
                // SAFETY: the block has at least `size` bytes.
                unsafe { block.write_bytes(i as u8, size) };
                (block, size)
            })
            .collect();
        assert!(fx.chunks.len() > 1, "200 blocks fit in one chunk?");
        for (i, &(block, size)) in blocks.iter().enumerate() {
            // SAFETY: written above, not given back since.
            let bytes = unsafe { std::slice::from_raw_parts(block, size) };
            assert!(bytes.iter().all(|&b| b == i as u8), "block {i} was overwritten");
        }
    }

    #[test]
    fn a_freed_block_is_reused_by_its_class_only() {
        let mut fx = Fixture::new();
        let small = fx.take(24);
        let other = fx.take(24);
        fx.give(small, 24);
        // Another class does not get it.
        let big = fx.take(200);
        assert_ne!(big, small);
        // The same class does, most recently freed first.
        fx.give(other, 24);
        assert_eq!(fx.take(30), other);
        assert_eq!(fx.take(32), small);
        // Then the chunk again.
        let fresh = fx.take(20);
        assert!(fresh != small && fresh != other);
    }

    #[test]
    fn a_failed_refill_is_a_null_block() {
        let mut heap = SmallBlocks::new();
        // SAFETY: the refill fails, so no memory is touched.
        let block = unsafe { heap.take(0, |_| ptr::null_mut()) };
        assert!(block.is_null());
    }
}
