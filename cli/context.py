"""What every command shares: the database path, instrument folders, configuration and, in tests,
the prompt_toolkit input and output that questionary prompts are driven through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from recoverycap.paths import default_config_path, default_db_path
from recoverycap.registry import Library


class AppContext:
    """Shared state of one ``recoverycap`` invocation (``ctx.obj``).

    Tests create one with ``input`` and ``output`` (a prompt_toolkit pipe input and DummyOutput)
    and pass it as ``obj`` to ``CliRunner.invoke``; the global options then fill in the rest.
    """

    def __init__(
        self,
        db: Path | None = None,
        instruments_dirs: tuple[Path, ...] = (),
        config_path: Path | None = None,
        input: Any = None,
        output: Any = None,
    ):
        self.input = input
        self.output = output
        self.configure(db, instruments_dirs, config_path)

    def configure(
        self, db: Path | None, instruments_dirs: tuple[Path, ...], config_path: Path | None
    ) -> None:
        self.db_path = Path(db) if db else default_db_path()
        self.instruments_dirs = tuple(instruments_dirs)
        self.config_path = Path(config_path) if config_path else default_config_path()
        self._library: Library | None = None
        self._config: Any = None

    @property
    def library(self) -> Library:
        if self._library is None:
            self._library = Library(self.instruments_dirs)
        return self._library

    @property
    def config(self) -> Any:
        if self._config is None:
            from recoverycap.config import load_config

            self._config = load_config(self.config_path)
        return self._config

    def prompt_kwargs(self) -> dict[str, Any]:
        """Keyword arguments that route questionary prompts through the test pipe, if any."""
        kwargs: dict[str, Any] = {}
        if self.input is not None:
            kwargs["input"] = self.input
        if self.output is not None:
            kwargs["output"] = self.output
        return kwargs
