//! Failures at the command line's edge: every error gets a stable code (printed) and an exit
//! status (for scripts), whichever layer it came from.

use meridian_store::StoreError;
use meridian_sync::SyncError;
use std::fmt;
use std::process::ExitCode;

/// A refusal made by the CLI itself, with its code.
#[derive(Debug)]
pub struct Failure {
    pub code: &'static str,
    pub message: String,
}

impl Failure {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    pub fn not_signed_in() -> Self {
        Self::new(NOT_SIGNED_IN, "not signed in: run `meridian login` or `meridian signup` first")
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

pub const NOT_SIGNED_IN: &str = "not_signed_in";

/// Exit statuses; 2 is clap's for usage errors.
const EXIT_FAILURE: u8 = 1;
const EXIT_AUTH: u8 = 3;
const EXIT_UNREACHABLE: u8 = 4;

/// The stable code of the first coded error in the chain.
pub fn code(error: &anyhow::Error) -> &str {
    error
        .chain()
        .find_map(|cause| {
            if let Some(failure) = cause.downcast_ref::<Failure>() {
                Some(failure.code)
            } else if let Some(sync) = cause.downcast_ref::<SyncError>() {
                Some(sync.code())
            } else {
                cause.downcast_ref::<StoreError>().map(StoreError::code)
            }
        })
        .unwrap_or("failed")
}

/// Prints the error with its code to stderr and picks the exit status.
pub fn report(error: &anyhow::Error) -> ExitCode {
    let code = code(error);
    eprintln!("meridian: error [{code}]: {error:#}");
    ExitCode::from(match code {
        NOT_SIGNED_IN | "unauthenticated" | "invalid_credentials" => EXIT_AUTH,
        "unreachable" => EXIT_UNREACHABLE,
        _ => EXIT_FAILURE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    #[test]
    fn codes_are_found_under_context() {
        let error = Err::<(), _>(SyncError::Unreachable("refused".into())).context("syncing").unwrap_err();
        assert_eq!(code(&error), "unreachable");
        let error = anyhow::Error::new(Failure::not_signed_in()).context("reading channels");
        assert_eq!(code(&error), NOT_SIGNED_IN);
        assert_eq!(code(&anyhow::anyhow!("plain")), "failed");
    }
}
