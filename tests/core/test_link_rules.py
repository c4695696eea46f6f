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
