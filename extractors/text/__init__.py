"""The text layer: title, DOI, byline, citation and abstract read from the page's visible text.

Runs only for what the metadata layers left empty (extractors.text.layer puts the steps in
order), on the smallest subtree that holds each: an element the markup calls the abstract
(class/id "abstract", a heading or an image "Abstract"), the page's own description, a
description or introduction box; bylines and citation lines in the header or in a "how to
cite" block (header.py, citation.py); trafilatura, on a copy of the main container with the
chrome pruned, only for projects, whose description is their main text.
"""

from extractors.text.abstract import (
    abstract_box,
    abstract_from_box,
    description_box,
    description_from_text,
    main_container,
)
from extractors.text.chrome import is_chrome, is_chrome_text, strip_chrome_lines
from extractors.text.citation import parse_byline, parse_citation
from extractors.text.header import citation_block, header_fields
from extractors.text.labelled import labelled_fields
from extractors.text.page import (
    doi_from_urls,
    doi_in_header,
    page_headings,
    page_title,
    title_segments,
)

__all__ = [
    "abstract_box",
    "abstract_from_box",
    "citation_block",
    "description_box",
    "description_from_text",
    "doi_from_urls",
    "doi_in_header",
    "header_fields",
    "is_chrome",
    "is_chrome_text",
    "labelled_fields",
    "main_container",
    "page_headings",
    "page_title",
    "parse_byline",
    "parse_citation",
    "strip_chrome_lines",
    "title_segments",
]
