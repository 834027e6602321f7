//! The demo team's people, channels and conversation, as data.

use meridian_domain::Role;

pub(super) struct Person {
    pub name: &'static str,
    pub email: &'static str,
    pub zone: &'static str,
    pub role: Role,
}

pub(super) const PEOPLE: [Person; 7] = [
    Person {
        name: "Maya Chen",
        email: "maya@demo.meridian.invalid",
        zone: "America/Los_Angeles",
        role: Role::Admin,
    },
    Person {
        name: "Lucas Oliveira",
        email: "lucas@demo.meridian.invalid",
        zone: "America/Sao_Paulo",
        role: Role::Member,
    },
    Person {
        name: "Jonas Weber",
        email: "jonas@demo.meridian.invalid",
        zone: "Europe/Berlin",
        role: Role::Member,
    },
    Person {
        name: "Amara Okafor",
        email: "amara@demo.meridian.invalid",
        zone: "Africa/Lagos",
        role: Role::Member,
    },
    Person {
        name: "Priya Raman",
        email: "priya@demo.meridian.invalid",
        zone: "Asia/Kolkata",
        role: Role::Member,
    },
    Person {
        name: "Kenji Watanabe",
        email: "kenji@demo.meridian.invalid",
        zone: "Asia/Tokyo",
        role: Role::Member,
    },
    Person {
        name: "Chloe Martin",
        email: "chloe@demo.meridian.invalid",
        zone: "Australia/Sydney",
        role: Role::Member,
    },
];

/// Who writes a post: one of [`PEOPLE`] or the real owner the demo is seeded for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Who {
    Person(usize),
    Owner,
}

const MAYA: Who = Who::Person(0);
const LUCAS: Who = Who::Person(1);
const JONAS: Who = Who::Person(2);
const AMARA: Who = Who::Person(3);
const PRIYA: Who = Who::Person(4);
const KENJI: Who = Who::Person(5);
const CHLOE: Who = Who::Person(6);
const OWNER: Who = Who::Owner;

pub(super) struct Room {
    pub name: &'static str,
    pub topic: &'static str,
    /// Private rooms list their members (the owner joins every one); public rooms are open.
    pub members: Option<&'static [usize]>,
}

pub(super) const ROOMS: [Room; 5] = [
    Room { name: "general", topic: "Announcements and questions for the whole team", members: None },
    Room { name: "design", topic: "Design reviews, critique and the component library", members: None },
    Room { name: "engineering", topic: "Builds, releases, incidents and architecture", members: None },
    Room { name: "random", topic: "Desks, pets, music and everything else", members: None },
    Room {
        name: "launch-leads",
        topic: "Go/no-go for the 2.0 launch (leads only)",
        members: Some(&[0, 2, 3]),
    },
];

pub(super) enum What {
    /// Starts the thread known in the script as `key`.
    Start {
        room: &'static str,
        key: &'static str,
        title: &'static str,
        body: &'static str,
    },
    Reply {
        key: &'static str,
        body: &'static str,
    },
    /// Follows the thread by hand, without writing in it.
    Follow {
        key: &'static str,
    },
}

pub(super) struct Post {
    pub minutes_ago: i64,
    pub who: Who,
    pub what: What,
}

const fn start(
    minutes_ago: i64,
    who: Who,
    room: &'static str,
    key: &'static str,
    title: &'static str,
    body: &'static str,
) -> Post {
    Post { minutes_ago, who, what: What::Start { room, key, title, body } }
}

const fn reply(minutes_ago: i64, who: Who, key: &'static str, body: &'static str) -> Post {
    Post { minutes_ago, who, what: What::Reply { key, body } }
}

const fn follow(minutes_ago: i64, who: Who, key: &'static str) -> Post {
    Post { minutes_ago, who, what: What::Follow { key } }
}

