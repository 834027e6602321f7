//! `search`: offline full-text search over a large local store, newest matches first.
//!
//! A real `LocalStore` file is filled through `apply_pull` (the path synced messages take, so
//! the FTS index is maintained by the same triggers), then queries of several kinds run against
//! it, warm, one at a time, as the desktop's search-as-you-type does.

use crate::args::SearchOptions;
use crate::report::BenchResult;
use crate::stats::Latency;
use meridian_domain::{
    Channel, ChannelId, Message, MessageId, Role, ScopeId, Team, TeamId, Thread, ThreadId, User, UserId,
};
use meridian_protocol::{Change, Entity, PullResponse, ScopeChanges};
use meridian_store::LocalStore;
use meridian_store::search::{SearchFilter, match_expression, parse_query};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Messages per pull applied while filling the store.
const FILL_BATCH: usize = 5_000;
/// Distinct words in the generated text; word `n` is drawn with weight about 1/(n+1) (Zipf-like,
/// as natural language is), so the first words are very common and the last ones rare.
const VOCABULARY: usize = 20_000;
/// Makes one query of a kind from the random source.
type QueryMaker<'a> = Box<dyn Fn(&mut StdRng) -> SearchFilter + 'a>;

/// Results a search asks for, as the desktop does.
const LIMIT: u32 = 40;

pub async fn run(options: &SearchOptions) -> anyhow::Result<BenchResult> {
    let dir = tempfile::tempdir()?;
    let store = LocalStore::open(&dir.path().join("device.db")).await?;
    let words = vocabulary();
    let filling = Instant::now();
    let (people, channel) = fill(&store, options.messages, &words).await?;
    let fill_seconds = filling.elapsed().as_secs_f64();
    eprintln!("stored {} messages in {fill_seconds:.1} s", options.messages);
    let optimizing = Instant::now();
    store.optimize_search().await?;
    let optimize_seconds = optimizing.elapsed().as_secs_f64();
    eprintln!("merged the index in {optimize_seconds:.1} s");
    let store_bytes = files_size(dir.path())?;

    let mut rng = StdRng::seed_from_u64(7);
    let kinds: Vec<(&str, QueryMaker)> = vec![
        ("common word", Box::new(|rng: &mut StdRng| text_filter(&words[rng.random_range(0..20)]))),
        (
            "rare word",
            Box::new(|rng: &mut StdRng| {
                text_filter(&words[rng.random_range(VOCABULARY - 2_000..VOCABULARY)])
            }),
        ),
        (
            "as-you-type prefix",
            Box::new(|rng: &mut StdRng| {
                let word = &words[rng.random_range(0..2_000)];
                text_filter(&word[..3.min(word.len())])
            }),
        ),
        (
            "two words",
            Box::new(|rng: &mut StdRng| {
                text_filter(&format!(
                    "{} {}",
                    words[rng.random_range(0..200)],
                    words[rng.random_range(0..2_000)]
                ))
            }),
        ),
        (
            "word from:author in:channel",
            Box::new(|rng: &mut StdRng| SearchFilter {
                author: Some(people[rng.random_range(0..people.len())]),
                channel: Some(channel),
                ..text_filter(&words[rng.random_range(0..500)])
            }),
        ),
    ];
    let mut rows = Vec::new();
    for (kind, make) in &kinds {
        // Warm the page cache the way a running app has it.
        for _ in 0..20 {
            store.search_messages(&make(&mut rng)).await?;
        }
        let mut samples: Vec<Duration> = Vec::with_capacity(options.queries);
        let mut hits = 0usize;
        for _ in 0..options.queries {
            let filter = make(&mut rng);
            let started = Instant::now();
            let found = store.search_messages(&filter).await?;
            samples.push(started.elapsed());
            hits += found.len();
        }
        let latency = Latency::of(&mut samples);
        eprintln!("{kind}: p50 {:.2} ms, p99 {:.2} ms", latency.p50_ms, latency.p99_ms);
        rows.push(vec![
            ("query", json!(kind)),
            ("messages", json!(options.messages)),
            ("queries", json!(latency.samples)),
            ("mean_hits", json!(hits as f64 / options.queries as f64)),
            ("p50_ms", json!(latency.p50_ms)),
            ("p99_ms", json!(latency.p99_ms)),
            ("max_ms", json!(latency.max_ms)),
        ]);
    }
    Ok(BenchResult {
        scenario: "search",
        rows,
        notes: vec![
            format!("LocalStore file (WAL), FTS5 external-content index kept by triggers; {LIMIT} newest hits per query."),
            format!("Filled through apply_pull in {fill_seconds:.1} s; {VOCABULARY} Zipf-weighted words, 6–24 per message."),
            format!("Index segments merged (LocalStore::optimize_search) in {optimize_seconds:.1} s before querying."),
            format!(
                "The store's files (messages, word and prefix indexes, WAL) take {:.0} MiB.",
                store_bytes as f64 / (1024.0 * 1024.0)
            ),
            "Each query is timed alone, warm, through LocalStore::search_messages (sqlx pool, one connection busy).".into(),
        ],
    })
}

