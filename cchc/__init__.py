"""cchc: an administrative-reform (CCHC) plan kept as validated, version-controlled YAML.

The library is as useful as the command line::

    from cchc import load_plan, plan_status
    plan = load_plan("plan_2023.yaml")
    facts = plan_status(plan, datetime.date(2023, 3, 15))

Names are imported lazily so `import cchc` stays cheap for the CLI.
"""

from __future__ import annotations

__version__ = "0.1.0"

_EXPORTS = {
    "load_plan": "cchc.planfile",
    "load": "cchc.planfile",
    "validate_file": "cchc.planfile",
    "find_plan": "cchc.planfile",
    "Plan": "cchc.model",
    "Task": "cchc.model",
    "Target": "cchc.model",
    "plan_status": "cchc.status",
    "task_states": "cchc.status",
    "report_period": "cchc.periods",
    "Diagnostic": "cchc.diagnostics",
    "PlanInvalid": "cchc.diagnostics",
    "CchcError": "cchc.diagnostics",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'cchc' has no attribute {name!r}")
