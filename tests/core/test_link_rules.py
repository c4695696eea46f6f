"""The link's rules, each pinned down: which settings are allowed up to which bound and what the
refusal says, the defaults, and the numbers and words of each decision.

Expected values are worked out by hand from the draws the model promises to make (link.py's
docstring), never by asking the model: one ``random.Random(zlib.crc32(f"{seed}:{purpose}"
.encode()))`` per purpose and transport. For seed 42, printed with plain Python (repr):
  loss       0.6391302138469263, 0.29653922399539767, 0.08497395272446018, 0.5051337855580423
  retransmit 0.9485940452355458, 0.3193537364949842, 0.7709140520496347, 0.911478149559731
  delay      0.20320713155944248, 0.3791358201648486, 0.5795573932709748, 0.31691926409852245
  duplicate  0.07553795284438469, 0.20293496700235147, 0.6075262146151966, 0.7052392528664032
  corrupt    0.31416895623306806, 0.4258813611686091, 0.6963216831759446, 0.6818271450630936
A delay is delay + jitter * (2 * draw - 1) ms, never below 0.
"""

from __future__ import annotations

import random
import zlib

import pytest

from netlab.core.link import TO_CLIENT, TO_SERVER, Link, LinkError, LinkModel

# The first draw of each purpose for seed 42, as printed above (a float's repr is exact).
FIRST_LOSS = 0.6391302138469263
FIRST_DUPLICATE = 0.07553795284438469
FIRST_CORRUPT = 0.31416895623306806


def model(seed: int = 42, **settings_: object) -> LinkModel:
    return LinkModel(Link(**settings_).validate(), seed)  # type: ignore[arg-type]


def test_the_draws_written_here_are_the_seeds_own() -> None:
    def first(purpose: str) -> float:
        return random.Random(zlib.crc32(f"42:{purpose}".encode())).random()

    assert (first("loss"), first("duplicate"), first("corrupt")) == (
        FIRST_LOSS,
        FIRST_DUPLICATE,
        FIRST_CORRUPT,
    )


# -- validation: the bounds, and what a refusal says ----------------------------------------------


@pytest.mark.parametrize(
    "settings_",
    [
        {"segment": 1},
        {"segment": 65535},
        {"rto": 1},
        {"rto": 1.0},
        {"rto": 60000},
        {"delay": 600000},
        {"jitter": 600000},
        {"udp": {"delay": 600000, "jitter": 600000}},
        {"loss": 0.0, "duplicate": 1.0, "corrupt": 1.0},
        {"tcp": {"loss": 0.999}, "udp": {"loss": 1.0}},
    ],
)
def test_the_bounds_themselves_are_allowed(settings_: dict[str, object]) -> None:
    link = Link(**settings_)  # type: ignore[arg-type]
    assert link.validate() is link