/// The conversation, oldest first, over the last two days.
pub(super) const POSTS: &[Post] = &[
    start(
        2820,
        MAYA,
        "general",
        "launch",
        "Meridian 2.0 launch: Tuesday 16:00 UTC",
        "We're set for **Tuesday 16:00 UTC**. Please reply here with blockers by Monday end of day, your time.",
    ),
    reply(
        2790,
        CHLOE,
        "launch",
        "Help-center articles and the release notes draft are ready for review. Launch is the middle of the night in Sydney, so I've scheduled the newsletter and will pick up support tickets when I wake up.",
    ),
    reply(
        2640,
        OWNER,
        "launch",
        "Thanks all. I'll join the go/no-go call the hour before. Shout here if anything slips.",
    ),
    reply(
        2460,
        PRIYA,
        "launch",
        "Regression pass on 2.0-rc3 is done: 212 passed, 3 known issues, none blocking. It's 21:30 in Kolkata at launch; I'll stay on for the first hour.",
    ),
    start(
        2400,
        LUCAS,
        "design",
        "onboarding",
        "Design review: onboarding v3",
        "Main change: we ask for your time zone and working hours on the first screen, before the workspace tour. I'm after feedback on the hours picker especially.",
    ),
    reply(
        2400,
        KENJI,
        "launch",
        "16:00 UTC is 01:00 in Tokyo. I'll hand over to Jonas before I sleep and watch the dashboards first thing in the morning.",
    ),
    reply(
        2340,
        MAYA,
        "onboarding",
        "Love that working hours come first: everything else in the app depends on them. Can we pre-fill the zone from the OS so most people just confirm?",
    ),
    reply(
        2280,
        AMARA,
        "launch",
        "I'm primary on-call for launch day, Jonas is secondary. The runbook is linked in #engineering.",
    ),
    reply(
        2200,
        PRIYA,
        "onboarding",
        "The grey hint text under the picker fails contrast (3.1:1). Could we darken it to reach 4.5:1?",
    ),
    reply(
        2050,
        LUCAS,
        "onboarding",
        "Both done in v3.1: the zone is pre-filled with a \"Not right?\" link, and the hint text is now 4.9:1.",
    ),
    reply(
        1980,
        KENJI,
        "onboarding",
        "Small thing: for Asia/Kolkata the preview shifted working hours by a whole hour instead of 30 minutes. Looks like the offset gets rounded.",
    ),
    reply(
        1900,
        LUCAS,
        "onboarding",
        "Good catch: that was the prototype, not the spec. Fixed, and I added Kathmandu (+5:45) to the test list.",
    ),
    start(
        1800,
        AMARA,
        "engineering",
        "incident",
        "Incident: sync delays for EU customers (resolved)",
        "From 06:10 to 06:52 UTC, pulls took up to 40 s for teams on the eu-1 cluster. No data was lost; clients caught up on their own once it recovered.",
    ),
    reply(
        1770,
        JONAS,
        "incident",
        "Root cause: the 05:58 deploy halved the database pool by accident (a config default changed upstream). Pulls queued behind pushes. Rolled back at 06:48.",
    ),
    reply(
        1740,
        KENJI,
        "incident",
        "Client side looked healthy: no duplicate messages in the logs, the outboxes just drained late.",
    ),
    reply(
        1620,
        AMARA,
        "incident",
        "Postmortem draft is up. Action items: alert on pool saturation, and a config diff check in the deploy pipeline. Owners assigned.",
    ),
    start(
        1560,
        MAYA,
        "launch-leads",
        "gonogo",
        "Go/no-go criteria for Tuesday",
        "No open P1s, error rate under 0.5% on rc4 for 24 hours, rollback tested. We decide on the call at 15:00 UTC.",
    ),
    reply(
        1500,
        MAYA,
        "incident",
        "Thanks for the fast and calm handling. Let's mention it in the launch notes as a reliability fix rather than hide it.",
    ),
    reply(
        1440,
        JONAS,
        "gonogo",
        "rc4 error rate is 0.2% over the last 18 hours. Rollback tested on staging this morning.",
    ),
    start(
        1320,
        OWNER,
        "general",
        "intros",
        "Quick intros: where are you, and when can we reach you?",
        "Welcome to Meridian, everyone! One line each: your city, and the hours you're happy to be pinged.",
    ),
    reply(1320, AMARA, "gonogo", "No open P1s. One P2 (slow avatar uploads) that we're fine shipping with."),
    reply(
        1260,
        KENJI,
        "intros",
        "Tokyo. Best before 18:00 my time; I read everything else the next morning.",
    ),
    start(
        1200,
        JONAS,
        "engineering",
        "checklist",
        "Release checklist for 2.0",
        "Freeze Monday 12:00 UTC, rc4 builds, a migration dry-run on a staging copy, rollback plan reviewed. Anything missing?",
    ),
    reply(
        1140,
        PRIYA,
        "checklist",
        "Add a smoke test of the desktop installers on a clean machine: last time we missed a font on Linux.",
    ),
    reply(
        1100,
        AMARA,
        "intros",
        "Lagos, UTC+1 all year round. Mornings are focus time, afternoons are good for calls.",
    ),
    reply(
        1080,
        AMARA,
        "checklist",
        "Add a status page message drafted in advance, and on-call handover notes.",
    ),
    reply(
        1010,
        JONAS,
        "checklist",
        "Added both. The migration dry-run took 4 minutes on the staging copy, well inside the window.",
    ),
    // Chloe runs support: she follows the release without a word, ready to take it over.
    follow(1000, CHLOE, "checklist"),
    reply(900, LUCAS, "intros", "São Paulo. My mornings overlap with Europe and my afternoons with LA."),
    start(
        720,
        CHLOE,
        "random",
        "desks",
        "Show us your desk",
        "Mine has a view of the harbour and a very judgmental cat. Yours?",
    ),
    reply(
        690,
        LUCAS,
        "desks",
        "Mostly plants and a drawing tablet. It's 30°C in São Paulo this week, so the fan is the real MVP.",
    ),
    reply(
        600,
        CHLOE,
        "intros",
        "Sydney. I'm ahead of everyone, so I often answer overnight questions before you wake up.",
    ),
    reply(540, KENJI, "desks", "Standing desk, two monitors, and a kettle within reach at all times."),
    reply(
        480,
        AMARA,
        "desks",
        "A UPS under the desk, a backup internet line, and my daughter's drawing of our \"robot app\".",
    ),
    reply(420, JONAS, "intros", "Berlin. Anytime between 9 and 17, and I skim threads once in the evening."),
    start(
        360,
        PRIYA,
        "design",
        "zones",
        "Time zone picker: offsets or city names?",
        "Should the picker show UTC offsets (UTC+05:30) or cities (Kolkata)? Offsets change with daylight saving; cities don't.",
    ),
    reply(
        330,
        LUCAS,
        "zones",
        "Cities, with the current offset in grey: \"Kolkata · UTC+05:30\". People recognise cities, and the offset helps when scheduling.",
    ),
    reply(
        300,
        MAYA,
        "zones",
        "Agreed. Search should match countries too: typing \"Brazil\" should find São Paulo.",
    ),
    reply(
        150,
        CHLOE,
        "zones",
        "From support: most tickets about wrong meeting times come from people who picked an offset instead of a city. +1 for cities.",
    ),
];
