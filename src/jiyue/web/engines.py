"""The other engines, seen from the web: per-mu evaluation, idle land and its campaign ledger,
standard land, PDF reports — each optional.

Each engine is imported on first use; when it is not installed (or not finished) the page says
so and the rest of the application works. Only the engines' service-level functions are called,
with the store's path (the store connection is shared in-process, see
:func:`jiyue.store.hold`). Writes take the store's write lock. Results of the
reading services are cached per import (and ledger version), since imports never change.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
from collections.abc import Callable
from typing import Any

import duckdb

from jiyue import store
from jiyue.errors import JiyueError
from jiyue.web.db import Store
from jiyue.web.errors import scrub
from jiyue.web.settings import Settings

log = logging.getLogger("jiyue.web")

MODULES = {
    "mujun": "jiyue.mujun.service",
    "idle": "jiyue.idle.service",
    "ledger": "jiyue.idle.campaign",
    "standard_land": "jiyue.standard_land.service",
    "pdf": "jiyue.reports.zone_report",
}


#: work done inside an engine change's transaction (the web's audit row), see :meth:`Engines._write`
Within = Callable[[duckdb.DuckDBPyConnection], None] | None


class _WithinFailed(BaseException):
    """An exception of the work done inside an engine's transaction (rolled back with the change)."""

    def __init__(self, exc: Exception) -> None:
        super().__init__(str(exc))
        self.exc = exc


class EngineUnavailable(JiyueError):
    """An optional engine is not installed in this build."""


class EngineFailed(JiyueError):
    """An engine raised something other than a jiyue error (shown as one sentence)."""


#: the engines' names in the one sentence shown when one fails
ENGINE_NAMES = {"mujun": "亩均效益评价", "idle": "闲置土地认定", "ledger": "处置台账", "standard_land": "标准地核查",
                "pdf": "PDF 报告"}


