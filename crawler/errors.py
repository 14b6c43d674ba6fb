"""Exit codes and the one error every command raises for bad usage or bad input."""

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad usage or bad input: reported as one line on stderr, exit 2, nothing written."""
