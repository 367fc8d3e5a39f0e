"""The project explains itself truthfully: generated parts of the docs match the code."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_lifecycle_pictures_in_the_architecture_doc_match_the_transition_tables():
    result = subprocess.run([sys.executable, "scripts/architecture_diagrams.py", "--check"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_readme_names_the_two_commands_on_its_first_screen():
    first_screen = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:30])
    assert "make run" in first_screen and "make test" in first_screen


def test_the_readme_says_on_its_first_screen_how_to_serve_on_another_port_and_how_to_stop():
    first_screen = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:30])
    assert "make run PORT=8080" in first_screen
    assert "Ctrl-C" in first_screen


def test_make_run_serves_on_the_port_the_readme_names():
    # -n prints the recipe without running it: the server line must bind the port asked for.
    result = subprocess.run(["make", "-n", "run", "PORT=8080"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert "--bind 127.0.0.1:8080" in result.stdout
