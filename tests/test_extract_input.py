"""Bytes in: charsets right, wrong and missing; and hostile input (empty, binary, huge, deeply
nested, malformed JSON-LD, external entities) that must fail cleanly or be bounded.

The pages here are small hand-written ones; each says what real page it stands for."""

from __future__ import annotations

import time

import pytest

from extractors.dispatch import extract
from extractors.encoding import choose_encoding, decode_body
from extractors.errors import UnusableInput

URL = "https://example.org/article/1"

# A Chinese aggregator record page (like seed 001) in GBK, declared as gb2312 as such sites do.
CHINESE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>共同生产中的权力平衡：一个反思模型</title></head><body>
<h1>共同生产中的权力平衡：一个反思模型</h1>
<div><h3>摘要</h3><p>用户在健康和福利中的角色和地位最近发生了变化，变得更加积极地参与护理的共同生产。
当更多的共同生产被优先考虑时，需要考虑与权力相关的挑战。</p></div>
<div class="tools"><a>引用</a> <a>收藏</a></div></body></html>"""

# A legacy Western European journal page saved as windows-1252 with no charset anywhere.
LATIN = """<html><head><title>Co-production in Danish municipalities – a “critical” review</title>
</head><body><h1>Co-production in Danish municipalities – a “critical” review</h1>
<h2>Abstract</h2><p>Frivillige foreninger og kommuner samarbejder om sundhed – især når
borgere med kronisk sygdom skal være fysisk aktive. Vi undersøger hvordan, og med hvilke
dilemmaer, samarbejdet foregår i praksis på tværs af sektorer (café-møder, naïve forventninger).
</p></body></html>"""

# A UTF-8 repository page served with a wrong ISO-8859-1 header and a wrong <meta> too.
MISLABELLED = """<html><head><meta charset="iso-8859-1">
<meta name="citation_title" content="Samskabelse i ældreplejen: Møller–Plesset og frivillige">
<meta name="citation_author" content="Søren Ærø"></head><body><p>x</p></body></html>"""


def test_gbk_page_declared_gb2312() -> None:
    body = CHINESE.encode("gbk")
    text, codec = decode_body(body, "text/html")
    assert codec == "gb18030"  # the superset browsers use for gb2312 labels
    record = extract(URL, {"Content-Type": "text/html"}, body).record
    assert record.title == "共同生产中的权力平衡：一个反思模型"
    assert record.abstract.startswith("用户在健康和福利中的角色和地位最近发生了变化")
    assert "引用" not in record.abstract and "收藏" not in record.abstract


def test_gbk_page_without_any_label_is_detected() -> None:
    body = CHINESE.replace('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
                           "").encode("gbk")
    assert choose_encoding(body, None) in ("gb18030", "gbk", "gb2312")
    assert "共同生产中的权力平衡" in decode_body(body)[0]


def test_windows_1252_without_label() -> None:
    body = LATIN.encode("cp1252")
    assert choose_encoding(body, "text/html") == "cp1252"
    record = extract(URL, {"Content-Type": "text/html"}, body).record
    assert record.title == "Co-production in Danish municipalities – a “critical” review"
    assert "især når borgere" in record.abstract and "naïve" in record.abstract


def test_windows_1252_page_wrongly_labelled_utf8() -> None:
    body = LATIN.encode("cp1252")
    text, codec = decode_body(body, "text/html; charset=utf-8")
    assert codec == "cp1252" and "“critical”" in text


def test_utf8_page_mislabelled_latin1_in_header_and_meta() -> None:
    body = MISLABELLED.encode("utf-8")
    record = extract(URL, {"Content-Type": "text/html; charset=ISO-8859-1"}, body).record
    assert record.title == "Samskabelse i ældreplejen: Møller–Plesset og frivillige"
    assert record.authors[0].name == "Søren Ærø"


def test_utf16_with_bom() -> None:
    body = MISLABELLED.replace('<meta charset="iso-8859-1">', "").encode("utf-16")
    assert extract(URL, {}, body).record.authors[0].name == "Søren Ærø"


@pytest.mark.parametrize("body", [b"", b"   \n\t ", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
                                  b"\x89PNG\r\n\x1a\n\x00\x00", b"PK\x03\x04\x14\x00",
                                  bytes(range(256)) * 40])
def test_empty_and_binary_input_is_unusable(body: bytes) -> None:
    with pytest.raises(UnusableInput) as info:
        extract(URL, {"Content-Type": "application/octet-stream"}, body)
    assert "\n" not in str(info.value) and str(info.value)


def test_control_character_soup_is_undecodable() -> None:
    with pytest.raises(UnusableInput, match="undecodable"):
        extract(URL, {}, bytes(range(1, 32)) * 500)


def test_fifty_megabytes_of_nested_divs_is_bounded() -> None:
    n = 5_000_000  # 55 MB
    body = b"<html><head><title>Nested</title></head><body>" + b"<div>" * n + b"x" \
        + b"</div>" * n + b"</body></html>"
    started = time.monotonic()
    extraction = extract(URL, {"Content-Type": "text/html"}, body)
    assert time.monotonic() - started < 10
    assert extraction.record is None or extraction.record.title


def test_huge_flat_page_reads_metadata_only() -> None:
    # A 50 MB dump: metadata in the head, then two and a half million paragraphs.
    body = (b"<html><head><meta name='citation_title' content='A huge page'></head><body>"
            + b"<p>paragraph text</p>" * 2_500_000 + b"</body></html>")
    started = time.monotonic()
    record = extract(URL, {"Content-Type": "text/html"}, body).record
    assert time.monotonic() - started < 20
    assert record.title == "A huge page"
    assert any("cut" in note for note in record.provenance.notes)


def test_malformed_jsonld_costs_only_itself() -> None:
    # A CMS project page (like seed 004) whose first JSON-LD block has an unterminated string
    # and whose second is cut off mid-way; the third is sound.
    body = b"""<html><head><title>Project page</title>
    <script type="application/ld+json">{"@type": "ScholarlyArticle", "name": "Broken}</script>
    <script type="application/ld+json">{"@context": "https://schema.org", "@type": </script>
    <script type="application/ld+json">{"@type": "ResearchProject",
      "name": "Co-production of care and recovery",
      "member": {"@type": "Person", "name": "Ditte Andersen", "roleName": "PI",
                 "email": "den@vive.dk"}}</script>
    </head><body><p>x</p></body></html>"""
    record = extract(URL, {"Content-Type": "text/html"}, body).record
    assert record.title == "Co-production of care and recovery"
    assert record.type == "project"
    assert [(p.name, p.role, p.email) for p in record.people] == [
        ("Ditte Andersen", "PI", "den@vive.dk")]


def test_external_entity_in_html_is_not_read() -> None:
    body = b"""<?xml version="1.0"?>
<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<html><head><meta name="citation_title" content="Entity test"/></head>
<body><h2>Abstract</h2><p>Text &x; that would hold the password file if entities were read,
which they must not be, so this paragraph stays as it is written here.</p></body></html>"""
    record = extract(URL, {"Content-Type": "text/html"}, body).record
    assert record.title == "Entity test"
    assert "root:" not in record.to_dict().__repr__()


def test_external_entity_in_xml_is_not_read() -> None:
    body = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<r><title>&x;</title></r>"""
    extraction = extract(URL, {"Content-Type": "application/xml"}, body)
    assert extraction.record is None
    assert "root:" not in repr(extraction)


def test_html_served_as_json_is_read_as_html() -> None:
    body = b"<html><head><meta name='citation_title' content='Mislabelled page'></head></html>"
    record = extract(URL, {"Content-Type": "application/json"}, body).record
    assert record.title == "Mislabelled page"


def test_malformed_json_is_unusable() -> None:
    with pytest.raises(UnusableInput, match="malformed JSON"):
        extract("https://api.crossref.org/works/10.1/x", {"Content-Type": "application/json"},
                b'{"message": {"title": ["cut off')
