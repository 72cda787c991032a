# Builds the Windows one-folder bundle dist\audio-workbench\workbench.exe with the same spec as Linux.
# Untested here (the project's CI builds only Linux); see installers/README.md.
# Usage (PowerShell, from the repository root):  powershell -ExecutionPolicy Bypass -File installers\build_windows.ps1
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
if (-not (Test-Path .venv)) { py -3.11 -m venv .venv }
$py = ".venv\Scripts\python.exe"
& $py -m pip install -q --upgrade pip
# CUDA build of torch for NVIDIA GPUs (the default Windows wheel is CPU-only); drop the index URL for CPU only.
& $py -m pip install -q "torch==2.11.*" "torchaudio==2.11.*" --index-url https://download.pytorch.org/whl/cu128
& $py -m pip install -q -e . "pyinstaller>=6.10" pillow
& $py -m pip install -q --no-deps -r requirements-nodeps.txt
if (Test-Path dist\audio-workbench) { Remove-Item -Recurse -Force dist\audio-workbench }
& .venv\Scripts\pyinstaller.exe --noconfirm --log-level WARN --workpath build\pyinstaller --distpath dist installers\workbench.spec
if ($LASTEXITCODE -ne 0) { throw "pyinstaller failed" }
# Smoke test: headless start on a generated tone, then pitch through the bundled CLI.
$tone = Join-Path $env:TEMP "workbench-tone.wav"
& $py -c "import numpy as n, soundfile as s; t=n.arange(48000)/16000; s.write(r'$tone', 0.5*n.sin(2*n.pi*220*t), 16000)"
& dist\audio-workbench\workbench.exe plugins
if ($LASTEXITCODE -ne 0) { throw "plugins failed" }
$env:WORKBENCH_EXIT_WHEN_SHOWN = "1"; $env:QT_QPA_PLATFORM = "offscreen"
& dist\audio-workbench\workbench.exe $tone
if ($LASTEXITCODE -ne 0) { throw "GUI smoke start failed" }
Remove-Item Env:WORKBENCH_EXIT_WHEN_SHOWN; Remove-Item Env:QT_QPA_PLATFORM
& dist\audio-workbench\workbench.exe analyze $tone --plugin pitch --out (Join-Path $env:TEMP "workbench-f0.csv")
if ($LASTEXITCODE -ne 0) { throw "pitch failed" }
Write-Host "bundle: dist\audio-workbench (zip it, or wrap it with Inno Setup / WiX for an installer)"
