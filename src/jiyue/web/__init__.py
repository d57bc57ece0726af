"""jiyue's web application: a zone bureau's dashboard, parcel map, ledgers and data upload.

``create_app(settings)`` in :mod:`jiyue.web.app` builds the FastAPI application; ``jiyue serve``
(:mod:`jiyue.cli.web`) runs it with uvicorn. Every page is server-rendered (Jinja2, Chinese);
the map is MapLibre GL, vendored under ``static/vendor/`` with vector tiles cut by DuckDB.
No request leaves the machine.
"""
