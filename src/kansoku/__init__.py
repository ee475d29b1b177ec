"""kansoku (観測): who claims what, on what source, from which angle, in Japanese geopolitical news."""

__version__ = "0.1.0"
SCHEMA_VERSION = "1.2"
