"""When a scan of a page's bytes for ASCII markup decides as a scan of its decoded text would.

Decoding 100 KB (charset detection and all) to look for "<script" or "refresh" costs more
than the look. The bytes give the same answer when the page is read in a codec where every
ASCII byte of markup ("<", ">", quotes, "=", "/", "&", "-", blanks) is that character and a
letter byte is at most one character (it may be the second byte of a CJK character): not
UTF-16/32 (NUL bytes), UTF-7, ISO-2022 or EBCDIC, whose pages get the decoded scan.
"""

from __future__ import annotations

import codecs

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

from extractors.encoding import _codec

ASCII_COMPATIBLE = frozenset(codecs.lookup(name).name.replace("-", "_") for name in (
    "utf-8 ascii latin-1 iso8859-2 iso8859-3 iso8859-4 iso8859-5 iso8859-6 iso8859-7 iso8859-8 "
    "iso8859-9 iso8859-10 iso8859-13 iso8859-14 iso8859-15 iso8859-16 cp1250 cp1251 cp1252 "
    "cp1253 cp1254 cp1255 cp1256 cp1257 cp1258 cp874 cp437 cp850 cp866 koi8-r koi8-u "
    "mac-roman mac-cyrillic shift_jis cp932 euc_jp euc_jis_2004 euc_kr cp949 gb2312 gbk "
    "gb18030 big5 big5hkscs").split())


def labels_ascii_compatible(*labels: str | None) -> bool:
    """Whether each charset label names an ASCII_COMPATIBLE codec (None, or a label no codec
    answers to, is skipped by the decoders and here)."""
    return all(codec is None or codec in ASCII_COMPATIBLE for codec in map(_codec, labels))


def ascii_compatible(body: bytes, content_type: str, legacy: bool = False) -> bool:
    """Whether extractors.encoding reads `body` in an ASCII_COMPATIBLE codec. A UTF-8 body is
    read as UTF-8 or as a codec its labels name (choose_encoding). Any other body answers
    False, unless `legacy`: then its labels decide, and an unlabelled one counts as ASCII-
    compatible. What charset detection could pick beyond ASCII_COMPATIBLE for bytes without
    NULs is EBCDIC or UTF-7, which no browser reads a page in (and detecting cost the crawl
    ~3% of its CPU on legacy-encoded pages, for nothing)."""
    if b"\x00" in body:  # UTF-16/32 without a byte order mark, or binary
        return False
    if not (legacy or body.isascii() or _is_utf8(body)):
        return False
    return labels_ascii_compatible(http_content_type_encoding(content_type),
                                   html_body_declared_encoding(body))


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
