//! The export macros behind `worklink_sdk::export_rule!` and `worklink_sdk::export_matcher!`.
//!
//! Why a procedural macro: each world's bindings carry a custom section describing the world, and
//! the linker merges every such section it finds into the component's type. If the SDK generated
//! the `rule` and `matcher` worlds itself, every plugin would claim both sets of exports. So the SDK
//! generates only the capability imports, and these macros generate the one exported world inside
//! the plugin crate, reusing the SDK's types through wit-bindgen's `with` mapping. A proc-macro
//! crate also knows its own location at compile time, which gives an absolute path to `wit/`
//! wherever the plugin crate lives.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::quote;
use syn::{Path, parse_macro_input};

mod runtime;
use runtime::{ExportArgs, runtime};

/// The repository's `wit/` directory, seen from this crate (`plugins/sdk/macro`).
const WIT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../wit");

/// The WIT package version these macros map; it must equal the version the SDK was generated for.
const PACKAGE: &str = "worklink:plugin";
/// Version suffix of every interface key in the `with` mapping.
const VERSION: &str = "0.1.0";

/// Exports a type implementing `worklink_sdk::Rule` as the component's `rule` world.
///
/// `export_rule!(MyRule, no_std)` is for a plugin crate built without std on wasm32 (see
/// `worklink_sdk::prelude`): it also defines the crate's panic handler and global allocator,
/// which a crate with std gets from std.
///
/// On targets other than wasm32 this expands to nothing: native tests call the plugin through
/// `worklink_sdk::testing` instead.
#[proc_macro]
pub fn export_rule(input: TokenStream) -> TokenStream {
    let args = parse_macro_input!(input as ExportArgs);
    let plugin = from_child_module(args.plugin);
    let (runtime, enter) = runtime(args.no_std);
    let bindings = world_bindings(
        "rule",
        &[
            "types",
            "messaging",
            "contacts",
            "attendance",
            "approvals",
            "erp",
            "kv",
            "log",
        ],
    );
    quote! {
        #[cfg(target_arch = "wasm32")]
        #[doc(hidden)]
        mod __worklink_rule_export {
            #bindings
            #runtime

            struct WorklinkRuleExport;

            impl exports::worklink::plugin::handler::Guest for WorklinkRuleExport {
                fn describe() -> ::worklink_sdk::types::PluginInfo {
                    #enter
                    ::worklink_sdk::__private::describe_rule::<#plugin>()
                }

                fn handle(
                    event: ::worklink_sdk::types::Event,
                    config: ::worklink_sdk::prelude::String,
                ) -> ::core::result::Result<::worklink_sdk::types::Outcome, ::worklink_sdk::types::HandlerError> {
                    #enter
                    ::worklink_sdk::__private::handle::<#plugin>(event, config)
                }
            }

            export!(WorklinkRuleExport);
        }
    }
    .into()
}

