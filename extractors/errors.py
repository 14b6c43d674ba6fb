"""Errors extractors raise for input they cannot use (the CLI turns them into exit code 2)."""

from __future__ import annotations


class UnusableInput(ValueError):
    """The input claims a known format but cannot be read (malformed JSON, oversized body...).

    The message is one line, fit to show a user as is.
    """
