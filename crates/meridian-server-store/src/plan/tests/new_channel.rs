//! Creating channels against hand-made facts: what is written, who is granted, every refusal.

use super::*;
use meridian_domain::Archival;

fn create(name: &str, private: bool) -> Mutation {
    mutation(MutationOp::CreateChannel {
        channel_id: ChannelId::new(),
        name: name.into(),
        topic: "  Where the launch is planned ".into(),
        private,
    })
}

fn team_facts(team_id: TeamId) -> Facts {
    Facts { team_id: Some(team_id), ..Facts::default() }
}

fn created_id(mutation: &Mutation) -> ChannelId {
    match mutation.op {
        MutationOp::CreateChannel { channel_id, .. } => channel_id,
        _ => unreachable!("a channel creation"),
    }
}

#[test]
fn a_public_channel_opens_with_its_author_as_member_and_no_grant() {
    let (ana, team) = (author(), TeamId::new());
    let asked = create(" Launch Plan ", false);
    let id = created_id(&asked);
    assert_eq!(targets(ana.id, &asked.op).channel_id, Some(id), "the backend looks for the id");
    assert_eq!(asked_channel_name(&asked.op).as_deref(), Some("launch-plan"));

    let planned = plan(&ana, &asked, &team_facts(team)).expect("created");
    let channel = Channel {
        id,
        team_id: team,
        name: "launch-plan".into(),
        topic: "Where the launch is planned".into(),
        private: false,
        direct: false,
        archived: false,
        archival: None,
    };
    assert_eq!(planned.scope, ScopeId::Channel(id));
    assert_eq!(
        planned.writes,
        vec![
            Write::Open(channel),
            Write::Membership(Membership { channel_id: id, user_id: ana.id, member: true }),
        ]
    );
    assert!(planned.grants.is_empty(), "everyone but guests reads a public channel already");
}

#[test]
fn a_private_channel_is_granted_to_its_author_alone() {
    let (ana, team) = (author(), TeamId::new());
    let asked = create("leads", true);
    let planned = plan(&ana, &asked, &team_facts(team)).expect("created");
    let scope = ScopeId::Channel(created_id(&asked));
    assert_eq!(planned.grants, vec![(ana.id, Grant { scope, granted: true })]);
    let Write::Open(channel) = &planned.writes[0] else { panic!("opens first: {:?}", planned.writes) };
    assert!(channel.private && !channel.direct);
}

#[test]
fn channel_creation_refusals_have_codes() {
    let (ana, team) = (author(), TeamId::new());
    let guest = User { role: Role::Guest, ..author() };
    assert_eq!(rejected_code(plan(&guest, &create("ops", false), &team_facts(team))), "forbidden");
    assert_eq!(rejected_code(plan(&ana, &create("a/b", false), &team_facts(team))), "invalid_channel_name");
    assert_eq!(rejected_code(plan(&ana, &create("  ", false), &team_facts(team))), "empty_field");
    assert_eq!(asked_channel_name(&create("a/b", false).op), None, "nothing to look up");

    let taken = Facts { name_taken: true, ..team_facts(team) };
    let refusal = plan(&ana, &create("Design", false), &taken).expect_err("taken");
    assert_eq!(
        (refusal.code, refusal.message.as_str()),
        ("name_taken", "there is already a channel named #design")
    );

    // An id already used, by a channel the author may or may not see, is refused the same way.
    let existing = Facts { team_id: Some(team), ..facts_for(&channel(true), false) };
    assert_eq!(rejected_code(plan(&ana, &create("fresh", false), &existing)), "id_conflict");

    // The id of a direct conversation not yet opened cannot be taken by a channel, nor probed.
    let members = std::collections::BTreeSet::from([ana.id, UserId::new()]);
    let squatted = meridian_domain::direct_channel_id(team, &members);
    let squat = mutation(MutationOp::CreateChannel {
        channel_id: squatted,
        name: "squat".into(),
        topic: String::new(),
        private: false,
    });
    assert_eq!(rejected_code(plan(&ana, &squat, &team_facts(team))), "invalid_channel_id");
    let over_existing = Facts { team_id: Some(team), ..facts_for(&channel(true), false) };
    assert_eq!(rejected_code(plan(&ana, &squat, &over_existing)), "invalid_channel_id");

    let multiline = mutation(MutationOp::CreateChannel {
        channel_id: ChannelId::new(),
        name: "fresh".into(),
        topic: "one\ntwo".into(),
        private: false,
    });
    assert_eq!(rejected_code(plan(&ana, &multiline, &team_facts(team))), "invalid_topic");
}

fn describe(channel: &Channel, name: Option<&str>, topic: Option<&str>) -> Mutation {
    mutation(MutationOp::UpdateChannel {
        channel_id: channel.id,
        name: name.map(Into::into),
        topic: topic.map(Into::into),
    })
}

