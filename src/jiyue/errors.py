"""Every exception jiyue raises, and the reason codes of data problems.

A *problem* is something wrong with a user's data (collected, never raised one by one);
an *exception* stops a command. Both carry a stable :class:`ReasonCode` so the CLI, the
web UI and the reports can group and translate them (the Chinese texts live in
:mod:`jiyue.messages`). The codes are a public interface: documented in
``docs/reason-codes.md`` and never renamed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """How bad a problem is: errors stop evaluation and import, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


class ReasonCode(str, Enum):
    """Stable codes of data problems (see docs/reason-codes.md)."""

    # the package as a whole
    PACKAGE_UNREADABLE = "package_unreadable"
    LAYER_UNREADABLE = "layer_unreadable"
    MISSING_LAYER = "missing_layer"
    DUPLICATE_LAYER = "duplicate_layer"
    IGNORED_SOURCE = "ignored_source"
    NO_BUILDINGS = "no_buildings"
    NO_ZONE_YEARS = "no_zone_years"
    # fields and values
    MISSING_FIELD = "missing_field"
    DUPLICATE_FIELD = "duplicate_field"
    UNKNOWN_FIELD = "unknown_field"
    MISSING_VALUE = "missing_value"
    BAD_NUMBER = "bad_number"
    BAD_INTEGER = "bad_integer"
    BAD_DATE = "bad_date"
    BAD_BOOL = "bad_bool"
    UNKNOWN_CODE = "unknown_code"
    NEGATIVE_VALUE = "negative_value"
    OUT_OF_RANGE = "out_of_range"
    DUPLICATE_ID = "duplicate_id"
    BROKEN_REFERENCE = "broken_reference"
    REFERENCE_UNCHECKED = "reference_unchecked"
    BAD_CREDIT_CODE = "bad_credit_code"
    INCONSISTENT_CLASS = "inconsistent_class"
    # coordinates and geometry
    MISSING_CRS = "missing_crs"
    CRS_NOT_METRIC = "crs_not_metric"
    CRS_MISMATCH = "crs_mismatch"
    MISSING_GEOMETRY = "missing_geometry"
    EMPTY_GEOMETRY = "empty_geometry"
    INVALID_GEOMETRY = "invalid_geometry"
    WRONG_GEOMETRY_TYPE = "wrong_geometry_type"
    PARCEL_OVERLAP = "parcel_overlap"
    AREA_MISMATCH = "area_mismatch"
    BUILDING_OUTSIDE_PARCELS = "building_outside_parcels"
    BUILDING_STRADDLES_PARCELS = "building_straddles_parcels"
    BUILDING_PARCEL_MISMATCH = "building_parcel_mismatch"
    # the store
    ALREADY_IMPORTED = "already_imported"


@dataclass(frozen=True)
class Problem:
    """One problem found in a package: where it is, what was found, what was expected."""

    severity: Severity
    code: ReasonCode
    layer: str
    row_id: str | None
    field: str | None
    found: str | None
    expected: str | None
    message: str
    row: int | None = None  # 1-based position of the row in its layer, when there is one

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["severity"] = self.severity.value
        d["code"] = self.code.value
        return d


class JiyueError(Exception):
    """Base of every jiyue exception; ``message`` is shown to the user (Chinese)."""

    exit_code = 1

    def __init__(self, message: str, *, code: ReasonCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class PackageUnreadable(JiyueError, ValueError):
    """The input is not a data package at all (exit code 2)."""

    exit_code = 2


class UsageError(JiyueError, ValueError):
    """Wrong arguments or options (exit code 2)."""

    exit_code = 2


class ValidationFailed(JiyueError, ValueError):
    """The package has errors; ``problems`` lists every one."""

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message)
        self.problems = problems


class StoreError(JiyueError, RuntimeError):
    """The DuckDB store refused an operation (conflict, bad schema version, drift)."""


class ProfileError(JiyueError, ValueError):
    """A profile, scheme or rule file is malformed (e.g. weights that do not sum to 1).

    ``problems``: every problem of the file (as dicts) when it was checked as a whole."""

    def __init__(self, message: str, *, code: ReasonCode | None = None) -> None:
        super().__init__(message, code=code)
        self.problems: list[dict[str, Any]] = []


class ProblemReport:
    """What every validation report offers about its ``problems`` (the general path's
    ``validate.Report`` and the GeoParquet path's ``validate_parquet.ParquetReport``): errors,
    warnings, ok, counts and the JSON shape. A report gives its rows per layer by ``row_counts``."""

    problems: list[Problem]

    def row_counts(self) -> dict[str, int]:
        raise NotImplementedError

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, Any]:
        by_code: dict[str, int] = {}
        for p in self.problems:
            by_code[p.code.value] = by_code.get(p.code.value, 0) + 1
        return {"errors": len(self.errors), "warnings": len(self.warnings), "rows": self.row_counts(),
                "by_code": dict(sorted(by_code.items()))}

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "counts": self.counts(), "problems": [p.to_dict() for p in self.problems]}