/// The bytes of every file in `dir`.
fn files_size(dir: &std::path::Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        total += entry?.metadata()?.len();
    }
    Ok(total)
}

fn text_filter(text: &str) -> SearchFilter {
    SearchFilter {
        expression: match_expression(&parse_query(text).words),
        limit: LIMIT,
        ..SearchFilter::default()
    }
}

/// Pronounceable distinct words: consonant-vowel syllables, shortest first.
pub(crate) fn vocabulary() -> Vec<String> {
    const CONSONANTS: &[u8] = b"bdfgklmnprstvz";
    const VOWELS: &[u8] = b"aeiou";
    let syllable = |n: usize| {
        let c = CONSONANTS[n % CONSONANTS.len()] as char;
        let v = VOWELS[(n / CONSONANTS.len()) % VOWELS.len()] as char;
        format!("{c}{v}")
    };
    let per = CONSONANTS.len() * VOWELS.len();
    (0..VOCABULARY)
        .map(|n| {
            let mut word = syllable(n % per);
            let mut rest = n / per;
            word.push_str(&syllable(rest % per));
            rest /= per;
            if rest > 0 || n >= per * per {
                word.push_str(&syllable(rest % per));
            }
            word
        })
        .collect()
}

/// Fills `store` with `count` messages by a handful of people in threads of 50; returns the
/// people and the channel.
pub(crate) async fn fill(
    store: &LocalStore,
    count: usize,
    words: &[String],
) -> anyhow::Result<(Vec<UserId>, ChannelId)> {
    let team = Team { id: TeamId::new(), name: "Bench".into() };
    let people: Vec<User> = (0..8)
        .map(|n| User {
            id: UserId::new(),
            display_name: format!("Person {n}"),
            time_zone: "UTC".into(),
            role: Role::Member,
            working_hours: None,
            time_off: Default::default(),
        })
        .collect();
    let channel = Channel {
        id: ChannelId::new(),
        team_id: team.id,
        name: "bench".into(),
        topic: String::new(),
        private: false,
        direct: false,
        archived: false,
        archival: None,
    };
    let mut directory = vec![Entity::Team(team.clone()), Entity::Channel(channel.clone())];
    directory.extend(people.iter().cloned().map(Entity::User));
    store.apply_pull(&pull(ScopeId::Team(team.id), 1, directory), people[0].id).await?;

    let weights: Vec<f64> = (0..words.len()).map(|n| 1.0 / (n as f64 + 1.0)).collect();
    let total: f64 = weights.iter().sum();
    let cumulative: Vec<f64> = weights
        .iter()
        .scan(0.0, |sum, weight| {
            *sum += weight / total;
            Some(*sum)
        })
        .collect();
    let mut rng = StdRng::seed_from_u64(42);
    let draw = |rng: &mut StdRng| {
        let x: f64 = rng.random();
        &words[cumulative.partition_point(|&c| c < x).min(words.len() - 1)]
    };
    let mut seq = 1u64;
    let mut thread = None;
    let mut written = 0usize;
    while written < count {
        let mut batch = Vec::with_capacity(FILL_BATCH + FILL_BATCH / 50);
        while batch.len() < FILL_BATCH && written < count {
            if written.is_multiple_of(50) {
                let created = Thread {
                    id: ThreadId::new(),
                    channel_id: channel.id,
                    title: format!("{} {}", draw(&mut rng), draw(&mut rng)),
                    author_id: people[written % people.len()].id,
                    created_at: written as i64,
                };
                thread = Some(created.id);
                batch.push(Entity::Thread(created));
            }
            let length = rng.random_range(6..=24);
            let body: Vec<&str> = (0..length).map(|_| draw(&mut rng).as_str()).collect();
            batch.push(Entity::Message(Message {
                id: MessageId::new(),
                thread_id: thread.expect("a thread was started"),
                channel_id: channel.id,
                author_id: people[rng.random_range(0..people.len())].id,
                body: body.join(" "),
                created_at: written as i64,
                attachments: Vec::new(),
                urgent: false,
            }));
            written += 1;
        }
        let size = batch.len() as u64;
        store.apply_pull(&pull(ScopeId::Channel(channel.id), seq, batch), people[0].id).await?;
        seq += size;
    }
    Ok((people.iter().map(|person| person.id).collect(), channel.id))
}

fn pull(scope: ScopeId, from: u64, entities: Vec<Entity>) -> PullResponse {
    let changes: Vec<Change> = entities
        .into_iter()
        .enumerate()
        .map(|(offset, entity)| Change { seq: from + offset as u64, server_ts: 0, entity })
        .collect();
    let to = from + changes.len() as u64 - 1;
    PullResponse {
        last_mutation_seq: 0,
        scopes: BTreeMap::from([(scope, ScopeChanges { from, to, more: false, changes })]),
        ..PullResponse::default()
    }
}
