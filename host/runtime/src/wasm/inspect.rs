//! Checks on raw bytes and on a compiled component's shape, done before anything runs.

use wasmtime::Engine;
use wasmtime::component::Component;
use wasmtime::component::types::ComponentItem;

use super::error::LoadError;
use super::since_v0_1;

/// The contract versions this host can run, one per `since_v*` module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContractVersion {
    /// `worklink:plugin@0.1.x`.
    V0_1,
}

/// The exported interface every rule plugin provides, without its version.
const HANDLER_PREFIX: &str = "worklink:plugin/handler@";

/// Functions the handler interface must export.
const HANDLER_FUNCTIONS: [&str; 2] = ["describe", "handle"];

/// Tells a component from a core module or from something that is not wasm, by the 8-byte
/// preamble the binary format fixes: `\0asm`, then a version and layer field that is
/// `01 00 00 00` for core modules and `0d 00 01 00` for components. Checked by hand because it
/// is four comparisons and gives a far clearer error than the parser's.
pub(crate) fn check_preamble(bytes: &[u8]) -> Result<(), LoadError> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        return Err(LoadError::NotWasm);
    }
    if bytes[6..8] == [0, 0] {
        return Err(LoadError::CoreModule);
    }
    Ok(())
}

/// Finds the handler export and the contract version it was built against.
pub(crate) fn handler_version(
    engine: &Engine,
    component: &Component,
) -> Result<(ContractVersion, String), LoadError> {
    let ty = component.component_type();
    let exports: Vec<(String, ComponentItem)> = ty
        .exports(engine)
        .map(|(n, e)| (n.to_string(), e.ty))
        .collect();
    let names = || exports.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    let Some((name, item)) = exports.iter().find(|(n, _)| n.starts_with(HANDLER_PREFIX)) else {
        return Err(LoadError::MissingExport {
            export: since_v0_1::HANDLER_EXPORT.into(),
            function: None,
            exports: names(),
        });
    };
    let version = &name[HANDLER_PREFIX.len()..];
    let parsed = semver::Version::parse(version).map_err(|_| LoadError::UnsupportedVersion {
        found: version.into(),
    })?;
    let contract =
        if parsed.major == since_v0_1::VERSION.major && parsed.minor == since_v0_1::VERSION.minor {
            ContractVersion::V0_1
        } else {
            return Err(LoadError::UnsupportedVersion {
                found: version.into(),
            });
        };
    let ComponentItem::ComponentInstance(instance) = item else {
        return Err(LoadError::MissingExport {
            export: name.clone(),
            function: None,
            exports: names(),
        });
    };
    let functions: Vec<String> = instance
        .exports(engine)
        .map(|(n, _)| n.to_string())
        .collect();
    if let Some(missing) = HANDLER_FUNCTIONS
        .iter()
        .find(|f| !functions.iter().any(|n| n == *f))
    {
        return Err(LoadError::MissingExport {
            export: name.clone(),
            function: Some((*missing).into()),
            exports: functions,
        });
    }
    Ok((contract, version.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_modules_components_and_garbage_apart() {
        assert!(matches!(
            check_preamble(b"hello world"),
            Err(LoadError::NotWasm)
        ));
        assert!(matches!(
            check_preamble(b"\0asm\x01\0\0\0"),
            Err(LoadError::CoreModule)
        ));
        assert!(check_preamble(b"\0asm\x0d\0\x01\0").is_ok());
    }
}
