"""`cchc serve`: the plan in a browser, for the units that never open a terminal.

After beancount's Fava: the YAML file stays the only source of truth. Every page is computed on
request by the library functions the commands use (`status.plan_status`, `query`, `checks`,
`history`, `report`), and every form writes through `cchc.edit` (the same validation, lock, hash
guard and one-line messages as `cchc update`, `done`, `evidence add`, `kpi record` and `note`).

    from cchc.web import create_app
    create_app("plan_2023.yaml").run()        # development only; `cchc serve` uses waitress

Modules: `app` (the Flask app factory, request hooks, sessions, CSRF), `pages` (read-only pages),
`writes` (the forms that record), `auth` (login), `accounts` (account file, scrypt hashes,
throttling), `uploads` (evidence files), `chart` (SVG), `gitops` (diff, commit per write).
Flask is imported only here, inside `create_app`, so other commands never load it.
"""

from __future__ import annotations


def create_app(plan_path, **options):
    """The WSGI application serving the plan at `plan_path`; see `cchc.web.app.create_app`."""
    from .app import create_app as factory

    return factory(plan_path, **options)
