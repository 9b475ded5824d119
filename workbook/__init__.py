"""Goal Workbooks: therapy-goal content → a self-help site and fillable PDFs."""

__version__ = "0.1.0"

from .build import BuildConfig, BuildResult, build
from .errors import Problem, WorkbookError

__all__ = ["BuildConfig", "BuildResult", "Problem", "WorkbookError", "__version__", "build"]