@pytest.mark.parametrize(
    ("settings_", "message"),
    [
        # The segment: a whole number of bytes (not a float, not a bool), 1 to 65535.
        ({"segment": 1.5}, "Link(segment=1.5): a whole number of bytes, 1 to 65535"),
        ({"segment": True}, "Link(segment=True): a whole number of bytes, 1 to 65535"),
        ({"segment": 65536}, "Link(segment=65536): allowed 1 to 65535 bytes"),
        ({"segment": -1}, "Link(segment=-1): allowed 1 to 65535 bytes"),
        # The retransmission timeout: a finite number (not a bool) of ms, 1 to 60000.
        ({"rto": 60000.5}, "Link(rto=60000.5): allowed 1 to 60000 ms"),
        ({"rto": 0.5}, "Link(rto=0.5): allowed 1 to 60000 ms"),
        ({"rto": True}, "Link(rto=True): allowed 1 to 60000 ms"),
        ({"rto": float("inf")}, "Link(rto=inf): allowed 1 to 60000 ms"),
        # Delays up to 600000 ms, probabilities 0 to 1, bools neither; the first path checked
        # that breaks the rule is named, transport in capitals and direction in words.
        (
            {"delay": 600000.5},
            "delay=600000.5 (TCP client to server): allowed 0 to 600000 ms",
        ),
        (
            {"server_to_client": {"jitter": 600000.5}},
            "jitter=600000.5 (TCP server to client): allowed 0 to 600000 ms",
        ),
        (
            {"udp": {"delay": True}},
            "delay=True (UDP client to server): allowed 0 to 600000 ms",
        ),
        (
            {"udp": {"corrupt": 1.5}},
            "corrupt=1.5 (UDP client to server): a probability from 0 to 1",
        ),
        (
            {"duplicate": True},
            "duplicate=True (TCP client to server): a probability from 0 to 1",
        ),
        (
            {"tcp": {"loss": 1.0}},
            "loss=1 (TCP client to server): TCP could never deliver a segment, so no progress"
            " is possible; allowed 0 <= loss < 1 for TCP (to drop every UDP datagram only, use"
            ' udp={"loss": 1})',
        ),
        (
            {"server_to_client": {"loss": 1}},
            "loss=1 (TCP server to client): TCP could never deliver a segment, so no progress"
            " is possible; allowed 0 <= loss < 1 for TCP (to drop every UDP datagram only, use"
            ' udp={"loss": 1})',
        ),
    ],
)
def test_a_refusal_names_the_setting_the_path_and_what_is_allowed(
    settings_: dict[str, object], message: str
) -> None:
    with pytest.raises(LinkError) as error:
        Link(**settings_).validate()  # type: ignore[arg-type]
    assert str(error.value) == message


def test_an_unknown_override_is_refused_listing_the_settings_there_are() -> None:
    with pytest.raises(LinkError) as error:
        Link(udp={"lost": 0.5})
    assert str(error.value) == (
        "Link(udp={'lost': ...}): unknown setting; use corrupt, delay, duplicate, jitter, loss"
    )
    with pytest.raises(LinkError) as error:
        Link(server_to_client={"segment": 100})
    assert str(error.value) == (
        "Link(server_to_client={'segment': ...}): unknown setting; "
        "use corrupt, delay, duplicate, jitter, loss"
    )


# -- the defaults, and how a link describes itself ------------------------------------------------


def test_a_link_without_settings_is_a_perfect_custom_one_with_1460_byte_segments() -> None:
    link = Link()
    assert (link.name, link.segment, link.rto, link.perfect) == ("custom", 1460, 200.0, True)
    assert link.describe() == "custom (no impairment)"
    assert repr(link) == "Link(custom (no impairment))"
    assert link.to_json() == {
        "name": "custom",
        "corrupt": 0.0,
        "delay": 0.0,
        "duplicate": 0.0,
        "jitter": 0.0,
        "loss": 0.0,
        "segment": 1460,
        "rto": 200.0,
    }


def test_the_default_segment_cuts_a_send_every_1460_bytes() -> None:
    """3000 bytes: 1460 + 1460 + 80, all through at once on a perfect link."""
    segments = LinkModel(Link().validate(), 42).segments(0.0, "s", TO_SERVER, 100, 3000)
    assert [(s.number, s.start, s.end, s.losses, s.arrive_at) for s in segments] == [
        (1, 100, 1560, 0, 0.0),
        (2, 1560, 3020, 0, 0.0),
        (3, 3020, 3100, 0, 0.0),
    ]


def test_a_description_lists_the_base_settings_sorted_and_says_if_there_are_overrides() -> None:
    link = Link(loss=0.1, delay=20, jitter=2.5, udp={"corrupt": 0.5}, name="mine")
    assert link.describe() == "mine (delay=20, jitter=2.5, loss=0.1, with overrides)"
    assert repr(link) == "Link(mine (delay=20, jitter=2.5, loss=0.1, with overrides))"
    only_overrides = Link(server_to_client={"loss": 0.5})
    assert only_overrides.describe() == "custom (with overrides)"


