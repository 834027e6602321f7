//! The backend-agnostic `ServerStore` contract, on a private PostgreSQL server per test.

use meridian_server_postgres::PgStore;
use meridian_server_store::conformance::Subject;
use meridian_testkit::postgres::TestPostgres;
use std::sync::Arc;

async fn fresh() -> Subject {
    let server = TestPostgres::start().await.expect("postgres");
    let url = server.create_database().await.expect("database");
    let store = PgStore::open(&url).await.expect("open");
    Subject::new(Arc::new(store), server)
}

meridian_server_store::conformance_tests!(fresh);
