"""What a page's bytes alone prove about the text the render check measures.

crawler.render.detect decodes and parses a page (2-4 ms for 100 KB) to count the text of
<body> outside script, style, noscript, template and svg. Most pages carry far more than its
thresholds, and `visible_letters` shows that from the bytes in a fraction of the time, never
counting a letter the parsed tree lacks. One regular expression tokenizes as HTML5 does, as
libxml2 2.14's parser does (quotes only after "=", `<!-->`, the escapes of old inline
scripts, bogus comments), and copies the tree builder's rules that hide text: `<x/>` is
empty; `</noscript>`, `</svg>`, `</template>` are ignored while a div or table element opened
inside is still open (here such an element hides the rest of the page); nothing after
`</body>`, `</html>` or a late `</head>` is in <body>; the parse stops at depth 256. Written
by hand: the tokenizers on PyPI build trees, and by HTML5's tree building, not libxml2's.
"""

from __future__ import annotations

import re

MAX_DEPTH = 250  # libxml2's limit (256) less <html>, <body> and what it implies
STEP = 200  # tags, comments, scripts... read at a time (about 10 KB)

_T = r"(?=[\t\n\f\r />])"  # where a tag name ends
# A tag after its name, as HTML5 tokenizes it; an unclosed quote or tag runs to the end.
_ATTRS = (r"(?:[\t\n\f\r ]++|/(?!>)|[^\t\n\f\r />][^\t\n\f\r />=]*+(?:[\t\n\f\r ]*+="
          r"""[\t\n\f\r ]*+(?:"[^"]*+"?|'[^']*+'?|[^\t\n\f\r >]*+))?)*+""")
_TAG = r"[A-Za-z][^\t\n\f\r />]*+" + _ATTRS + r"(?:/?>)?"  # after "<" or "</"
_COMMENT = r"--(?:-?>|(?:[^-]++|-(?!-!?>))*+--!?>|[\s\S]*+)"  # after "<!"
# After "<": comments; <!DOCTYPE>, <?php ?>, </ x> (bogus comments) to the first ">".
_DECLARATION = r"!(?:" + _COMMENT + r"|[^>]*+>?)|\?[^>]*+>?"
# Script text, by HTML5's script data states: after "<!--", a "<script" hides the next
# "</script>" (libxml2 reads old inline scripts so); "-->" ends both.
_SCRIPT_END = r"</(?i:script)" + _T
_DOUBLE = r"(?:[^<-]++|-(?!->)|<(?!/(?i:script)" + _T + r"))*+"
_ESCAPED = (r"(?:-*+>|(?:[^<-]++|-(?!->)|<(?!/?(?i:script)" + _T + r")|<(?i:script)" + _T
            + _DOUBLE + _SCRIPT_END + r")*+(?:-->|<(?i:script)" + _T + _DOUBLE
            + r"(?:-->|\Z)|(?=" + _SCRIPT_END + r")|\Z))")
_SCRIPT = (r"(?i:script)" + _T + _ATTRS + r"(?:/>|>(?:[^<]++|<(?!!--|/(?i:script)" + _T
           + r")|<!--" + _ESCAPED + r")*+(?:" + _SCRIPT_END + _ATTRS + r"(?:/?>)?|\Z)|\Z)")
_TEXT_ONLY = "style|textarea|title|xmp|iframe|noembed|noframes"  # and plaintext, to the end
_HIDING = "noscript|svg|template"  # markup inside, but none of it is visible text
_HOLDING = "div|table|thead|tbody|tfoot|tr|td|th"  # keep a hiding element open in libxml2
_STOPS = "body|html|head"  # end tags after which nothing is in <body>
_HOLDING_DEPTH = 3  # div and table elements nested in a hiding one that are followed


def _names(names: str) -> str:
    return "(?i:" + names + ")" + _T


def _text_only(n: int) -> str:
    """An element whose content is text to the tokenizer (<textarea>...), after "<"."""
    return (rf"(?P<t{n}>(?i:{_TEXT_ONLY})){_T}{_ATTRS}(?:/>|>(?:[^<]++|<(?!/(?i:(?P=t{n})){_T}))*+"
            rf"(?:</(?i:(?P=t{n})){_T}{_ATTRS}(?:/?>)?|\Z)|\Z)|(?i:plaintext){_T}[\s\S]*+")


