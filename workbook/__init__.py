"""Goal Workbooks: therapy-goal content → a self-help site and fillable PDFs."""

__version__ = "0.1.0"

from .build import BuildConfig, BuildResult, build  # noqa: E402
from .errors import Problem, WorkbookError  # noqa: E402

__all__ = ["BuildConfig", "BuildResult", "Problem", "WorkbookError", "build", "__version__"]
