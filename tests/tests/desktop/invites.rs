//! Running the team from the app: the team's owner makes invite links on the team server, a
//! person signs up with one and joins with its role, a link for one person is used up by them,
//! and a link revoked in the app lets nobody in. The owner then makes the newcomer a member.

use super::{WAIT, by_testid, shoot, shoot_both_themes, team_server_url};
use meridian_domain::Role;
use meridian_protocol::{INVITE_URL_PREFIX, SignUpRequest};
use meridian_sync::{ApiClient, SyncError};
use meridian_testkit::server::TEST_PASSWORD;
use meridian_testkit::webdriver::Session;

/// Run as the owner of a team on this computer.
pub(crate) async fn invite_people(session: &Session) -> anyhow::Result<()> {
    let api = ApiClient::new(&team_server_url(session).await?)?;

    by_testid(session, "team-people").await?.click().await?;
    by_testid(session, "invite-people").await?.click().await?;
    by_testid(session, "invites-none").await?;

    // A guest's link, for one person: Gia signs up with it and is a guest.
    by_testid(session, "invite-role-guest").await?.click().await?;
    let for_gia = make_link(session).await?;
    let gia = api.sign_up(&sign_up("Gia Russo", "gia@example.com", &for_gia)).await?;
    anyhow::ensure!(gia.user.role == Role::Guest, "Gia joined as {:?}", gia.user.role);
    let again = api.sign_up(&sign_up("Gia's friend", "friend@example.com", &for_gia)).await;
    refused_as_invalid(again, "a link for one person, used")?;

    // A member's link for several people, revoked before anyone uses it.
    by_testid(session, "invite-role-member").await?.click().await?;
    by_testid(session, "invite-single-use").await?.click().await?;
    let revoked = make_link(session).await?;
    // The list is drawn again as the team changes (Gia joined): each look finds it afresh.
    let listed = session
        .wait_until("the open link listed", WAIT, || async {
            let items = session.find_all("[data-testid='invite-item']").await?;
            let [item] = items.as_slice() else { return Ok(None) };
            Ok(item.text_content().await.ok())
        })
        .await?;
    anyhow::ensure!(
        session.find_all("[data-testid='invite-item']").await?.len() == 1,
        "only the open link is listed; Gia's is used up"
    );
    anyhow::ensure!(listed.contains("Member"), "the open link is the member's");
    shoot_both_themes(session, "invite").await?;
    session.find("[data-testid='invite-item'] [data-testid='invite-revoke']").await?.click().await?;
    by_testid(session, "invites-none").await?;
    let refused = api.sign_up(&sign_up("Late Comer", "late@example.com", &revoked)).await;
    refused_as_invalid(refused, "a revoked link")?;

    session.find("[data-testid='invite-dialog'] [aria-label='Close']").await?.click().await?;

    // Gia, in the team now, is made a member; the server says so when she asks who she is.
    by_testid(session, "team-people").await?.click().await?;
    let row = session.wait_for("[data-testid='person-row'][data-person-name='Gia Russo']", WAIT).await?;
    row.find("[data-testid='person-role'] option[value='member']").await?.click().await?;
    let token = gia.token.ok_or_else(|| anyhow::anyhow!("signing up gave Gia no session"))?;
    let as_gia = api.with_token(&token);
    let deadline = tokio::time::Instant::now() + WAIT;
    while as_gia.me().await?.user.role != Role::Member {
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "Gia never became a member");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    shoot(session, "people").await?;
    session.find("[data-testid='people-dialog'] [aria-label='Close']").await?.click().await?;
    Ok(())
}

/// Creates a link with what the dialog has chosen and answers its token.
async fn make_link(session: &Session) -> anyhow::Result<String> {
    const SHOWN_LINK: &str = "return document.querySelector('[data-testid=invite-link]')?.value ?? ''";
    let before = session.execute(SHOWN_LINK, &[]).await?;
    by_testid(session, "invite-create").await?.click().await?;
    let link = session
        .wait_until("a new invite link", WAIT, || async {
            let link = session.execute(SHOWN_LINK, &[]).await?;
            Ok((link != before).then(|| link.as_str().unwrap_or_default().to_owned()))
        })
        .await?;
    link.strip_prefix(INVITE_URL_PREFIX)
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("the link {link:?} is not a Meridian invite"))
}

fn sign_up(name: &str, email: &str, invite: &str) -> SignUpRequest {
    SignUpRequest {
        email: email.into(),
        password: TEST_PASSWORD.into(),
        display_name: name.into(),
        time_zone: "Europe/Rome".into(),
        invite: Some(invite.into()),
    }
}

fn refused_as_invalid<T>(outcome: Result<T, SyncError>, what: &str) -> anyhow::Result<()> {
    match outcome {
        Err(SyncError::Api(error)) if error.code.as_str() == "invalid_invite" => Ok(()),
        Err(other) => anyhow::bail!("signing up with {what} failed otherwise: {other}"),
        Ok(_) => anyhow::bail!("signing up with {what} was let in"),
    }
}
