"""asyncio streams: an echo server and a client that sleeps 0.3 s between messages; the loop's
time is the virtual clock."""

from netlab import Scenario

lab = Scenario("asyncio echo")


@lab.actor("server")
def server(ctx):
    import asyncio

    async def handle(reader, writer):
        while data := await reader.read(100):
            writer.write(data.upper())
            await writer.drain()
        writer.close()
        await writer.wait_closed()
        done.set()

    async def main():
        server = await asyncio.start_server(handle, ctx.host, ctx.port)
        async with server:
            await done.wait()

    done = asyncio.Event()
    asyncio.run(main())
    print("server done")


@lab.actor("client")
def client(ctx):
    import asyncio

    async def main():
        reader, writer = await asyncio.open_connection(ctx.host, ctx.port)
        for number in range(3):
            writer.write(f"message {number}".encode())
            await writer.drain()
            print(await reader.read(100))
            await asyncio.sleep(0.3)
        writer.close()
        await writer.wait_closed()

    asyncio.run(main())