def test_the_json_holds_every_setting_and_only_the_overrides_given() -> None:
    link = Link(loss=0.1, segment=500, rto=300, tcp={"delay": 5}, server_to_client={"loss": 0.2})
    assert link.to_json() == {
        "name": "custom",
        "corrupt": 0.0,
        "delay": 0.0,
        "duplicate": 0.0,
        "jitter": 0.0,
        "loss": 0.1,
        "segment": 500,
        "rto": 300,
        "tcp": {"delay": 5},
        TO_CLIENT: {"loss": 0.2},
    }


# -- a datagram's decision: its numbers and its words ---------------------------------------------


def test_a_datagram_decision_gives_its_number_copies_draw_and_text() -> None:
    """loss=0.3, duplicate=0.2, corrupt=0.5, delay=200 ms, jitter=50 ms, 10-byte datagrams sent
    at 1 s (delays of 50 ms and more show a slip of 1/1000 in the text's tenths of a ms):

    - 1: loss draw 0.639 >= 0.3, kept; duplicate draw 0.076 < 0.2, doubled. Copy 1: corrupt
      draw 0.314 < 0.5, the next (0.426) flips byte int(0.426 * 10) = 4; it arrives after
      200 + 50 * (2 * 0.20320713 - 1) = 170.320713 ms. Copy 2: corrupt draw 0.696, intact;
      after 200 + 50 * (2 * 0.37913582 - 1) = 187.913582 ms.
    - 2 and 3: loss draws 0.297 and 0.085 < 0.3, dropped.
    - 4: 0.505, kept; duplicate draw 0.203 >= 0.2, once; corrupt draw 0.682, intact; after
      200 + 50 * (2 * 0.57955739 - 1) = 207.955739 ms.
    """
    link_model = model(loss=0.3, duplicate=0.2, corrupt=0.5, delay=200, jitter=50)
    decisions = [link_model.datagram(1.0, "a#1", TO_SERVER, 10) for _ in range(4)]
    assert [
        (
            d.number,
            d.dropped,
            [(round(c.deliver_at, 9), c.corrupt_at) for c in d.copies],
            d.loss_draw,
            d.text,
        )
        for d in decisions
    ] == [
        (
            1,
            False,
            [(1.170320713, 4), (1.187913582, None)],
            0.6391302138469263,
            "delivered after 170.3 ms; "
            "duplicated (duplicate=0.2, draw=0.076), copy after 187.9 ms; "
            "a byte corrupted (corrupt=0.5); "
            "loss=0.3, draw=0.639",
        ),
        (2, True, [], 0.29653922399539767, "dropped: loss=0.3, draw=0.297, seed=42"),
        (3, True, [], 0.08497395272446018, "dropped: loss=0.3, draw=0.085, seed=42"),
        (
            4,
            False,
            [(1.207955739, None)],
            0.5051337855580423,
            "delivered after 208.0 ms; loss=0.3, draw=0.505",
        ),
    ]


def test_a_datagram_on_a_link_without_loss_says_only_when_it_arrives() -> None:
    """delay=80 ms, no jitter, nothing else: delivered after 80.0 ms, and the text says no
    more (no loss, no copy, no byte corrupted); each sender counts its own datagrams."""
    link_model = model(delay=80)
    first = link_model.datagram(2.5, "a#1", TO_SERVER, 10)
    other = link_model.datagram(2.5, "b#1", TO_SERVER, 10)
    again = link_model.datagram(3.0, "a#1", TO_SERVER, 0)
    assert [(d.number, d.text) for d in (first, other, again)] == [
        (1, "delivered after 80.0 ms"),
        (1, "delivered after 80.0 ms"),
        (2, "delivered after 80.0 ms"),
    ]
    assert [c.deliver_at for c in first.copies] == [pytest.approx(2.58)]


# -- a draw equal to the probability is not below it ----------------------------------------------


