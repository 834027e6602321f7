//! Signing out a device from the app: the person signs in somewhere else too, sees it in their
//! profile beside this device, and signs it out; the server refuses that device from then on.

use super::{WAIT, by_testid, shoot, team_server_url};
use meridian_protocol::SignInRequest;
use meridian_sync::{ApiClient, SyncError};
use meridian_testkit::webdriver::Session;

/// Run as Sam, who made the team on this computer.
pub(crate) async fn sign_out_a_lost_device(
    session: &Session,
    email: &str,
    password: &str,
) -> anyhow::Result<()> {
    let api = ApiClient::new(&team_server_url(session).await?)?;
    let elsewhere = api.sign_in(&SignInRequest { email: email.into(), password: password.into() }).await?;
    let token = elsewhere.token.ok_or_else(|| anyhow::anyhow!("signing in gave no session"))?;
    let lost = api.with_token(&token);
    lost.me().await?;

    by_testid(session, "my-profile").await?.click().await?;
    let here = session.wait_for("[data-testid='device'][data-current='true']", WAIT).await?;
    let named = here.text_content().await?;
    anyhow::ensure!(
        named.contains("Meridian for desktop") && named.contains("This device"),
        "this device reads {named:?}"
    );
    let other = session.wait_for("[data-testid='device'][data-current='false']", WAIT).await?;
    session.execute("document.querySelector('[data-testid=devices]').scrollIntoView()", &[]).await?;
    shoot(session, "devices").await?;
    other.find("[data-testid='sign-out-device']").await?.click().await?;
    session
        .wait_until("the other device to leave the list", WAIT, || async {
            Ok(session
                .find_all("[data-testid='device'][data-current='false']")
                .await?
                .is_empty()
                .then_some(()))
        })
        .await?;
    match lost.me().await {
        Err(SyncError::Api(error)) if error.code.as_str() == "unauthenticated" => {}
        other => anyhow::bail!("the signed-out device was answered {other:?}"),
    }
    // This device is still signed in.
    session.find("[data-testid='devices'] [data-current='true']").await?;
    session.find("[role='dialog'] [aria-label='Close']").await?.click().await?;
    Ok(())
}
