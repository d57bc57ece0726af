"""Vector tiles of a zone's parcels, cut by DuckDB (``ST_AsMVT``) and kept in memory.

A tile depends only on the import (which never changes in place), so tiles are cached by
(import id, zone, z, x, y) in a bounded LRU. The Web Mercator copy of the parcels is built once
per import, under the store's write lock, the first time the map of that import is asked for.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import duckdb

from jiyue.web import queries
from jiyue.web.db import Store

MIN_ZOOM = 12  # below this a tile would carry a whole large zone; the map shows the outline only
MAX_ZOOM = 20


class TileCache:
    def __init__(self, store: Store, max_tiles: int = 4000) -> None:
        self.store = store
        self.max_tiles = max_tiles
        self._tiles: OrderedDict[tuple[int, str, int, int, int], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._geo_ready: set[int] = set()
        self._known: set[tuple[int, str]] = set()

    def known(self, cur: duckdb.DuckDBPyConnection, import_id: int, zone: str) -> bool:
        """Whether (import, zone) is a snapshot of the store (positive answers are remembered)."""
        if (import_id, zone) in self._known:
            return True
        row = cur.execute("SELECT count(*) FROM snapshots WHERE import_id = ? AND zone_code = ?",
                          [import_id, zone]).fetchone()
        if row and row[0]:
            self._known.add((import_id, zone))
            return True
        return False

    def ensure_geo(self, cur: duckdb.DuckDBPyConnection, import_id: int) -> None:
        if import_id in self._geo_ready:
            return
        if not queries.geo_ready(cur, import_id):
            with self.store.write() as w:
                queries.ensure_geo(w, import_id)
        self._geo_ready.add(import_id)

    def get(self, cur: duckdb.DuckDBPyConnection, import_id: int, zone: str, z: int, x: int, y: int) -> bytes:
        key = (import_id, zone, z, x, y)
        with self._lock:
            hit = self._tiles.get(key)
            if hit is not None:
                self._tiles.move_to_end(key)
                return hit
        self.ensure_geo(cur, import_id)
        data = queries.tile(cur, import_id, zone, z, x, y)
        with self._lock:
            self._tiles[key] = data
            while len(self._tiles) > self.max_tiles:
                self._tiles.popitem(last=False)
        return data
