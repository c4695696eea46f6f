"""Virtual time: a recv timeout of 2 s and a sleep of 5 s finish at once, at the right time."""

from netlab import Scenario

lab = Scenario("timeouts")


@lab.actor("server")
def server(ctx):
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((ctx.host, ctx.port))
        s.settimeout(2.0)
        try:
            s.recvfrom(100)
        except TimeoutError:
            print("timed out")


@lab.actor("sleeper")
def sleeper(ctx):
    import time

    time.sleep(5)
    ctx.sleep(1.5)
    print("slept")
