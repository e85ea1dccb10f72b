"""The plugin host: discovers plugins by entry point, calls the one a tenant chose, isolates failures."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import pluggy
from sqlalchemy.orm import Session

from services.core import builtin_plugins, hookspecs
from services.core.kernel_models import PluginChoice
from services.core.metrics import PLUGIN_ERRORS

log = logging.getLogger("crm.plugins")

BUILTIN = "builtin"
DEFAULT_TIMEOUT_SECONDS = 2.0


class NoImplementation(LookupError):
    pass


@dataclass(frozen=True)
class Choice:
    plugin: str = BUILTIN
    settings: Mapping[str, Any] = field(default_factory=dict)


class PluginHost:
    def __init__(self, *, load_entry_points: bool = True, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS):
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        if load_entry_points:
            self.manager.load_setuptools_entrypoints(hookspecs.PROJECT)
        if self.manager.get_plugin(BUILTIN) is None:
            self.manager.register(builtin_plugins, name=BUILTIN)
        self.timeout_seconds = timeout_seconds
        # Plugin code runs here so that a hung plugin cannot hold the request thread past the timeout.
        self._pool = futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="plugin")

    def register(self, plugin: object, name: str) -> None:
        self.manager.register(plugin, name=name)

    def implementations(self, hook: str) -> dict[str, Callable[..., Any]]:
        caller = getattr(self.manager.hook, hook)
        return {impl.plugin_name: impl.function for impl in caller.get_hookimpls()}

    def call(self, hook: str, choice: Choice, **kwargs: Any) -> Any:
        """Call the chosen plugin's implementation; on error, timeout or absence, the built-in's."""
        implementations = self.implementations(hook)
        chosen = implementations.get(choice.plugin)
        if chosen is None:
            self._failed(hook, choice.plugin, "missing", "not installed")
        elif choice.plugin != BUILTIN:
            future = self._pool.submit(chosen, settings=choice.settings, **kwargs)
            try:
                return future.result(timeout=self.timeout_seconds)
            except futures.TimeoutError:
                self._failed(hook, choice.plugin, "timeout", f"no answer within {self.timeout_seconds}s")
            except Exception as exc:  # noqa: BLE001 - a plugin must never take the service down
                self._failed(hook, choice.plugin, "exception", repr(exc))
        builtin = implementations.get(BUILTIN)
        if builtin is None:
            raise NoImplementation(f"hook {hook} has no built-in implementation")
        return builtin(settings=choice.settings if choice.plugin == BUILTIN else {}, **kwargs)

    def broadcast(self, hook: str, choices: Mapping[str, Mapping[str, Any]], **kwargs: Any) -> None:
        """Call every implementation the tenant enabled (`choices`: plugin -> settings), isolating each."""
        for name, function in self.implementations(hook).items():
            if name not in choices:
                continue
            future = self._pool.submit(function, settings=choices[name], **kwargs)
            try:
                future.result(timeout=self.timeout_seconds)
            except futures.TimeoutError:
                self._failed(hook, name, "timeout", f"no answer within {self.timeout_seconds}s")
            except Exception as exc:  # noqa: BLE001
                self._failed(hook, name, "exception", repr(exc))

    def _failed(self, hook: str, plugin: str, reason: str, detail: str) -> None:
        PLUGIN_ERRORS.labels(hook, plugin, reason).inc()
        log.warning("plugin %s failed on %s (%s: %s); using the built-in", plugin, hook, reason, detail)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def choice_for(session: Session, hook: str) -> Choice:
    """The tenant's choice for `hook` (the session is tenant-scoped), or the built-in."""
    row = session.get(PluginChoice, (session.info["crm_tenant"], hook))
    return Choice(row.plugin, dict(row.settings or {})) if row else Choice()


def choose(session: Session, hook: str, plugin: str, settings: Mapping[str, Any] | None = None) -> None:
    tenant = session.info["crm_tenant"]
    row = session.get(PluginChoice, (tenant, hook))
    if row is None:
        session.add(PluginChoice(tenant_id=tenant, hook=hook, plugin=plugin, settings=dict(settings or {})))
    else:
        row.plugin, row.settings = plugin, dict(settings or {})
