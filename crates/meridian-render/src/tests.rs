use super::*;
use meridian_domain::time_tokens::TimeToken;
use proptest::prelude::*;

fn berlin() -> Tz {
    "Europe/Berlin".parse().expect("zone")
}

fn html(body: &str) -> String {
    let names = |_: UserId| Some("Ana <b>Silva</b>".to_owned());
    to_html(body, &Reader { zone: berlin(), hour_cycle: HourCycle::TwentyFourHour, name_of: &names })
}

#[test]
fn markdown_becomes_markup() {
    let out = html("**bold** _em_ `code` ~~gone~~\n\n- one\n- two");
    for expected in
        ["<strong>bold</strong>", "<em>em</em>", "<code>code</code>", "<del>gone</del>", "<li>one</li>"]
    {
        assert!(out.contains(expected), "{expected} missing from {out}");
    }
}

#[test]
fn raw_html_is_shown_as_text() {
    let out = html("<script>alert(1)</script> and <img src=x onerror=alert(1)> <b>hi</b>");
    assert!(!out.contains("<script"), "{out}");
    assert!(!out.contains("<img"), "{out}");
    assert!(!out.contains("<b>"), "{out}");
    assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{out}");
}

#[test]
fn unsafe_links_lose_their_target() {
    for body in
        ["[click](javascript:alert(1))", "[x](data:text/html,<script>alert(1)</script>)", "[v](vbscript:x)"]
    {
        let out = html(body);
        assert!(!out.contains("href"), "{body} gave {out}");
    }
    let safe = html("[docs](https://example.com/a?b=1&c=2)");
    assert!(safe.contains(r#"href="https://example.com/a?b=1&amp;c=2""#), "{safe}");
    assert!(safe.contains(r#"rel="noopener noreferrer nofollow""#), "{safe}");
}

#[test]
fn images_become_links_so_nothing_loads_by_itself() {
    let out = html("![pixel](https://tracker.example/p.png)");
    assert!(!out.contains("<img"), "{out}");
    assert!(out.contains(r#"<a href="https://tracker.example/p.png""#), "{out}");
}

#[test]
fn bare_links_are_linked_without_trailing_punctuation() {
    let out = html("see https://example.com/path, then (http://x.org).");
    assert!(out.contains(r#"<a href="https://example.com/path""#), "{out}");
    assert!(out.contains(r#"<a href="http://x.org""#), "{out}");
    assert!(!out.contains("x.org)\""), "{out}");
}

#[test]
fn mentions_show_the_readers_name_escaped() {
    let user = UserId::new();
    let out = html(&format!("thanks <@{user}>!"));
    assert!(
        out.contains(&format!(
            r#"<span class="mention" data-user-id="{user}">@Ana &lt;b&gt;Silva&lt;/b&gt;</span>"#
        )),
        "{out}"
    );
}

#[test]
fn time_tokens_read_in_the_readers_zone_with_the_authors() {
    // 14:00 UTC is 15:00 in Berlin and 09:00 in New York.
    let token = TimeToken { at: 1_764_165_600_000, zone: "America/New_York".parse().expect("zone") };
    let out = html(&format!("standup {}", token.encode()));
    assert!(
        out.contains(r#"<time class="time-token" datetime="2025-11-26T14:00:00Z">Wed 26 Nov, 15:00 <span class="time-origin">09:00 New York</span></time>"#),
        "{out}"
    );
    // A reader whose clock has twelve hours reads both times on it.
    let names = |_: UserId| None;
    let reader = Reader { zone: berlin(), hour_cycle: HourCycle::TwelveHour, name_of: &names };
    let out = to_html(&format!("standup {}", token.encode()), &reader);
    assert!(
        out.contains(r#"Wed 26 Nov, 3:00 PM <span class="time-origin">9:00 AM New York</span>"#),
        "{out}"
    );
}

#[test]
fn code_keeps_tokens_literal() {
    let user = UserId::new();
    let out = html(&format!("```\n<@{user}> https://x.org\n```"));
    assert!(!out.contains("mention"), "{out}");
    assert!(!out.contains("<a"), "{out}");
    assert!(out.contains(&format!("&lt;@{user}&gt;")), "{out}");
}

#[test]
fn plain_text_has_words_names_and_local_times() {
    let user = UserId::new();
    let names = |_: UserId| Some("Ana".to_owned());
    let reader = Reader { zone: berlin(), hour_cycle: HourCycle::TwentyFourHour, name_of: &names };
    let text = to_plain_text(&format!("**Hi** <@{user}>, see `x`\n\nnext <b>line</b>"), &reader);
    assert_eq!(text, "Hi @Ana, see x\nnext <b>line</b>");
}

proptest! {
    #[test]
    fn nothing_active_survives(body in "(<|>|script|img|on[a-z]+=|javascript:|\\[x\\]\\(|\\)|\"|'|/| |[a-z]{1,4}|!|&|#|`|\n){0,40}") {
        let out = html(&body).to_ascii_lowercase();
        prop_assert!(!out.contains("<script"), "{}", out);
        prop_assert!(!out.contains("<img"), "{}", out);
        prop_assert!(!out.contains("href=\"javascript"), "{}", out);
        // Every tag left is one the allowlist names, with no event-handler attribute.
        for tag in out.split('<').skip(1) {
            let name: String = tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            prop_assert!(["a", "p", "em", "strong", "code", "pre", "del", "span", "time", "br", "hr", "ul", "ol", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"].contains(&name.as_str()), "tag {} in {}", name, out);
            // Attribute names only: quoted values (which the sanitizer always writes) are text.
            let inside = tag.split('>').next().unwrap_or("");
            let names: String = inside.split('"').step_by(2).collect();
            prop_assert!(!names.contains(" on"), "handler in {}", out);
        }
    }
}

#[test]
fn one_line_names_mentions_and_stays_short() {
    let priya = UserId::new();
    let names = |user: UserId| (user == priya).then(|| "Priya".to_owned());
    let reader = Reader { zone: berlin(), hour_cycle: HourCycle::TwentyFourHour, name_of: &names };
    let body = format!(
        "{} can you **check**\n\nthe numbers? {}",
        meridian_domain::mentions::mention_token(priya),
        "word ".repeat(60)
    );
    let line = one_line(&body, &reader, 180);
    assert!(line.starts_with("@Priya can you check the numbers? word"), "{line}");
    assert!(!line.contains('\n') && !line.contains("<@"), "{line}");
    assert_eq!(line.chars().count(), 180);
    assert!(line.ends_with('…'));
}
