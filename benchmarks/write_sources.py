"""Write the HTML each sheet PDF is made from, for the naive baseline.

    python benchmarks/write_sources.py PROJECT DIR

Writes DIR/<name>.html for every sheet (the same HTML the build renders) and
DIR/page.css (page size, header and footer); prints the stylesheets to pass
to the `weasyprint` command, as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from workbook.model.plan import plan_site
from workbook.project import open_project
from workbook.render.pdf.schedule import PdfRenderer
from workbook.render.pdf.setup import page_css
from workbook.render.templates import make_env
from workbook.stages import check_project


def main() -> None:
    project = open_project(sys.argv[1])
    out = Path(sys.argv[2])
    content = check_project(project)
    plan = plan_site(content, with_pdfs=True)
    renderer = PdfRenderer(plan, make_env(project, content.t), project, paper=None, cache=None)
    for job in plan.pdfs:
        if job.sheet:
            name = Path(job.path).stem
            (out / f"{name}.html").write_text(renderer.source(job), encoding="utf-8")
    (out / "page.css").write_text(page_css(renderer.setup), encoding="utf-8")
    print(json.dumps([str(p) for p in renderer.spec.stylesheets] + [str(out / "page.css")]))


if __name__ == "__main__":
    main()
