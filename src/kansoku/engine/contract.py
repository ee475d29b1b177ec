"""The output contract as columns: Parquet/Spark types of every record field, and the way back to dicts.

The mapping is the data file ``src/kansoku/data/output.columns.json``, kept beside the JSON Schema
(``output.schema.json``; a test checks that every property the schema names is mapped, with a matching
type, and that records of the sample corpus fit).  Its grammar:

* ``"string"``, ``"long"``, ``"double"``, ``"bool"`` — scalars (every scalar may be null);
* ``"number"`` — a JSON number that may be an integer or not: stored as double, read back as an integer
  when it is integral (``800000``), else as a float (``2.5``);
* ``"map<T>"`` — an object whose keys are data (``field_sources``): a Parquet map from string to T;
* ``[T]`` — an array of T; ``{...}`` — an object with fixed keys: a struct, fields in record order;
* a field name ending in ``?`` may be absent from a record: a null read back leaves the key out (the
  other fields are always present, null or not).

:func:`check_record` refuses a record that does not fit (an unknown key, a value of another type) with
a one-line reason, so that nothing is dropped silently when the contract grows: the record becomes an
error row until the mapping follows.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any

#: extra columns of a Parquet run beside the contract's fields
ERROR_COLUMN = "error"
ORDER_COLUMN = "input_order"

_SCALARS = ("string", "long", "double", "number", "bool")


class ContractMismatch(ValueError):
    """A record that does not fit the column mapping; ``str()`` names the field."""


@lru_cache(maxsize=1)
def columns() -> dict[str, Any]:
    """The mapping: field name (``?`` marks fields that may be absent) → type, in record order."""
    data = json.loads(resources.files("kansoku").joinpath("data/output.columns.json").read_text("utf-8"))
    return data["columns"]


@lru_cache(maxsize=1)
def columns_version() -> str:
    data = json.loads(resources.files("kansoku").joinpath("data/output.columns.json").read_text("utf-8"))
    return str(data["schema_version"])


def _fields(struct: dict[str, Any]) -> list[tuple[str, bool, Any]]:
    """(name, optional, type) of a struct spec."""
    return [(k.rstrip("?"), k.endswith("?"), t) for k, t in struct.items()]


def _map_value(spec: str) -> str:
    return spec[4:-1]


# ------------------------------------------------------------------------------------------------ types


def spark_schema(with_extras: bool = True):  # type: ignore[no-untyped-def]
    """The Spark StructType of a record row (pyspark imported here only)."""
    from pyspark.sql import types as T

    def conv(spec: Any) -> Any:
        if isinstance(spec, list):
            return T.ArrayType(conv(spec[0]), True)
        if isinstance(spec, dict):
            return T.StructType([T.StructField(n, conv(t), True) for n, _, t in _fields(spec)])
        if spec.startswith("map<"):
            return T.MapType(T.StringType(), conv(_map_value(spec)), True)
        return {
            "string": T.StringType(), "long": T.LongType(), "double": T.DoubleType(),
            "number": T.DoubleType(), "bool": T.BooleanType(),
        }[spec]  # fmt: skip

    schema = conv(columns())
    if with_extras:
        schema = schema.add(ERROR_COLUMN, T.StringType(), True)
        schema = schema.add(
            ORDER_COLUMN,
            T.StructType([
                T.StructField("root", T.IntegerType()), T.StructField("key", T.StringType()),
                T.StructField("item", T.IntegerType()),
            ]),  # fmt: skip
            True,
        )
    return schema


def arrow_schema(with_extras: bool = True):  # type: ignore[no-untyped-def]
    """The same as a pyarrow schema (to write or read Parquet without Spark)."""
    import pyarrow as pa

    def conv(spec: Any) -> Any:
        if isinstance(spec, list):
            return pa.list_(conv(spec[0]))
        if isinstance(spec, dict):
            return pa.struct([pa.field(n, conv(t)) for n, _, t in _fields(spec)])
        if spec.startswith("map<"):
            return pa.map_(pa.string(), conv(_map_value(spec)))
        return {
            "string": pa.string(), "long": pa.int64(), "double": pa.float64(), "number": pa.float64(),
            "bool": pa.bool_(),
        }[spec]  # fmt: skip

    fields = [pa.field(n, conv(t)) for n, _, t in _fields(columns())]
    if with_extras:
        fields.append(pa.field(ERROR_COLUMN, pa.string()))
        fields.append(pa.field(ORDER_COLUMN, pa.struct([("root", pa.int32()), ("key", pa.string()),
                                                        ("item", pa.int32())])))
    return pa.schema(fields)


# ------------------------------------------------------------------------------------------ records


def check_record(record: dict) -> None:
    """Raise :class:`ContractMismatch` when RECORD has a key or a value the columns cannot hold."""
    _check(record, columns(), "")


def _check(value: Any, spec: Any, where: str) -> None:
    if value is None:
        return
    if isinstance(spec, list):
        if not isinstance(value, list):
            raise ContractMismatch(f"{where or 'record'}: expected an array, got {type(value).__name__}")
        for k, v in enumerate(value):
            _check(v, spec[0], f"{where}[{k}]")
        return
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise ContractMismatch(f"{where or 'record'}: expected an object, got {type(value).__name__}")
        known = {n: t for n, _, t in _fields(spec)}
        for k, v in value.items():
            if k not in known:
                raise ContractMismatch(f"{where + '.' if where else ''}{k}: field not in output.columns.json")
            _check(v, known[k], f"{where + '.' if where else ''}{k}")
        return
    if spec.startswith("map<"):
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            raise ContractMismatch(f"{where}: expected an object with string keys")
        for k, v in value.items():
            _check(v, _map_value(spec), f"{where}.{k}")
        return
    ok = {
        "string": isinstance(value, str),
        "long": isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63,
        "double": isinstance(value, int | float) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 2**53,
        "bool": isinstance(value, bool),
    }[spec]
    if not ok:
        raise ContractMismatch(f"{where}: expected {spec}, got {type(value).__name__} {str(value)[:30]!r}")


def to_record(row: dict) -> dict:
    """A Parquet row (pyarrow ``to_pylist`` or Spark ``Row.asDict(True)``) → the record dict the local engine
    writes: absent optional fields left out, maps as dicts, integral numbers as integers.  Extra columns
    (``error``, ``input_order``) are dropped."""
    return _back({k: v for k, v in row.items() if k not in (ERROR_COLUMN, ORDER_COLUMN)}, columns())


def _back(value: Any, spec: Any) -> Any:
    if value is None:
        return None
    if isinstance(spec, list):
        return [_back(v, spec[0]) for v in value]
    if isinstance(spec, dict):
        out = {}
        for name, optional, t in _fields(spec):
            v = value.get(name)
            if v is None and optional:
                continue
            out[name] = _back(v, t)
        return out
    if spec.startswith("map<"):
        items = value.items() if isinstance(value, dict) else value
        return {k: _back(v, _map_value(spec)) for k, v in items}
    if spec == "number" and isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value
