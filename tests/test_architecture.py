"""Data flows one way: a stage package never imports a later stage (docs/architecture.md).

read → normalize → nlp → extract → resolve → analyze → store → corpus → report → web.  Orchestrators
(``pipeline``, ``engine``, ``cli``, ``collect``) sit around the stages; of the stages, only ingest (which
runs the analysis before storing) and the web workspace (at the top, beside cli.py: its ingest page runs
collect and ingest) may call them.
"""

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "src" / "kansoku"
ORDER = ["read", "normalize", "nlp", "extract", "resolve", "analyze", "store", "corpus", "report", "web"]
ORCHESTRATORS = {"pipeline", "engine", "cli", "collect"}
#: stage modules allowed to call an orchestrator, and why
MAY_ORCHESTRATE = {
    "store/ingest.py": "ingest analyses files (pipeline.run) before it stores their records",
    "store/cli.py": "the ingest and reanalyze commands pick an engine",
    "web/jobs.py": "the ingest page runs collect and ingest, like the CLI",
}


def _imports(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
        elif isinstance(node, ast.Import):
            out.extend(a.name for a in node.names)
    return out


def test_no_stage_imports_a_later_stage_or_an_orchestrator():
    rank = {s: i for i, s in enumerate(ORDER)}
    bad = []
    checked = 0
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG)
        if len(rel.parts) < 2 or rel.parts[0] not in rank:
            continue
        checked += 1
        for mod in _imports(path):
            parts = mod.split(".")
            if parts[0] != "kansoku" or len(parts) < 2:
                continue
            target = parts[1]
            if target in rank and rank[target] > rank[rel.parts[0]]:
                bad.append(f"{rel.as_posix()} imports {mod} (a later stage)")
            elif target in ORCHESTRATORS and rel.as_posix() not in MAY_ORCHESTRATE:
                bad.append(f"{rel.as_posix()} imports {mod} (an orchestrator)")
    assert checked > 40
    assert not bad, "\n".join(bad)
