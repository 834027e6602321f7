//! Ids in URL paths. A segment that is not an id is a malformed request (`400 bad_request`); an
//! id that names nothing is for the handler to answer `404 not_found`.

use crate::error::ApiFailure;
use meridian_protocol::ErrorCode;
use std::str::FromStr;

/// Parses the path segment naming a `what`.
pub fn path_id<T: FromStr>(segment: &str, what: &str) -> Result<T, ApiFailure> {
    segment.parse().map_err(|_| {
        let shown: String = segment.chars().take(40).collect();
        ApiFailure::new(ErrorCode::BadRequest, format!("{shown:?} is not a {what} id"))
    })
}
