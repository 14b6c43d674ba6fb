"""A local web viewer over the archive: search records, see each field's provenance, and
the archived pages as captured, in a sandbox that cannot reach the live web."""

from archive.viewer.server import ViewerServer, serve

__all__ = ["ViewerServer", "serve"]
