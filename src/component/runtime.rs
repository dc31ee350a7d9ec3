//! What std would give a component: an allocator and a panic handler.

/// talc, as in the JS build: small, and it grows memory as wasm does.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// A panic is a bug (every error is a `manager-error`); it traps, which a
/// component host reports as such.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

// memcpy, memcmp and the like: the target's wasi-libc has them, as it does
// for std builds. Only what is used is linked, and its string functions
// import nothing from WASI.
#[link(name = "c")]
extern "C" {}

/// The canonical ABI's allocator entry, which the host calls to pass
/// strings and lists in. std exports it on wasm32-wasip2 and wit-bindgen
/// leaves it to std there, so a component without std defines it; this is
/// wit-bindgen's own definition for its other targets (`rt::cabi_realloc`).
///
/// # Safety
/// Called by the host with the arguments the canonical ABI prescribes.
#[no_mangle]
pub unsafe extern "C" fn cabi_realloc(
    old_ptr: *mut u8,
    old_len: usize,
    align: usize,
    new_len: usize,
) -> *mut u8 {
    use alloc::alloc::{alloc, realloc, Layout};
    let ptr = if old_len == 0 {
        if new_len == 0 {
            return align as *mut u8;
        }
        alloc(Layout::from_size_align_unchecked(new_len, align))
    } else {
        realloc(
            old_ptr,
            Layout::from_size_align_unchecked(old_len, align),
            new_len,
        )
    };
    if ptr.is_null() {
        // Out of memory: nothing sensible is left to do.
        core::arch::wasm32::unreachable();
    }
    ptr
}
