//! Running the team, for its owners and admins: invites made, listed and revoked, and people's
//! roles changed. Each goes to the team server straight away (an invite is only worth sharing
//! once the server knows it). The server decides who may grant which role; its refusal is passed
//! on as it is.

use super::{parse_id, signed_in, signed_in_api};
use crate::error::{CommandError, CommandResult};
use crate::session::AppState;
use crate::views::{People, PersonView};
use meridian_domain::{InviteId, Role, UnixMillis, UserId};
use meridian_protocol::{ChangeRoleRequest, CreateInviteRequest, InviteSummary};
use meridian_sync::ApiClient;
use serde::{Deserialize, Serialize};
use tauri::State;

/// An open invite as the invite dialog lists it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteView {
    pub id: String,
    pub role: Role,
    /// Who made it, by name.
    pub created_by: String,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
    pub single_use: bool,
    /// Sign-ups made with it so far.
    pub uses: u32,
}

/// A new invite, with the link to share: shown this once, as the server keeps only its hash.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewInvite {
    pub invite: InviteView,
    pub link: String,
}

/// What the invite dialog asks for.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteRequest {
    pub role: Role,
    /// 1 to 30; the server checks.
    pub expires_in_days: u32,
    pub single_use: bool,
}

#[tauri::command]
pub async fn create_invite(state: State<'_, AppState>, request: InviteRequest) -> CommandResult<NewInvite> {
    let (api, people) = api_and_people(&state).await?;
    let request = CreateInviteRequest {
        role: request.role,
        expires_in_days: Some(request.expires_in_days),
        single_use: request.single_use,
    };
    let created = api
        .create_invite(&request)
        .await
        .map_err(|error| CommandError::from_server(error, "No invite made"))?;
    Ok(NewInvite { invite: view(&people, created.invite), link: created.url })
}

/// The team's open invites, oldest first.
#[tauri::command]
pub async fn list_invites(state: State<'_, AppState>) -> CommandResult<Vec<InviteView>> {
    let (api, people) = api_and_people(&state).await?;
    let open = api.invites().await.map_err(|error| CommandError::from_server(error, "Invites not read"))?;
    Ok(open.into_iter().map(|invite| view(&people, invite)).collect())
}

/// Revokes an open invite: its link lets nobody in any more.
#[tauri::command]
pub async fn revoke_invite(state: State<'_, AppState>, invite_id: String) -> CommandResult<()> {
    let invite: InviteId = parse_id(&invite_id, "invite")?;
    signed_in_api(&state)
        .await?
        .revoke_invite(invite)
        .await
        .map_err(|error| CommandError::from_server(error, "Invite not revoked"))
}

/// Gives `user_id` the role `role`; answers them as they are now. Their new role reaches every
/// device, this one included, by sync.
#[tauri::command]
pub async fn change_role(
    state: State<'_, AppState>,
    user_id: String,
    role: Role,
) -> CommandResult<PersonView> {
    let user: UserId = parse_id(&user_id, "user")?;
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    let changed = session
        .api
        .change_role(user, &ChangeRoleRequest { role })
        .await
        .map_err(|error| CommandError::from_server(error, "Role not changed"))?;
    if changed.id == session.me().id {
        session.set_me(changed.clone());
    }
    Ok(PersonView::from(&changed))
}

async fn api_and_people(state: &AppState) -> CommandResult<(ApiClient, People)> {
    let guard = state.session().await;
    let session = signed_in(&guard)?;
    Ok((session.api.clone(), People::new(session.store.users().await?)))
}

fn view(people: &People, invite: InviteSummary) -> InviteView {
    InviteView {
        id: invite.id.to_string(),
        role: invite.role,
        created_by: people.name(invite.created_by).0,
        created_at: invite.created_at,
        expires_at: invite.expires_at,
        single_use: invite.single_use,
        uses: invite.uses,
    }
}
