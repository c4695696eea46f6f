"""Golden traces: the built-in scenarios and the test labs, run with fixed seeds, kept as the
events they made with what differs between runs (ports, pids, wall time, paths) replaced.

A change to the conductor, the shim or the link that changes a trace fails
``test_golden_traces``. To accept a deliberate change of behaviour, run
``python -m tests.golden.traces`` and commit the new files with the reason.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from netlab.core.conductor import Conductor
from netlab.core.events import Event
from netlab.core.scenario import load_scenario

HERE = Path(__file__).parent
LABS = HERE.parent / "scenarios"

# (name, scenario, options): each runs headless, freely (run mode), with these settings.
CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("tcp-echo", "tcp-echo", {}),
    ("udp-echo", "udp-echo", {}),
    ("tcp-vs-udp-seed-7", "tcp-vs-udp", {"seed": 7}),
    ("tcp-vs-udp-mobile-3g", "tcp-vs-udp", {"seed": 3, "link": "mobile-3g"}),
    ("tcp-echo-lossy", "tcp-echo", {"seed": 5, "link": "lossy-wifi"}),
    ("deadlock", str(LABS / "deadlock.py"), {}),
    ("crash", str(LABS / "crash.py"), {}),
    ("timeouts", str(LABS / "timeouts.py"), {}),
    ("poll-servers", str(LABS / "poll_servers.py"), {}),
    ("poll-until-timeout", str(LABS / "poll_until_timeout.py"), {}),
    ("multiconn", str(LABS / "multiconn.py"), {}),
    ("multiconn-lossy", str(LABS / "multiconn.py"), {"seed": 2, "link": "lossy-wifi"}),
    ("streams", str(LABS / "streams.py"), {}),
    ("calls", str(LABS / "calls.py"), {}),
    ("recv-flags", str(LABS / "recv_flags.py"), {}),
    ("partial-send", str(LABS / "partial_send.py"), {}),
    ("nonblocking-connect", str(LABS / "nonblocking_connect.py"), {}),
    ("socketserver", str(LABS / "socketserver_lab.py"), {}),
    ("output-edges", str(LABS / "output_edges.py"), {}),
    # Played at full speed: every call waits for its grant (the step-by-step conversation).
    ("tcp-echo-played", "tcp-echo", {"mode": "play", "pace": 0.0}),
    ("tcp-vs-udp-played", "tcp-vs-udp", {"mode": "play", "pace": 0.0, "seed": 7}),
    ("multiconn-played", str(LABS / "multiconn.py"), {"mode": "play", "pace": 0.0}),
    ("timeouts-played", str(LABS / "timeouts.py"), {"mode": "play", "pace": 0.0}),
]


def run_case(scenario: str, options: dict[str, Any]) -> list[Event]:
    conductor = Conductor(load_scenario(scenario), time_limit=20.0, **options)
    conductor.run()
    return conductor.events


def _ports(events: list[Event]) -> list[int]:
    """Every port of an address the lab used, in the order they first appear."""
    seen: dict[int, None] = {}
    for event in events:
        addresses = [*event.args]
        for info in (event.sock, event.new_sock):
            if info is not None:
                addresses += [info.local, info.peer]
        for address in addresses:
            is_address = isinstance(address, list) and len(address) >= 2
            if is_address and isinstance(address[1], int) and address[1] >= 1024:
                seen.setdefault(address[1], None)
    return list(seen)


def normalise(events: list[Event]) -> list[str]:
    """One JSON line an event, with what differs between runs named instead of given."""
    ports = _ports(events)
    # A port stands in an address: ["host", PORT] in JSON, ('host', PORT) in printed text, and
    # an IPv6 address has flowinfo and scope_id after it: ('::1', PORT, 0, 0). Only there is it
    # replaced (a link's draw such as 0.41524 is no port).
    numbers = "|".join(map(str, ports))
    six = r"(?:, \d+, \d+)?"
    address_port = rf'(?<=", )({numbers})(?={six}\])|(?<=\', )({numbers})(?={six}\))'
    pattern = re.compile(address_port) if ports else None
    names = {str(port): f"PORT{index}" for index, port in enumerate(ports, 1)}
    lines = []
    for event in events:
        raw = event.to_json()
        raw.pop("wtime", None)
        if event.kind == "actor-start":
            raw["result"] = "PID"
        if event.source is not None:
            raw["source"] = [Path(event.source[0]).name, event.source[1]]
        text = json.dumps(raw, sort_keys=True)
        text = text.replace(sys.prefix, "PREFIX").replace(str(HERE.parent.parent), "REPO")
        text = re.sub(r'File \\"[^"\\]*/([^/"\\]+)\\"', r'File \\"\1\\"', text)
        text = re.sub(r"\(pid \d+\)", "(pid PID)", text)  # who held a port (EADDRINUSE)
        if pattern is not None:
            text = pattern.sub(lambda match: names[match.group(1) or match.group(2)], text)
        lines.append(text)
    return lines


def golden_path(name: str) -> Path:
    return HERE / f"{name}.jsonl"


def main() -> None:
    only = set(sys.argv[1:])
    for name, scenario, options in CASES:
        if only and name not in only:
            continue
        lines = normalise(run_case(scenario, options))
        golden_path(name).write_text("\n".join(lines) + "\n")
        print(f"{name}: {len(lines)} events")


if __name__ == "__main__":
    main()
