"""asyncio_tcp: an asyncio echo server and concurrent clients over loopback.

The server (127.0.0.1, port 0) and the clients share one event loop. Each
iteration connects 40 clients at once; each sends 20 messages of 1 to 4 KB
(seed 11), waiting for every echo before sending the next, then closes. Every
echo is compared with what was sent and the echoed bytes are counted.
"""
import asyncio
import contextlib
import random

CLIENTS = 40
ROUNDS = 20
SEED = 11


async def _echo(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


async def _client(port, messages):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    echoed = 0
    try:
        for message in messages:
            writer.write(message)
            reply = await reader.readexactly(len(message))
            if reply != message:
                raise AssertionError("asyncio_tcp: echo differs from message")
            echoed += len(reply)
    finally:
        writer.close()
        await writer.wait_closed()
    return echoed


async def _run(port, conversations, loops, expected):
    for _ in range(loops):
        echoed = await asyncio.gather(
            *[_client(port, messages) for messages in conversations])
        if sum(echoed) != expected:
            raise AssertionError("asyncio_tcp: %d bytes echoed, expected %d"
                                 % (sum(echoed), expected))


async def _start():
    # A backlog above the number of clients, so no connection is retried.
    return await asyncio.start_server(_echo, "127.0.0.1", 0,
                                      backlog=4 * CLIENTS)


def setup():
    rng = random.Random(SEED)
    conversations = [[rng.randbytes(rng.randint(1024, 4096))
                      for _ in range(ROUNDS)] for _ in range(CLIENTS)]
    expected = sum(len(m) for messages in conversations for m in messages)
    loop = asyncio.new_event_loop()
    try:
        server = loop.run_until_complete(_start())
    except BaseException:
        loop.close()
        raise
    port = server.sockets[0].getsockname()[1]
    return loop, server, port, conversations, expected


def run(state, loops):
    loop, _, port, conversations, expected = state
    loop.run_until_complete(_run(port, conversations, loops, expected))


def teardown(state):
    if state is None:
        return
    loop, server = state[0], state[1]
    with contextlib.suppress(Exception):
        server.close()
        loop.run_until_complete(server.wait_closed())
    with contextlib.suppress(Exception):
        loop.close()
