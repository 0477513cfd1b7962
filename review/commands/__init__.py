"""Command modules, one per stage; `register_all` adds them to the typer app.

A command module imports only typer, rich and the standard library at the top;
the stage's core and any heavy library are imported inside the command body.
"""

from __future__ import annotations

import typer


def register_all(app: typer.Typer) -> None:
    """Register the commands in the order of the review's pipeline (that is the --help order)."""
    from review.commands import dedup_cmd, run_cmd, workspace_cmds
    from review.extraction import command as extraction_command
    from review.pool import command as pool_command
    from review.prisma import command as prisma_command
    from review.screening import command as screening_command

    workspace_cmds.register_setup(app)  # init, check, import
    dedup_cmd.register(app)
    screening_command.register(app)  # screen (group), export
    extraction_command.register(app)
    prisma_command.register(app)
    pool_command.register(app)
    run_cmd.register(app)  # run, report
    workspace_cmds.register_tools(app)  # status, convert