#[test]
fn a_channel_gets_a_new_name_or_topic_from_those_who_write_in_it() {
    let (ana, design) = (author(), channel(false));
    let renamed = plan(&ana, &describe(&design, Some("Design Reviews"), None), &facts_for(&design, false));
    let expected = Channel { name: "design-reviews".into(), ..design.clone() };
    assert_eq!(renamed.expect("renamed").writes, vec![Write::Describe(expected)]);
    let topic = plan(&ana, &describe(&design, None, Some(" Critique ")), &facts_for(&design, false));
    let expected = Channel { topic: "Critique".into(), ..design.clone() };
    assert_eq!(topic.expect("topic").writes, vec![Write::Describe(expected)]);
    let same = plan(
        &ana,
        &describe(&design, Some("design"), None),
        &Facts { name_taken: true, ..facts_for(&design, false) },
    );
    assert!(same.expect("unchanged").writes.is_empty(), "its own name is not taken from it");
}

#[test]
fn describing_a_channel_is_refused_with_codes() {
    let (ana, design, secret) = (author(), channel(false), channel(true));
    let taken = Facts { name_taken: true, ..facts_for(&design, false) };
    assert_eq!(rejected_code(plan(&ana, &describe(&design, Some("ops"), None), &taken)), "name_taken");
    // A private channel one is not in does not exist for them.
    let outsider = plan(&ana, &describe(&secret, None, Some("x")), &facts_for(&secret, false));
    assert_eq!(rejected_code(outsider), "channel_not_found");
    let guest = User { role: Role::Guest, ..author() };
    let by_guest = plan(&guest, &describe(&secret, None, Some("x")), &facts_for(&secret, true));
    assert_eq!(rejected_code(by_guest), "forbidden");
    let direct = Channel { direct: true, private: true, ..channel(true) };
    let renamed_direct = plan(&ana, &describe(&direct, Some("us"), None), &facts_for(&direct, true));
    assert_eq!(rejected_code(renamed_direct), "forbidden");
    let bad = plan(&ana, &describe(&design, Some("a/b"), None), &facts_for(&design, false));
    assert_eq!(rejected_code(bad), "invalid_channel_name");
}

fn archive(channel: &Channel, archived: bool) -> Mutation {
    mutation(MutationOp::ArchiveChannel { channel_id: channel.id, archived })
}

#[test]
fn admins_archive_a_channel_they_can_read_and_bring_it_back() {
    let (admin, design, secret) = (member(Role::Admin), channel(false), channel(true));
    let at_noon = Facts { now: 1_764_244_800_000, ..facts_for(&design, false) };
    let archived = plan(&admin, &archive(&design, true), &at_noon).expect("archived");
    let archival = Some(Archival { by: admin.id, at: 1_764_244_800_000 });
    let expected = Channel { archived: true, archival, ..design.clone() };
    assert_eq!(archived.writes, vec![Write::Describe(expected.clone())], "who archived it, and when");
    let again = plan(&admin, &archive(&expected, true), &facts_for(&expected, false)).expect("again");
    assert!(again.writes.is_empty(), "archiving what is archived changes nothing");
    let back = plan(&admin, &archive(&expected, false), &facts_for(&expected, false)).expect("back");
    assert_eq!(back.writes, vec![Write::Describe(design.clone())]);

    let owner = member(Role::Owner);
    assert!(plan(&owner, &archive(&design, true), &facts_for(&design, false)).is_ok());
    for role in [Role::Member, Role::Guest] {
        let refused = plan(&member(role), &archive(&design, true), &facts_for(&design, true));
        assert_eq!(rejected_code(refused), "forbidden", "{role:?}");
    }
    // A private channel the admin is not in does not exist for them; a direct conversation stays.
    assert_eq!(
        rejected_code(plan(&admin, &archive(&secret, true), &facts_for(&secret, false))),
        "channel_not_found"
    );
    let direct = Channel { direct: true, private: true, ..channel(true) };
    assert_eq!(rejected_code(plan(&admin, &archive(&direct, true), &facts_for(&direct, true))), "forbidden");
}

#[test]
fn nothing_new_is_written_in_an_archived_channel() {
    let ana = author();
    let design = Channel { archived: true, ..channel(false) };
    let thread = existing_thread(&design);
    let facts = Facts { thread: Some(thread.clone()), ..facts_for(&design, true) };
    assert_eq!(
        rejected_code(plan(&ana, &new_thread(&design, "x"), &facts_for(&design, true))),
        "scope_archived"
    );
    assert_eq!(rejected_code(plan(&ana, &reply(&thread, "x"), &facts)), "scope_archived");
    assert_eq!(rejected_code(plan(&ana, &describe(&design, None, Some("x")), &facts)), "scope_archived");
    let target = stored(&design, &ana, false);
    let on_message = facts_with(&design, &target);
    let message_id = target.message.id;
    for op in [
        MutationOp::EditMessage { message_id, body: "y".into() },
        MutationOp::SetReaction { message_id, emoji: "👍".into(), present: false },
    ] {
        assert_eq!(rejected_code(plan(&ana, &mutation(op), &on_message)), "scope_archived");
    }
    let delete = mutation(MutationOp::DeleteMessage { message_id });
    assert!(plan(&ana, &delete, &on_message).is_ok(), "what should not be kept can still go");
}
