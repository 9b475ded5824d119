"""Which Goal Workbooks this is (the package's build reads it too)."""

__version__ = "0.1.0"