class Engines:
    #: folders of the running servers (store, files), cut from engine messages (:func:`jiyue.web.errors.scrub`)
    roots: tuple[str, ...] = ()

    def __init__(self, settings: Settings, store: Store) -> None:
        folders = settings.private_folders
        Engines.roots = tuple(dict.fromkeys([*Engines.roots, *(str(p) for p in folders),
                                             *(str(p.resolve()) for p in folders)]))
        self.settings = settings
        self.store = store
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._flights: dict[tuple[Any, ...], threading.Lock] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ plumbing
    def module(self, name: str) -> Any | None:
        try:
            return importlib.import_module(MODULES[name])
        except ImportError:
            return None
        except Exception:  # noqa: BLE001 - a half-written engine must not take the web app down
            log.exception("engine %s failed to import", name)
            return None

    def available(self) -> dict[str, bool]:
        return {k: self.module(k) is not None for k in MODULES}

    def _need(self, name: str) -> Any:
        from jiyue.web.labels import ENGINE_MISSING

        mod = self.module(name)
        if mod is None:
            raise EngineUnavailable(ENGINE_MISSING[name])
        return mod

    def _cached(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        if key in self._cache:
            return self._cache[key]
        with self._lock:  # one computation per key: concurrent requests for it wait for that one
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            if key in self._cache:
                return self._cache[key]
            value = self._call(key[0], compute)
            with self._lock:
                self._cache[key] = value
                self._flights.pop(key, None)
                if len(self._cache) > 256:
                    self._cache.pop(next(iter(self._cache)))
        return value

    @staticmethod
    def _call(engine: str, fn: Callable[[], Any]) -> Any:
        from jiyue.web.labels import MSG

        try:
            return fn()
        except JiyueError as e:  # shown to the user: without the server's paths
            e.message = scrub(e.message, Engines.roots)
            raise
        except Exception:  # noqa: BLE001 - one sentence to the user, the exception and traceback to the log
            log.exception("engine %s failed", engine)
            raise EngineFailed(MSG["engine_error"].format(engine=ENGINE_NAMES.get(engine, engine))) from None

    def _write(self, engine: str, fn: Callable[[], Any],
               within: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> Any:
        """Run an engine's change; ``within(con)`` (the audit row) is written inside the change's own
        transaction, just before its COMMIT (:func:`jiyue.store.before_commit`): both land or neither."""
        with self.store.write_lock:
            if within is None:
                out = self._call(engine, fn)
            else:
                def guarded(con: duckdb.DuckDBPyConnection) -> None:
                    try:
                        within(con)
                    except Exception as e:  # passed through the engine's error wrapping untouched
                        raise _WithinFailed(e) from e

                try:
                    with store.before_commit(guarded) as pending:
                        out = self._call(engine, fn)
                except _WithinFailed as e:
                    raise e.exc from None
                if pending:  # the engine committed nothing (e.g. nothing to change): record it on its own
                    with self.store.write() as w:
                        within(w)
        with self._lock:  # a ledger change can change idle findings (supplementary agreements)
            self._cache.clear()
        return out

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    # ------------------------------------------------------------------ per-mu
    def mujun(self, snapshot: tuple[int, str, int], year: int) -> dict[str, Any]:
        """The per-mu evaluation document of a zone's enterprises for ``year``."""
        mod = self._need("mujun")
        imp, zone, _ = snapshot
        scheme = self.settings.mujun_scheme
        return self._cached(("mujun", imp, zone, year, scheme),
                            lambda: mod.evaluate(db=self.store.path, scheme=scheme, year=year, zone=zone))

    def mujun_history(self, snapshot: tuple[int, str, int], years: list[int], enterprise_id: str
                      ) -> list[dict[str, Any]]:
        """One enterprise's per-mu record in every year that can be evaluated."""
        out = []
        for y in sorted(years):
            try:
                doc = self.mujun(snapshot, y)
            except JiyueError as e:
                out.append({"year": y, "error": e.message})
                continue
            rec = next((r for r in doc["enterprises"] if r["enterprise_id"] == enterprise_id), None)
            out.append({"year": y, "record": rec, "scheme": doc.get("scheme")})
        return out

    # ------------------------------------------------------------------ idle land
    def _ledger_version(self) -> int:
        with self.store.cursor() as cur:
            try:
                row = cur.execute("SELECT coalesce(max(event_id), 0) FROM ledger_events").fetchone()
            except Exception:  # noqa: BLE001 - no ledger tables yet
                return 0
        return int(row[0]) if row else 0

    def idle(self, snapshot: tuple[int, str, int]) -> dict[str, Any]:
        """The idle-land assessment of a zone (as of 31 December of its year)."""
        mod = self._need("idle")
        imp, zone, year = snapshot
        return self._cached(("idle", imp, zone, year, self._ledger_version()),
                            lambda: mod.assess(db=self.store.path, zone=zone, year=year))

    def idle_entry(self, snapshot: tuple[int, str, int], parcel_id: str) -> dict[str, Any] | None:
        doc = self.idle(snapshot)
        return next((p for p in doc["parcels"] if p["parcel_id"] == parcel_id), None)

    # ------------------------------------------------------------------ the campaign ledger
    def campaigns(self) -> list[dict[str, Any]]:
        mod = self._need("ledger")
        return self._call("ledger", lambda: mod.campaigns(self.store.path))

    def ledger(self, campaign: int | None = None, parcel: str | None = None) -> dict[str, Any]:
        mod = self._need("ledger")
        return self._call("ledger", lambda: mod.show(self.store.path, campaign=campaign, parcel=parcel))

    def ledger_history(self, campaign: int, parcel: str) -> dict[str, Any]:
        mod = self._need("ledger")
        return self._call("ledger", lambda: mod.history(self.store.path, campaign=campaign, parcel=parcel))

    def ledger_stats(self, campaign: int) -> dict[str, Any]:
        mod = self._need("ledger")
        return self._call("ledger", lambda: mod.stats(self.store.path, campaign=campaign))

    def open_campaign(self, *, since: int, as_of: dt.date | None, zone: str | None, user: str,
                      name: str | None = None, within: Within = None) -> dict[str, Any]:
        mod = self._need("ledger")
        return self._write("ledger", lambda: mod.inventory(self.store.path, since=since, as_of=as_of, zone=zone,
                                                           user=user, name=name), within)

    def plan(self, *, campaign: int, parcel: str, option: str, fields: dict[str, Any], user: str,
             within: Within = None) -> dict[str, Any]:
        mod = self._need("ledger")
        return self._write("ledger", lambda: mod.plan(self.store.path, campaign=campaign, parcel=parcel,
                                                      option=option, fields=fields, user=user), within)

    def progress(self, *, campaign: int, parcel: str, date: str, note: str | None, figures: dict[str, Any],
                 user: str, within: Within = None) -> dict[str, Any]:
        mod = self._need("ledger")
        return self._write("ledger", lambda: mod.progress(self.store.path, campaign=campaign, parcel=parcel,
                                                          date=date, note=note, figures=figures, user=user), within)

    def close(self, *, campaign: int, parcel: str, evidence: list[str], reviewer: str, outcome: str,
              note: str | None, user: str, within: Within = None) -> dict[str, Any]:
        mod = self._need("ledger")
        return self._write("ledger", lambda: mod.close(self.store.path, campaign=campaign, parcel=parcel,
                                                       evidence=evidence, reviewer=reviewer, outcome=outcome,
                                                       note=note, user=user), within)

    def evidence(self, evidence_id: int) -> tuple[str, bytes, str]:
        self._need("ledger")
        from jiyue.ledger import service as ledger_service

        with self.store.cursor() as cur:
            return self._call("ledger", lambda: ledger_service.evidence_file(cur, evidence_id))

    # ------------------------------------------------------------------ standard land
    def standard_land(self, snapshot: tuple[int, str, int]) -> dict[str, Any]:
        mod = self._need("standard_land")
        imp, zone, year = snapshot
        as_of = dt.date(year, 12, 31)
        return self._cached(("standard_land", imp, zone, year),
                            lambda: mod.check(db=self.store.path, zone=zone, as_of=as_of, skip_invalid=True))

    def standard_land_contract(self, snapshot: tuple[int, str, int], contract_no: str) -> dict[str, Any] | None:
        doc = self.standard_land(snapshot)
        return next((c for c in doc["contracts"] if str(c.get("contract_no")) == contract_no), None)

    # ------------------------------------------------------------------ PDF report
    def zone_pdf(self, zone: str, year: int | None, out: Any) -> Any:
        mod = self._need("pdf")
        from jiyue.reports.html_report import render_zone, write_pdf

        def make() -> Any:
            docs = mod.zone_documents(None, self.store.path, zone=zone, year=year, profile=self.settings.profile)
            html = render_zone(docs["zone"], docs["ranking"], profile=docs["profile"], whatif=docs["whatif"],
                               whatif_reason=docs["whatif_reason"], parcels=docs["parcels"],
                               boundary=docs["boundary"], crs=docs["crs"], liveability=docs.get("liveability"))
            return write_pdf(html, out)

        return self._call("pdf", make)
