//! What a plugin built without std needs on wasm32, supplied by the export macros: a global
//! allocator, the body of its panic handler, and `cabi_realloc` (through which the host copies
//! strings and lists into the guest).
//!
//! The allocator serves small blocks from per-size-class free lists and everything else from
//! wasi-libc's `malloc` family, which every wasm32-wasip2 component links and which std itself
//! uses on this target; `cabi_realloc` goes through the same allocator. None of them imports
//! anything from WASI, so a plugin without std imports only the capabilities it calls.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, Ordering};

use crate::prelude::*;
use crate::small_blocks::{MALLOC_ALIGN, SmallBlocks};

#[link(name = "c")]
unsafe extern "C" {
    fn malloc(size: usize) -> *mut u8;
    fn aligned_alloc(align: usize, size: usize) -> *mut u8;
    fn realloc(ptr: *mut u8, size: usize) -> *mut u8;
    fn free(ptr: *mut u8);
}

/// The small-block heap, shared by the allocator's methods.
struct Heap(UnsafeCell<SmallBlocks>);

// SAFETY: a wasm32-wasip2 component runs on one thread and its allocator is never re-entered
// (nothing it calls allocates through it), so no two accesses to the heap overlap.
unsafe impl Sync for Heap {}

static HEAP: Heap = Heap(UnsafeCell::new(SmallBlocks::new()));

/// The heap, for one allocator call.
///
/// # Safety
/// Not to be held across another call into the allocator (see [`Heap`]).
unsafe fn heap() -> &'static mut SmallBlocks {
    // SAFETY: per the function's contract, the only live reference.
    unsafe { &mut *HEAP.0.get() }
}

/// The global allocator of a plugin without std.
///
/// Blocks up to 4 KiB come from per-size-class free lists (powers of two) carved out of 16 KiB
/// chunks of wasi-libc's heap; anything larger, or aligned above 16, is wasi-libc's `malloc`. A
/// plugin instance lives for one invocation, so the usual case is a few dozen small strings and
/// vectors that are never worth coalescing: a free-list pop or push is a handful of
/// instructions where `malloc`/`free` walk bins, and an invocation spends about a third of its
/// guest time allocating. The price is memory: a freed block is reused only by its own class,
/// so a handler's footprint is bounded by its peak live bytes per class (at most twice the
/// request), still under the invocation's memory limit. No published allocator does exactly
/// this for wasm (the general ones coalesce, which is the cost avoided here), hence
/// `small_blocks`, written here.
pub struct Allocator;

// SAFETY: small requests get a block of at least their size from a 16-aligned chunk carved in
// multiples of 16 (so 16-aligned), returned only to the list of the class it came from; other
// requests go to wasi-libc, which returns null on failure and memory aligned as asked.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if let Some(class) = SmallBlocks::class_of(layout) {
            // SAFETY: single-threaded (see `Heap`); chunks come from `malloc`, 16-aligned.
            return unsafe { heap().take(class, |size| malloc(size)) };
        }
        // SAFETY: plain C allocation calls; `layout.size()` is non-zero per `GlobalAlloc`.
        unsafe {
            if layout.align() <= MALLOC_ALIGN {
                malloc(layout.size())
            } else {
                aligned_alloc(layout.align(), layout.size())
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match SmallBlocks::class_of(layout) {
            // SAFETY: `ptr` was allocated with this layout, so from this class.
            Some(class) => unsafe { heap().give(ptr, class) },
            // SAFETY: `ptr` came from wasi-libc.
            None => unsafe { free(ptr) },
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `new_size` is non-zero and valid with this alignment per `GlobalAlloc`.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (SmallBlocks::class_of(layout), SmallBlocks::class_of(new_layout)) {
            (Some(old), Some(new)) if old == new => ptr,
            // SAFETY: both sizes are over 4 KiB with an alignment of at most 16, so `ptr` came
            // from wasi-libc's `malloc`, whose `realloc` keeps that alignment.
            (None, None) if layout.align() <= MALLOC_ALIGN => unsafe { realloc(ptr, new_size) },
            _ => {
                // SAFETY: a fresh block of the new layout, the old contents copied, the old
                // block released the way it was allocated.
                unsafe {
                    let new = self.alloc(new_layout);
                    if !new.is_null() {
                        new.copy_from_nonoverlapping(ptr, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                    new
                }
            }
        }
    }
}

/// The component's `cabi_realloc`, through which the host copies strings and lists into the
/// guest. It must use the global allocator: the bindings free what it returns with Rust's
/// `dealloc`, and the small-block heap can only take back its own blocks. Exported by the
/// export macros.
///
/// # Safety
/// Called by the host per the canonical ABI: `old` is null with `old_len` 0, or a block this
/// function returned with that length and `align`.
pub unsafe fn cabi_realloc(old: *mut u8, old_len: usize, align: usize, new_len: usize) -> *mut u8 {
    // SAFETY: the canonical ABI passes a power-of-two `align` and sizes that fit memory.
    let ptr = unsafe {
        if old_len == 0 {
            if new_len == 0 {
                return align as *mut u8;
            }
            Allocator.alloc(Layout::from_size_align_unchecked(new_len, align))
        } else {
            Allocator.realloc(old, Layout::from_size_align_unchecked(old_len, align), new_len)
        }
    };
    if ptr.is_null() {
        core::arch::wasm32::unreachable();
    }
    ptr
}

/// The panic handler of a plugin without std: writes `panic: <message>` through the `log`
/// capability (where the host finds it to report the trap), then traps.
pub fn panic(info: &PanicInfo<'_>) -> ! {
    // A panic while reporting a panic (say, the allocator failing again) only traps.
    static REPORTING: AtomicBool = AtomicBool::new(false);
    if !REPORTING.swap(true, Ordering::Relaxed) {
        crate::log::error(&format!("panic: {info}"));
    }
    core::arch::wasm32::unreachable()
}
