//! The runtime items an export macro adds to the plugin crate, which depend on whether the plugin
//! is built with std.
//!
//! With std (`export_rule!(MyRule)`), std brings the panic handler and the allocator; the macro
//! adds a panic hook that writes the message to the log before std's default hook prints it to
//! stderr. Without std (`export_rule!(MyRule, no_std)`, see `worklink_sdk::prelude` for why), the
//! component needs both from somewhere: the macro defines them over the SDK's wasm32 runtime,
//! which logs the panic message and allocates from size-class free lists over wasi-libc, and
//! exports the `cabi_realloc` the host copies strings in with, over the same allocator. Which one a crate needs cannot be
//! seen from inside a macro, hence the flag; a second panic handler in a std crate would not link.

use proc_macro2::TokenStream as TokenStream2;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, Path, Token};

/// `Plugin` or `Plugin, no_std`.
pub(crate) struct ExportArgs {
    /// The type implementing the plugin trait.
    pub(crate) plugin: Path,
    /// Whether the plugin crate is built without std on wasm32.
    pub(crate) no_std: bool,
}

impl Parse for ExportArgs {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let plugin = input.parse()?;
        let mut no_std = false;
        if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let flag: Ident = input.parse()?;
            if flag != "no_std" {
                return Err(syn::Error::new(
                    flag.span(),
                    "expected `no_std` (for a plugin built without the standard library) or nothing",
                ));
            }
            no_std = true;
            input.parse::<Option<Token![,]>>()?;
        }
        Ok(Self { plugin, no_std })
    }
}

/// Items for the export module, and the statement every exported function starts with.
pub(crate) fn runtime(no_std: bool) -> (TokenStream2, TokenStream2) {
    if !no_std {
        let items = quote! {
            fn install_panic_hook() {
                static INSTALL: ::std::sync::Once = ::std::sync::Once::new();
                INSTALL.call_once(|| {
                    let default_hook = ::std::panic::take_hook();
                    ::std::panic::set_hook(::std::boxed::Box::new(move |info| {
                        ::worklink_sdk::log::error(&::std::format!("panic: {info}"));
                        default_hook(info);
                    }));
                });
            }
        };
        (items, quote!(install_panic_hook();))
    } else {
        let items = quote! {
            #[panic_handler]
            fn panic(info: &::core::panic::PanicInfo<'_>) -> ! {
                ::worklink_sdk::__private::panic(info)
            }

            #[global_allocator]
            static ALLOCATOR: ::worklink_sdk::__private::Allocator =
                ::worklink_sdk::__private::Allocator;

            /// The canonical ABI's allocation entry point, over the global allocator.
            ///
            /// # Safety
            /// Called by the host only, per the canonical ABI.
            #[unsafe(export_name = "cabi_realloc")]
            unsafe extern "C" fn cabi_realloc(
                old: *mut u8,
                old_len: usize,
                align: usize,
                new_len: usize,
            ) -> *mut u8 {
                // SAFETY: forwarded as received from the host.
                unsafe { ::worklink_sdk::__private::cabi_realloc(old, old_len, align, new_len) }
            }
        };
        (items, quote!())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_plugin_and_the_no_std_flag() {
        let plain: ExportArgs = syn::parse_str("MyRule").expect("plain");
        assert!(!plain.no_std);
        let bare: ExportArgs = syn::parse_str("plugin::MyRule, no_std").expect("no_std");
        assert!(bare.no_std);
        assert_eq!(bare.plugin.segments.len(), 2);
        let trailing: ExportArgs = syn::parse_str("MyRule,").expect("trailing comma");
        assert!(!trailing.no_std);
    }

    #[test]
    fn refuses_an_unknown_flag() {
        let err = syn::parse_str::<ExportArgs>("MyRule, std")
            .err()
            .expect("an error");
        assert!(err.to_string().contains("expected `no_std`"), "{err}");
    }
}
