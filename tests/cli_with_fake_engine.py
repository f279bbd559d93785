"""The real command line with the test suite's fake engine registered: run as a script by run_cli."""

from __future__ import annotations

import sys

from fake_engine import FakeEngine

from broadcast.cli import main
from broadcast.speech.engines import register_engine

if __name__ == "__main__":
    register_engine(FakeEngine)
    sys.exit(main())