def test_a_loss_draw_equal_to_the_loss_keeps_the_datagram_and_the_segment() -> None:
    """loss set to the first loss draw itself, 0.6391302138469263: that draw is not below it,
    so datagram 1 and segment 1 get through the first time (no delay: at once)."""
    udp = model(loss=FIRST_LOSS).datagram(0.0, "a#1", TO_SERVER, 10)
    assert (udp.dropped, [c.deliver_at for c in udp.copies]) == (False, [0.0])
    tcp = model(loss=FIRST_LOSS).segments(0.0, "s", TO_SERVER, 0, 10)
    assert [(s.losses, s.arrive_at, s.release_at) for s in tcp] == [(0, 0.0, 0.0)]


def test_a_duplicate_draw_equal_to_the_duplicate_sends_one_copy() -> None:
    """duplicate set to the first duplicate draw, 0.07553795284438469: one copy, not two."""
    decision = model(duplicate=FIRST_DUPLICATE).datagram(0.0, "a#1", TO_SERVER, 10)
    assert len(decision.copies) == 1
    assert "duplicated" not in decision.text


def test_a_corrupt_draw_equal_to_the_corrupt_leaves_the_bytes_alone() -> None:
    """corrupt set to the first corrupt draw, 0.31416895623306806: the datagram is intact."""
    decision = model(corrupt=FIRST_CORRUPT).datagram(0.0, "a#1", TO_SERVER, 10)
    assert [c.corrupt_at for c in decision.copies] == [None]
    assert decision.text == "delivered after 0.0 ms"


# -- delays ---------------------------------------------------------------------------------------


def test_a_delay_is_never_below_zero_and_a_perfect_link_delivers_at_once() -> None:
    """delay=1 ms, jitter=5 ms: 1 + 5 * (2 * 0.20320713 - 1) = -1.968 ms and
    1 + 5 * (2 * 0.37913582 - 1) = -0.209 ms are held at 0; then
    1 + 5 * (2 * 0.57955739 - 1) = 1.795574 ms."""
    link_model = model(delay=1, jitter=5)
    copies = [link_model.datagram(3.0, "a#1", TO_SERVER, 10).copies[0] for _ in range(3)]
    assert [round(c.deliver_at, 9) for c in copies] == [3.0, 3.0, 3.001795574]
    perfect = model()
    assert [c.deliver_at for c in perfect.datagram(3.0, "a#1", TO_SERVER, 10).copies] == [3.0]
    assert [s.arrive_at for s in perfect.segments(3.0, "s", TO_SERVER, 0, 10)] == [3.0]


def test_tcp_and_udp_draw_their_delays_each_from_its_own_copy() -> None:
    """delay=10 ms, jitter=5 ms: a datagram, then a segment, then a datagram. The segment meets
    the first delay draw as the first datagram did: both after 10 + 5 * (2 * 0.20320713 - 1)
    = 7.032071 ms; the second datagram meets the second draw: 10 + 5 * (2 * 0.37913582 - 1)
    = 8.791358 ms."""
    link_model = model(delay=10, jitter=5)
    first = link_model.datagram(0.0, "a#1", TO_SERVER, 10)
    (segment,) = link_model.segments(0.0, "s", TO_SERVER, 0, 10)
    second = link_model.datagram(0.0, "a#1", TO_SERVER, 10)
    assert round(first.copies[0].deliver_at, 9) == 0.007032071
    assert round(segment.arrive_at, 9) == 0.007032071
    assert round(second.copies[0].deliver_at, 9) == 0.008791358


# -- the end of a stream --------------------------------------------------------------------------


def test_a_stream_that_sent_nothing_ends_now_and_one_that_did_after_its_data() -> None:
    """delay=10 ms, no jitter: a segment sent at 0 s is released at 0.01 s. Its FIN, sent at
    0.005 s, comes after it (0.01 s); sent at 1 s, at 1 s. A stream that sent nothing: now."""
    link_model = model(delay=10)
    assert link_model.stream_end("never", 4.0) == 4.0
    link_model.segments(0.0, "s", TO_SERVER, 0, 10)
    assert link_model.stream_end("s", 0.005) == pytest.approx(0.01)
    assert link_model.stream_end("s", 1.0) == 1.0
    assert link_model.stream_end("other", 0.5) == 0.5
