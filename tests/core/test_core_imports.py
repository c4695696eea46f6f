"""The core imports no UI: neither textual nor rich (DESIGN §1.4)."""

from __future__ import annotations

import subprocess
import sys


def test_the_core_imports_neither_textual_nor_rich() -> None:
    code = (
        "import sys\n"
        "import netlab.core.events, netlab.core.channel, netlab.core.scenario, netlab.core.shim\n"
        "import netlab.core.actor_main, netlab.core.conductor, netlab.core.reducer\n"
        "import netlab.core.recording, netlab.core.describe, netlab.core.safe_text\n"
        "import netlab.core.ports, netlab.core.link, netlab.core.analysis, netlab.core.explain\n"
        "import netlab.core.strace, netlab.core.ladder, netlab.core.kernel_view, netlab.headless\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')]\n"
        "print(bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
