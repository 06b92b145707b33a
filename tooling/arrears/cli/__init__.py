"""The command line: `main` (the group and `check`) and one module per group of commands.

Each command parses its options, calls the pipeline or one library function,
and formats the result; nothing here computes a figure.
"""

from arrears.cli.app import main, run

__all__ = ["main", "run"]
