"""Goal Workbooks: therapy-goal content → a self-help site and fillable PDFs, and the
filled sheets back into progress reports.

The way out is ``build(BuildConfig(...))`` (:mod:`workbook.build`); the way back is
``progress(ProgressConfig(...))`` in :mod:`workbook.progress`, imported from there so that
a build never loads the report's code.
"""

from .build import BuildConfig, BuildResult, build
from .errors import Problem, WorkbookError
from .version import __version__

__all__ = ["BuildConfig", "BuildResult", "Problem", "WorkbookError", "__version__", "build"]
