// Presentation of instants: the reader's zone for display, the author's zone on hover.
// Everything goes through Intl so DST and zone rules come from the platform's tzdata.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The zone this device runs in, per the OS. */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

// Building a formatter costs far more than formatting with one (in WebKit, milliseconds per
// zone), and a scrolling thread formats a few times per message shown: build each kind once.
const formatters = new Map<string, Intl.DateTimeFormat>();
const knownZones = new Map<string, boolean>();

function formatter(locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale ?? ""}|${JSON.stringify(options)}`;
  let built = formatters.get(key);
  if (!built) {
    built = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, built);
  }
  return built;
}

/** `zone` when the platform knows it, otherwise the system zone. */
export function usableZone(zone: string | undefined): string {
  if (!zone) return systemTimeZone();
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      formatter(undefined, { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    knownZones.set(zone, known);
  }
  return known ? zone : systemTimeZone();
}

/** Every IANA zone the platform knows, with `current` guaranteed to be present. */
export function knownTimeZones(current: string): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf("timeZone");
  } catch {
    zones = [];
  }
  return zones.includes(current) ? zones : [current, ...zones];
}

/** "23:40" (or "11:40 PM" where the locale prefers it) in `zone`. */
export function clockTime(at: number, zone: string): string {
  return clockFormat(zone).format(at);
}

function clockFormat(zone: string): Intl.DateTimeFormat {
  return formatter(undefined, { hour: "numeric", minute: "2-digit", timeZone: usableZone(zone) });
}

/** The place a zone is named after ("America/Sao_Paulo" → "Sao Paulo"), which names it on one
 * short line. */
export function zonePlace(zone: string): string {
  return (usableZone(zone).split("/").pop() ?? zone).replaceAll("_", " ");
}

/** `clockTime` without its "AM"/"PM" (wherever the locale puts it, in whatever script), for the
 * narrow column beside a run of messages by one person, where the ones around it give the part of
 * the day. */
export function clockTimeWithoutDayPeriod(at: number, zone: string): string {
  return clockFormat(zone)
    .formatToParts(at)
    .filter((part) => part.type !== "dayPeriod")
    .map((part) => part.value)
    .join("")
    .trim();
}

/** Whether this locale writes times on a twelve-hour clock ("3:00 PM"). */
export function usesTwelveHourClock(): boolean {
  const options = new Intl.DateTimeFormat(undefined, { hour: "numeric" }).resolvedOptions();
  return options.hourCycle ? options.hourCycle === "h11" || options.hourCycle === "h12" : !!options.hour12;
}

/** A calendar-day key in `zone`, for grouping messages by day. */
export function dayKey(at: number, zone: string): string {
  return formatter("en-CA", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    timeZone: usableZone(zone),
  }).format(at);
}

/** "Today", "Yesterday", or "Tuesday, 4 March" (with the year when it is not this year). */
export function dayLabel(at: number, zone: string, now: number): string {
  const key = dayKey(at, zone);
  if (key === dayKey(now, zone)) return "Today";
  if (key === dayKey(now - DAY, zone)) return "Yesterday";
  const sameYear = key.slice(0, 4) === dayKey(now, zone).slice(0, 4);
  return formatter(undefined, {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: sameYear ? undefined : "numeric",
    timeZone: usableZone(zone),
  }).format(at);
}

/** A full date and time in `zone`, for tooltips and `<time>` labels. */
export function fullDateTime(at: number, zone: string): string {
  return formatter(undefined, {
    dateStyle: "full",
    timeStyle: "short",
    timeZone: usableZone(zone),
  }).format(at);
}

/** "Sent 23:40 their time (Asia/Tokyo)" — what the author's clock said. */
export function authorTimeTitle(at: number, authorZone: string, isMe: boolean): string {
  const zone = usableZone(authorZone);
  const whose = isMe ? "your" : "their";
  return `Sent ${clockTime(at, zone)} ${whose} time (${authorZone || zone})`;
}

/** Short relative time for lists: "now", "5m", "3h", "Yesterday", "Mon", "4 Mar", "4 Mar 2024". */
export function relativeTime(at: number, now: number, zone: string): string {
  const ago = now - at;
  if (ago < MINUTE) return "now";
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)}m`;
  if (dayKey(at, zone) === dayKey(now, zone)) return `${Math.floor(ago / HOUR)}h`;
  if (dayKey(at, zone) === dayKey(now - DAY, zone)) return "Yesterday";
  const tz = usableZone(zone);
  if (ago < 6 * DAY) {
    return formatter(undefined, { weekday: "short", timeZone: tz }).format(at);
  }
  const sameYear = dayKey(at, zone).slice(0, 4) === dayKey(now, zone).slice(0, 4);
  return formatter(undefined, {
    day: "numeric",
    month: "short",
    year: sameYear ? undefined : "numeric",
    timeZone: tz,
  }).format(at);
}

/** A reactive-friendly clock: calls `tick` on each minute boundary; returns a stop function. */
export function everyMinute(tick: (now: number) => void): () => void {
  let timer: ReturnType<typeof setTimeout>;
  const schedule = () => {
    timer = setTimeout(() => {
      tick(Date.now());
      schedule();
    }, MINUTE - (Date.now() % MINUTE) + 50);
  };
  schedule();
  return () => clearTimeout(timer);
}

/** `at` as a `datetime-local` input value ("2026-12-03T09:00") on `zone`'s wall clock. */
export function wallClockValue(at: number, zone: string): string {
  const parts = formatter("en-CA", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: usableZone(zone),
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "00";
  return `${part("year")}-${part("month")}-${part("day")}T${part("hour")}:${part("minute")}`;
}

/**
 * The instant a `datetime-local` value names on `zone`'s wall clock (not the system's), or null
 * when it does not parse. A wall time skipped by a daylight-saving jump lands just after it.
 */
export function instantOnWallClock(value: string, zone: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  const wanted = Date.UTC(year, month - 1, day, hour, minute);
  // Guess with the zone's offset at the wall time read as UTC, then correct once with the offset
  // at the guess, which differs only near a daylight-saving change.
  const offsetAt = (at: number) => Date.parse(`${wallClockValue(at, zone)}:00Z`) - at;
  const guess = wanted - offsetAt(wanted);
  return wanted - offsetAt(guess);
}
