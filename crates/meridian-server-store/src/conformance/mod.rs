//! The contract every [`ServerStore`] backend must keep, as one test suite run against each.
//!
//! A backend's test binary names a factory that opens a fresh, empty store and expands
//! [`conformance_tests!`](crate::conformance_tests) with it; every case below becomes one test:
//!
//! ```ignore
//! async fn fresh() -> Subject { Subject::new(Arc::new(open_empty_store().await), ()) }
//! meridian_server_store::conformance_tests!(fresh);
//! ```
//!
//! The cases cover accounts, sessions, profiles, roles and invites, exactly-once pushes (retries,
//! gaps, rejections that a retry hears again, reused ids), edits and their history, deletes that
//! leave only a tombstone, reactions, files (resumable uploads, dedupe, reading through messages), read
//! cursors and follow states, scheduled replies, nudges, exports, paging, authorization, snapshots, history and resets,
//! membership changes with their grants and revocations, channel creation, guests, and concurrency: many clients pushing at once
//! must get a gap-free log, and racing retries of one batch must apply it once.

mod accounts;
mod blobs;
mod bootstrap;
mod cases;
mod exports;
mod fixture;
mod membership;
mod messages;
mod new_channels;
mod nudges;
mod reads;
mod revisions;
mod scheduled;

pub use accounts::*;
pub use blobs::*;
pub use bootstrap::*;
pub use cases::*;
pub use exports::*;
pub use fixture::Subject;
pub use membership::*;
pub use messages::*;
pub use new_channels::*;
pub use nudges::*;
pub use reads::*;
pub use revisions::*;
pub use scheduled::*;

/// Expands to one `#[tokio::test]` per conformance case, each over a store from `$factory`, an
/// `async fn() -> Subject`.
#[macro_export]
macro_rules! conformance_tests {
    ($factory:path) => {
        $crate::conformance_tests!(@cases $factory;
            accounts_and_sessions,
            a_pushed_thread_reaches_other_readers_in_order,
            a_retried_batch_is_applied_once,
            a_gap_stops_the_batch,
            a_rejected_mutation_does_not_block_the_next,
            private_channels_never_reach_non_members,
            a_client_id_belongs_to_one_user,
            a_reused_mutation_id_is_rejected_but_settled,
            pages_are_contiguous_and_limited,
            later_mutations_in_a_batch_see_the_earlier_ones,
            concurrent_pushes_get_gap_free_seqs,
            concurrent_pushes_across_channels_all_settle,
            racing_retries_of_one_batch_apply_it_once,
            sessions_are_listed_touched_and_revoked_per_user,
            a_password_change_ends_every_other_session,
            profile_and_role_changes_reach_the_team_scope,
            invites_are_redeemed_once_within_their_lifetime,
            an_edit_reaches_readers_with_the_new_text,
            an_urgent_reply_stays_urgent_through_an_edit,
            a_delete_leaves_only_the_tombstone,
            reactions_are_set_and_unset,
            a_retried_refusal_of_an_edit_repeats_it,
            an_edit_history_holds_the_replaced_texts_oldest_first,
            an_edit_history_is_not_found_unless_the_message_is_readable_and_not_deleted,
            a_snapshot_and_its_tail_equal_the_replayed_log,
            a_channel_snapshot_holds_the_latest_messages_and_history_the_rest,
            a_snapshot_its_history_and_its_tail_equal_the_replayed_log,
            snapshots_and_history_of_unreadable_scopes_are_refused,
            a_snapshot_says_what_was_written_before_the_reader_joined,
            pulls_ask_for_snapshots_and_resets,
            an_interrupted_upload_resumes_with_the_missing_chunks,
            chunks_are_verified_before_they_are_stored,
            the_same_file_is_stored_once_per_team,
            attachments_need_the_authors_complete_upload,
            a_file_is_read_through_a_message_the_reader_can_see,
            adding_to_a_private_channel_grants_it_and_removing_revokes_it,
            joining_and_leaving_a_public_channel_change_its_member_list,
            guests_read_only_the_channels_they_were_added_to,
            membership_changes_naming_unknown_ids_are_rejected_with_codes,
            direct_conversations_are_opened_once_and_read_only_by_participants,
            a_created_channel_reaches_those_who_may_read_it,
            a_channel_name_in_sight_is_refused,
            a_new_name_and_topic_reach_the_channels_readers,
            an_archived_channel_stays_readable_and_refuses_new_writes,
            exports_hold_the_latest_images_and_only_tombstones_of_deletes,
            a_read_cursor_never_moves_back_and_no_one_else_sees_it,
            follow_states_are_last_writer_wins_on_readable_threads_only,
            who_follows_a_thread_is_shared_with_its_channel_but_muting_is_not,
            a_scheduled_reply_lands_once_at_its_time_as_its_author,
            a_withdrawn_or_no_longer_allowed_reply_never_lands,
            a_failed_reply_put_away_or_sent_by_hand_leaves_every_device_of_its_author,
            a_nudge_reaches_every_device_of_its_author_and_nobody_else,
            a_withdrawal_holds_its_place_and_writes_nothing,
        );
    };
    (@cases $factory:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                $crate::conformance::$case($factory().await).await;
            }
        )*
    };
}
