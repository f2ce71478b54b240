"""Running the system's own tools (poppler's pdftotext, pdfsig, …) on files a test made."""

import shutil
import subprocess


def run_program(program: str, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
    executable = shutil.which(program)
    assert executable, f"{program} is not installed (scripts/system-deps.sh)"
    # Our own files and arguments only.
    return subprocess.run(  # noqa: S603
        [executable, *arguments], capture_output=True, text=True, check=check, timeout=60
    )
