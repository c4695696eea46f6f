"""Scenario files: loaded, described, and refused in one line naming the file when they go wrong."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from netlab.core.scenario import Scenario, ScenarioError, load_scenario


def scenario_file(tmp_path: Path, text: str, name: str = "lab.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


HEAD = "from netlab import Scenario\nlab = Scenario('t')\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x = (\n", "line 1: syntax error"),
        ("import netlab\n", "defines no Scenario"),
        ("from netlab import Scenario\nraise KeyError('boom')\n", "line 2: KeyError: 'boom'"),
        ("from netlab import Scenario\nlab = Scenario('t')\n", "has no actors"),
        (
            HEAD + "@lab.actor('bad name!')\ndef a(c): ...\n",
            "a name is a letter",
        ),
        (
            HEAD + "@lab.actor('a', count=0)\ndef a(c): ...\n",
            "count must be 1 to 32",
        ),
        (  # the cap holds however the actors are declared
            HEAD + "for i in range(200):\n    lab.actor(f'a{i}')(lambda ctx: None)\n",
            "lab.actor('a32'): a lab has at most 32 actors",
        ),
        (
            "from netlab import Scenario\na = Scenario('a')\nb = Scenario('b')\n",
            "defines 2 Scenarios",
        ),
        (
            "from netlab import Scenario\nlab = Scenario('t', link='wifi')\n",
            "unknown; use a preset",
        ),
    ],
)
def test_scenario_errors_are_one_line_and_name_the_file(tmp_path, text, message) -> None:
    path = scenario_file(tmp_path, text)
    with pytest.raises(ScenarioError) as error:
        load_scenario(str(path))
    assert message in str(error.value)
    assert str(path) in str(error.value)
    assert "\n" not in str(error.value)


def test_unknown_names_and_missing_files(tmp_path: Path) -> None:
    # The built-in names, sorted (more lessons come before tcp-echo as the course grows).
    listed = r"no such scenario \(built-in ones: [a-z0-9-, ]*tcp-echo"
    with pytest.raises(ScenarioError, match=listed):
        load_scenario("nope")
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(str(tmp_path / "missing.py"))


def test_builtin_scenarios_load_and_describe_themselves() -> None:
    loaded = load_scenario("tcp-echo")
    assert loaded.name == "tcp-echo"
    assert loaded.scenario.actor_names() == ["server", "client-1", "client-2"]
    assert loaded.description.startswith("TCP echo")
    assert loaded.scenario.find_actor("client-2")[1] == 2


def test_scenario_api_checks_its_arguments() -> None:
    with pytest.raises(ScenarioError):
        Scenario("")
    with pytest.raises(ScenarioError):
        Scenario("t", seed="1")  # type: ignore[arg-type]


def test_a_scenario_file_is_named_by_its_stem_and_described_by_its_docstring(tmp_path) -> None:
    path = scenario_file(
        tmp_path,
        '''\
        """My lab: one actor.

        More words."""
        from netlab import Scenario
        lab = Scenario("Mine", seed=9)
        @lab.actor("solo", count=3)
        def solo(ctx):
            pass
        ''',
        "my_lab.py",
    )
    loaded = load_scenario(str(path))
    assert (loaded.name, loaded.description, loaded.scenario.seed) == (
        "my_lab",
        "My lab: one actor.",
        9,
    )
    assert loaded.scenario.actor_names() == ["solo-1", "solo-2", "solo-3"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "from netlab import Scenario\nlab = Scenario('t', ports=99)\n",
            "expected 1 to 16 ports",
        ),
        (
            "from netlab import Scenario\nlab = Scenario('t')\n"
            "@lab.actor('a')\ndef a(c): ...\n@lab.actor('a')\ndef b(c): ...\n",
            "declared already",
        ),
        ("from netlab import Scenario\nlab = Scenario('t')\nlab.actor('a')(3)\n", "must decorate"),
        ("x = 1 +* 2\n", "line 1: syntax error"),
        ("from netlab import Scenario\n\n\n1 / 0\n", "line 4: ZeroDivisionError"),
    ],
)
def test_more_scenario_errors_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = scenario_file(tmp_path, text)
    with pytest.raises(ScenarioError) as error:
        load_scenario(str(path))
    assert message in str(error.value) and str(path) in str(error.value)
    assert "\n" not in str(error.value)


def test_a_scenario_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "lab.py"
    path.write_bytes(b"\xff\xfe x = 1\n")
    with pytest.raises(ScenarioError, match="cannot be read"):
        load_scenario(str(path))


def test_a_folder_is_not_a_scenario(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(str(tmp_path))


@pytest.mark.parametrize("code", ["0", "2", "'bye'"])
def test_a_scenario_that_exits_as_it_loads_is_a_scenario_error(tmp_path: Path, code: str) -> None:
    path = scenario_file(tmp_path, f"import sys\n\nsys.exit({code})\n")
    with pytest.raises(ScenarioError, match="line 3: SystemExit"):
        load_scenario(str(path))


def test_a_scenario_that_loops_as_it_loads_is_stopped_and_named(tmp_path: Path) -> None:
    path = tmp_path / "loops.py"
    path.write_text('"""Loops."""\nwhile True:\n    pass\n')
    with pytest.raises(ScenarioError, match=r"loops.py: still loading after 0.5 s"):
        load_scenario(str(path), time_limit=0.5)