/// Exports a type implementing `worklink_sdk::Matcher` as the component's `matcher` world.
///
/// As with [`export_rule!`], `export_matcher!(MyMatcher, no_std)` is for a crate without std.
///
/// The `matching` interface's own `employee` and `proposal` records are converted to the SDK's
/// `worklink_sdk::matcher::{Employee, Proposal}` so that plugins never name generated types.
#[proc_macro]
pub fn export_matcher(input: TokenStream) -> TokenStream {
    let args = parse_macro_input!(input as ExportArgs);
    let plugin = from_child_module(args.plugin);
    let (runtime, enter) = runtime(args.no_std);
    let bindings = world_bindings("matcher", &["types", "contacts", "kv", "log"]);
    quote! {
        #[cfg(target_arch = "wasm32")]
        #[doc(hidden)]
        mod __worklink_matcher_export {
            #bindings
            #runtime

            struct WorklinkMatcherExport;

            use exports::worklink::plugin::matching::{Employee, Proposal};

            impl exports::worklink::plugin::matching::Guest for WorklinkMatcherExport {
                fn describe() -> ::worklink_sdk::types::PluginInfo {
                    #enter
                    ::worklink_sdk::__private::describe_matcher::<#plugin>()
                }

                fn match_employees(
                    employees: ::worklink_sdk::prelude::Vec<Employee>,
                    users: ::worklink_sdk::prelude::Vec<::worklink_sdk::contacts::User>,
                    config: ::worklink_sdk::prelude::String,
                ) -> ::core::result::Result<::worklink_sdk::prelude::Vec<Proposal>, ::worklink_sdk::types::HandlerError> {
                    #enter
                    let employees = employees
                        .into_iter()
                        .map(|e| ::worklink_sdk::matcher::Employee {
                            id: e.id,
                            name: e.name,
                            mobile: e.mobile,
                            email: e.email,
                            employee_no: e.employee_no,
                        })
                        .collect();
                    let proposals = ::worklink_sdk::__private::match_employees::<#plugin>(employees, users, config)?;
                    Ok(proposals
                        .into_iter()
                        .map(|m| Proposal {
                            employee_id: m.employee_id,
                            user_id: m.user_id,
                            confidence: m.confidence,
                            reason: m.reason,
                        })
                        .collect())
                }
            }

            export!(WorklinkMatcherExport);
        }
    }
    .into()
}

/// The `generate!` call for `world`, mapping each imported interface to the SDK's bindings.
fn world_bindings(world: &str, interfaces: &[&str]) -> TokenStream2 {
    let wit_dir = match std::fs::canonicalize(WIT_DIR) {
        Ok(dir) => dir.to_string_lossy().into_owned(),
        Err(e) => {
            let message = format!("worklink-sdk: cannot read the WIT directory {WIT_DIR}: {e}");
            return quote!(compile_error!(#message););
        }
    };
    let world = format!("{PACKAGE}/{world}@{VERSION}");
    let keys = interfaces
        .iter()
        .map(|i| format!("{PACKAGE}/{i}@{VERSION}"));
    let paths = interfaces.iter().map(|i| {
        let module = syn::Ident::new(i, proc_macro2::Span::call_site());
        quote!(::worklink_sdk::bindings::worklink::plugin::#module)
    });
    quote! {
        ::worklink_sdk::__private::wit_bindgen::generate!({
            path: #wit_dir,
            world: #world,
            runtime_path: "::worklink_sdk::__private::wit_bindgen::rt",
            with: { #(#keys: #paths,)* },
        });
    }
}

/// Rewrites a path written at the macro's call site so it resolves from the generated child module.
fn from_child_module(path: Path) -> TokenStream2 {
    let absolute = path.leading_colon.is_some()
        || path
            .segments
            .first()
            .is_some_and(|s| s.ident == "crate" || s.ident == "super");
    if absolute && path.segments.first().is_none_or(|s| s.ident != "super") {
        quote!(#path)
    } else {
        quote!(super::#path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(src: &str) -> String {
        from_child_module(syn::parse_str(src).expect("a path"))
            .to_string()
            .replace(' ', "")
    }

    #[test]
    fn relative_paths_resolve_from_the_parent_module() {
        assert_eq!(rewrite("MyPlugin"), "super::MyPlugin");
        assert_eq!(rewrite("plugin::MyPlugin"), "super::plugin::MyPlugin");
        assert_eq!(rewrite("super::MyPlugin"), "super::super::MyPlugin");
    }

    #[test]
    fn absolute_paths_are_kept() {
        assert_eq!(
            rewrite("crate::plugin::MyPlugin"),
            "crate::plugin::MyPlugin"
        );
        assert_eq!(rewrite("::other::MyPlugin"), "::other::MyPlugin");
    }

    #[test]
    fn the_wit_directory_holds_the_contract() {
        let file = std::path::Path::new(WIT_DIR).join("worklink.wit");
        let text = std::fs::read_to_string(&file).expect("wit/worklink.wit is readable");
        assert!(
            text.contains(&format!("package {PACKAGE}@{VERSION};")),
            "package version drifted"
        );
    }
}
