"""kansoku (観測): who claims what, on what source, from which angle, in Japanese geopolitical news."""

__version__ = "0.1.0"
SCHEMA_VERSION = "1.2"


def _defer_time_machine() -> None:
    """Make ``import time_machine`` cheap until the module is really used.

    ja-timex pins pendulum 3.0.0b1, whose ``import pendulum`` imports time-machine for its test helpers
    (``pendulum.travel``), and time-machine imports ``unittest.mock`` (hence asyncio) and pytest when it is
    installed: 0.15-0.4 s of every start for a feature kansoku never uses.  This puts a placeholder module
    in ``sys.modules`` whose first attribute look-up imports the real module and copies its namespace into
    the placeholder, so pendulum's helpers still work.  (``importlib.util.LazyLoader`` does not help here:
    before Python 3.12 the ``import`` statement itself reads ``__spec__`` and so loads the module.)
    """
    import sys

    if "time_machine" in sys.modules or "pendulum" in sys.modules:
        return
    import importlib.util
    import types

    try:
        spec = importlib.util.find_spec("time_machine")
    except (ImportError, ValueError):
        return
    if spec is None:
        return
    stub = types.ModuleType("time_machine")
    stub.__spec__ = spec
    stub.__file__ = spec.origin
    if spec.submodule_search_locations is not None:
        stub.__path__ = list(spec.submodule_search_locations)

    def __getattr__(name: str):  # noqa: N807 - a module __getattr__
        if sys.modules.get("time_machine") is stub:
            del sys.modules["time_machine"]
        real = importlib.import_module("time_machine")
        stub.__dict__.update(real.__dict__)
        return getattr(real, name)

    stub.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules["time_machine"] = stub


_defer_time_machine()
