"""A redirect to another host is fetched in that host's download slot, not the first host's."""

from scrapy.http import Request

from crawler.slots import HostSlotMiddleware


def _hop(url: str, slot: str | None, redirects: list[str]) -> Request:
    meta = {"redirect_urls": redirects} if redirects else {}
    if slot:
        meta["download_slot"] = slot
    return Request(url, meta=meta)


def test_publisher_page_behind_doi_org_leaves_doi_orgs_slot() -> None:
    request = _hop("https://journals.plos.org/plosone/article?id=1", "doi.org", ["https://doi.org/10.1/x"])
    HostSlotMiddleware().process_request(request)
    assert "download_slot" not in request.meta


def test_same_host_hops_and_spider_chosen_slots_are_kept() -> None:
    same = _hop("https://pub.example/b", "pub.example", ["https://doi.org/10.1/x", "http://pub.example/b"])
    chosen = _hop("https://api.example/v2", "api-pool", ["https://api.example/v1"])
    first = _hop("https://pub.example/a", "pub.example", [])
    for request, slot in ((same, "pub.example"), (chosen, "api-pool"), (first, "pub.example")):
        HostSlotMiddleware().process_request(request)
        assert request.meta["download_slot"] == slot
