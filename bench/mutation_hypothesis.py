"""A pytest plugin for mutation runs only (``[tool.mutmut]`` in pyproject.toml loads it).

Hypothesis's default settings make a mutation score depend on the machine: its 200 ms deadline
fails a test that is merely slow on a loaded machine (a false "killed"), its random examples
differ from run to run, and shrinking a failure takes long. Here: no deadline, the same
examples every run, and no shrinking (a mutant needs one failing example, not the smallest).
"""

from hypothesis import Phase, settings

settings.register_profile(
    "mutation",
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
)
settings.load_profile("mutation")
