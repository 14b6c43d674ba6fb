"""A download handler that keeps the bytes of each HTTP exchange as they crossed the wire.

Scrapy hands middlewares a parsed response: headers re-cased, the reason phrase
and the request bytes gone. An archive must hold what was sent and received, so
this handler tees the connection: the request bytes written and the response
status line + header block read, byte for byte. The body is Scrapy's own
(de-chunked, still content-encoded). Why by hand: no library captures raw bytes
inside Scrapy's HTTP/1.1 client; this extends it rather than replacing it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from scrapy.core.downloader.handlers import http11
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future

CAPTURE_META_KEY = "_coprod_exchange"
_HEAD_END = b"\r\n\r\n"
_MAX_HEAD = 256 * 1024  # a header block larger than this is not a header block


@dataclass
class Exchange:
    """The raw bytes of one request/response on one connection."""

    started: float = field(default_factory=time.time)
    sent: bytearray = field(default_factory=bytearray)
    received_head: bytearray = field(default_factory=bytearray)
    head_complete: bool = False

    def feed(self, data: bytes) -> None:
        if self.head_complete:
            return
        self.received_head += data
        end = self.received_head.find(_HEAD_END)
        while end != -1 and self.received_head[9:10] == b"1" and not self._is_101():
            # an interim 1xx response (100 Continue): keep only the final one
            del self.received_head[: end + 4]
            end = self.received_head.find(_HEAD_END)
        if end != -1:
            del self.received_head[end + 4:]
            self.head_complete = True
        elif len(self.received_head) > _MAX_HEAD:
            self.head_complete = True

    def _is_101(self) -> bool:
        return self.received_head[9:12] == b"101"

    @property
    def raw_request(self) -> bytes:
        return bytes(self.sent)

    @property
    def raw_head(self) -> bytes:
        return bytes(self.received_head)


class _TeeTransport:
    """Wraps a transport so every byte written is also kept in the current exchange."""

    def __init__(self, transport: Any, protocol: CapturingProtocol) -> None:
        self._transport = transport
        self._protocol = protocol

    def write(self, data: bytes) -> None:
        if self._protocol.exchange is not None:
            self._protocol.exchange.sent += data
        self._transport.write(data)

    def writeSequence(self, data: list[bytes]) -> None:  # noqa: N802 - Twisted API
        for chunk in data:
            self.write(chunk)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CapturingProtocol(http11._LenientHTTP11ClientProtocol):
    exchange: Exchange | None = None

    def makeConnection(self, transport: Any) -> None:  # noqa: N802 - Twisted API
        super().makeConnection(_TeeTransport(transport, self))

    def request(self, request: Any) -> Any:
        self.exchange = exchange = Exchange()
        deferred = super().request(request)

        def attach(response: Any) -> Any:
            response._coprod_exchange = exchange
            return response

        deferred.addCallback(attach)
        return deferred

    def dataReceived(self, data: bytes) -> None:  # noqa: N802 - Twisted API
        if self.exchange is not None:
            self.exchange.feed(data)
        super().dataReceived(data)


class _CapturingFactory(http11._LenientHTTP11ClientFactory):
    def buildProtocol(self, addr: Any) -> CapturingProtocol:  # noqa: N802 - Twisted API
        return CapturingProtocol(self._quiescentCallback)


class _CapturingAgent(http11._ScrapyAgent):
    def _cb_bodyready(self, txresponse: Any, request: Request) -> Any:
        exchange = getattr(txresponse, "_coprod_exchange", None)
        if exchange is not None:
            request.meta[CAPTURE_META_KEY] = exchange
        return super()._cb_bodyready(txresponse, request)


class CapturingHTTP11DownloadHandler(http11.HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, with the raw exchange left in `request.meta[CAPTURE_META_KEY]`."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._pool._factory = _CapturingFactory

    async def download_request(self, request: Request) -> Response:
        # Scrapy's own method, building the capturing agent instead of _ScrapyAgent.
        agent = _CapturingAgent(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=self._default_maxsize,
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        try:
            with http11.wrap_twisted_exceptions():
                return await maybe_deferred_to_future(agent.download_request(request))
        except http11.ResponseDataLossError:
            if not self._fail_on_dataloss_warned:
                http11.logger.warning(http11.get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise
