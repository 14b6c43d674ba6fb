"""DOI input forms users paste, and what bad input gets (InvalidDOI with a one-line reason)."""

import pytest

from extractors.doi import InvalidDOI, find_doi, normalise_doi


@pytest.mark.parametrize("text", [
    "10.1108/IJSSP-01-2022-0027",
    "doi:10.1108/IJSSP-01-2022-0027",
    "DOI: 10.1108/ijssp-01-2022-0027",
    "https://doi.org/10.1108/IJSSP-01-2022-0027",
    "http://dx.doi.org/10.1108/IJSSP-01-2022-0027",
    "https://doi.org/10.1108%2FIJSSP-01-2022-0027",
    "10.1108%252FIJSSP-01-2022-0027",
    "  10.1108/IJSSP-01-2022-0027.  ",
])
def test_accepted_forms_normalise_to_one_doi(text: str) -> None:
    assert normalise_doi(text) == "10.1108/ijssp-01-2022-0027"


def test_apa_double_slash_is_mended() -> None:
    assert normalise_doi("10.1037//0022-006X.56.6.893") == "10.1037/0022-006x.56.6.893"


@pytest.mark.parametrize("text", ["10.1234", "abc", "", "   ", "x" * 2048, "10.12/abc",
                                  "10.1234/a\x00b", "10.1234/abc def"])
def test_bad_input_is_rejected_with_one_line(text: str) -> None:
    with pytest.raises(InvalidDOI) as error:
        normalise_doi(text)
    message = str(error.value)
    assert "\n" not in message and len(message) < 120


def test_path_tricks_stay_inside_the_doi() -> None:
    # ../ and %2F are part of the suffix string; they never become path separators anywhere,
    # because no file name is made from a DOI (tested end to end in test_doi_fetch.py).
    assert normalise_doi("10.1234/..%2F..%2Fetc%2Fpasswd") == "10.1234/../../etc/passwd"


def test_find_doi_in_text_and_urls() -> None:
    assert find_doi("see https://doi.org/10.1177/02610183231199667 for") == "10.1177/02610183231199667"
    assert find_doi("no identifier here") is None


def test_find_doi_keeps_brackets_that_belong_to_the_doi() -> None:
    assert find_doi("(DOI: 10.1117/12.2066315)") == "10.1117/12.2066315"
    assert find_doi("see 10.1016/s0009-2614(97)04014-1.") == "10.1016/s0009-2614(97)04014-1"
