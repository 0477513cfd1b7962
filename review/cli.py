"""The `review` command line: one thin command per stage.

Each command parses its options, calls the stage's pure core, renders the result
with rich and maps `ReviewError` to an exit code. Heavy libraries (pandas, scipy,
matplotlib) are imported inside the commands that need them, so `review --help`
stays fast.
"""

from __future__ import annotations

import sys

import typer

from review.errors import ReviewError

app = typer.Typer(
    name="review",
    help="A systematic review from search exports to pooled tables, in plain files kept in git.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def fail(err: ReviewError) -> None:
    """Print one line for a user's mistake and exit with its code."""
    sys.stderr.write(f"Error: {err}\n")
    raise SystemExit(err.exit_code)


# --- stage commands are registered below -------------------------------------
# Each stage keeps its command in its own module (review/<stage>/command.py or
# review/commands/<name>.py); this file only wires them in.

from review.commands import register_all  # noqa: E402

register_all(app)


def main() -> None:
    """Entry point of the console script: no traceback for a user's mistake."""
    try:
        app()
    except ReviewError as err:
        fail(err)
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        raise SystemExit(130)
