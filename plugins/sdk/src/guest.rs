//! What a plugin built without std needs on wasm32, supplied by the export macros: a global
//! allocator, the body of its panic handler, and `cabi_realloc` (through which the host copies
//! strings and lists into the guest).
//!
//! All three come from wasi-libc, which every wasm32-wasip2 component links and which std itself
//! uses on this target: its `malloc` family for Rust allocations and its `cabi_realloc` for the
//! host. None of them imports anything from WASI, so a plugin without std imports only the
//! capabilities it calls.

use core::alloc::{GlobalAlloc, Layout};
use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, Ordering};

use crate::prelude::*;

#[link(name = "c")]
unsafe extern "C" {
    fn malloc(size: usize) -> *mut u8;
    fn calloc(count: usize, size: usize) -> *mut u8;
    fn aligned_alloc(align: usize, size: usize) -> *mut u8;
    fn realloc(ptr: *mut u8, size: usize) -> *mut u8;
    fn free(ptr: *mut u8);
    fn cabi_realloc(old: *mut u8, old_len: usize, align: usize, new_len: usize) -> *mut u8;
}

/// Alignment wasi-libc's `malloc` guarantees; larger alignments go through `aligned_alloc`.
const MALLOC_ALIGN: usize = 16;

/// The global allocator of a plugin without std: wasi-libc's `malloc`, as std uses it.
pub struct Allocator;

// SAFETY: every method hands the request to wasi-libc's allocator, which returns null on failure
// and memory aligned to `MALLOC_ALIGN` (or to the requested alignment via `aligned_alloc`).
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: plain C allocation calls; `layout.size()` is non-zero per `GlobalAlloc`.
        unsafe {
            if layout.align() <= MALLOC_ALIGN {
                malloc(layout.size())
            } else {
                aligned_alloc(layout.align(), layout.size())
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGN {
            // SAFETY: as for `alloc`.
            unsafe { calloc(layout.size(), 1) }
        } else {
            // SAFETY: `alloc` returned null or `layout.size()` writable bytes.
            unsafe {
                let ptr = self.alloc(layout);
                if !ptr.is_null() {
                    ptr.write_bytes(0, layout.size());
                }
                ptr
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator, so from wasi-libc.
        unsafe { free(ptr) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGN {
            // SAFETY: `ptr` came from `malloc`/`calloc`; `realloc` keeps the alignment.
            return unsafe { realloc(ptr, new_size) };
        }
        // SAFETY: a fresh block of the new size, the old contents copied, the old block freed;
        // `new_size` is non-zero and valid with this alignment per `GlobalAlloc::realloc`.
        unsafe {
            let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            if !new.is_null() {
                new.copy_from_nonoverlapping(ptr, layout.size().min(new_size));
                free(ptr);
            }
            new
        }
    }
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

/// Makes the linker load wasi-libc's `cabi_realloc`, which the component must export. Nothing in
/// Rust calls it, and the linker only takes from an archive what something refers to: std refers
/// to it on its own, a plugin without std through this reference. Called by the export macros.
pub fn link_cabi_realloc() {
    #[used]
    static CABI_REALLOC: unsafe extern "C" fn(*mut u8, usize, usize, usize) -> *mut u8 =
        cabi_realloc;
}
