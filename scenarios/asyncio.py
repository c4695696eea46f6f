"""asyncio: one thread serves every client; each await lets the event loop run something else.

asyncio.start_server calls handle() as a new task for each connection;
there is one thread, and the loop switches tasks at each await. Under
the hood it is select/epoll and non-blocking sockets: watch the Trace
for the loop's waits (select) and the recv/send calls that never block.
client-1 awaits asyncio.sleep(1.0) between its lines (a virtual second:
no real waiting), and meanwhile client-2 is served at 0.25 s.
Try: add time.sleep(1) in handle() before writer.write: it blocks the
one thread, and client-2 is answered only at 2 s (the header's t= says when).
"""

from netlab import Scenario

lab = Scenario("asyncio", link="perfect", seed=1, args={"clients": 2})


@lab.actor("server")
def server(ctx):
    import asyncio

    async def handle(reader, writer):  # one task per connection
        peer = writer.get_extra_info("peername")
        while line := await reader.readline():  # b"" at the end of the stream
            writer.write(line.upper())
            await writer.drain()  # wait until the kernel took the bytes
        writer.close()
        await writer.wait_closed()
        ctx.say(f"done with {peer}")
        finished.append(peer)
        if len(finished) == ctx.args["clients"]:
            all_done.set()

    async def main():
        server = await asyncio.start_server(handle, ctx.host, ctx.port)
        async with server:
            await all_done.wait()  # serve until every client has finished

    finished = []
    all_done = asyncio.Event()
    asyncio.run(main())
    print(f"served {len(finished)} clients with one thread")


@lab.actor("client", count=2)
def client(ctx):
    import asyncio

    async def main():
        if ctx.index == 2:
            await asyncio.sleep(0.25)  # client-2 comes a little later
        reader, writer = await asyncio.open_connection(ctx.host, ctx.port)
        for word in ("hello", "bye"):
            if ctx.index == 2 and word == "hello":
                ctx.ask(
                    "client-1 is connected and asleep for 1 s. When is client-2 answered?",
                    ["at once: the loop serves it meanwhile", "only after client-1 is done"],
                    "a",
                    "client-1's task waits in an await, which hands the loop back: "
                    "the one thread runs client-2's task in the meantime.",
                    reveal="print",  # client-2's answer, and when it came
                )
            writer.write(f"{word} from {ctx.name}\n".encode())
            await writer.drain()
            print(await reader.readline())
            if ctx.index == 1:
                await asyncio.sleep(1.0)  # a slow client: nothing blocks while it waits
        writer.close()
        await writer.wait_closed()

    asyncio.run(main())
