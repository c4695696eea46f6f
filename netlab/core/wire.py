"""The messages between the conductor and an actor process, by kind.

A message is a dict of plain values whose ``"t"`` names its kind (see :mod:`netlab.core.channel`
for the framing). Both sides name the kinds from here.
"""

from __future__ import annotations

# The conductor to an actor.
INIT = "init"  # who it is, the scenario, the ports, the args, whether it runs freely
GO = "go"  # go on: carry out the call announced, or resume the one that blocked ("now")
TIMEOUT = "timeout"  # the blocked call's timeout passed on the virtual clock ("now")
INTERRUPT = "interrupt"  # Ctrl-C: the blocked call raises KeyboardInterrupt, as by hand
POLL = "poll"  # can your blocked call go on? (with "go": then go on if you can; "now")
DELIVER = "deliver"  # hand the kernel what the link delivers now ("items")
FLUSH = "flush"  # try again what a full receive buffer held up
KEYS = "keys"  # typed at its keyboard ("text"; "end": then Ctrl-D): no answer
BYE = "bye"  # the lab is over

# An actor to the conductor.
HELLO = "hello"  # loaded and waiting to be scheduled ("pid")
CALL = "call"  # a call is about to be made
RETURN = "return"  # ... and returned
RAISE = "raise"  # ... and raised
BLOCK = "block"  # ... and would block ("timeout", "busy"; running freely, the "call" too)
STEP = "step"  # running freely: a call and its outcome in one message
YIELD = "yield"  # it gives way to the others ("why", "polled")
READY = "ready"  # the answer to a poll ("ready"; "busy", "working": see other_work)
DELIVERED = "delivered"  # the answer to deliver and flush ("backlog", "errors", "moved")
EXIT = "exit"  # the actor's function ended ("error", "traceback", "closed", "deferred")
OUTPUT = "output"  # a line it printed ("stream", "text"; "partial": the line goes on)
NOTE = "note"  # a narration, ctx.say() ("text")
ASK = "ask"  # a question before its next call, ctx.ask() ("text", "choices", "answer", "why")
LANE = "lane"  # a thread of it started: a lane of its own ("name"), its channel's end attached

# What an actor may send at any time, from any of its threads.
SIDE_MESSAGES = frozenset({OUTPUT, NOTE, ASK, LANE})
# What it answers to a poll, running freely when told to go on if it can: "try" the call.
TRY = "try"
