"""Running the API under uvicorn: one process by default; with `--workers N` uvicorn starts N
processes, each building the app from the settings the parent leaves in its environment (the
migrations have run once, in the parent, before any worker starts)."""

from __future__ import annotations

import json
import logging
import os
import sys

import uvicorn
from sqlalchemy.engine import URL, make_url
from starlette.applications import Starlette

from coachdesk.hub.app import create_app
from coachdesk.hub.config import HubConfig
from coachdesk.hub.disclosure import parse_rule
from coachdesk.hub.store import Store

_SETTINGS_ENV = "COACHDESK_HUB_WORKER_SETTINGS"


def configure_logging(level: int = logging.INFO) -> None:
    """The hub's own lines to stderr, beside uvicorn's (a service manager collects both)."""
    logger = logging.getLogger("coachdesk")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(level)


def serve(url: URL, config: HubConfig, *, host: str, port: int, workers: int = 1) -> None:
    configure_logging()
    store = Store.open(url)
    common = {"host": host, "port": port, "server_header": False, "proxy_headers": False}
    if workers == 1:
        uvicorn.run(create_app(store, config), **common)  # type: ignore[arg-type]
        store.close()
        return
    store.close()
    # Inherited by the workers only: the URL may hold the database password, so it is never logged.
    os.environ[_SETTINGS_ENV] = json.dumps(
        {
            "db": url.render_as_string(hide_password=False),
            "programme": config.programme,
            "practices": sorted(config.practices) if config.practices is not None else None,
            "practice_names": config.practice_names,
            "sdc": config.sdc.text,
        }
    )
    uvicorn.run("coachdesk.hub.server:worker_app", factory=True, workers=workers, **common)  # type: ignore[arg-type]


def worker_app() -> Starlette:
    """One worker's app, from the settings `serve` left in the environment."""
    configure_logging()
    settings = json.loads(os.environ[_SETTINGS_ENV])
    practices = settings["practices"]
    config = HubConfig(
        programme=settings["programme"],
        practices=frozenset(practices) if practices is not None else None,
        practice_names=tuple(tuple(pair) for pair in settings["practice_names"]),
        sdc=parse_rule(settings["sdc"]),
    )
    return create_app(Store.open(make_url(settings["db"]), migrate=False), config)
