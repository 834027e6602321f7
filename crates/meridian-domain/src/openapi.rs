//! OpenAPI schemas for the types whose wire form is text or a map rather than their Rust shape:
//! ids are UUID strings, scope ids `kind:uuid` strings, working hours the raw weekly map.

use crate::attachment::BlobId;
use crate::hours::WorkingHours;
use crate::ids::{ChannelId, ClientId, InviteId, MessageId, MutationId, SessionId, TeamId, ThreadId, UserId};
use crate::scope::ScopeId;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

fn uuid_text() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::Custom("uuid".to_owned())))
        .into()
}

macro_rules! uuid_schema {
    ($($id:ty),*) => {$(
        impl PartialSchema for $id {
            fn schema() -> RefOr<Schema> {
                uuid_text()
            }
        }

        impl ToSchema for $id {}
    )*};
}

uuid_schema!(TeamId, UserId, ChannelId, ThreadId, MessageId, SessionId, InviteId, ClientId, MutationId);

impl PartialSchema for ScopeId {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^(team|channel|user):[0-9a-fA-F-]{36}$"))
            .description(Some("A scope: `team:`, `channel:` or `user:` followed by a UUID."))
            .into()
    }
}

impl ToSchema for ScopeId {}

impl PartialSchema for WorkingHours {
    fn schema() -> RefOr<Schema> {
        let time = ObjectBuilder::new().schema_type(Type::String).pattern(Some("^[0-2][0-9]:[0-5][0-9]$"));
        let span = ArrayBuilder::new().items(time).min_items(Some(2)).max_items(Some(2));
        ObjectBuilder::new()
            .additional_properties(Some(ArrayBuilder::new().items(span)))
            .description(Some("Per weekday (`mon` … `sun`) a list of `[\"HH:MM\", \"HH:MM\"]` local spans."))
            .into()
    }
}

impl ToSchema for WorkingHours {}

impl PartialSchema for BlobId {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^b3:[0-9a-f]{64}$"))
            .description(Some("A blob: `b3:` and the BLAKE3 hash of its manifest, in lower-case hex."))
            .into()
    }
}

impl ToSchema for BlobId {}
