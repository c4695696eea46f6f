"""What an actor may write: a very long line, or bytes through sys.stdout.buffer."""

from netlab import Scenario

lab = Scenario("output edges")


@lab.actor("writer")
def writer(ctx):
    import sys

    if ctx.args.get("what") == "long":
        print("x" * (20 << 20))  # 20 MiB on one line
    else:
        sys.stdout.buffer.write(b"raw bytes\n")
        sys.stdout.flush()
    print("done")
