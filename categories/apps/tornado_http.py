"""tornado_http: a Tornado HTTP server and client talking over loopback.

Server and client share one asyncio event loop in this process; the server
listens on 127.0.0.1, port 0. Its handler writes the response as 5 flushed
chunks of 12 KB (chunked transfer encoding). Each iteration makes 150
concurrent GET requests and checks every body byte for byte.
"""
import asyncio
import contextlib

from tornado.httpclient import AsyncHTTPClient
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

CHUNKS = 5
CHUNK = b"sandbench-12" * 1024  # 12 KB
BODY = CHUNK * CHUNKS
CONCURRENCY = 150


class ChunkedHandler(RequestHandler):
    async def get(self):
        self.set_header("Content-Type", "application/octet-stream")
        for _ in range(CHUNKS):
            self.write(CHUNK)
            await self.flush()

    def compute_etag(self):
        # The body is streamed: no ETag to hash.
        return None


async def _start():
    # A backlog above the concurrency, so no SYN is dropped and retried.
    sockets = bind_sockets(0, "127.0.0.1", backlog=4 * CONCURRENCY)
    server = HTTPServer(Application([("/", ChunkedHandler)]))
    server.add_sockets(sockets)
    port = sockets[0].getsockname()[1]
    client = AsyncHTTPClient(force_instance=True, max_clients=CONCURRENCY)
    return server, client, "http://127.0.0.1:%d/" % port


async def _fetch_all(client, url, loops):
    for _ in range(loops):
        responses = await asyncio.gather(
            *[client.fetch(url) for _ in range(CONCURRENCY)])
        bad = sum(1 for r in responses if r.code != 200 or r.body != BODY)
        if bad:
            raise AssertionError("tornado_http: %d of %d responses wrong"
                                 % (bad, CONCURRENCY))


def setup():
    loop = asyncio.new_event_loop()
    try:
        server, client, url = loop.run_until_complete(_start())
    except BaseException:
        loop.close()
        raise
    return loop, server, client, url


def run(state, loops):
    loop, _, client, url = state
    loop.run_until_complete(_fetch_all(client, url, loops))


def teardown(state):
    if state is None:
        return
    loop, server, client, _ = state
    with contextlib.suppress(Exception):
        server.stop()
        loop.run_until_complete(server.close_all_connections())
        client.close()
        loop.run_until_complete(loop.shutdown_asyncgens())
    with contextlib.suppress(Exception):
        loop.close()
