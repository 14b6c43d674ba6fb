"""Record.to_dict: the JSON form every WARC metadata record, catalog row and export is made of."""

from __future__ import annotations

from extractors.record import Author, Provenance, Record, Reference, Section


def test_empty_values_are_left_out_at_every_depth_and_fields_keep_their_order() -> None:
    record = Record(
        title="Co-producing care", doi="10.5555/x",
        authors=[Author(name="Ruth Adeyemi", given="Ruth", affiliations=[]), Author(name="")],
        abstract_sections=[Section(label="", text="Background.")],
        identifiers={"pmid": "123", "oai": ""},
        related=[Reference()],
        relevance={"score": 0.0, "terms": [], "context": {"domain": [], "multiplier": 0.5}},
        provenance=Provenance(fields={"title": "embedded:highwire"}, offset=0),
    )
    data = record.to_dict()
    assert list(data) == ["type", "title", "authors", "abstract_sections", "doi", "identifiers",
                          "related", "relevance", "provenance"]
    assert data["authors"] == [{"name": "Ruth Adeyemi", "given": "Ruth"}, {}]
    assert data["abstract_sections"] == [{"text": "Background."}]
    assert data["identifiers"] == {"pmid": "123"}
    assert data["related"] == [{}]  # an empty entry of a list stays: the list's length is data
    assert data["relevance"] == {"score": 0.0, "context": {"multiplier": 0.5}}  # zero is a value
    assert data["provenance"] == {"offset": 0, "fields": {"title": "embedded:highwire"}}


def test_the_dict_is_a_copy_and_round_trips() -> None:
    record = Record(title="T", keywords=["co-production"], relevance={"terms": ["co-production"]})
    data = record.to_dict()
    data["keywords"].append("x")
    data["relevance"]["terms"].append("x")
    assert record.keywords == ["co-production"] and record.relevance == {"terms": ["co-production"]}
    assert Record.from_dict(record.to_dict()) == record
