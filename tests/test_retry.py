"""Retry-After parsing and backoff: what the retry middleware waits before trying again."""

from datetime import UTC, datetime

from crawler.retry import backoff_seconds, retry_after_seconds

NOW = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)


def test_retry_after_in_seconds_and_as_http_date() -> None:
    assert retry_after_seconds(b"120") == 120.0
    assert retry_after_seconds("Mon, 23 Nov 2026 12:00:30 GMT", now=NOW) == 30.0
    assert retry_after_seconds("Mon, 23 Nov 2026 11:00:00 GMT", now=NOW) == 0.0  # in the past


def test_unusable_retry_after_is_ignored() -> None:
    for value in (None, b"", "soon", "-5", "Mon, 99 Foo"):
        assert retry_after_seconds(value, now=NOW) is None


def test_backoff_doubles_within_jitter_and_is_capped() -> None:
    for attempt, full in ((1, 1.0), (2, 2.0), (3, 4.0), (10, 60.0)):
        samples = [backoff_seconds(attempt, 1.0, 60.0) for _ in range(50)]
        assert all(full * 0.5 <= s <= full for s in samples)
    assert backoff_seconds(3, 0.0, 60.0) == 0.0