def _inside(n: int) -> str:
    """Text and markup inside a hiding element, up to an end tag or a start tag that matters;
    a div or table element in it only when closed by its own end tag, before anything else."""
    parts = [_DECLARATION,
             "/(?!" + _names(f"{_HIDING}|{_HOLDING}|{_STOPS}") + ")" + _TAG,
             r"/(?![A-Za-z])[^>]*+>?",
             "(?=[sStTxXiInNpP])(?:" + _SCRIPT + "|" + _text_only(n) + ")",
             "(?!" + _names(f"{_HIDING}|{_HOLDING}|body") + ")" + _TAG]
    if n < _HOLDING_DEPTH:
        parts.append(rf"(?P<h{n}>(?i:{_HOLDING})){_T}{_ATTRS}(?:/>|>{_inside(n + 1)}"
                     rf"</(?i:(?P=h{n})){_T}{_ATTRS}(?:/?>)?)")
    # (?>...*), not *+: capturing groups in a possessive loop trip a bug of Python 3.11's re
    return "(?>(?:[^<]++|<(?:" + "|".join(parts) + ")|<(?![A-Za-z/!?]))*)"


_HIDDEN = (rf"(?P<hide>(?i:{_HIDING})){_T}{_ATTRS}(?:/>|>{_inside(1)}"
           rf"</(?i:(?P=hide)){_T}{_ATTRS}(?:/?>)?)"
           rf"|{_names(_HIDING)}[\s\S]*+")  # not closed for sure: nothing after it counts


def _markup(stops: str) -> str:
    """Every construct that is no text of <body>, after "<"; end tags in `stops` close it."""
    return (_DECLARATION + "|/(?:" + _names(stops) + r"[\s\S]*+|" + _TAG + r"|[^>]*+>?)"
            + "|(?=[sStTxXiInNpP])(?:" + _SCRIPT + "|" + _text_only(0) + "|" + _HIDDEN + ")|" + _TAG)


# <head>: everything up to the first <body> tag outside scripts, comments and hiding elements.
_HEAD = re.compile(("(?>(?:[^<]++|<(?!" + _names("body") + ")(?:" + _markup("body|html")
                    + ")|<(?![A-Za-z/!?]))*)<" + _names("body") + _ATTRS + "(?:(?P<empty>/>)|>)?").encode())
_NOT_TEXT = re.compile(("<(?:" + _markup(_STOPS) + r")|&[#A-Za-z0-9]++;?").encode())
_GROUPS = _NOT_TEXT.groups + 1  # what re.split gives per match
_NOT_LETTERS = bytes(c for c in range(256) if not (65 <= c <= 90 or 97 <= c <= 122))


def has_script_tag(body: bytes) -> bool:
    """False only when no <script> element can come out of the body (crawler.bytescan)."""
    return b"<script" in body or b"<script" in body.lower()  # re.I searches 20x slower


def visible_letters(body: bytes, enough: int) -> int:
    """At most the number of ASCII letters in the text of <body> outside script, style,
    noscript, template and svg (detect._VISIBLE_TEXT) of a body read in an ASCII-compatible
    codec (crawler.bytescan). Stops counting once past `enough` (STEP constructs at a time).
    0 when the page may nest 256 deep, where libxml2 (huge_tree off) stops parsing: a count
    of tags, which takes <head> to leave nothing open and an end tag to close what it names."""
    head = _HEAD.match(body)
    if head is None or head.group("empty"):  # libxml2 leaves a <body/> empty
        return 0
    view, letters, pos, unclosed = memoryview(body), 0, head.end(), 0
    while pos < len(body) and letters < enough:
        parts = _NOT_TEXT.split(view[pos:], STEP)  # text, the groups of a match, text ...
        done = len(body) - (len(parts[-1]) if len(parts) > STEP * _GROUPS else 0)
        # Depth is at most the elements left open before the step plus those it starts
        # (void elements count as open; end tags are taken to close what they name).
        ends = body.count(b"</", pos, done)
        starts = body.count(b"<", pos, done) - ends
        if unclosed + starts >= MAX_DEPTH:
            return 0
        unclosed += starts - ends - body.count(b"/>", pos, done)
        text = b"".join(parts[:-1:_GROUPS] if done < len(body) else parts[::_GROUPS])
        letters += len(text.translate(None, _NOT_LETTERS))
        pos = done
    return letters
