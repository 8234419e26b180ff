"""The plan's JSON Schema, generated from the Pydantic models, for editors.

`schema/plan.schema.json` is checked in and named on the first line of every plan file
(`# yaml-language-server: $schema=schema/plan.schema.json`), so VS Code's YAML extension (and any
editor using yaml-language-server) completes keys and underlines mistakes while typing. A test
keeps the checked-in file equal to `render()`; regenerate it with `cchc schema -o schema/plan.schema.json`.
"""

from __future__ import annotations

import json
from typing import Any

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE = "schema/plan.schema.json"
MODELINE = f"# yaml-language-server: $schema={SCHEMA_FILE}"

# The schema is part of the plan format, like the plan's keys: its words stay Vietnamese
# whatever the interface language, so they are not passed through `_()`.
TITLE = "Kế hoạch cải cách hành chính (cchc)"
DESCRIPTION = (
    "Tệp kế hoạch CCHC năm của một cơ quan, đơn vị, dùng với công cụ cchc. Kiểm tra đầy đủ "
    "(mã đơn vị, mã nhiệm vụ, ngày trong năm kế hoạch) bằng lệnh `cchc validate`."
)


def plan_schema() -> dict[str, Any]:
    """The JSON Schema of a plan file, with its dialect, title and description first."""
    from .model import Plan

    generated = Plan.model_json_schema()
    generated.pop("title", None)
    generated.pop("description", None)
    _refine(generated)
    return {"$schema": SCHEMA_DIALECT, "title": TITLE, "description": DESCRIPTION, **generated}


# JSON Schema (ECMAScript) spelling of `model.PERIOD_RE`, which uses Python's named groups.
_PERIOD_PATTERN = r"^\d{4}(-(Q[1-4]|H1))?$"


def _refine(schema: dict[str, Any]) -> None:
    # What the validators of the models accept but Pydantic cannot express: a period key's
    # shape, and a bare year written as a YAML number (`period: 2023`). Without these the
    # editor would underline values `cchc validate` accepts, or miss ones it refuses.
    period = schema["$defs"]["Measurement"]["properties"]["period"]
    description = period.pop("description", "")
    period.pop("type", None)
    period.update({"anyOf": [{"type": "string", "pattern": _PERIOD_PATTERN},
                             {"type": "integer", "minimum": 2000, "maximum": 2100}],
                   "description": description})
    schema["properties"]["narratives"]["propertyNames"] = {"pattern": _PERIOD_PATTERN}


def render() -> str:
    """The schema as the checked-in file's text: stable key order, UTF-8, final newline."""
    return json.dumps(plan_schema(), ensure_ascii=False, indent=2) + "\n"
