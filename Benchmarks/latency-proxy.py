"""A TCP proxy that holds every chunk for a fixed time in each direction: a crude wide-area link on loopback.

    python3 Benchmarks/latency-proxy.py LISTEN_PORT TARGET_PORT ONE_WAY_MS

The round trip it adds is twice ONE_WAY_MS. Used by speed.sh to compare Godwit and psql as a hosted database
(Supabase) sees them, where each round trip costs milliseconds.
"""
import asyncio
import sys

LISTEN, TARGET, DELAY = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000


async def forward(reader, writer):
    """Copies reader to writer, each chunk delivered DELAY after it arrived, in order."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            pause = due - loop.time()
            if pause > 0:
                await asyncio.sleep(pause)
            if not data:
                break
            writer.write(data)
            await writer.drain()
        writer.close()

    delivery = asyncio.create_task(deliver())
    try:
        while data := await reader.read(65536):
            queue.put_nowait((loop.time() + DELAY, data))
    except OSError:
        pass
    queue.put_nowait((loop.time() + DELAY, b""))
    try:
        await delivery
    except OSError:
        pass


async def handle(client_reader, client_writer):
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", TARGET)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(forward(client_reader, server_writer), forward(server_reader, client_writer))


async def main():
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: None)
    server = await asyncio.start_server(handle, "127.0.0.1", LISTEN)
    async with server:
        await server.serve_forever()


asyncio.run(main())
