"""Progress bars for people running long CLI work (``rich``), always on standard error: standard
output carries what commands print for programs (credentials as JSON; the MCP protocol, which
no progress display ever touches).

On a terminal a live bar shows the current step, how many are done and the time spent; when
standard error is not a terminal (a service manager's log) each step is one plain line instead,
so logs are not filled with redraws."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


def _console() -> Console:
    return Console(stderr=True)


def _bar(console: Console) -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=False)


class MigrationBar:
    """``storage.migrate.Progress`` as a bar: one step per migration. Nothing is shown when the
    schema is already current."""

    def __init__(self, console: Console | None = None) -> None:
        self._console = console or _console()
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._steps: list[str] = []
        self._done = 0

    def planned(self, steps: list[str]) -> None:
        self._steps = steps
        if not steps:
            return
        if not self._console.is_terminal:
            self._console.print(f"migrating the database: {len(steps)} step(s)", highlight=False, soft_wrap=True)
            self._console.print(f"  running {steps[0]}", highlight=False, soft_wrap=True)
            return
        self._progress = _bar(self._console)
        self._progress.start()
        self._task = self._progress.add_task(self._label(0), total=len(steps))

    def applied(self, step: str) -> None:
        self._done += 1
        following = self._done < len(self._steps)
        if self._progress is None or self._task is None:
            if following and not self._console.is_terminal:
                self._console.print(f"  running {self._steps[self._done]}", highlight=False, soft_wrap=True)
            return
        self._progress.update(self._task, advance=1, description=self._label(self._done) if following
                              else "database schema migrated")

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def _label(self, index: int) -> str:
        step = self._steps[index]
        return f"migrating: {step[:60]}"


@contextmanager
def migration_bar() -> Iterator[MigrationBar]:
    bar = MigrationBar()
    try:
        yield bar
    finally:
        bar.close()


class StartupSteps:
    """A worker's start-up as a bar of named steps (taking back the jobs of stopped processes,
    listening, starting the workers and timers; ``background.StartupReport``): ``expect(n)``
    first, ``step(name)`` as each begins, ``close(summary)`` when done."""

    def __init__(self, console: Console | None = None) -> None:
        self._console = console or _console()
        self._total = 0
        self._started = 0
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def expect(self, total: int) -> None:
        self._total = total
        if self._console.is_terminal and self._progress is None:
            self._progress = _bar(self._console)
            self._progress.start()
            self._task = self._progress.add_task("starting", total=total)

    def step(self, name: str) -> None:
        if self._progress is None or self._task is None:
            self._console.print(f"worker: {name}", highlight=False, soft_wrap=True)
        else:
            self._progress.update(self._task, completed=self._started, description=name)
        self._started += 1

    def close(self, summary: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=self._total, description=summary)
            self._progress.stop()
            self._progress = None
        else:
            self._console.print(f"worker: {summary}", highlight=False, soft_wrap=True)
