//! One `Range: bytes=...` span, the only form a file reader needs to resume or seek.

/// Bytes `start..end` of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    pub end: u64,
}

/// A header this server does not interpret (several spans, other units, garbage); the answer is
/// then the whole file, as HTTP allows.
#[derive(Debug, PartialEq, Eq)]
pub struct Unparsed;

impl ByteRange {
    pub fn whole(size: u64) -> Self {
        Self { start: 0, end: size }
    }

    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }

    /// The `Content-Range` value of a partial answer.
    pub fn content_range(&self, size: u64) -> String {
        format!("bytes {}-{}/{size}", self.start, self.end - 1)
    }
}

/// `bytes=a-b`, `bytes=a-` or `bytes=-n` against a file of `size` bytes: `Ok(None)` when no byte
/// of the file is in the span (416).
pub fn parse(header: &str, size: u64) -> Result<Option<ByteRange>, Unparsed> {
    let spec = header.trim().strip_prefix("bytes=").ok_or(Unparsed)?;
    let (first, last) = spec.trim().split_once('-').ok_or(Unparsed)?;
    let number = |text: &str| text.trim().parse::<u64>().map_err(|_| Unparsed);
    let span = match (first.trim().is_empty(), last.trim().is_empty()) {
        (true, true) => return Err(Unparsed),
        (true, false) => {
            let suffix = number(last)?;
            ByteRange { start: size.saturating_sub(suffix), end: size }
        }
        (false, open_end) => {
            let start = number(first)?;
            let end = if open_end { size } else { number(last)?.saturating_add(1).min(size) };
            if !open_end && end <= start && start < size {
                return Err(Unparsed);
            }
            ByteRange { start, end }
        }
    };
    Ok((span.start < size && !span.is_empty()).then_some(span))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_single_span_forms() {
        assert_eq!(parse("bytes=0-99", 1000), Ok(Some(ByteRange { start: 0, end: 100 })));
        assert_eq!(parse("bytes=900-", 1000), Ok(Some(ByteRange { start: 900, end: 1000 })));
        assert_eq!(parse("bytes=-10", 1000), Ok(Some(ByteRange { start: 990, end: 1000 })));
        assert_eq!(parse("bytes=990-5000", 1000), Ok(Some(ByteRange { start: 990, end: 1000 })));
    }

    #[test]
    fn spans_past_the_end_are_unsatisfiable() {
        assert_eq!(parse("bytes=1000-", 1000), Ok(None));
        assert_eq!(parse("bytes=0-0", 0), Ok(None));
        assert_eq!(parse("bytes=-0", 10), Ok(None));
    }

    #[test]
    fn other_forms_are_ignored() {
        assert_eq!(parse("bytes=5-2", 10), Err(Unparsed));
        assert_eq!(parse("bytes=0-1,5-6", 10), Err(Unparsed));
        assert_eq!(parse("items=0-1", 10), Err(Unparsed));
        assert_eq!(parse("bytes=-", 10), Err(Unparsed));
        assert_eq!(parse("bytes=x-1", 10), Err(Unparsed));
    }
}
