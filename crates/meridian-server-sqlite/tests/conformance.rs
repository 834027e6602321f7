//! The backend-agnostic `ServerStore` contract, on a SQLite file in a temporary directory.

use meridian_server_sqlite::SqliteStore;
use meridian_server_store::conformance::Subject;
use std::sync::Arc;

async fn fresh() -> Subject {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("server.db");
    let store = SqliteStore::open(path.to_str().expect("utf-8 path")).await.expect("open");
    Subject::new(Arc::new(store), dir)
}

meridian_server_store::conformance_tests!(fresh);
