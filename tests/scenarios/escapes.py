"""An actor that starts a process meant to outlive it, in one of the ways a program can
(ctx.args["way"]), writes the process's pid to ctx.args["pidfile"] and ends. The process
listens on ctx.args["port"]: after the lab, nothing may be left of it."""

from netlab import Scenario

lab = Scenario("escapes", args={"way": "subprocess", "pidfile": "", "port": 0})

# What the escaping process runs: it says its pid, then listens for a minute.
LISTEN = (
    "import os, socket, sys, time\n"
    "s = socket.create_server(('127.0.0.1', int(sys.argv[2])))\n"
    "open(sys.argv[1], 'w').write(str(os.getpid()))\n"
    "time.sleep(60)\n"
)


@lab.actor("spawner")
def spawner(ctx):
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    way, pidfile, port = ctx.args["way"], ctx.args["pidfile"], str(ctx.args["port"])
    command = [sys.executable, "-c", LISTEN, pidfile, port]
    if way == "subprocess":
        subprocess.Popen(command)
    elif way == "setsid":
        subprocess.Popen(command, start_new_session=True)
    elif way in ("fork", "double fork", "daemon worker") and os.fork() == 0:
        if way != "fork":
            os.setsid()
            if os.fork() != 0:
                os._exit(0)  # the middle one leaves: its child is an orphan
        if way == "daemon worker":  # the orphan starts the listener, and waits
            subprocess.Popen(command)
            time.sleep(60)
            os._exit(0)
        os.execv(sys.executable, command)
    while not Path(pidfile).exists() or not Path(pidfile).read_text():
        time.sleep(0.01)  # on the virtual clock: a turn for the others, nothing more
    print("started", way)
