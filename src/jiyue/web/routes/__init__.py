"""The routes, one module per page or resource; each module's ``router`` is listed in ROUTERS."""

from __future__ import annotations

from jiyue.web.routes import admin, auth, dashboard, enterprises, home, ledger, map, ranking, reports, safety, upload
from jiyue.web.routes import liveability  # 产城融合·生活圈 (jiyue.liveability)

ROUTERS = [home.router, auth.router, dashboard.router, map.router, enterprises.router, ledger.router, ranking.router,
           upload.router, reports.router, admin.router]
ROUTERS.append(safety.router)  # safety-production hazard ledger
ROUTERS.append(liveability.router)
