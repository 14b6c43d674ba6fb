"""JS-rendered pages: Chromium through scrapy-playwright, archived faithfully.

- config.py      COPROD_RENDER_* settings (when to render, limits)
- detect.py      the automatic check: does served HTML need a browser?
- browser.py     the Chromium executable, its switches, --resolve as --host-resolver-rules
- consent.py     consent/cookie banner rules (data) and dismissing them
- page.py        one page: the browser's traffic, settling, DOM, screenshot
- records.py     a render into WARC records (request/response, resource, metadata)
- handler.py     the download handler (scrapy-playwright + coprod's capturing HTTP/1.1)
- middleware.py  RenderMiddleware (what to render), BrowserTapMiddleware (archive it)
- addon.py       RenderAddon: switches all of the above on
"""

# request.meta keys
PAGE_CAPTURE_KEY = "_coprod_page_capture"  # the PageCapture of a render in progress
RENDER_REASON_KEY = "coprod_render_reason"  # why a request goes to Chromium
NOTES_META_KEY = "coprod_notes"  # notes for the provenance of a record made from the response
