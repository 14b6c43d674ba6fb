"""Bytes -> text for pages whose charset label is right, wrong or missing.

Order: byte-order mark, then the declared charsets (HTTP header, then <meta charset> / XML
declaration) each checked against the bytes, then detection (charset-normalizer). w3lib
reads the declarations and maps labels the way browsers do (gb2312 -> gb18030, latin-1 ->
cp1252); the checks are ours because w3lib trusts a declaration even when the bytes
contradict it (a UTF-8 page served as ISO-8859-1 would come out as mojibake).
"""

from __future__ import annotations

import codecs
import re

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
    to_unicode,
)

from extractors.errors import UnusableInput

# Labels under which a page's bytes never fail to decode, so a "success" proves nothing.
_SINGLE_BYTE = frozenset(
    {"cp1252", "latin_1", "iso8859_1", "iso8859_15", "ascii", "cp1250", "cp1251", "cp1253",
     "cp1254", "cp1257", "cp850", "cp437", "mac_roman", "iso8859_2", "iso8859_5", "koi8_r"}
)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"), (b"PK\x03\x04", "ZIP/Office"), (b"\x1f\x8b", "gzip"),
    (b"\x89PNG", "PNG"), (b"GIF8", "GIF"), (b"\xff\xd8\xff", "JPEG"), (b"BZh", "bzip2"),
    (b"\xfd7zXZ", "xz"), (b"7z\xbc\xaf", "7z"), (b"RIFF", "RIFF media"), (b"\x00\x00\x01\x00", "icon"),
    (b"\xd0\xcf\x11\xe0", "OLE/Office"), (b"wOFF", "font"), (b"\x7fELF", "executable"),
)
DETECT_BYTES = 200_000  # charset detection reads this much at most
# U+0080-U+009F never occur in text: they are windows-1252 bytes read as ISO-8859-1 (a file
# labelled Latin-1 but written in cp1252: "Azote\x92y" for "Azote’y"). Undefined ones go.
C1_AS_CP1252: dict[int, str | None] = {
    c: bytes([c]).decode("cp1252", errors="ignore") or None for c in range(0x80, 0xA0)}
_C1 = re.compile("[\x80-\x9f]")


def repair_c1(text: str) -> str:
    """`text` with C1 control characters read as the cp1252 characters they stand for."""
    return text.translate(C1_AS_CP1252) if _C1.search(text) else text


def binary_kind(body: bytes) -> str | None:
    """What binary format `body` is ("PDF", "gzip"...), or None for text."""
    for magic, kind in _MAGIC:
        if body.startswith(magic):
            return kind
    if read_bom(body)[0]:
        return None
    head = body[:8192]
    if b"\x00" in head:
        return "NUL bytes"
    return None


def _codec(label: str | None) -> str | None:
    """Python's canonical codec name for a charset label, or None when unknown."""
    if not label:
        return None
    resolved = resolve_encoding(label)
    if not resolved:
        return None
    try:
        return codecs.lookup(resolved).name.replace("-", "_")
    except LookupError:
        return None


def _decodes(body: bytes, codec: str) -> bool:
    """True if the bytes are valid in `codec`, allowing a sequence cut off at the very end."""
    try:
        codecs.getincrementaldecoder(codec)().decode(body, final=False)
    except UnicodeDecodeError:
        return False
    return True


def choose_encoding(body: bytes, content_type: str | None = None) -> str:
    """The codec name to decode `body` with (see module docstring for the order)."""
    bom_codec, _ = read_bom(body)
    if bom_codec:
        return _codec(bom_codec) or "utf_8"
    declared = [
        _codec(http_content_type_encoding(content_type or "")),
        _codec(html_body_declared_encoding(body)),
    ]
    is_ascii = body.isascii()
    is_utf8 = is_ascii or _decodes(body, "utf_8")
    for codec in filter(None, declared):
        if codec == "utf_8":
            if is_utf8:
                return codec
        elif codec in _SINGLE_BYTE:
            # Non-ASCII bytes that happen to form valid UTF-8 are, in practice, UTF-8.
            return "utf_8" if is_utf8 and not is_ascii else codec
        elif codec.startswith("utf_16") or codec.startswith("utf_32"):
            if _decodes(body, codec):
                return codec
        elif _decodes(body, codec):
            return codec
    if is_utf8:
        return "utf_8"
    detected = _detect(body[:DETECT_BYTES])
    if detected and detected not in _SINGLE_BYTE and _decodes(body, detected):
        return detected
    # Short Latin samples are guessed poorly (cp1250 for French); browsers default to cp1252.
    return "cp1252"


def _detect(sample: bytes) -> str | None:
    """charset-normalizer's best guess; imported late since only unlabelled pages need it."""
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return _codec(best.encoding) if best else None


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, codec) for a text body. Raises UnusableInput for empty or binary bodies."""
    if not body or body.isspace():
        raise UnusableInput("empty body")
    kind = binary_kind(body)
    if kind:
        raise UnusableInput(f"binary input ({kind}), not a page or record")
    codec = choose_encoding(body, content_type)
    bom_codec, bom = read_bom(body)
    text = to_unicode(body[len(bom):] if bom_codec and bom else body, codec)
    if _mostly_garbage(text):
        raise UnusableInput(f"undecodable input: not text in {codec} or any detected charset")
    return text, codec


_GARBAGE = re.compile(r"[\ufffd\x00-\x08\x0b\x0e-\x1f]")


def _mostly_garbage(text: str) -> bool:
    """Replacement characters or C0 controls in more than 2% of a sample: not text."""
    sample = text[:100_000]
    if not sample:
        return True
    if _GARBAGE.search(sample) is None:  # the usual case, without counting
        return False
    return len(_GARBAGE.findall(sample)) > max(8, len(sample) // 50)
