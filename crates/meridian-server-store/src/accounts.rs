//! Records and rules for accounts, sessions and invites that every backend stores the same way.
//!
//! Backends keep these records in their own tables; whether a session is due a `last_seen_at`
//! write, how long an invite lives and whether it may still be redeemed is decided here.

use crate::error::StoreError;
use meridian_domain::{InviteId, Role, SessionId, TimeOff, UnixMillis, UserId, WorkingHours};

/// How often a session's `last_seen_at` is written: at most once a minute, so authenticating a
/// request is a read, not a write, on almost every request.
pub const TOUCH_EVERY_MS: i64 = 60_000;
/// The longest `User-Agent` kept with a session, in characters.
pub const MAX_USER_AGENT_CHARS: usize = 256;
/// Days an invite lives when the inviter does not say.
pub const DEFAULT_INVITE_DAYS: u32 = 7;
/// The longest an invite may live.
pub const MAX_INVITE_DAYS: u32 = 30;
const DAY_MS: i64 = 24 * 60 * 60 * 1_000;

/// A signed-in session. Stored by the hash of its token, which is not part of the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: UnixMillis,
    pub last_seen_at: UnixMillis,
    pub user_agent: Option<String>,
}

impl SessionRecord {
    /// A session opened now.
    pub fn new(user_id: UserId, user_agent: Option<&str>, now: UnixMillis) -> Self {
        Self {
            id: SessionId::new(),
            user_id,
            created_at: now,
            last_seen_at: now,
            user_agent: user_agent_of(user_agent),
        }
    }
}

/// Whether a session last seen at `last_seen` should have the time written again at `now`.
pub fn needs_touch(last_seen: UnixMillis, now: UnixMillis) -> bool {
    now.saturating_sub(last_seen) >= TOUCH_EVERY_MS
}

/// A `User-Agent` header as kept: trimmed, without control characters, shortened; blank is none.
pub fn user_agent_of(raw: Option<&str>) -> Option<String> {
    let cleaned: String =
        raw?.trim().chars().filter(|c| !c.is_control()).take(MAX_USER_AGENT_CHARS).collect();
    (!cleaned.is_empty()).then_some(cleaned)
}

/// An invitation to join the team. Stored by the hash of its token, which is not part of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invite {
    pub id: InviteId,
    pub role: Role,
    pub created_by: UserId,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
    /// Used up by its first sign-up.
    pub single_use: bool,
    pub uses: u32,
    pub revoked: bool,
}

/// When an invite made at `now`, asked to live `days` days (default 7), expires; `None` when the
/// asked lifetime is outside 1 to 30 days.
pub fn invite_expiry(now: UnixMillis, days: Option<u32>) -> Option<UnixMillis> {
    let days = days.unwrap_or(DEFAULT_INVITE_DAYS);
    (1..=MAX_INVITE_DAYS).contains(&days).then(|| now.saturating_add(i64::from(days) * DAY_MS))
}

/// Whether `invite` still lets someone sign up at `now`. Open invites are the ones listed.
pub fn invite_is_open(invite: &Invite, now: UnixMillis) -> bool {
    !invite.revoked && now < invite.expires_at && !(invite.single_use && invite.uses >= 1)
}

/// What a person may change about themselves with `PATCH /v1/me`, already validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileUpdate {
    pub display_name: String,
    pub time_zone: String,
    pub working_hours: Option<WorkingHours>,
    pub time_off: TimeOff,
}

/// A profile's working hours and time off as both backends store them: JSON text each, NULL when
/// unset, so a row written before either existed reads as "not set".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileColumns {
    pub working_hours: Option<String>,
    pub time_off: Option<String>,
}

impl ProfileColumns {
    pub fn encode(working_hours: Option<&WorkingHours>, time_off: &TimeOff) -> Result<Self, StoreError> {
        let json = |error: serde_json::Error| StoreError::Backend(error.to_string());
        Ok(Self {
            working_hours: working_hours.map(serde_json::to_string).transpose().map_err(json)?,
            time_off: (!time_off.is_empty())
                .then(|| serde_json::to_string(time_off))
                .transpose()
                .map_err(json)?,
        })
    }

    pub fn decode(self) -> Result<(Option<WorkingHours>, TimeOff), StoreError> {
        let unreadable =
            |what: &str, error: serde_json::Error| StoreError::Backend(format!("unreadable {what}: {error}"));
        let working_hours = self
            .working_hours
            .map(|json| serde_json::from_str(&json))
            .transpose()
            .map_err(|error| unreadable("working hours", error))?;
        let time_off = self
            .time_off
            .map(|json| serde_json::from_str(&json))
            .transpose()
            .map_err(|error| unreadable("time off", error))?
            .unwrap_or_default();
        Ok((working_hours, time_off))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn invite(expires_at: UnixMillis, single_use: bool, uses: u32, revoked: bool) -> Invite {
        Invite {
            id: InviteId::new(),
            role: Role::Member,
            created_by: UserId::new(),
            created_at: 0,
            expires_at,
            single_use,
            uses,
            revoked,
        }
    }

    #[test]
    fn invites_close_when_expired_revoked_or_used_up() {
        assert!(invite_is_open(&invite(10, false, 5, false), 9));
        assert!(!invite_is_open(&invite(10, false, 0, false), 10));
        assert!(!invite_is_open(&invite(10, false, 0, true), 0));
        assert!(invite_is_open(&invite(10, true, 0, false), 0));
        assert!(!invite_is_open(&invite(10, true, 1, false), 0));
    }

    #[test]
    fn invite_lifetimes_default_to_a_week_and_stop_at_thirty_days() {
        assert_eq!(invite_expiry(0, None), Some(7 * DAY_MS));
        assert_eq!(invite_expiry(5, Some(30)), Some(5 + 30 * DAY_MS));
        assert_eq!(invite_expiry(0, Some(31)), None);
        assert_eq!(invite_expiry(0, Some(0)), None);
    }

    #[test]
    fn sessions_are_touched_once_a_minute() {
        assert!(!needs_touch(1_000, 1_000 + TOUCH_EVERY_MS - 1));
        assert!(needs_touch(1_000, 1_000 + TOUCH_EVERY_MS));
    }

    #[test]
    fn user_agents_are_cleaned() {
        assert_eq!(user_agent_of(None), None);
        assert_eq!(user_agent_of(Some("  \t ")), None);
        assert_eq!(user_agent_of(Some(" Meridian/0.1\n")), Some("Meridian/0.1".into()));
        let long = "x".repeat(1_000);
        assert_eq!(user_agent_of(Some(&long)).map(|ua| ua.chars().count()), Some(MAX_USER_AGENT_CHARS));
    }

    proptest! {
        #[test]
        fn accepted_lifetimes_are_within_bounds(now in 0i64..4_000_000_000_000, days in proptest::option::of(0u32..100)) {
            if let Some(expires) = invite_expiry(now, days) {
                prop_assert!(expires > now && expires <= now + i64::from(MAX_INVITE_DAYS) * DAY_MS);
            }
        }
    }
}
