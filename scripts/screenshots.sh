#!/usr/bin/env bash
# Regenerates docs/screenshots/: starts a seeded `onward serve` (two services through dev, staging and prod, a failed
# deployment, a production request waiting for approval, a freeze, flags with an experiment, a webhook) and pictures
# every page of the web UI in Debian's chromium. The same run also checks that every page loads without errors.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build tests/Onward.Ui.Tests -c Release -v quiet -nologo
mkdir -p docs/screenshots
ONWARD_SCREENSHOTS="$PWD/docs/screenshots" tests/Onward.Ui.Tests/bin/Release/net10.0/Onward.Ui.Tests \
  -class Onward.Ui.Tests.ScreenshotTests
ls -l docs/screenshots
