"""The event store and a long recording read from its file: every event as it was, by index or
by window, with only a bounded number of them in memory."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

from netlab.core import events as ev
from netlab.core import reducer
from netlab.core.event_store import EventStore
from netlab.core.events import Event, SockInfo
from netlab.core.recording import RecordingError, RecordingWriter, make_header, read_recording


def lab_events(count: int) -> list[Event]:
    """Events of every shape a store writes: sockets, bytes, a lone surrogate, extras."""
    sock = SockInfo("client#1", 3, "AF_INET", "SOCK_DGRAM", local=["127.0.0.1", 9])
    made = []
    for seq in range(1, count + 1):
        if seq % 3 == 0:
            made.append(Event(seq, ev.OUTPUT, "client", step=seq, text=f"line {seq} \udcff"))
        else:
            made.append(
                Event(
                    seq,
                    ev.RETURN,
                    "client",
                    vtime=seq / 7,
                    step=seq,
                    op="recvfrom",
                    result=4,
                    sock=sock,
                    data=b"\x00tick",
                    data_len=5,
                    source=("lab.py", seq),
                    extra={"n": seq},
                )
            )
    return made


def test_every_event_reads_back_as_it_was_by_index_slice_and_in_reverse() -> None:
    made = lab_events(50)
    store = EventStore(recent=4, cached=3, chunk=3)
    store.extend(made)
    assert len(store) == 50
    assert [store[i] for i in range(50)] == made
    assert store[-1] == made[-1] and store[-50] == made[0]
    assert store[5:30] == made[5:30] and store[::7] == made[::7] and store[40:] == made[40:]
    assert list(store) == made and list(reversed(store)) == made[::-1]
    assert list(store.stretch(3, 47)) == made[3:47]
    for index in (50, -51):
        with pytest.raises(IndexError):
            store[index]
    store.close()


def test_memory_holds_the_latest_events_only_and_the_file_is_never_seen() -> None:
    store = EventStore(recent=10, cached=5, chunk=7)
    for event in lab_events(1000):
        store.append(event)
        assert len(store._tail) < 10 + 7  # the rest are on disk
    for index in random.Random(1).sample(range(1000), 100):
        assert store[index].seq == index + 1
    assert len(store._chunks) <= 5
    assert store._fd is not None  # unlinked as it was made: nothing to leave behind
    held = Path(f"/proc/self/fd/{store._fd}")
    assert str(held.readlink()).endswith("(deleted)")
    store.close()
    assert not held.exists()


def test_events_kept_elsewhere_are_read_from_there_not_written_again() -> None:
    made = lab_events(100)
    store = EventStore(recent=8, chunk=4, behind=made)
    store.extend(made)
    assert store._fd is None
    assert list(store) == made and store[3] is made[3]


def test_a_worker_reads_old_events_while_new_ones_are_appended() -> None:
    made = lab_events(3000)
    store = EventStore(recent=50, cached=20, chunk=16)
    store.extend(made[:200])
    wrong: list[tuple[int, int]] = []

    def read() -> None:
        pick = random.Random(2)
        for _ in range(2000):
            index = pick.randrange(len(store))
            if store[index] != made[index]:
                wrong.append((index, store[index].seq))

    worker = threading.Thread(target=read)
    worker.start()
    store.extend(made[200:])
    worker.join(timeout=30)
    assert not worker.is_alive() and not wrong
    store.close()


def test_the_timeline_keeps_a_bounded_number_of_copies_and_any_past_state() -> None:
    log = [Event(n, ev.OUTPUT, "a", step=n, text=str(n)) for n in range(1, 3001)]
    timeline = reducer.Timeline(every=10, store=EventStore(recent=100, chunk=50), checkpoints=8)
    timeline.extend(log)
    assert len(timeline._checkpoints) <= 8
    for count in (0, 1, 9, 10, 11, 555, 1999, 2999, 3000):
        assert timeline.state_at(count) == reducer.reduce(log[:count])


def test_an_actor_printing_without_end_keeps_a_bounded_state() -> None:
    lines = [Event(n, ev.OUTPUT, "a", text=f"{n}\n") for n in range(1, 2001)]
    pieces = [
        Event(n, ev.OUTPUT, "b", text="x" * 100, extra={"partial": True}) for n in range(1, 201)
    ]
    state = reducer.reduce([*lines, *pieces])
    assert len(state.actors["a"].output) <= 2 * reducer.OUTPUT_KEPT
    assert state.actors["a"].output[-1] == "2000\n"
    assert len(state.actors["b"].output[-1]) <= 4096


def write_recording(path: Path, made: list[Event]) -> None:
    with RecordingWriter(path, make_header(scenario="x", seed=1)) as writer:
        for event in made:
            writer.write(event)


def test_a_long_recording_is_read_from_its_file_event_for_event(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    made = [*lab_events(1200), Event(1201, ev.END, result="completed")]
    write_recording(path, made)
    in_memory = read_recording(path)
    from_file = read_recording(path, in_memory_up_to=0)
    assert isinstance(in_memory.events, list) and not isinstance(from_file.events, list)
    assert from_file.header == in_memory.header and from_file.complete
    assert list(from_file.events) == list(in_memory.events) == made
    assert from_file.events[1000] == made[1000] and from_file.events[-1] == made[-1]
    assert from_file.events[10:20] == made[10:20]


def test_a_long_recording_is_checked_once_and_later_changes_to_its_file_are_not_seen(
    tmp_path: Path,
) -> None:
    path = tmp_path / "changing.jsonl"
    made = lab_events(12_000)  # more than the store keeps in memory
    write_recording(path, made)
    events = read_recording(path, in_memory_up_to=0).events
    path.write_bytes(path.read_bytes().replace(b'"kind":"output"', b'"kind":"oops!!"'))
    assert events[900] == made[900] and events._fd is not None and list(events) == made


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (lambda lines: lines.insert(500, b""), "line 501: not valid JSON"),
        (lambda lines: lines.__setitem__(700, b'{"seq": 700}'), "line 701: not a valid event"),
        (lambda lines: lines.__setitem__(9, b"\xff"), "line 10: not valid UTF-8"),
        (lambda lines: lines.pop(300), "line 301: event number 301, expected 300"),
    ],
)
def test_a_long_recording_is_refused_at_its_first_bad_line(tmp_path: Path, damage, said) -> None:
    path = tmp_path / "bad.jsonl"
    write_recording(path, lab_events(1000))
    lines = path.read_bytes().split(b"\n")
    damage(lines)
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(RecordingError, match=said):
        read_recording(path, in_memory_up_to=0)
    with pytest.raises(RecordingError, match=said):
        read_recording(path)
